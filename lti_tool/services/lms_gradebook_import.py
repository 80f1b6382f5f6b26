"""Importing an LMS's own gradebook export (Canvas, Moodle) through a remembered mapping.

The teacher maps each export column (a native quiz, an assignment) to standards with cut
scores; the mapping is an Assessment of kind "lms_export" whose alignments hold them, and an
ExportColumn row remembers it per course, so next month's export imports in one step. Each
cell becomes evidence per aligned standard (evidence_cells: re-importing the same file adds
nothing, a changed score supersedes exactly its cells). Students are matched by LMS id, SIS id
or email; one who matches nobody or several people is reported and left out, never guessed.
Blank, `-` and non-numeric cells are skipped and counted; `EX` is exempt evidence.
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..errors import MasteryRejected, PermissionDenied
from ..extensions import db
from ..importers.lms_gradebook import Column, Gradebook, Score, parse_gradebook, read_cell
from ..importers.marks import EXCUSED
from ..models import Alignment, Assessment, Course, ExportColumn, User
from ..models.types import utcnow
from ..translatable import N_
from .course_settings import settings_for
from .evidence_cells import CellChange, apply_changes, cell_change, cell_histories
from .evidence_import import check_size
from .export_students import StudentMatch, match_students
from .lms_columns import level_for, set_alignments

log = logging.getLogger(__name__)

SOURCE = "import"
KIND = "lms_export"
# Dated by day at noon UTC, as the evidence importer does: the day reads the same everywhere.
_NOON = time(12, 0, tzinfo=UTC)
MAPPED, SKIPPED, NEW = "mapped", "not imported", "new"


@dataclass(frozen=True)
class ColumnPlan:
    """A column of the export and what this course remembers about it."""

    column: Column
    status: str  # MAPPED | SKIPPED | NEW
    assessment: Assessment | None
    points_possible: float | None  # the file's, else the teacher's

    @property
    def alignments(self) -> list[Alignment]:
        return list(self.assessment.alignments) if self.assessment else []

    @property
    def needs_points(self) -> bool:
        return not self.column.is_percent and not self.points_possible


@dataclass
class GradebookReport:
    """What an import did (or, in a preview, would do): evidence and skipped cells."""

    added: int = 0
    superseded: int = 0
    unchanged: int = 0
    excused: int = 0
    skipped: Counter[str] = field(default_factory=Counter)  # reason -> cells
    unmatched: int = 0  # student rows left out (unknown or ambiguous)
    test_students: int = 0

    def counts(self) -> dict[str, int]:
        """The figures of `summary` (what the upload page is told after an import)."""
        return {
            "added": self.added,
            "superseded": self.superseded,
            "unchanged": self.unchanged,
            "excused": self.excused,
            "skipped": sum(self.skipped.values()),
            "unmatched": self.unmatched,
        }

    def summary(self) -> str:
        return summary_of(self.counts())


def summary_of(counts: Mapping[str, int]) -> str:
    """An import's figures (`GradebookReport.counts`) in a sentence, translated when shown."""
    return N_(
        "%(added)s new evidence, %(superseded)s superseded, %(unchanged)s unchanged "
        "(%(excused)s excused); %(skipped)s cells skipped; %(unmatched)s students not matched",
        **counts,
    )


@dataclass(frozen=True)
class GradebookPreview:
    gradebook: Gradebook
    columns: tuple[ColumnPlan, ...]
    students: tuple[StudentMatch, ...]
    report: GradebookReport

    @property
    def new_columns(self) -> tuple[ColumnPlan, ...]:
        return tuple(plan for plan in self.columns if plan.status == NEW)

    @property
    def unmatched(self) -> tuple[StudentMatch, ...]:
        return tuple(match for match in self.students if match.student_id is None)


def read_export(data: bytes | str, filename: str | None = None) -> Gradebook:
    """The export parsed, within the upload cap; ImportFailed says what is wrong."""
    check_size(data)
    return parse_gradebook(data, filename=filename)


def column_plans(course: Course, gradebook: Gradebook) -> list[ColumnPlan]:
    """Each column with its remembered mapping (or flagged new)."""
    keys = [column.key for column in gradebook.columns]
    saved = {
        row.column_key: row
        for row in db.session.scalars(
            select(ExportColumn).where(
                ExportColumn.course_id == course.id, ExportColumn.column_key.in_(keys)
            )
        )
    }
    ids = [row.assessment_id for row in saved.values() if row.assessment_id]
    assessments = {
        a.id: a
        for a in db.session.scalars(
            select(Assessment)
            .where(Assessment.course_id == course.id, Assessment.id.in_(ids))
            .options(selectinload(Assessment.alignments))
        )
    }
    plans = []
    for column in gradebook.columns:
        row = saved.get(column.key)
        assessment = assessments.get(row.assessment_id) if row and row.assessment_id else None
        status = NEW if row is None else MAPPED if assessment and assessment.alignments else SKIPPED
        points = column.points_possible or (row.points_possible if row else None)
        plans.append(ColumnPlan(column, status, assessment, points))
    return plans


def map_column(
    course: Course,
    column: Column,
    alignments: Mapping[int, Sequence[Sequence[float]]] | None,
    *,
    points_possible: float | None = None,
    actor: User | None,
) -> ExportColumn:
    """Remember the column: its standards and cut scores (checked), or None: not imported."""
    if actor is not None and actor.platform_id != course.platform_id:
        raise PermissionDenied("That person belongs to another platform.")
    if points_possible is not None and not 0 < points_possible < 1e9:
        raise MasteryRejected("Points possible must be a number above 0.")
    row = db.session.scalar(
        select(ExportColumn).where(
            ExportColumn.course_id == course.id, ExportColumn.column_key == column.key
        )
    )
    if row is None:
        row = ExportColumn(course_id=course.id, column_key=column.key, title=column.title)
        db.session.add(row)
    row.title = column.title[:500]
    row.points_possible = points_possible or row.points_possible
    row.updated_at = utcnow()
    if alignments:
        assessment = _assessment(course, row)
        set_alignments(course, assessment, alignments)
        row.assessment_id = assessment.id
    else:
        row.assessment_id = None
    db.session.flush()
    log.info(
        "export column %s of course %s mapped by %s", column.key, course.id, actor and actor.id
    )
    return row


def preview_gradebook(
    course: Course, data: bytes | str, *, filename: str | None = None
) -> GradebookPreview:
    """Columns with their mapping, students matched, and what saving would do; writes nothing."""
    gradebook = read_export(data, filename)
    plans = column_plans(course, gradebook)
    matches = match_students(course, gradebook)
    _, report = _plan(course, gradebook, plans, matches, utcnow())
    return GradebookPreview(gradebook, tuple(plans), tuple(matches), report)


def import_gradebook(
    course: Course,
    data: bytes | str,
    *,
    shown_on: date,
    filename: str | None = None,
    actor: User | None,
) -> GradebookReport:
    """Record the mapped columns' cells as evidence dated `shown_on`; flushes, caller commits."""
    gradebook = read_export(data, filename)
    plans = column_plans(course, gradebook)
    matches = match_students(course, gradebook)
    now = datetime.combine(shown_on, _NOON)
    changes, report = _plan(course, gradebook, plans, matches, now)
    report.added, report.superseded = apply_changes(course, changes, actor=actor, source=SOURCE)
    log.info("LMS export imported into course %s: %s", course.id, report.summary())
    return report


def _plan(
    course: Course,
    gradebook: Gradebook,
    plans: list[ColumnPlan],
    matches: list[StudentMatch],
    now: datetime,
) -> tuple[list[CellChange], GradebookReport]:
    """The evidence each mapped cell needs; no-ops and skipped cells counted."""
    lowest = min(level.points for level in settings_for(course).scale.levels)
    mapped = [replace_points(plan) for plan in plans if plan.status == MAPPED]
    history = cell_histories(course, SOURCE, [p.assessment.id for p in mapped if p.assessment])
    report = GradebookReport(test_students=gradebook.test_students)
    report.unmatched = sum(match.student_id is None for match in matches)
    changes: list[CellChange] = []
    for match in matches:
        if match.student_id is None:
            continue
        for plan in mapped:
            value = read_cell(plan.column, match.row.cell(plan.column))
            if isinstance(value, str) and value != EXCUSED:
                report.skipped[value] += 1
                continue
            report.excused += value == EXCUSED
            for alignment in plan.alignments:
                change = _change(plan, alignment, match, value, lowest, history, now)
                if change is None:
                    report.unchanged += 1
                else:
                    changes.append(change)
    report.superseded = sum(change.live_id is not None for change in changes)
    report.added = len(changes) - report.superseded
    return changes, report


def replace_points(plan: ColumnPlan) -> ColumnPlan:
    """The plan whose column carries the teacher's points possible when the file has none."""
    column = replace(plan.column, points_possible=plan.points_possible)
    return replace(plan, column=column)


def _change(
    plan: ColumnPlan,
    alignment: Alignment,
    match: StudentMatch,
    value: Score | str,
    lowest: float,
    history: dict,
    now: datetime,
) -> CellChange | None:
    """The change one cell needs on one aligned standard, or None when unchanged."""
    assert plan.assessment is not None and match.student_id is not None
    raw = match.row.cell(plan.column)
    identity = f"{plan.column.key}|{match.student_id}|{alignment.standard_id}|{raw}"
    if isinstance(value, Score):
        points = level_for(alignment.cut_scores, value.percent)
        level, shown = f"{points:g}", value.shown
    else:
        points, level, shown = lowest, "excused", "excused"
    return cell_change(
        (plan.assessment.id, match.student_id, alignment.standard_id),
        history,
        value_id=hashlib.sha256(identity.encode()).hexdigest()[:40],
        level=level,
        points=points,
        comment=f"{plan.column.title}: {shown} in the LMS gradebook export",
        now=now,
        is_exempt=value == EXCUSED,
    )


def _assessment(course: Course, row: ExportColumn) -> Assessment:
    if row.assessment_id:
        found = db.session.get(Assessment, row.assessment_id)
        if found is not None and found.course_id == course.id:
            found.title = row.title
            return found
    tag = f"export:{row.column_key}"[:255]
    found = db.session.scalar(
        select(Assessment).where(Assessment.course_id == course.id, Assessment.tag == tag)
    )
    if found is None:
        found = Assessment(course_id=course.id, kind=KIND, tag=tag, title=row.title)
        db.session.add(found)
        db.session.flush()
    return found
