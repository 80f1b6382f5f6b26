"""Exemptions through the services: stored levels, summaries and grades in one transaction."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lti_tool.errors import MasteryRejected, NotFound
from lti_tool.extensions import db
from lti_tool.mastery import Status
from lti_tool.models import Assessment, CurrentLevel, Enrollment, Exemption, GradeOutbox
from lti_tool.services import evidence, exemptions, exports, mastery, scoring

from .conftest import standard_ids

DAY = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)


def record(course, student, teacher, standard, points, *, day=0, assessment=None):
    return evidence.record_evidence(
        course,
        student,
        standard,
        float(points),
        actor=teacher,
        source="teacher",
        demonstrated_at=DAY + timedelta(days=day),
        assessment=assessment,
    )


@pytest.fixture
def scored(make_course, make_framework, make_student):
    """A course with students scored on S1, S2, S3 (D1 = S1 + S2, D2 = S3)."""

    def factory(levels: dict[str, float], course=None, student=None):
        course = course or make_course()
        if course is not None and not standard_ids(course):
            make_framework(course)
        teacher = make_student(course, role="teacher")
        student = student or make_student(course)
        ids = standard_ids(course)
        for code, points in levels.items():
            record(course, student, teacher, ids[code], points)
        db.session.flush()
        return course, student, teacher, ids

    return factory


def summary_of(course, student):
    return mastery.student_mastery(course, student.id).summaries[student.id]


def stored(course, student, standard):
    return mastery.stored_levels(course, student_ids=[student.id])[(student.id, standard)]


def outbox_score(student):
    return db.session.scalars(
        select(GradeOutbox.score).where(GradeOutbox.student_id == student.id)
    ).one()


def test_exempt_standard_gives_exactly_the_summary_without_that_standard(scored):
    course, student, teacher, ids = scored({"S1": 3, "S2": 3, "S3": 1})
    other, other_student, _, _ = scored({"S1": 3, "S2": 3})
    assert summary_of(course, student).score == pytest.approx(75.0)  # mean 2.33
    exemptions.exempt_standard(
        course, student.id, ids["S3"], reason="iep", note=None, actor=teacher
    )
    assert summary_of(course, student) == summary_of(other, other_student)
    assert summary_of(course, student).explanation == (
        "Average level 3 across 2 assessed standards → 85%"
    )
    # Stored in the same transaction: the gradebook's level and the queued grade agree.
    assert stored(course, student, ids["S3"]).status is Status.EXEMPT
    assert mastery.compute_course_mastery(course).result(student.id, ids["D2"]).status is (
        Status.EXEMPT
    )
    assert outbox_score(student) == pytest.approx(85.0)


def test_lifting_brings_every_score_back(scored):
    course, student, teacher, ids = scored({"S1": 3, "S2": 3, "S3": 1})
    before = summary_of(course, student)
    found = exemptions.exempt_standard(
        course, student.id, ids["S3"], reason="504", note="Extended time", actor=teacher
    )
    exemptions.lift_exemption(course, found.id, actor=teacher)
    assert summary_of(course, student) == before
    assert stored(course, student, ids["S3"]).points == 1
    assert outbox_score(student) == pytest.approx(before.score)
    assert db.session.scalar(select(Exemption.id)) is None


def test_exempt_parent_exempts_its_subtree_and_a_standard_without_evidence_shows_exempt(scored):
    course, student, teacher, ids = scored({"S1": 1, "S3": 4})
    exemptions.exempt_standard(
        course, student.id, ids["D1"], reason="newcomer_el", note=None, actor=teacher
    )
    result = mastery.student_mastery(course, student.id)
    for code in ("D1", "S1", "S2"):
        assert result.result(student.id, ids[code]).status is Status.EXEMPT, code
    assert stored(course, student, ids["S2"]).status is Status.EXEMPT  # no evidence there
    assert result.summaries[student.id].explanation.startswith("Average level 4 across 1 ")
    # The stored levels match a whole-course recompute (what the worker would write).
    cells = {c: r for c, r in mastery.stored_levels(course).items()}
    mastery.recompute_course(course)
    assert mastery.stored_levels(course) == cells


def test_exemption_again_on_one_target_changes_its_reason(scored):
    course, student, teacher, ids = scored({"S1": 2})
    first = exemptions.exempt_standard(
        course, student.id, ids["S1"], reason="iep", note=None, actor=teacher
    )
    again = exemptions.exempt_standard(
        course, student.id, ids["S1"], reason="other", note="Medical leave", actor=teacher
    )
    assert again.id == first.id and (again.reason, again.note) == ("other", "Medical leave")


@pytest.mark.parametrize(
    ("reason", "note", "message"),
    [
        ("vibes", None, "Choose a reason"),
        ("other", "  ", "Say in the note"),
        ("iep", "x" * 501, "under 500"),
    ],
)
def test_bad_reasons_are_refused_and_nothing_is_saved(scored, reason, note, message):
    course, student, teacher, ids = scored({"S1": 2})
    with pytest.raises(MasteryRejected, match=message):
        exemptions.exempt_standard(
            course, student.id, ids["S1"], reason=reason, note=note, actor=teacher
        )
    assert db.session.scalar(select(Exemption.id)) is None


def test_exemptions_never_cross_courses(scored, make_course, make_framework, make_student):
    course, student, teacher, ids = scored({"S1": 3, "S2": 3, "S3": 1})
    # The same person in a second course on the same platform, with the same evidence.
    second = make_course(course.platform)
    make_framework(second)
    db.session.add(Enrollment(course_id=second.id, user_id=student.id, role="student"))
    db.session.flush()
    _, _, _, second_ids = scored({"S1": 3, "S2": 3, "S3": 1}, course=second, student=student)
    found = exemptions.exempt_standard(
        course, student.id, ids["S3"], reason="iep", note=None, actor=teacher
    )
    assert summary_of(second, student).score == pytest.approx(75.0)
    assert stored(second, student, second_ids["S3"]).points == 1
    # Another course's standard, exemption, assessment or student: not found.
    with pytest.raises(NotFound):
        exemptions.exempt_standard(
            second, student.id, ids["S3"], reason="iep", note=None, actor=teacher
        )
    with pytest.raises(NotFound):
        exemptions.lift_exemption(second, found.id, actor=teacher)
    elsewhere = Assessment(course_id=course.id, title="Quiz", tag="q-1")
    db.session.add(elsewhere)
    db.session.flush()
    with pytest.raises(NotFound):
        exemptions.exempt_assessment(
            second, student.id, elsewhere.id, reason="iep", note=None, actor=teacher
        )
    outsider = make_student(make_course())
    with pytest.raises(NotFound):
        exemptions.exempt_standard(
            course, outsider.id, ids["S1"], reason="iep", note=None, actor=teacher
        )


def test_exempt_assessment_drops_that_students_scores_from_it_only(scored, make_student):
    course, student, teacher, ids = scored({"S1": 3, "S2": 3})
    classmate = make_student(course)
    quiz = Assessment(course_id=course.id, title="Quiz 1", tag="quiz-1")
    db.session.add(quiz)
    db.session.flush()
    for who in (student, classmate):
        record(course, who, teacher, ids["S1"], 1, day=2, assessment=quiz)
        record(course, who, teacher, ids["S3"], 2, day=2, assessment=quiz)
    assert stored(course, student, ids["S1"]).points == 1
    found = exemptions.exempt_assessment(
        course, student.id, quiz.id, reason="504", note=None, actor=teacher
    )
    # Every standard the quiz touched: back to the evidence from elsewhere (or none).
    assert stored(course, student, ids["S1"]).points == 3
    assert stored(course, student, ids["S3"]).status is Status.NOT_ASSESSED
    assert summary_of(course, student).score == pytest.approx(85.0)
    assert stored(course, classmate, ids["S1"]).points == 1
    # Evidence recorded later from that assessment (an LMS read-back) does not count either.
    record(course, student, teacher, ids["S2"], 1, day=3, assessment=quiz)
    assert stored(course, student, ids["S2"]).points == 3
    exemptions.lift_exemption(course, found.id, actor=teacher)
    assert stored(course, student, ids["S1"]).points == 1
    assert stored(course, student, ids["S2"]).points == 1
    stored_rows = db.session.scalars(select(CurrentLevel)).all()
    assert all(row.course_id == course.id for row in stored_rows)


def test_exports_say_exempt(scored, make_student):
    course, student, teacher, ids = scored({"S1": 3, "S2": 3, "S3": 1})
    quiz = Assessment(course_id=course.id, title="Quiz 1", tag="quiz-1")
    db.session.add(quiz)
    db.session.flush()
    record(course, student, teacher, ids["S1"], 1, day=2, assessment=quiz)
    exemptions.exempt_standard(
        course, student.id, ids["S3"], reason="iep", note=None, actor=teacher
    )
    exemptions.exempt_assessment(
        course, student.id, quiz.id, reason="iep", note=None, actor=teacher
    )
    grid = list(csv.DictReader(io.StringIO(exports.gradebook_csv(course))))
    [line] = [row for row in grid if row["Student"] == student.display_name]
    assert (line["S3"], line["D2"], line["S1"]) == ("Exempt", "Exempt", "Proficient")
    report = {
        row["code"]: row
        for row in csv.DictReader(io.StringIO(exports.student_report_csv(course, student)))
    }
    assert report["S3"]["level"] == "Exempt" and report["S1"]["level"] == "Proficient"
    log = list(csv.DictReader(io.StringIO(exports.evidence_csv(course))))
    assert {row["status"] for row in log if row["assessment"] == "Quiz 1"} == {"exempt"}


def test_scoring_sheet_takes_no_marks_for_an_exempt_student(scored, make_student):
    course, student, teacher, ids = scored({"S1": 3})
    classmate = make_student(course)
    quiz = scoring.create_assessment(course, "Quiz 2", [ids["S1"], ids["S2"]])
    exemptions.exempt_assessment(
        course, student.id, quiz.id, reason="504", note=None, actor=teacher
    )
    sheet = scoring.scoring_sheet(course, quiz)
    assert sheet.exempt == {student.id}
    assert {s for s, _ in sheet.cells} == {classmate.id}
    with pytest.raises(MasteryRejected, match="exempt"):
        scoring.score_assessment(
            course,
            quiz,
            [scoring.Mark(student.id, ids["S1"], 1.0)],
            actor=teacher,
            demonstrated_at=DAY,
        )
    assert stored(course, student, ids["S1"]).points == 3
