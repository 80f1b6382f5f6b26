"""Evidence is append-only and audited; stored levels move in the same transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lti_tool.errors import MasteryRejected, NotFound
from lti_tool.extensions import db
from lti_tool.models import CurrentLevel, Evidence, EvidenceAudit
from lti_tool.services import course_settings, evidence, mastery

from .conftest import standard_ids

DAY = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def setup(make_course, make_framework, make_student):
    course = make_course()
    make_framework(course)
    teacher = make_student(course, role="teacher")
    return course, make_student(course), teacher, standard_ids(course)


def level_of(course, student, standard) -> CurrentLevel | None:
    return db.session.scalar(
        select(CurrentLevel).where(
            CurrentLevel.course_id == course.id,
            CurrentLevel.student_id == student.id,
            CurrentLevel.standard_id == standard,
        )
    )


def record(course, student, standard, points, teacher, day=0):
    return evidence.record_evidence(
        course,
        student,
        standard,
        points,
        actor=teacher,
        source="teacher",
        demonstrated_at=DAY + timedelta(days=day),
    )


def test_record_updates_the_stored_level_in_the_same_transaction(setup):
    course, student, teacher, ids = setup
    record(course, student, ids["S1"], 2.0, teacher)
    level = level_of(course, student, ids["S1"])
    assert (level.status, level.level_label, level.evidence_count) == ("assessed", "Developing", 1)
    record(course, student, ids["S1"], 3.0, teacher, day=1)
    assert level_of(course, student, ids["S1"]).level_label == "Proficient"
    db.session.rollback()  # nothing committed: evidence and level go together
    assert db.session.scalar(select(Evidence)) is None
    assert db.session.scalar(select(CurrentLevel)) is None


def test_correction_supersedes_and_is_audited(setup):
    course, student, teacher, ids = setup
    first = record(course, student, ids["S1"], 4.0, teacher)
    fixed = evidence.correct_evidence(first, actor=teacher, points=2.0, comment="typo")
    assert first.superseded_by_id == fixed.id and first.points == 4.0
    assert fixed.comment == "typo" and fixed.superseded_by_id is None
    assert level_of(course, student, ids["S1"]).level_label == "Developing"
    actions = db.session.execute(
        select(EvidenceAudit.evidence_id, EvidenceAudit.action, EvidenceAudit.actor_id).order_by(
            EvidenceAudit.id
        )
    ).all()
    assert actions == [
        (first.id, "create", teacher.id),
        (first.id, "supersede", teacher.id),
        (fixed.id, "create", teacher.id),
    ]
    assert len(evidence.history(course, student.id, ids["S1"])) == 2
    with pytest.raises(MasteryRejected, match="already corrected"):
        evidence.correct_evidence(first, actor=teacher, points=3.0)


def test_exempting_leaves_no_level(setup):
    course, student, teacher, ids = setup
    first = record(course, student, ids["S2"], 1.0, teacher)
    exempted = evidence.exempt(first, actor=teacher)
    assert exempted.is_exempt and first.superseded_by_id == exempted.id
    level = level_of(course, student, ids["S2"])
    assert (level.status, level.level_label) == ("not_assessed", None)


def test_refusals(setup, make_course, make_student):
    course, student, teacher, ids = setup
    with pytest.raises(MasteryRejected):
        record(course, student, ids["S1"], 7.0, teacher)
    with pytest.raises(MasteryRejected):
        evidence.record_evidence(
            course, student, ids["S1"], 3.0, actor=teacher, source="robot", demonstrated_at=DAY
        )
    other = make_course()
    stranger = make_student(other)
    with pytest.raises(NotFound, match="not in this course"):
        record(course, stranger, ids["S1"], 3.0, teacher)
    with pytest.raises(NotFound, match="not adopted"):
        record(other, stranger, ids["S1"], 3.0, teacher)  # not adopted by that course


def test_changing_the_scale_keeps_evidence_history(setup):
    course, student, teacher, ids = setup
    given = record(course, student, ids["S1"], 3.0, teacher)
    four_level = given.scale_id
    presets = course_settings.ensure_presets(course.platform)
    course_settings.change_scale(course, presets["two_level"])
    mastery.recompute_course(course)
    db.session.refresh(given)
    assert (given.points, given.scale_id) == (3.0, four_level)
    # 3 on a 1..4 scale is two thirds of the way: "Not yet" on 0/1 (levels round down).
    level = level_of(course, student, ids["S1"])
    assert level.level_label == "Not yet" and level.points == pytest.approx(2 / 3)
    later = record(course, student, ids["S1"], 1.0, teacher, day=1)
    assert later.scale_id == presets["two_level"].id
    assert level_of(course, student, ids["S1"]).level_label == "Mastered"
