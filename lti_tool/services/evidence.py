"""Recording evidence: append-only rows, an audit trail, stored levels in the same transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from ..errors import MasteryRejected, NotFound
from ..extensions import db
from ..models import (
    Assessment,
    Course,
    CourseStandard,
    Evidence,
    EvidenceAudit,
    Scale,
    User,
)
from ..models.types import utcnow
from .course_settings import settings_for
from .grades import lock_students, queue_grades
from .mastery import refresh_levels
from .roster import require_students

SOURCES = frozenset({"teacher", "lms", "self", "import"})


@dataclass(frozen=True)
class EvidenceInput:
    """One piece of evidence to record, already resolved to rows (used for bulk imports)."""

    student_id: int
    standard_id: int
    points: float
    demonstrated_at: datetime
    assessment_id: int | None = None
    comment: str | None = None
    is_exempt: bool = False
    import_key: str | None = None


def record_evidence(
    course: Course,
    student: User,
    standard_id: int,
    points: float,
    *,
    actor: User | None,
    source: str,
    demonstrated_at: datetime,
    assessment: Assessment | None = None,
    comment: str | None = None,
) -> Evidence:
    """Add one piece of evidence and update that student's stored level on that standard."""
    require_students(course, [student.id])
    _check_adopted(course, {standard_id})
    if assessment is not None and assessment.course_id != course.id:
        raise NotFound("That assessment belongs to another course.")
    item = EvidenceInput(
        student.id,
        standard_id,
        points,
        demonstrated_at,
        assessment.id if assessment else None,
        comment,
    )
    [evidence] = record_many(course, [item], actor=actor, source=source)
    return evidence


def record_many(
    course: Course, items: list[EvidenceInput], *, actor: User | None, source: str
) -> list[Evidence]:
    """Add checked inputs in one flush, audit each, refresh the touched cells."""
    if source not in SOURCES:
        raise MasteryRejected(f"Unknown evidence source {source!r}.")
    settings = settings_for(course)
    students = {item.student_id for item in items}
    lock_students(course, students)
    rows = []
    for item in items:
        _check_points(item.points, settings.scale)
        if item.demonstrated_at.utcoffset() is None:
            raise MasteryRejected("The date of the evidence needs a time zone.")
        rows.append(
            Evidence(
                course_id=course.id,
                scale_id=settings.scale_id,
                source=source,
                entered_by_id=actor.id if actor else None,
                **item.__dict__,
            )
        )
    db.session.add_all(rows)
    db.session.flush()
    _audit(rows, "create", actor, lambda row: {"points": row.points, "source": source})
    refresh_levels(course, {(row.student_id, row.standard_id) for row in rows})
    queue_grades(course, students)
    return rows


def correct_evidence(
    evidence: Evidence,
    *,
    actor: User | None,
    points: float,
    comment: str | None = None,
    demonstrated_at: datetime | None = None,
    is_exempt: bool | None = None,
) -> Evidence:
    """Supersede a piece of evidence with a corrected copy; the old row stays, pointing at it.

    `is_exempt` None keeps the exemption as it was.
    """
    course = db.session.get(Course, evidence.course_id)
    assert course is not None  # a foreign key guarantees it
    settings = settings_for(course)
    _check_points(points, settings.scale)
    return _supersede(
        evidence,
        actor=actor,
        action="supersede",
        points=points,
        comment=comment if comment is not None else evidence.comment,
        demonstrated_at=demonstrated_at or evidence.demonstrated_at,
        is_exempt=evidence.is_exempt if is_exempt is None else is_exempt,
        scale_id=settings.scale_id,
    )


def exempt(evidence: Evidence, *, actor: User | None, is_exempt: bool = True) -> Evidence:
    """Exempt (or un-exempt) a piece of evidence: a new row, so history stays readable."""
    return _supersede(
        evidence,
        actor=actor,
        action="exempt",
        points=evidence.points,
        comment=evidence.comment,
        demonstrated_at=evidence.demonstrated_at,
        is_exempt=is_exempt,
        scale_id=evidence.scale_id,  # same points, so the same scale they were given on
    )


def _supersede(evidence: Evidence, *, actor: User | None, action: str, **changes: Any) -> Evidence:
    if evidence.superseded_by_id is not None:
        raise MasteryRejected("This evidence was already corrected; correct the newest version.")
    course = db.session.get(Course, evidence.course_id)
    assert course is not None  # a foreign key guarantees it
    lock_students(course, {evidence.student_id})
    new = Evidence(
        course_id=evidence.course_id,
        student_id=evidence.student_id,
        standard_id=evidence.standard_id,
        assessment_id=evidence.assessment_id,
        source=evidence.source,
        entered_by_id=actor.id if actor else None,
        **changes,
    )
    db.session.add(new)
    db.session.flush()
    evidence.superseded_by_id = new.id
    details = {
        "from": evidence.points,
        "to": new.points,
        "new_id": new.id,
        "is_exempt": new.is_exempt,
    }
    _audit([evidence], action, actor, lambda _: details)
    _audit([new], "create", actor, lambda row: {"replaces": evidence.id})
    db.session.flush()
    refresh_levels(course, {(new.student_id, new.standard_id)})
    queue_grades(course, {new.student_id})
    return new


def _audit(rows: list[Evidence], action: str, actor: User | None, details: Any) -> None:
    now = utcnow()
    db.session.add_all(
        EvidenceAudit(
            evidence_id=row.id,
            action=action,
            actor_id=actor.id if actor else None,
            at=now,
            details=details(row),
        )
        for row in rows
    )


def _check_points(points: float, scale: Scale) -> None:
    """Levels' points, or a value between the lowest and highest (calculated LMS evidence)."""
    valid = [level.points for level in scale.levels]
    if not valid or not min(valid) <= points <= max(valid):
        raise MasteryRejected(f"{points:g} is not a level on the course's scale.")


def _check_adopted(course: Course, standard_ids: set[int]) -> None:
    adopted = set(
        db.session.scalars(
            select(CourseStandard.standard_id).where(
                CourseStandard.course_id == course.id,
                CourseStandard.standard_id.in_(standard_ids),
            )
        )
    )
    if adopted != standard_ids:
        raise NotFound("This course has not adopted that standard.")


def history(course: Course, student_id: int, standard_id: int) -> list[Evidence]:
    """Every row for one cell, superseded ones included, oldest first."""
    return list(
        db.session.scalars(
            select(Evidence)
            .where(
                Evidence.course_id == course.id,
                Evidence.student_id == student_id,
                Evidence.standard_id == standard_id,
            )
            .order_by(Evidence.demonstrated_at, Evidence.id)
        )
    )
