"""Summary grades from evidence to the embedded platform's gradebook, through the outbox."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from devplatform import grading
from lti_tool.extensions import db
from lti_tool.lti.context import lti_of
from lti_tool.models import (
    SUMMARY_TAG,
    Course,
    Enrollment,
    GradeOutbox,
    OutboxState,
    User,
)
from lti_tool.models.types import utcnow
from lti_tool.services import course_settings, evidence, frameworks, grades, outbox
from lti_tool.worker import Worker
from tests.live import COURSE, Lms
from tests.services.grading import (
    DAY,
    SCORES,
    STUDENTS,
    drain,
    rows,
    score,
    summary_posts,
    summary_results,
)

pytestmark = pytest.mark.usefixtures("no_backoff")


def test_evidence_queues_the_summary_in_its_own_transaction(tool: Flask, course_id: int) -> None:
    score(tool, course_id, "201", "S1", 3)
    [row] = rows(tool)
    assert (row.score, row.maximum, row.state) == (85.0, 100.0, OutboxState.PENDING)
    assert row.comment == "Average level 3 across 1 assessed standard → 85%"
    with tool.app_context():
        course = db.session.get(Course, course_id)
        student = db.session.scalars(select(User).where(User.sub == "202")).one()
        standard = next(iter(frameworks.course_tree(course).standards))
        evidence.record_evidence(
            course, student, standard, 2, actor=None, source="teacher", demonstrated_at=DAY
        )
        db.session.rollback()  # the request failed after the write: no grade either
    assert len(rows(tool)) == 1


def test_the_worker_delivers_summaries_with_their_explanations(
    tool: Flask, lms: Lms, course_id: int
) -> None:
    for number, sub in enumerate(STUDENTS):
        score(tool, course_id, sub, "S1", 1 + number % 4)
        score(tool, course_id, sub, "S2", 4)
    report = drain(tool)
    assert report.delivered == len(STUDENTS) and report.dead == 0
    book = summary_results(lms)
    assert book["201"]["score_given"] == 77.5  # mean level 2.5 -> 77.5 (correction 7)
    assert book["201"]["comment"] == "Average level 2.5 across 2 assessed standards → 77.5%"
    assert book["204"]["score_given"] == 100.0
    assert book["201"]["submission_count"] == 0  # new_submission: false (correction 3)
    assert lms.platform.token_requests == 1  # one token for the whole batch
    assert {row.state for row in rows(tool)} == {OutboxState.SENT}


def test_pending_changes_collapse_to_the_newest(tool: Flask, lms: Lms, course_id: int) -> None:
    score(tool, course_id, "201", "S1", 1)
    score(tool, course_id, "201", "S1", 2, day=1)
    score(tool, course_id, "201", "S1", 4, day=2)
    assert len(rows(tool)) == 1
    drain(tool)
    assert [post["scoreGiven"] for post in summary_posts(lms)] == [100.0]


def test_a_value_the_platform_already_holds_is_not_sent_again(
    tool: Flask, lms: Lms, course_id: int
) -> None:
    score(tool, course_id, "201", "S1", 3)
    drain(tool)
    score(tool, course_id, "201", "S1", 3, day=1)  # most recent is still 3: same summary
    score(tool, course_id, "201", "S1", 2, day=2)
    score(tool, course_id, "201", "S1", 3, day=3)  # back to what was sent, before sending
    assert [row.state for row in rows(tool)] == [OutboxState.SENT]
    assert drain(tool).claimed == 0
    assert len(summary_posts(lms)) == 1


def test_a_changed_comment_is_sent_an_unchanged_one_is_not(
    tool: Flask, lms: Lms, course_id: int
) -> None:
    score(tool, course_id, "201", "S1", 3)
    drain(tool)
    with tool.app_context():
        row = db.session.scalars(select(GradeOutbox)).one()
        row.score, row.version, row.state = 90.0, row.version + 1, OutboxState.PENDING
        db.session.commit()
    drain(tool)
    first, second = summary_posts(lms)
    assert first["comment"] and "comment" not in second


def test_under_the_minimum_evidence_nothing_is_queued(tool: Flask, course_id: int) -> None:
    with tool.app_context():
        course_settings.change_settings(db.session.get(Course, course_id), min_evidence=2)
        db.session.commit()
    score(tool, course_id, "201", "S1", 3)
    assert rows(tool) == []  # Pending would clear the LMS grade (correction 6)
    score(tool, course_id, "201", "S1", 4, day=1)
    assert [row.score for row in rows(tool)] == [100.0]  # most recent: 4


def test_a_grade_sent_stays_when_the_student_falls_under_the_minimum(
    tool: Flask, lms: Lms, course_id: int
) -> None:
    """Correction 6: `Pending` would clear the LMS grade; under the minimum, nothing is sent
    and the grade sent before stays as it was."""
    score(tool, course_id, "201", "S1", 3)
    drain(tool)
    before = dict(summary_results(lms)["201"])
    assert before["score_given"] == 85.0 and before["grading_progress"] == "FullyGraded"
    posts = len(summary_posts(lms))
    with tool.app_context():
        course_settings.change_settings(db.session.get(Course, course_id), min_evidence=3)
        db.session.commit()
    report = Worker(tool).drain()
    assert report.jobs_done == 1 and report.grades.claimed == 0
    assert [row.state for row in rows(tool)] == [OutboxState.SENT]
    assert len(summary_posts(lms)) == posts
    assert summary_results(lms)["201"] == before


def test_inactive_students_are_sent_nothing(tool: Flask, course_id: int) -> None:
    with tool.app_context():
        user = db.session.scalars(select(User).where(User.sub == "201")).one()
        db.session.scalars(
            select(Enrollment).where(Enrollment.user_id == user.id)
        ).one().status = "inactive"
        db.session.commit()
    score(tool, course_id, "201", "S1", 3)
    assert rows(tool) == []


def test_priority_standard_columns(tool: Flask, lms: Lms, course_id: int) -> None:
    with tool.app_context():
        course = db.session.get(Course, course_id)
        s2 = next(s for s in frameworks.course_tree(course).standards.values() if s.code == "S2")
        frameworks.set_priority(course, [s2.id], True)
        course_settings.settings_for(course).has_standard_columns = True
        db.session.commit()
    score(tool, course_id, "201", "S2", 3)
    drain(tool)
    columns = {item.tag: item for item in lms.platform.line_items(COURSE)}
    column = columns["standard:S2"]
    result = lms.platform.gradebook(COURSE)[column.id]["201"]
    assert (result["score_given"], column.score_maximum) == (3.0, 4.0)
    assert result["comment"] == "Proficient (3 of 4) on S2, from 1 piece of evidence"


def test_transient_failures_are_retried_until_delivered(
    tool: Flask, lms: Lms, course_id: int
) -> None:
    for sub in STUDENTS[:4]:
        score(tool, course_id, sub, "S1", 3)
    faults = lms.platform.faults
    faults.inject(SCORES, status=500, count=2)
    faults.inject(SCORES, status=502, count=1)
    faults.inject(SCORES, delay_s=1.0, count=1)  # longer than the tool waits
    policy = lti_of(tool).outbound.policy
    lti_of(tool).outbound.policy = replace(policy, timeout=0.5)
    report = drain(tool)
    assert report.retried == 4 and report.dead == 0
    book = summary_results(lms)
    assert {book[sub]["score_given"] for sub in STUDENTS[:4]} == {85.0}
    assert all(row.state == OutboxState.SENT for row in rows(tool))


@pytest.mark.parametrize(
    ("status", "retry_after", "wait"),
    [(429, 30, 30), (403, None, 60)],  # 403 "Rate Limit Exceeded" is Canvas's throttle
)
def test_throttling_waits_as_asked(
    tool: Flask, lms: Lms, course_id: int, status: int, retry_after: int | None, wait: int
) -> None:
    score(tool, course_id, "201", "S1", 3)
    lms.platform.faults.inject(SCORES, status=status, retry_after=retry_after)
    before = utcnow()
    report = drain(tool)
    assert report.retried == 1 and report.delivered == 0
    [row] = rows(tool)
    assert row.due_at >= before + timedelta(seconds=wait)
    assert row.state == OutboxState.PENDING and row.last_status == status
    with tool.app_context():
        later = outbox.drain_once("test", now=row.due_at + timedelta(seconds=1))
    assert later.delivered == 1


def test_a_revoked_token_is_refreshed_once(tool: Flask, lms: Lms, course_id: int) -> None:
    score(tool, course_id, "201", "S1", 3)
    drain(tool)
    lms.platform.revoke_tokens()
    score(tool, course_id, "201", "S1", 4, day=1)
    assert drain(tool).delivered == 1
    assert lms.platform.token_requests == 2
    assert summary_results(lms)["201"]["score_given"] == 100.0


def test_refusals_are_dead_lettered_with_the_platform_message_then_retried(
    tool: Flask, lms: Lms, course_id: int
) -> None:
    score(tool, course_id, "201", "S1", 3)
    score(tool, course_id, "202", "S1", 2)
    lms.platform.faults.inject(SCORES, status=400, body='{"errors": [{"message": "No."}]}')
    report = drain(tool)
    assert (report.delivered, report.dead) == (1, 1)
    with tool.app_context():
        course = db.session.get(Course, course_id)
        [dead] = [s for s in grades.sync_status(course) if s.row.state == OutboxState.DEAD]
        assert dead.row.last_error == "No." and dead.row.last_status == 400
        assert grades.retry_dead(course) == 1
        db.session.commit()
    assert drain(tool).delivered == 1
    assert set(summary_results(lms)) == {"201", "202"}


def test_a_deleted_column_pauses_its_grades_until_the_teacher_recreates_it(
    tool: Flask, lms: Lms, course_id: int
) -> None:
    score(tool, course_id, "201", "S1", 3)
    score(tool, course_id, "202", "S1", 2)
    drain(tool)
    [item] = [i for i in lms.platform.line_items(COURSE) if i.tag == SUMMARY_TAG]
    grading.delete_line_item(lms.platform.store, item)
    score(tool, course_id, "201", "S1", 4, day=1)
    score(tool, course_id, "202", "S1", 4, day=1)
    report = drain(tool)
    assert (report.paused, report.dead) == (2, 0)  # a 404 pauses the column, no dead letter
    score(tool, course_id, "201", "S1", 2, day=2)
    assert drain(tool).claimed == 0  # later grades wait for it without calling the LMS
    with tool.app_context():
        course = db.session.get(Course, course_id)
        [gone] = grades.gone_columns(course)
        assert gone.waiting == 2 and gone.column.line_item_url is None
        assert {s.row.state for s in grades.sync_status(course)} == {OutboxState.PENDING}
        grades.recreate_column(course, gone.column.id)
        db.session.commit()
        assert grades.gone_columns(course) == []
    assert drain(tool).delivered == 2
    # The newest value of each (201's third score, level 2), not the one paused first.
    assert {sub: r["score_given"] for sub, r in summary_results(lms).items()} == {
        "201": 70.0,
        "202": 100.0,
    }
    [new] = [i for i in lms.platform.line_items(COURSE) if i.tag == SUMMARY_TAG]
    assert new.id != item.id


def test_superseded_on_moodle_is_resent_with_a_fresh_timestamp(
    tool: Flask, lms: Lms, course_id: int
) -> None:
    lms.app.config["SCORE_TIMESTAMP_MODE"] = "moodle"
    score(tool, course_id, "201", "S1", 3)
    drain(tool)
    [item] = [i for i in lms.platform.line_items(COURSE) if i.tag == SUMMARY_TAG]
    held = summary_posts(lms)[0]["timestamp"]
    # Someone else's later write: the platform now holds a time after ours.
    later = datetime.fromisoformat(held.replace("Z", "+00:00")) + timedelta(seconds=5)
    lms.platform.store.state.results[f"{item.id}:201"].timestamp = later.isoformat()
    score(tool, course_id, "201", "S1", 4, day=1)
    report = drain(tool)
    assert report.delivered == 1 and report.retried >= 1
    assert summary_results(lms)["201"]["score_given"] == 100.0


def test_timestamps_grow_by_a_second_per_student(tool: Flask, lms: Lms, course_id: int) -> None:
    for day, points in enumerate((1, 2, 3)):
        score(tool, course_id, "201", "S1", points, day=day)
        drain(tool)
    stamps = [
        datetime.fromisoformat(post["timestamp"].replace("Z", "+00:00"))
        for post in summary_posts(lms)
    ]
    assert all(b - a >= timedelta(seconds=1) for a, b in zip(stamps, stamps[1:], strict=False))


def test_a_course_without_grade_services_holds_its_grades(tool: Flask, course_id: int) -> None:
    with tool.app_context():
        course = db.session.get(Course, course_id)
        course.ags_lineitems_url = None
        db.session.commit()
    score(tool, course_id, "201", "S1", 3)
    report = drain(tool)
    [row] = rows(tool)
    assert report.delivered == 0 and row.state == OutboxState.PENDING
    assert "grade services" in (row.last_error or "")
    assert row.due_at > utcnow() + timedelta(minutes=5)


def test_settings_change_recomputes_in_the_worker(tool: Flask, lms: Lms, course_id: int) -> None:
    score(tool, course_id, "201", "S1", 2)
    score(tool, course_id, "201", "S1", 4, day=1)
    drain(tool)
    assert summary_results(lms)["201"]["score_given"] == 100.0
    with tool.app_context():
        course = db.session.get(Course, course_id)
        course_settings.change_settings(course, method="highest")
        course_settings.change_settings(course, method="mean")
        db.session.commit()
        assert (
            db.session.scalar(
                select(func.count())
                .select_from(GradeOutbox)
                .where(GradeOutbox.state == OutboxState.PENDING)
            )
            == 0
        )  # nothing recomputed in the request
    report = Worker(tool).drain()
    assert report.jobs_done == 1
    assert summary_results(lms)["201"]["score_given"] == 85.0  # mean of 2 and 4 = 3
