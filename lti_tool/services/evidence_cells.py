"""Evidence read from an outside gradebook, one cell (assessment, student, standard) at a time.

Shared by the LMS results sync and the LMS gradebook export import. Each row's import key
names the value it came from and the level it maps to, and how often that pair occurred
before in the cell. A cell is unchanged while its newest key matches the value, so reading
the same values again adds nothing and a teacher's correction stands until the outside value
changes. A changed value supersedes the live row (append-only, history kept); a changed
cut-score table re-maps the level and keeps the date. Flushes only: the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from ..extensions import db
from ..models import Course, Evidence, User
from .evidence import EvidenceInput, correct_evidence, record_many

Cell = tuple[int, int, int]  # (assessment id, student id, standard id)


@dataclass
class CellHistory:
    """A cell's import keys from one source (oldest first) and its live row (id, date)."""

    keys: list[str] = field(default_factory=list)
    live: tuple[int, datetime] | None = None


@dataclass(frozen=True)
class CellChange:
    cell: Cell
    points: float
    key: str
    comment: str
    demonstrated_at: datetime
    live_id: int | None
    is_exempt: bool = False


def cell_histories(
    course: Course, source: str, assessment_ids: list[int]
) -> dict[Cell, CellHistory]:
    """The cells of these assessments that `source` wrote, with their keys and live row."""
    rows = db.session.execute(
        select(
            Evidence.id,
            Evidence.assessment_id,
            Evidence.student_id,
            Evidence.standard_id,
            Evidence.import_key,
            Evidence.superseded_by_id,
            Evidence.demonstrated_at,
        )
        .where(
            Evidence.course_id == course.id,
            Evidence.source == source,
            Evidence.assessment_id.in_(assessment_ids),
        )
        .order_by(Evidence.id)
    )
    history: dict[Cell, CellHistory] = {}
    for row_id, assessment_id, student_id, standard_id, key, superseded_by, when in rows:
        cell = history.setdefault((assessment_id, student_id, standard_id), CellHistory())
        if key:
            cell.keys.append(key)
        if superseded_by is None:
            cell.live = (row_id, when)
    return history


def cell_change(
    cell: Cell,
    history: dict[Cell, CellHistory],
    *,
    value_id: str,
    level: str,
    points: float,
    comment: str,
    now: datetime,
    is_exempt: bool = False,
) -> CellChange | None:
    """What the cell needs for this value (`value_id`, read as `level`), or None: unchanged."""
    pair = f"{value_id}:{level}:"
    past = history.get(cell, CellHistory())
    latest = past.keys[-1] if past.keys else ""
    if latest.startswith(pair):
        return None
    # Only the level moved (new cut scores): the value is as old as when first seen.
    kept = past.live[1] if past.live and latest.startswith(value_id + ":") else None
    return CellChange(
        cell=cell,
        points=points,
        key=pair + str(sum(key.startswith(pair) for key in past.keys)),
        comment=comment,
        demonstrated_at=kept or now,
        live_id=past.live[0] if past.live else None,
        is_exempt=is_exempt,
    )


def apply_changes(
    course: Course, changes: list[CellChange], *, actor: User | None, source: str
) -> tuple[int, int]:
    """New cells in one batch; changed cells superseded one by one. (added, superseded)."""
    fresh = [
        EvidenceInput(
            student_id=change.cell[1],
            standard_id=change.cell[2],
            points=change.points,
            demonstrated_at=change.demonstrated_at,
            assessment_id=change.cell[0],
            comment=change.comment,
            is_exempt=change.is_exempt,
            import_key=change.key,
        )
        for change in changes
        if change.live_id is None
    ]
    if fresh:
        record_many(course, fresh, actor=actor, source=source)
    superseded = 0
    for change in changes:
        live = db.session.get(Evidence, change.live_id) if change.live_id else None
        if live is None:
            continue
        new = correct_evidence(
            live,
            actor=actor,
            points=change.points,
            comment=change.comment,
            demonstrated_at=change.demonstrated_at,
            is_exempt=change.is_exempt,
        )
        new.import_key = change.key
        superseded += 1
    db.session.flush()
    return len(fresh), superseded
