"""Grading periods through the embedded platform: one dated LMS column per period."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from flask import Flask
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.mastery.periods import PeriodDates
from lti_tool.models import SUMMARY_TAG, Course, GradeOutbox, User
from lti_tool.services import evidence, frameworks, line_items, periods
from tests.live import COURSE, TEACHER, Lms
from tests.lti.conftest import Browser
from tests.services.grading import drain

pytestmark = pytest.mark.usefixtures("no_backoff")

DENVER = ZoneInfo("America/Denver")
# Ahead of any day the suite runs, so both periods are open.
FALL = PeriodDates("Fall 2030", date(2030, 8, 26), date(2030, 12, 20))
SPRING = PeriodDates("Spring 2031", date(2031, 1, 6), date(2031, 5, 30))


def _record(tool: Flask, course_id: int, sub: str, code: str, points: float, when: datetime):
    with tool.app_context():
        course = db.session.get(Course, course_id)
        student = db.session.scalars(select(User).where(User.sub == sub)).one()
        standard = next(
            s.id for s in frameworks.course_tree(course).standards.values() if s.code == code
        )
        evidence.record_evidence(
            course, student, standard, points, actor=None, source="teacher", demonstrated_at=when
        )
        db.session.commit()


def _periods(tool: Flask, course_id: int) -> dict[str, int]:
    with tool.app_context():
        course = db.session.get(Course, course_id)
        found = {p.title: periods.save_period(course, p).id for p in (FALL, SPRING)}
        db.session.commit()
        return found


@pytest.fixture
def denver_teacher(lms: Lms) -> None:
    """The teacher's Canvas profile is in Denver (sent as $Person.address.timezone)."""
    lms.platform.store.state.users[TEACHER].time_zone = "America/Denver"


def test_the_first_teacher_launch_sets_the_course_time_zone(
    tool: Flask, lms: Lms, denver_teacher: None, course_id: int
) -> None:
    with tool.app_context():
        course = db.session.get(Course, course_id)
        assert (course.time_zone, course.time_zone_source) == ("America/Denver", "platform")
    # A launch from a teacher elsewhere, or a student's, never moves it.
    lms.platform.store.state.users[TEACHER].time_zone = "Europe/Paris"
    lms.platform.store.state.users["201"].time_zone = "Asia/Tokyo"
    browser = Browser(tool, lms)
    browser.page(browser.launch(TEACHER))
    browser.page(browser.launch("201"))
    with tool.app_context():
        course = db.session.get(Course, course_id)
        assert course.time_zone == "America/Denver"
        periods.set_time_zone(course, "America/Chicago")  # a teacher's choice in the tool
        db.session.commit()
        assert course.time_zone_source == "teacher"


def test_one_dated_line_item_per_period_and_its_own_grade(
    tool: Flask, lms: Lms, course_id: int
) -> None:
    with tool.app_context():
        periods.set_time_zone(db.session.get(Course, course_id), "America/Denver")
        db.session.commit()
    ids = _periods(tool, course_id)
    _record(tool, course_id, "201", "S1", 4, datetime(2030, 10, 1, 9, tzinfo=DENVER))
    _record(tool, course_id, "201", "S1", 1, datetime(2031, 2, 1, 9, tzinfo=DENVER))
    report = drain(tool)
    assert report.dead == 0 and report.delivered == 3
    items = {i.tag: i for i in lms.platform.line_items(COURSE) if i.client_id}
    fall = items["mastery-summary:period:fall-2030"]
    spring = items["mastery-summary:period:spring-2031"]
    assert fall.label == "Mastery summary: Fall 2030"
    # Midnight at the start of the first day and 23:59:59 on the last, Denver time, in UTC.
    assert (fall.start_date_time, fall.end_date_time) == (
        "2030-08-26T06:00:00.000Z",
        "2030-12-21T06:59:59.000Z",
    )
    assert spring.start_date_time == "2031-01-06T07:00:00.000Z"  # MST in January
    book = lms.platform.gradebook(COURSE)
    assert book[fall.id]["201"]["score_given"] == 100.0  # level 4, in the fall only
    assert book[spring.id]["201"]["score_given"] == pytest.approx(55.0)  # level 1, spring
    assert book[items[SUMMARY_TAG].id]["201"]["score_given"] == pytest.approx(55.0)  # most recent

    with tool.app_context():
        periods.close_period(db.session.get(Course, course_id), ids["Fall 2030"])
        db.session.commit()
    _record(tool, course_id, "202", "S2", 3, datetime(2030, 11, 2, 9, tzinfo=DENVER))
    with tool.app_context():
        waiting = db.session.scalars(
            select(GradeOutbox).where(GradeOutbox.state == "pending")
        ).all()
        assert {row.column.tag for row in waiting} == {SUMMARY_TAG}  # nothing for the fall
    assert drain(tool).delivered == 1
    assert "202" not in lms.platform.gradebook(COURSE)[fall.id]


def test_a_course_concluded_in_canvas_gets_nothing_more(
    tool: Flask, lms: Lms, course_id: int
) -> None:
    lms.platform.store.state.courses[COURSE].workflow_state = "completed"
    browser = Browser(tool, lms)
    browser.page(browser.launch(TEACHER))
    _record(tool, course_id, "201", "S1", 4, datetime(2030, 10, 1, 9, tzinfo=DENVER))
    with tool.app_context():
        assert db.session.get(Course, course_id).concluded_at is not None
        assert db.session.scalars(select(GradeOutbox)).all() == []
    assert drain(tool).claimed == 0


def test_a_renamed_or_moved_period_updates_its_lms_column(
    tool: Flask, lms: Lms, course_id: int
) -> None:
    ids = _periods(tool, course_id)
    _record(tool, course_id, "201", "S1", 4, datetime(2030, 10, 1, 9, tzinfo=DENVER))
    assert drain(tool).dead == 0
    [fall] = [i for i in lms.platform.line_items(COURSE) if i.tag.endswith(":fall-2030")]
    first_start, first_end = fall.start_date_time, fall.end_date_time  # the store's item changes
    renamed = PeriodDates("First semester", date(2030, 8, 26), date(2031, 1, 3))

    with tool.app_context():
        course = db.session.get(Course, course_id)
        periods.save_period(course, renamed, ids["Fall 2030"])
        db.session.commit()
    assert drain(tool).dead == 0

    items = {i.id: i for i in lms.platform.line_items(COURSE) if i.client_id}
    moved = items[fall.id]  # the same column, its grades kept: only its label and dates change
    assert (moved.label, moved.tag) == ("Mastery summary: First semester", fall.tag)
    assert moved.start_date_time == first_start
    assert (first_end[:10], moved.end_date_time[:10]) == ("2030-12-20", "2031-01-03")
    assert lms.platform.gradebook(COURSE)[fall.id]["201"]["score_given"] == 100.0
    assert len(items) == 3  # the summary and two periods: nothing created twice

    with tool.app_context():  # asked again with nothing changed: no PUT is sent
        summary = line_items.discover_columns(db.session.get(Course, course_id))
    assert "updated" not in summary
