"""LMS columns as evidence through the embedded platform: alignment, cut scores, results sync."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from devplatform import grading
from devplatform.vocab import Role
from lti_tool.errors import MasteryRejected, NotFound, PermissionDenied
from lti_tool.extensions import db
from lti_tool.lti.service import Retry, ServiceCallFailed
from lti_tool.lti.service_token import ServiceError
from lti_tool.lti.vocab import Scope
from lti_tool.models import (
    SUMMARY_TAG,
    Assessment,
    Course,
    CurrentLevel,
    Evidence,
    EvidenceAudit,
    User,
)
from lti_tool.services import evidence, frameworks, lms_results
from lti_tool.services.course_settings import settings_for
from lti_tool.services.lms_results import ResultsReport, sync_results
from lti_tool.services.roster import sync_roster
from tests.lti.conftest import CLIENT_ID, COURSE, TEACHER, Lms
from tests.services.conftest import draft
from tests.services.test_roster import launch_course

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(days=7)
CUTS = [[0, 1], [60, 2], [75, 3], [90, 4]]  # >= 90% Advanced, >= 75% Proficient, ...
GRADES = {"201": 18, "202": 15, "203": 11.9}  # out of 20: 90%, 75%, 59.5%


@pytest.fixture
def course(tool: Flask, lms: Lms) -> Iterator[Course]:
    """The launched demo course, roster synced, with standards S1, S2, S3 adopted."""
    course_id = launch_course(tool, lms)
    with tool.app_context():
        course = db.session.get(Course, course_id)
        sync_roster(course)
        db.session.commit()
        framework = frameworks.save_framework(
            draft({"D1": ["S1", "S2", "S3"]}), platform=course.platform
        )
        frameworks.adopt(course, framework)
        db.session.commit()
        yield course


@pytest.fixture
def ids(course: Course) -> dict[str, int]:
    return {s.code: s.id for s in frameworks.course_tree(course).standards.values()}


def column(lms: Lms, label: str = "Unit 3 test", maximum: float = 20, **fields) -> str:
    """A column the tool owns in the LMS (as when it published the assessment); its AGS URL."""
    fields = {"resourceId": "unit-3", "tag": "test", **fields}
    item = lms.platform.add_line_item(COURSE, label, maximum, client_id=CLIENT_ID, **fields)
    return f"{lms.issuer}/api/lti/courses/{COURSE}/line_items/{item.id}"


def aligned(course: Course, url: str, alignments: dict[int, list[list[float]]]) -> Assessment:
    [item] = [i for i in lms_results.lms_line_items(course) if i.id == url]
    assessment = lms_results.align_line_item(course, item, alignments, actor=None)
    db.session.commit()
    return assessment


@pytest.fixture
def unit3(course: Course, lms: Lms, ids: dict[str, int]) -> str:
    url = column(lms)
    aligned(course, url, {ids["S1"]: CUTS, ids["S2"]: CUTS})
    for student, score in GRADES.items():
        lms.platform.grade(url, student, score)
    return url


def sync(course: Course, at: datetime = NOW, **options) -> ResultsReport:
    report = sync_results(course, now=at, **options)
    db.session.commit()
    return report


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def live(student: str, standard: int) -> Evidence:
    return db.session.scalar(
        select(Evidence)
        .join(User, User.id == Evidence.student_id)
        .where(User.sub == student, Evidence.standard_id == standard)
        .where(Evidence.superseded_by_id.is_(None))
    )


def label(student: str, standard: int) -> str | None:
    return db.session.scalar(
        select(CurrentLevel.level_label)
        .join(User, User.id == CurrentLevel.student_id)
        .where(User.sub == student, CurrentLevel.standard_id == standard)
    )


def test_line_items_are_the_tools_own_minus_its_grade_columns(course: Course, lms: Lms) -> None:
    ours = column(lms)
    lms.platform.add_line_item(COURSE, "Other tool's quiz", 10, client_id="another-tool")
    column(lms, "Mastery summary", 100, tag=SUMMARY_TAG, resourceId="")
    column(lms, "Standard S1", 4, tag="standard:S1", resourceId="")
    items = lms_results.lms_line_items(course, page_size=1)
    # The teacher's native quiz and discussion (seeded) are invisible through AGS (correction 1).
    assert [(i.id, i.label, i.score_maximum) for i in items] == [(ours, "Unit 3 test", 20)]


def test_alignment_has_a_stable_tag_and_is_updated_in_place(
    course: Course, lms: Lms, ids: dict[str, int]
) -> None:
    url = column(lms)
    first = aligned(course, url, {ids["S1"]: CUTS, ids["S2"]: CUTS})
    assert (first.kind, first.tag, first.resource_id, first.line_item_url) == (
        "lms_line_item",
        "lms:unit-3|test",
        "unit-3",
        url,
    )
    again = aligned(course, url, {ids["S2"]: [[0, 1], [50, 3]], ids["S3"]: CUTS})
    assert again.id == first.id and count(Assessment) == 1
    assert {a.standard_id: a.cut_scores for a in again.alignments} == {
        ids["S2"]: [[0, 1], [50, 3]],
        ids["S3"]: CUTS,
    }
    bare = column(lms, "Exit ticket", 5, resourceId="", tag="")
    untagged = aligned(course, bare, {ids["S1"]: CUTS})
    assert (
        untagged.tag.startswith("lms:url:")
        and untagged.tag == aligned(course, bare, {ids["S1"]: CUTS}).tag
    )


def test_columns_sharing_a_tag_get_distinct_assessments(
    course: Course, lms: Lms, ids: dict[str, int]
) -> None:
    a = aligned(course, column(lms, "Quiz A", resourceId="", tag="quiz"), {ids["S1"]: CUTS})
    b = aligned(course, column(lms, "Quiz B", resourceId="", tag="quiz"), {ids["S1"]: CUTS})
    assert a.tag == "lms:quiz" and b.tag.startswith("lms:quiz~") and a.id != b.id


@pytest.mark.parametrize(
    ("cuts", "message"),
    [
        ([], "at least one cut score"),
        ([[0, 1], [90, 4], [75, 3]], "must go up"),
        ([[0, 1], [50, 2], [50, 3]], "must go up"),
        ([[90, 4], [0, 1]], "must go up"),
        ([[10, 1], [50, 2]], "must start at 0%"),
        ([[0, 1], [120, 4]], "between 0 and 100"),
        ([[0, 1], [50, 5]], "5 is not a level of the course's scale: Beginning (1)"),
        ([[0, 0], [50, 2]], "0 is not a level"),
        ([[0, 3], [80, 2]], "cannot give a lower level"),
        ([[0, 1, 2]], "Each cut score is [minimum percent, level points]"),
        ([[0, "3"]], "Each cut score is"),
        ([[0, True]], "Each cut score is"),
        ([[0, float("nan")]], "Each cut score is"),
    ],
)
def test_bad_cut_scores_are_refused(
    course: Course, lms: Lms, ids: dict[str, int], cuts, message: str
) -> None:
    url = column(lms)
    with pytest.raises(MasteryRejected) as caught:
        aligned(course, url, {ids["S1"]: cuts})
    assert message in caught.value.message


def test_no_evidence_level_is_not_a_cut(course: Course) -> None:
    # Canvas's "No Evidence" (0 points) is not a score (DESIGN.md correction 8).
    from lti_tool.services.course_settings import ensure_presets

    canvas = ensure_presets(course.platform)["canvas_default"]
    assert lms_results.checked_cut_scores([[0, 1], [90, 4]], canvas) == [[0, 1], [90, 4]]
    with pytest.raises(MasteryRejected, match="0 is not a level"):
        lms_results.checked_cut_scores([[0, 0], [50, 1]], canvas)


@pytest.mark.parametrize(
    ("percent", "points"), [(0, 1), (59.999, 1), (60, 2), (74.5, 2), (75, 3), (90, 4), (110, 4)]
)
def test_level_for(percent: float, points: float) -> None:
    assert lms_results.level_for(CUTS, percent) == points


def test_refuses_columns_that_are_not_evidence(
    course: Course, lms: Lms, ids: dict[str, int]
) -> None:
    url = column(lms)
    [item] = lms_results.lms_line_items(course)
    foreign = replace(item, id="http://attacker.example/api/lti/courses/x/line_items/1")
    with pytest.raises(PermissionDenied, match="not a column of this course"):
        lms_results.align_line_item(course, foreign, {ids["S1"]: CUTS}, actor=None)
    summary = replace(item, tag=SUMMARY_TAG)
    with pytest.raises(MasteryRejected, match="tool's own grade column"):
        lms_results.align_line_item(course, summary, {ids["S1"]: CUTS}, actor=None)
    with pytest.raises(NotFound, match="not adopted"):
        lms_results.align_line_item(course, item, {999_999: CUTS}, actor=None)
    assert url == item.id and count(Assessment) == 0


def test_results_become_evidence_through_the_cut_scores(
    course: Course, lms: Lms, ids: dict[str, int], unit3: str
) -> None:
    lms.platform.grade(unit3, "204", None)  # opened in SpeedGrader, no score: skipped
    lms.platform.grade(unit3, "209", 20)  # dropped (Inactive): skipped
    lms.platform.grade(unit3, TEACHER, 20)  # not a student: skipped
    lms.platform.add_user("Noor", "Haddad", user_id="240")
    lms.platform.enroll(COURSE, "240", [Role.LEARNER])  # not synced yet: unknown, not guessed
    lms.platform.grade(unit3, "240", 20)
    report = sync(course)
    assert report == ResultsReport(
        line_items=1, added=6, skipped_no_score=1, skipped_unknown=2, skipped_inactive=1
    )
    expected = {"201": "Advanced", "202": "Proficient", "203": "Beginning"}
    for student, level in expected.items():
        assert label(student, ids["S1"]) == label(student, ids["S2"]) == level
    row = live("201", ids["S1"])
    assert (row.source, row.points, row.demonstrated_at) == ("lms", 4.0, NOW)
    assert row.comment == "Unit 3 test: 18/20 (90%) in the LMS"
    assert live("203", ids["S1"]).comment == "Unit 3 test: 11.9/20 (59.5%) in the LMS"
    assert label("201", ids["S3"]) is None  # not aligned


def test_resync_adds_nothing(course: Course, unit3: str) -> None:
    sync(course)
    before = (count(Evidence), count(EvidenceAudit))
    assert sync(course, LATER) == ResultsReport(line_items=1, unchanged=6)
    assert (count(Evidence), count(EvidenceAudit)) == before


def test_changed_grade_supersedes_and_reverting_works(
    course: Course, lms: Lms, ids: dict[str, int], unit3: str
) -> None:
    sync(course)
    first = live("201", ids["S1"])
    lms.platform.grade(unit3, "201", 12)  # regraded: 60% -> Developing
    assert sync(course, LATER) == ResultsReport(line_items=1, superseded=2, unchanged=4)
    second = live("201", ids["S1"])
    db.session.refresh(first)
    assert first.superseded_by_id == second.id and first.points == 4.0
    assert (second.points, second.demonstrated_at, second.source) == (2.0, LATER, "lms")
    assert label("201", ids["S1"]) == "Developing"
    lms.platform.grade(unit3, "201", 18)  # back to where it was: a new value again
    assert sync(course, LATER + timedelta(days=1)).superseded == 2
    assert label("201", ids["S1"]) == "Advanced"
    student = db.session.scalar(select(User).where(User.sub == "201"))
    chain = evidence.history(course, student.id, ids["S1"])
    assert [(e.points, e.superseded_by_id is None) for e in chain] == [
        (4.0, False),
        (2.0, False),
        (4.0, True),
    ]
    assert sync(course, LATER + timedelta(days=2)).unchanged == 6


def test_new_cut_scores_remap_and_keep_the_date(
    course: Course, ids: dict[str, int], unit3: str
) -> None:
    sync(course)
    aligned(course, unit3, {ids["S1"]: [[0, 1], [50, 2], [75, 3], [90, 4]], ids["S2"]: CUTS})
    report = sync(course, LATER)
    assert (report.superseded, report.unchanged) == (1, 5)  # only 203's 59.5% moves
    row = live("203", ids["S1"])
    assert (row.points, row.demonstrated_at) == (2.0, NOW)  # first seen at NOW


def test_teacher_correction_stands_until_the_lms_value_changes(
    course: Course, lms: Lms, ids: dict[str, int], unit3: str
) -> None:
    sync(course)
    teacher = db.session.scalar(select(User).where(User.sub == TEACHER))
    fixed = evidence.correct_evidence(
        live("201", ids["S1"]), actor=teacher, points=3.0, demonstrated_at=NOW - timedelta(days=2)
    )
    db.session.commit()
    assert sync(course, LATER).unchanged == 6
    assert live("201", ids["S1"]).id == fixed.id
    lms.platform.grade(unit3, "201", 20)
    assert sync(course, LATER).superseded == 2
    row = live("201", ids["S1"])
    assert (row.points, row.demonstrated_at) == (4.0, LATER)
    db.session.refresh(fixed)
    assert fixed.superseded_by_id == row.id


def test_results_pages_of_two(course: Course, lms: Lms, ids: dict[str, int], unit3: str) -> None:
    for student in ("204", "205", "206", "207", "208"):
        lms.platform.grade(unit3, student, 16)
    tokens = lms.platform.token_requests
    assert sync(course, page_size=2).added == 16
    assert lms.platform.token_requests - tokens <= 1  # one token for the whole sync


def test_extra_credit_reaches_the_top_level(
    course: Course, lms: Lms, ids: dict[str, int], unit3: str
) -> None:
    lms.platform.grade(unit3, "204", 22)  # 110%
    sync(course)
    assert live("204", ids["S1"]).points == 4.0


def two_columns(course: Course, lms: Lms, ids: dict[str, int], unit3: str) -> str:
    unit4 = column(lms, "Unit 4 test", 10, resourceId="unit-4")
    aligned(course, unit4, {ids["S3"]: CUTS})
    lms.platform.grade(unit4, "201", 10)
    return unit4


def test_platform_error_records_nothing_from_any_column(
    course: Course, lms: Lms, ids: dict[str, int], unit3: str
) -> None:
    unit4 = two_columns(course, lms, ids, unit3)
    item_id = lms.platform.line_item(unit4).id
    lms.platform.faults.inject(rf"/line_items/{item_id}/results$", status=500)
    with pytest.raises(ServiceCallFailed) as caught:
        sync_results(course, now=NOW)
    assert caught.value.message.startswith(
        "Reading the results of “Unit 4 test” in Algebra I — Period 3 failed (the platform "
        "answered 500)"
    )
    assert isinstance(caught.value.outcome, Retry)  # the worker retries it
    db.session.rollback()
    # Unit 3 was read fine, yet nothing of it was saved: the sync is one unit, retried whole.
    assert count(Evidence) == 0 and count(CurrentLevel) == 0
    assert sync(course, LATER).added == 7
    assert live("201", ids["S3"]).demonstrated_at == LATER


def test_timeout_records_nothing(
    make_app, tool_server, course: Course, lms: Lms, ids: dict[str, int], unit3: str
) -> None:
    app = make_app(TOOL_BASE_URL=tool_server.url, HTTP_TIMEOUT_SECONDS=0.3)
    lms.platform.faults.inject(r"/results$", delay_s=1.0)
    with app.app_context():
        slow = db.session.get(Course, course.id)
        with pytest.raises(ServiceCallFailed) as caught:
            sync_results(slow, now=NOW)
        assert isinstance(caught.value.outcome, Retry) and "(no answer)" in caught.value.message
        db.session.rollback()
        assert count(Evidence) == 0


def test_deleted_column_is_reported_and_the_rest_synced(
    course: Course, lms: Lms, ids: dict[str, int], unit3: str
) -> None:
    unit4 = two_columns(course, lms, ids, unit3)
    grading.delete_line_item(lms.platform.store, lms.platform.line_item(unit4))
    report = sync(course)
    assert (report.added, report.gone) == (6, ["Unit 4 test"])


def test_alignment_that_no_longer_fits_the_scale_is_reported(
    course: Course, ids: dict[str, int], unit3: str
) -> None:
    from lti_tool.services.course_settings import ensure_presets

    settings_for(course).scale = ensure_presets(course.platform)["two_level"]
    db.session.commit()
    report = sync(course)
    assert report.added == 0 and len(report.problems) == 2
    assert "is not a level of the course's scale" in report.problems[0]


def test_results_scope_not_granted(course: Course, unit3: str) -> None:
    course.ags_scopes = [Scope.LINEITEM, Scope.SCORE]
    with pytest.raises(ServiceError, match="has not granted the tool the grade scopes"):
        sync_results(course)


def test_nothing_aligned_asks_for_no_token(course: Course, lms: Lms) -> None:
    column(lms)
    tokens = lms.platform.token_requests
    assert sync(course) == ResultsReport()
    assert lms.platform.token_requests == tokens


def test_report_summary() -> None:
    report = ResultsReport(line_items=2, added=6, skipped_no_score=1, gone=["Unit 4 test"])
    assert report.summary() == (
        "2 LMS columns: 6 new evidence, 0 superseded, 0 unchanged, 1 results skipped; "
        "“Unit 4 test” is gone"
    )
