"""Whole-course computation: constant queries, roll-ups at read time, bulk recompute."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event, func, select

from lti_tool.errors import MasteryRejected
from lti_tool.extensions import db
from lti_tool.models import CurrentLevel, Evidence
from lti_tool.services import course_settings, evidence, mastery

from .conftest import standard_ids

DAY = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)


@contextmanager
def counted():
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def fill(course, students, ids, teacher):
    for n, student in enumerate(students):
        for k, code in enumerate(("S1", "S2", "S3")):
            for day in range(2):
                evidence.record_evidence(
                    course,
                    student,
                    ids[code],
                    float(1 + (n + k + day) % 4),
                    actor=teacher,
                    source="teacher",
                    demonstrated_at=DAY + timedelta(days=day),
                )


@pytest.fixture
def course_of(make_course, make_framework, make_student):
    def factory(size: int):
        course = make_course()
        make_framework(course)
        teacher = make_student(course, role="teacher")
        students = [make_student(course) for _ in range(size)]
        fill(course, students, standard_ids(course), teacher)
        db.session.commit()
        return course, students

    return factory


def test_whole_course_uses_a_constant_number_of_queries(course_of):
    small, _ = course_of(5)
    large, _ = course_of(50)
    counts = []
    for course in (small, large):
        db.session.expire_all()
        with counted() as statements:
            result = mastery.compute_course_mastery(course)
        counts.append(len(statements))
        assert len(result.cells) == len(result.students) * 3
    assert counts[0] == counts[1] and counts[0] <= 10


def test_rollups_and_summary(course_of):
    course, students = course_of(1)
    ids = standard_ids(course)
    result = mastery.compute_course_mastery(course)
    student = students[0].id
    # Latest points: S1 = 2, S2 = 3, S3 = 4 (most recent); D1 rolls up S1 and S2.
    assert [result.result(student, ids[c]).points for c in ("S1", "S2", "S3")] == [2, 3, 4]
    assert result.result(student, ids["D1"]).points == pytest.approx(2.5)
    assert result.result(student, ids["D2"]).points == 4
    summary = result.summaries[student]
    assert summary.score == pytest.approx(85.0)
    assert summary.explanation.startswith("Average level 3 across 3 assessed standards")
    one = mastery.student_mastery(course, student)
    assert one.rolled_up(student) == result.rolled_up(student)
    assert mastery.standard_mastery(course, ids["D1"])[student].points == pytest.approx(2.5)


def test_recompute_after_settings_change(course_of):
    course, students = course_of(3)
    course_settings.change_settings(course, method="highest")
    assert mastery.recompute_course(course) == 9
    stored = mastery.stored_levels(course)
    fresh = mastery.compute_course_mastery(course).cells
    assert {cell: r.points for cell, r in stored.items()} == {
        cell: r.points for cell, r in fresh.items()
    }
    cells = set(db.session.execute(select(Evidence.student_id, Evidence.standard_id)).all())
    assert db.session.scalar(select(func.count()).select_from(CurrentLevel)) == len(cells) == 9


def test_bad_settings_are_refused(make_course):
    course = make_course()
    with pytest.raises(MasteryRejected):
        course_settings.change_settings(course, method="vibes")
