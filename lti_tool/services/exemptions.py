"""Exempting a student from a standard or an assessment, and lifting it (flush, no commit).

Each change is one transaction with what it affects: the student is locked as every writer
of levels locks them, the touched cells' stored levels are recomputed and the student's
grades queued. Evidence is never changed: an exemption only decides what counts, so
lifting it brings every score back.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from ..errors import MasteryRejected, NotFound
from ..extensions import db
from ..mastery.exemptions import REASONS, exempt_subtree
from ..models import Assessment, Course, Evidence, Exemption, User
from ..models.types import utcnow
from .frameworks import course_tree
from .grades import lock_students, queue_grades
from .mastery import refresh_levels
from .roster import require_students

log = logging.getLogger(__name__)

NOTE_LIMIT = 500


def exempt_standard(
    course: Course,
    student_id: int,
    standard_id: int,
    *,
    reason: str,
    note: str | None,
    actor: User | None,
) -> Exemption:
    """Exempt a student from an adopted standard (and everything under it)."""
    tree = course_tree(course)
    if standard_id not in tree.standards:
        raise NotFound("This course has not adopted that standard.")
    found = _save(course, student_id, reason, note, actor, standard_id=standard_id)
    _recompute(course, student_id, _standard_cells(course, student_id, standard_id))
    return found


def exempt_assessment(
    course: Course,
    student_id: int,
    assessment_id: int,
    *,
    reason: str,
    note: str | None,
    actor: User | None,
) -> Exemption:
    """Exempt a student from an assessment: none of its evidence for them counts."""
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None or assessment.course_id != course.id:
        raise NotFound("That assessment is not one of this course's assessments.")
    found = _save(course, student_id, reason, note, actor, assessment_id=assessment_id)
    _recompute(course, student_id, _assessment_cells(course, student_id, assessment_id))
    return found


def find_exemption(course: Course, exemption_id: int) -> Exemption:
    """One of this course's exemptions, or NotFound."""
    found = db.session.get(Exemption, exemption_id)
    if found is None or found.course_id != course.id:
        raise NotFound("That exemption is not part of this course.")
    return found


def lift_exemption(course: Course, exemption_id: int, *, actor: User | None) -> Exemption:
    """Remove an exemption of this course; what it left out counts again."""
    found = find_exemption(course, exemption_id)
    lock_students(course, {found.student_id})
    if found.standard_id is not None:
        cells = _standard_cells(course, found.student_id, found.standard_id)
    else:
        assert found.assessment_id is not None  # the check constraint guarantees one target
        cells = _assessment_cells(course, found.student_id, found.assessment_id)
    db.session.delete(found)
    db.session.flush()
    log.info(
        "exemption %s lifted (course %s, student %s, reason %s) by %s",
        found.id,
        course.id,
        found.student_id,
        found.reason,
        actor.id if actor else None,
    )
    _recompute(course, found.student_id, cells)
    return found


def _save(
    course: Course,
    student_id: int,
    reason: str,
    note: str | None,
    actor: User | None,
    **target: int,
) -> Exemption:
    """Create the exemption, or change the reason of the one already on this target."""
    note = (note or "").strip() or None
    if reason not in REASONS:
        raise MasteryRejected("Choose a reason: " + ", ".join(REASONS.values()) + ".")
    if reason == "other" and not note:
        raise MasteryRejected("Say in the note why the student is exempt (reason: Other).")
    if note and len(note) > NOTE_LIMIT:
        raise MasteryRejected(f"Keep the note under {NOTE_LIMIT} characters.")
    require_students(course, [student_id])
    lock_students(course, {student_id})
    [(column, value)] = target.items()
    found = db.session.scalar(
        select(Exemption).where(
            Exemption.course_id == course.id,
            Exemption.student_id == student_id,
            getattr(Exemption, column) == value,
        )
    )
    if found is None:
        found = Exemption(course_id=course.id, student_id=student_id, **target)
        db.session.add(found)
    found.reason, found.note = reason, note
    found.set_by_id, found.set_at = (actor.id if actor else None), utcnow()
    db.session.flush()
    log.info(
        "exemption %s set (course %s, student %s, %s)", found.id, course.id, student_id, reason
    )
    return found


def _standard_cells(course: Course, student_id: int, standard_id: int) -> set[tuple[int, int]]:
    subtree = exempt_subtree({standard_id}, course_tree(course).children)
    return {(student_id, standard) for standard in subtree}


def _assessment_cells(course: Course, student_id: int, assessment_id: int) -> set[tuple[int, int]]:
    """The student's cells holding evidence from the assessment: one query."""
    standards = db.session.scalars(
        select(Evidence.standard_id)
        .where(
            Evidence.course_id == course.id,
            Evidence.student_id == student_id,
            Evidence.assessment_id == assessment_id,
        )
        .distinct()
    )
    return {(student_id, standard) for standard in standards}


def _recompute(course: Course, student_id: int, cells: set[tuple[int, int]]) -> None:
    refresh_levels(course, cells)
    queue_grades(course, {student_id})
