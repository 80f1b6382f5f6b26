"""Grading periods: each period's summary from its own evidence, nothing for closed ones."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.mastery.periods import PeriodDates
from lti_tool.models import SUMMARY_TAG, Evidence, GradeColumn, GradeOutbox
from lti_tool.services import evidence, evidence_import, exports, grades, outbox, periods
from lti_tool.services.periods import PeriodRejected
from tests.services.conftest import standard_ids

NEW_YORK = "America/New_York"
# Far enough ahead that the periods are open whatever day the suite runs.
TERM_1 = PeriodDates("Term 1", date(2030, 9, 3), date(2030, 12, 20))
TERM_2 = PeriodDates("Term 2", date(2031, 1, 6), date(2031, 3, 28))


@pytest.fixture
def course(make_course, make_framework):
    course = make_course()
    make_framework(course)
    periods.set_time_zone(course, NEW_YORK)
    return course


def _record(course, student, code: str, points: float, when: datetime) -> None:
    standard = standard_ids(course)[code]
    evidence.record_evidence(
        course, student, standard, points, actor=None, source="teacher", demonstrated_at=when
    )


def _wanted(course) -> dict[str, dict[int, float]]:
    """The outbox's wanted score per column tag and student."""
    found: dict[str, dict[int, float]] = {}
    query = (
        select(GradeColumn.tag, GradeOutbox.student_id, GradeOutbox.score)
        .join(GradeOutbox, GradeOutbox.column_id == GradeColumn.id)
        .where(GradeColumn.course_id == course.id)
    )
    for tag, student, score in db.session.execute(query):
        found.setdefault(tag, {})[student] = score
    return found


def _at(year, month, day, hour, minute=0) -> datetime:
    """A New York wall-clock time as an aware datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(NEW_YORK))


def test_each_period_summarises_only_its_own_evidence(course, make_student) -> None:
    term_1 = periods.save_period(course, TERM_1)
    term_2 = periods.save_period(course, TERM_2)
    student = make_student(course)
    _record(course, student, "S1", 1, _at(2030, 8, 20, 10))  # before both periods
    _record(course, student, "S1", 4, _at(2030, 10, 1, 10))  # term 1
    _record(course, student, "S2", 2, _at(2031, 2, 2, 10))  # term 2
    wanted = _wanted(course)
    assert wanted[periods.period_tag(term_1)] == {student.id: 100.0}  # level 4 alone
    assert wanted[periods.period_tag(term_2)] == {student.id: 70.0}  # level 2 alone
    assert wanted[SUMMARY_TAG] == {student.id: 85.0}  # the whole course: (4 + 2) / 2 = 3
    [row] = db.session.scalars(
        select(GradeOutbox).join(GradeColumn).where(GradeColumn.period_id == term_1.id)
    )
    assert row.comment == "Term 1: Average level 4 across 1 assessed standard → 100%"


def test_tags_are_stable_and_never_database_ids(course) -> None:
    term_1 = periods.save_period(course, TERM_1)
    again = periods.save_period(course, PeriodDates("Term 1", date(2031, 4, 1), date(2031, 6, 1)))
    assert periods.period_tag(term_1) == "mastery-summary:period:term-1"
    assert periods.period_tag(again) == "mastery-summary:period:term-1-2"
    renamed = periods.save_period(
        course, PeriodDates("Autumn", TERM_1.starts_on, TERM_1.ends_on), period_id=term_1.id
    )
    assert periods.period_tag(renamed) == "mastery-summary:period:term-1"


@pytest.mark.parametrize(
    ("when", "counts"),
    [
        (_at(2030, 9, 3, 0, 0), True),  # the first instant of the first day
        (_at(2030, 9, 2, 23, 59), False),
        (_at(2030, 12, 20, 23, 59), True),  # late on the last day, local time
        (_at(2030, 12, 21, 0, 0), False),  # the next day (05:00 UTC)
    ],
)
def test_evidence_on_the_boundary(course, make_student, when: datetime, counts: bool) -> None:
    term_1 = periods.save_period(course, TERM_1)
    student = make_student(course)
    _record(course, student, "S1", 3, when)
    assert (periods.period_tag(term_1) in _wanted(course)) is counts


def test_a_closed_period_gets_nothing_queued_and_its_waiting_grades_stay(
    course, make_student
) -> None:
    term_1 = periods.save_period(course, TERM_1)
    student = make_student(course)
    _record(course, student, "S1", 3, _at(2030, 10, 1, 10))
    tag = periods.period_tag(term_1)
    assert _wanted(course)[tag] == {student.id: 85.0}
    periods.close_period(course, term_1.id)
    _record(course, student, "S2", 1, _at(2030, 10, 2, 10))
    assert _wanted(course)[tag] == {student.id: 85.0}  # unchanged: nothing queued
    assert _wanted(course)[SUMMARY_TAG] == {student.id: 70.0}  # the course-wide one moves
    db.session.commit()
    claimed = outbox.claim("w1", 50)
    columns = {db.session.get(GradeColumn, item.column_id).tag for item in claimed}
    assert columns == {SUMMARY_TAG}  # the closed period's pending row is not sent
    periods.reopen_period(course, term_1.id)
    db.session.commit()
    assert {db.session.get(GradeColumn, c.column_id).tag for c in outbox.claim("w2", 50)} == {tag}


def test_a_period_closes_by_itself_after_its_end_and_grace(course, make_student) -> None:
    period = periods.save_period(course, PeriodDates("Q1", date(2030, 9, 3), date(2030, 11, 1), 3))
    student = make_student(course)
    tag = periods.period_tag(period)
    # Closes at the end of 4 November, New York time (EST, UTC-5): 05:00 UTC on the 5th.
    assert period.closes_at == datetime(2030, 11, 5, 5, 0, tzinfo=UTC)
    standard = standard_ids(course)["S1"]
    evidence.record_evidence(
        course,
        student,
        standard,
        2,
        actor=None,
        source="teacher",
        demonstrated_at=_at(2030, 10, 1, 9),
    )
    before = datetime(2030, 11, 5, 4, 59, tzinfo=UTC)
    db.session.execute(db.delete(GradeOutbox))
    assert grades.queue_grades(course, now=before) == 2  # the course's summary and Q1
    db.session.execute(db.delete(GradeOutbox))
    grades.queue_grades(course, now=before + timedelta(minutes=1))
    assert tag not in _wanted(course) and SUMMARY_TAG in _wanted(course)


def test_a_concluded_course_gets_nothing(course, make_student) -> None:
    periods.save_period(course, TERM_1)
    student = make_student(course)
    course.concluded_at = datetime(2030, 1, 1, tzinfo=UTC)
    _record(course, student, "S1", 3, _at(2030, 10, 1, 10))
    assert _wanted(course) == {}
    course.concluded_at = None
    _record(course, student, "S2", 3, _at(2030, 10, 1, 10))
    db.session.commit()
    assert len(outbox.claim("w1", 50)) == 2
    course.concluded_at = datetime(2030, 1, 1, tzinfo=UTC)
    db.session.execute(db.update(GradeOutbox).values(lease_until=None))
    db.session.commit()
    assert outbox.claim("w2", 50) == []  # waiting rows of a concluded course are not sent


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        (PeriodDates("Term 2", date(2030, 12, 20), date(2031, 3, 1)), "starts_on"),
        (PeriodDates("Term 2", date(2031, 3, 1), date(2031, 2, 1)), "ends_on"),
        (PeriodDates("", date(2031, 1, 6), date(2031, 3, 1)), "title"),
    ],
)
def test_a_refused_period_saves_nothing(course, dates: PeriodDates, field: str) -> None:
    periods.save_period(course, TERM_1)
    with pytest.raises(PeriodRejected) as refused:
        periods.save_period(course, dates)
    assert set(refused.value.problems) == {field}
    assert [p.title for p in periods.periods_of(course)] == ["Term 1"]


def test_changing_the_time_zone_moves_the_closing_time(course) -> None:
    period = periods.save_period(course, TERM_1)
    assert period.closes_at == datetime(2030, 12, 21, 5, 0, tzinfo=UTC)
    periods.set_time_zone(course, "Asia/Tokyo")
    assert period.closes_at == datetime(2030, 12, 20, 15, 0, tzinfo=UTC)
    with pytest.raises(PeriodRejected):
        periods.set_time_zone(course, "Nowhere/Special")
    assert course.time_zone == "Asia/Tokyo"


def test_the_installation_default_zone(app, ctx, make_course) -> None:
    course = make_course()
    assert periods.course_zone(course).key == "UTC"
    app.config["DEFAULT_TIME_ZONE"] = "Europe/Paris"
    assert periods.course_zone(course).key == "Europe/Paris"
    course.time_zone = "America/Denver"
    assert periods.course_zone(course).key == "America/Denver"


WIDE = """Student,S1,S2
ada@example.edu,3,4
"""


@pytest.mark.parametrize(
    ("zone", "day", "stored"),
    [
        ("UTC", date(2026, 3, 8), datetime(2026, 3, 8, 12, tzinfo=UTC)),
        # New York springs forward that morning: midday is 16:00 UTC, the day before 17:00.
        (NEW_YORK, date(2026, 3, 8), datetime(2026, 3, 8, 16, tzinfo=UTC)),
        (NEW_YORK, date(2026, 3, 7), datetime(2026, 3, 7, 17, tzinfo=UTC)),
        # Auckland is UTC+13 in March: its midday is the evening before in UTC.
        ("Pacific/Auckland", date(2026, 3, 8), datetime(2026, 3, 7, 23, tzinfo=UTC)),
    ],
)
def test_an_import_date_is_a_day_in_the_course_time_zone(
    make_course, make_framework, make_student, zone: str, day: date, stored: datetime
) -> None:
    course = make_course()
    make_framework(course)
    make_student(course, name="Ada Lovelace", email="ada@example.edu")
    periods.set_time_zone(course, zone)
    evidence_import.import_evidence(course, WIDE, actor=None, shown_on=day)
    assert set(db.session.scalars(select(Evidence.demonstrated_at))) == {stored}
    lines = exports.evidence_csv(course).splitlines()
    assert all(f",{day.isoformat()}," in line for line in lines[1:])  # the day as typed
