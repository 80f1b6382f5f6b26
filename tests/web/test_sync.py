"""End to end through the demo course: scores reach the LMS gradebook with their explanations,
an LMS grade comes back as evidence on "Sync from LMS", and failures are shown with a retry."""

from __future__ import annotations

import re
from html import unescape

from flask import Flask
from sqlalchemy import select

from devplatform import grading
from lti_tool.extensions import db
from lti_tool.models import SUMMARY_TAG, Course, Evidence, Job
from lti_tool.services import lms_results
from lti_tool.worker import Worker
from tests.live import CLIENT_ID, COURSE, STUDENT, TEACHER, Lms
from tests.lti.conftest import Browser
from tests.web.conftest import launch_as, seed

SCORES = r"/line_items/\d+/scores$"


def summary_column(lms: Lms) -> dict[str, dict]:
    [item] = [i for i in lms.platform.line_items(COURSE) if i.tag == SUMMARY_TAG]
    return lms.platform.gradebook(COURSE)[item.id]


def test_the_demo_course_grades_reach_the_lms_and_the_page_says_so(tool: Flask, lms: Lms) -> None:
    teacher = launch_as(Browser(tool, lms), TEACHER)
    seed(tool, lms)
    report = Worker(tool).drain()
    assert report.grades.delivered >= 8 and report.grades.dead == 0
    book = summary_column(lms)
    assert book[STUDENT]["score_given"] > 0
    assert book[STUDENT]["comment"].startswith("Average level ")
    page = teacher.get("/sync").get_data(as_text=True)
    assert page.count("Up to date") >= 8 and book[STUDENT]["comment"] in page


def test_sync_from_lms_turns_an_lms_grade_into_evidence(tool: Flask, lms: Lms) -> None:
    teacher = launch_as(Browser(tool, lms), TEACHER)
    ids = seed(tool, lms)
    # With no LMS column to read, the button says where to choose one and queues nothing.
    nothing = teacher.post("/sync/lms", {})
    page = teacher.browser.tool.get(nothing.headers["Location"]).get_data(as_text=True)
    assert "No LMS column is read yet" in unescape(page)
    with tool.app_context():
        assert db.session.scalars(select(Job).where(Job.kind == "lms_results")).all() == []
    # A column the tool published (deep-linked assessment), graded by the teacher in the LMS.
    column = lms.platform.add_line_item(
        COURSE, "Unit 2 quiz", 20, client_id=CLIENT_ID, tag="quiz-2", resourceId="quiz-2"
    )
    standard = next(iter(ids.standards.values()))
    with tool.app_context():
        course = db.session.get(Course, ids.course)
        [item] = [i for i in lms_results.lms_line_items(course) if i.label == "Unit 2 quiz"]
        cuts = [[0, 1], [60, 2], [75, 3], [90, 4]]
        lms_results.align_line_item(course, item, {standard: cuts}, actor=None)
        db.session.commit()
    lms.platform.grade(column.id, STUDENT, 16)  # 80% -> level 3
    response = teacher.post("/sync/lms", {})
    assert response.status_code == 303
    assert Worker(tool).drain().jobs_done >= 1
    with tool.app_context():
        found = db.session.scalars(
            select(Evidence).where(Evidence.source == "lms", Evidence.superseded_by_id.is_(None))
        ).all()
        assert [(e.student_id, e.standard_id, e.points) for e in found] == [
            (ids.users[STUDENT], standard, 3.0)
        ]
        assert db.session.scalars(select(Job.state).where(Job.kind == "lms_results")).all() == [
            "done"
        ]
    cell = teacher.get(f"/students/{ids.users[STUDENT]}/standards/{standard}")
    assert "lms" in cell.get_data(as_text=True).lower()


def test_a_refused_grade_is_shown_with_the_platform_message_and_can_be_retried(
    tool: Flask, lms: Lms
) -> None:
    teacher = launch_as(Browser(tool, lms), TEACHER)
    seed(tool, lms, student_count=2)
    lms.platform.faults.inject(
        SCORES, status=422, count=1, body='{"errors": [{"message": "Nope"}]}'
    )
    assert Worker(tool).drain().grades.dead == 1
    page = teacher.get("/sync").get_data(as_text=True)
    assert "Not accepted" in page and "Nope" in page and "HTTP 422" in page
    response = teacher.post("/sync/retry", {})
    assert response.status_code == 303
    assert Worker(tool).drain().grades.delivered == 1
    assert "Not accepted" not in teacher.get("/sync").get_data(as_text=True)


def test_students_cannot_see_or_start_syncs(tool: Flask, lms: Lms) -> None:
    launch_as(Browser(tool, lms), TEACHER)
    seed(tool, lms, student_count=2)
    student = launch_as(Browser(tool, lms), STUDENT)
    assert student.get("/sync").status_code == 403
    assert student.post("/sync/lms", {}).status_code == 403
    assert student.post("/sync/retry", {}).status_code == 403
    with tool.app_context():
        assert db.session.scalars(select(Job).where(Job.kind == "lms_results")).all() == []


def test_a_column_deleted_in_the_lms_shows_one_banner_and_is_recreated(
    tool: Flask, lms: Lms
) -> None:
    teacher = launch_as(Browser(tool, lms), TEACHER)
    ids = seed(tool, lms, student_count=3)
    Worker(tool).drain()
    [item] = [i for i in lms.platform.line_items(COURSE) if i.tag == SUMMARY_TAG]
    grading.delete_line_item(lms.platform.store, item)
    standard = next(iter(ids.standards.values()))
    for sub in ("201", "202"):
        added = teacher.post(
            f"/students/{ids.users[sub]}/standards/{standard}/evidence",
            {"level": "1", "date": "2026-11-20", "comment": "Retake"},
        )
        assert added.status_code == 303, added.get_data(as_text=True)
    report = Worker(tool).drain().grades
    assert report.dead == 0 and report.paused >= 1
    book = teacher.get("/gradebook").get_data(as_text=True)
    assert book.count("was deleted in the LMS") == 1 and "2 grades wait for it" in book
    page = teacher.get("/sync").get_data(as_text=True)
    assert "Not accepted" not in page and "Column deleted in the LMS" in page
    [action] = re.findall(r'action="(/sync/columns/\d+/recreate)"', page)

    assert teacher.post(action, {}).status_code == 303
    assert Worker(tool).drain().grades.delivered == 2
    assert "was deleted in the LMS" not in teacher.get("/gradebook").get_data(as_text=True)
    assert summary_column(lms)["201"]["comment"]
