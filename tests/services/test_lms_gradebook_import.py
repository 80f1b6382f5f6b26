"""Importing Canvas and Moodle gradebook exports through a remembered column mapping."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lti_tool.errors import MasteryRejected
from lti_tool.extensions import db
from lti_tool.importers.lms_gradebook import parse_gradebook
from lti_tool.models import Evidence
from lti_tool.services.lms_gradebook_import import (
    MAPPED,
    NEW,
    SKIPPED,
    import_gradebook,
    map_column,
    preview_gradebook,
)

from .conftest import standard_ids

DATA = Path(__file__).parent.parent / "data"
CUTS = [[0, 1], [60, 2], [75, 3], [90, 4]]


def data(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture
def course(make_course, make_student, make_framework):
    course = make_course()
    make_framework(course)
    for n, email in (
        (201, "mateo.hernandez"),
        (202, "aiyana.whitehorse"),
        (203, "lan.nguyen"),
        (204, "oluwaseun.adeyemi"),
    ):
        # Lan's SIS id is not in the Moodle file: her email finds her there.
        make_student(course, email, sis_id=f"SIS-{n}", email=f"{email}@school.example.edu")
    return course


def mapped(course, name="canvas_gradebook.csv", **points):
    """Quiz → S1 and S2, exit ticket → S3, lab report not imported."""
    book = parse_gradebook(data(name))
    ids = standard_ids(course)
    quiz, ticket, lab = book.columns[:3]
    map_column(course, quiz, {ids["S1"]: CUTS, ids["S2"]: CUTS}, actor=None, **points)
    map_column(course, ticket, {ids["S3"]: CUTS}, actor=None, **points)
    map_column(course, lab, None, actor=None)
    return book


def live(course) -> list[tuple]:
    rows = db.session.execute(
        select(Evidence.student_id, Evidence.standard_id, Evidence.points, Evidence.is_exempt)
        .where(Evidence.course_id == course.id, Evidence.superseded_by_id.is_(None))
        .order_by(Evidence.id)
    )
    return rows.all()


def total(course) -> int:
    query = select(func.count()).select_from(Evidence).where(Evidence.course_id == course.id)
    return db.session.scalar(query)


def test_canvas_import_counts_skips_and_reimport_adds_nothing(course):
    mapped(course)
    preview = preview_gradebook(course, data("canvas_gradebook.csv"))
    assert [p.status for p in preview.columns] == [MAPPED, MAPPED, SKIPPED]
    assert [m.shown for m in preview.unmatched] == [
        "not a student of this course (no LMS id, SIS id or email matches)"
    ]
    assert preview.report.added == 10 and preview.report.unmatched == 1
    assert total(course) == 0  # a preview writes nothing
    report = import_gradebook(
        course, data("canvas_gradebook.csv"), shown_on=date(2025, 10, 31), actor=None
    )
    # Quiz: 3 scored students × 2 standards; ticket: 3 scored + 1 excused; Oluwaseun's quiz blank.
    assert (report.added, report.superseded, report.excused) == (10, 0, 1)
    assert report.skipped == {"blank": 1} and report.test_students == 1
    assert sorted(p for *_, p, exempt in live(course) if not exempt) == [1, 2, 2, 3, 3, 3, 4, 4, 4]
    again = import_gradebook(
        course, data("canvas_gradebook.csv"), shown_on=date(2025, 11, 30), actor=None
    )
    assert (again.added, again.superseded, again.unchanged) == (0, 0, 10)
    assert total(course) == 10


def test_a_changed_score_supersedes_exactly_its_cells(course):
    mapped(course)
    import_gradebook(course, data("canvas_gradebook.csv"), shown_on=date(2025, 10, 31), actor=None)
    before = total(course)
    preview = preview_gradebook(course, data("canvas_gradebook_next_month.csv"))
    assert [p.status for p in preview.columns] == [MAPPED, MAPPED, SKIPPED, NEW]
    assert (preview.report.superseded, preview.report.unchanged) == (2, 8)
    report = import_gradebook(
        course, data("canvas_gradebook_next_month.csv"), shown_on=date(2025, 11, 30), actor=None
    )
    # Mateo's quiz 17/20 → 18/20: on S1 and S2, Proficient → Advanced; nothing else moved.
    assert (report.added, report.superseded, report.unchanged) == (0, 2, 8)
    assert total(course) == before + 2
    old = db.session.scalars(
        select(Evidence).where(
            Evidence.course_id == course.id, Evidence.superseded_by_id.is_not(None)
        )
    ).all()
    assert len(old) == 2 and {row.points for row in old} == {3}
    assert all(db.session.get(Evidence, row.superseded_by_id).points == 4 for row in old)


def test_excused_becomes_a_score_by_superseding(course):
    mapped(course)
    import_gradebook(course, data("canvas_gradebook.csv"), shown_on=date(2025, 10, 31), actor=None)
    changed = data("canvas_gradebook.csv").replace(b"12.00,EX,", b"12.00,3.00,")
    report = import_gradebook(course, changed, shown_on=date(2025, 11, 1), actor=None)
    assert report.superseded == 1
    assert not any(exempt for *_, exempt in live(course))


def test_moodle_real_needs_points_and_ambiguous_emails_are_reported(course, make_student):
    make_student(course, "Sofia", email="shared.inbox@school.example.edu")
    make_student(course, "Liam", email="SHARED.inbox@school.example.edu")
    book = parse_gradebook(data("moodle_grader_real.csv"))
    ids = standard_ids(course)
    with pytest.raises(MasteryRejected):
        map_column(course, book.columns[0], {ids["S1"]: CUTS}, points_possible=-1, actor=None)
    map_column(course, book.columns[0], {ids["S1"]: CUTS}, points_possible=20, actor=None)
    preview = preview_gradebook(course, data("moodle_grader_real.csv"))
    # Lan has no ID number: her email finds her. Sofia's email is shared: reported, not guessed.
    assert [m.shown for m in preview.unmatched] == [
        "email shared.inbox@school.example.edu matches 2 students"
    ]
    report = import_gradebook(
        course, data("moodle_grader_real.csv"), shown_on=date(2025, 10, 31), actor=None
    )
    assert (report.added, report.unmatched, report.skipped) == (3, 1, {"no grade (-)": 1})
    assert sorted(p for *_, p, _ in live(course)) == [2, 3, 4]


def test_conflicting_identifiers_are_ambiguous(course, make_student):
    make_student(course, "Other", sis_id="SIS-900", lms_user_id="201")
    mapped(course)
    preview = preview_gradebook(course, data("canvas_gradebook.csv"))
    assert "name different students" in preview.students[0].shown
    assert preview.students[0].student_id is None


def test_another_platforms_users_are_never_matched(
    course, make_course, make_student, make_framework
):
    other = make_course()  # another platform, same SIS ids and emails
    make_framework(other)
    for n in (201, 202, 203, 204):
        make_student(other, f"Twin {n}", sis_id=f"SIS-{n}", lms_user_id=str(n))
    elsewhere = make_course()
    make_framework(elsewhere)
    make_student(elsewhere, "Only here", sis_id="SIS-999")
    mapped(elsewhere)
    preview = preview_gradebook(elsewhere, data("canvas_gradebook.csv"))
    assert [m.row.sis_id for m in preview.students if m.student_id] == ["SIS-999"]
    import_gradebook(
        elsewhere, data("canvas_gradebook.csv"), shown_on=date(2025, 10, 31), actor=None
    )
    assert total(course) == total(other) == 0
