"""Scoring a tool-made assessment: every student on each aligned standard, saved in one go.

Each (student, standard) of an assessment holds at most one live teacher mark: saving a
different level or comment supersedes it (the old row is kept), saving the same one again
adds nothing. New marks are written in one batch through the evidence service, so their
stored levels and the summary grades queued to the outbox commit with them.
"""

from __future__ import annotations

import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..errors import MasteryRejected, NotFound
from ..extensions import db
from ..models import (
    Alignment,
    Assessment,
    Course,
    Evidence,
    Exemption,
    Standard,
    User,
)
from .evidence import EvidenceInput, correct_evidence, record_many
from .frameworks import course_tree
from .roster import active_students, name_key, require_students

SOURCE = "teacher"
TITLE_LIMIT = 200
COMMENT_LIMIT = 2000

Cell = tuple[int, int]  # (student id, standard id)


@dataclass(frozen=True)
class Mark:
    """A level (points on the course scale) and an optional comment for one cell."""

    student_id: int
    standard_id: int
    points: float
    comment: str | None = None


@dataclass(frozen=True)
class SavedMark:
    """The live teacher mark of a cell from this assessment."""

    evidence_id: int
    points: float
    comment: str | None
    demonstrated_at: datetime


@dataclass(frozen=True)
class ScoringSheet:
    """What the scoring page shows: students in class-list order, aligned standards in tree
    order, and the marks already saved from this assessment."""

    assessment: Assessment
    students: list[User]
    standards: list[Standard]
    saved: dict[Cell, SavedMark]
    exempt: frozenset[int] = frozenset()  # students exempt from the assessment: no marks

    @property
    def cells(self) -> list[Cell]:
        return [
            (s.id, t.id) for s in self.students if s.id not in self.exempt for t in self.standards
        ]


@dataclass
class ScoreReport:
    """What a save did."""

    added: int = 0
    corrected: int = 0
    unchanged: int = 0

    @property
    def summary(self) -> str:
        if not (self.added or self.corrected):
            return "Nothing new to save: every mark was already recorded."
        parts = [f"{self.added} mark{'' if self.added == 1 else 's'} recorded"]
        if self.corrected:
            parts.append(f"{self.corrected} corrected (the earlier entries are kept)")
        if self.unchanged:
            parts.append(f"{self.unchanged} unchanged")
        return "; ".join(parts) + "."


def tool_assessments(course: Course) -> list[Assessment]:
    """The course's tool-made assessments with their alignments, newest first."""
    return list(
        db.session.scalars(
            select(Assessment)
            .where(Assessment.course_id == course.id, Assessment.kind == "tool")
            .options(selectinload(Assessment.alignments))
            .order_by(Assessment.created_at.desc(), Assessment.id.desc())
        )
    )


def create_assessment(course: Course, title: str, standard_ids: Collection[int]) -> Assessment:
    """A tool-made assessment aligned to some of the course's adopted standards."""
    title = title.strip()
    if not title:
        raise MasteryRejected("Give the assessment a title.")
    if len(title) > TITLE_LIMIT:
        raise MasteryRejected(f"Keep the title under {TITLE_LIMIT} characters.")
    if not standard_ids:
        raise MasteryRejected("Choose at least one standard the assessment shows.")
    adopted = course_tree(course).standards
    if not set(standard_ids) <= set(adopted):
        raise NotFound("This course has not adopted that standard.")
    # A stable name that is not a database id (Assessment.tag), unique within the course.
    assessment = Assessment(
        course_id=course.id, title=title, kind="tool", tag=f"tool-{secrets.token_hex(8)}"
    )
    assessment.alignments = [Alignment(standard_id=sid) for sid in sorted(set(standard_ids))]
    db.session.add(assessment)
    db.session.flush()
    return assessment


def course_assessment(course: Course, assessment_id: int) -> Assessment:
    """One of this course's tool-made assessments, or NotFound."""
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None or assessment.course_id != course.id or assessment.kind != "tool":
        raise NotFound("That assessment is not one of this course's tool-made assessments.")
    return assessment


def scoring_sheet(course: Course, assessment: Assessment) -> ScoringSheet:
    """The rows to score, in a fixed number of queries."""
    tree = course_tree(course)
    aligned = {alignment.standard_id for alignment in assessment.alignments}
    standards = [tree.standards[sid] for sid in tree.preorder() if sid in aligned]
    students = sorted(active_students(course), key=name_key)
    saved = _saved_marks(course, assessment)
    return ScoringSheet(assessment, students, standards, saved, _exempt(course, assessment))


def _exempt(course: Course, assessment: Assessment) -> frozenset[int]:
    """The students exempt from the assessment: one query."""
    query = select(Exemption.student_id).where(
        Exemption.course_id == course.id, Exemption.assessment_id == assessment.id
    )
    return frozenset(db.session.scalars(query))


def score_assessment(
    course: Course,
    assessment: Assessment,
    marks: Sequence[Mark],
    *,
    actor: User,
    demonstrated_at: datetime,
) -> ScoreReport:
    """Record the marks (flushes, never commits): new cells in one batch, changed ones
    superseded, identical ones skipped. Raises before writing anything if a mark is out of
    place (a student not in the course, a standard not aligned)."""
    if assessment.course_id != course.id:
        raise NotFound("That assessment belongs to another course.")
    _check_cells(course, assessment, marks)
    exempt = _exempt(course, assessment)
    if any(mark.student_id in exempt for mark in marks):
        raise MasteryRejected("A student exempt from this assessment takes no marks on it.")
    saved = _saved_marks(course, assessment)
    report = ScoreReport()
    fresh: list[EvidenceInput] = []
    changed: list[tuple[SavedMark, Mark]] = []
    for mark in marks:
        comment = (mark.comment or "").strip() or None
        if comment and len(comment) > COMMENT_LIMIT:
            raise MasteryRejected(f"Keep each comment under {COMMENT_LIMIT} characters.")
        before = saved.get((mark.student_id, mark.standard_id))
        if before is None:
            fresh.append(
                EvidenceInput(
                    mark.student_id,
                    mark.standard_id,
                    mark.points,
                    demonstrated_at,
                    assessment.id,
                    comment,
                )
            )
        elif (before.points, before.comment or None) == (mark.points, comment):
            report.unchanged += 1
        else:
            changed.append((before, Mark(mark.student_id, mark.standard_id, mark.points, comment)))
    if fresh:
        record_many(course, fresh, actor=actor, source=SOURCE)
        report.added = len(fresh)
    for before, mark in changed:
        live = db.session.get(Evidence, before.evidence_id)
        assert live is not None  # read in this transaction
        correct_evidence(live, actor=actor, points=mark.points, comment=mark.comment or "")
        report.corrected += 1
    return report


def _saved_marks(course: Course, assessment: Assessment) -> dict[Cell, SavedMark]:
    rows = db.session.scalars(
        select(Evidence)
        .where(
            Evidence.course_id == course.id,
            Evidence.assessment_id == assessment.id,
            Evidence.source == SOURCE,
            Evidence.superseded_by_id.is_(None),
        )
        .order_by(Evidence.id)
    )
    return {
        (row.student_id, row.standard_id): SavedMark(
            row.id, row.points, row.comment, row.demonstrated_at
        )
        for row in rows
    }


def _check_cells(course: Course, assessment: Assessment, marks: Sequence[Mark]) -> None:
    aligned = {alignment.standard_id for alignment in assessment.alignments}
    if any(mark.standard_id not in aligned for mark in marks):
        raise NotFound("That standard is not aligned to this assessment.")
    require_students(course, {mark.student_id for mark in marks})
    if len({(mark.student_id, mark.standard_id) for mark in marks}) != len(marks):
        raise MasteryRejected("Each student gets one mark per standard.")
