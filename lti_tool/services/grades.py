"""Summary grades into the grade outbox, in the caller's transaction; nothing is sent from here.

The outbox holds one row per (gradebook column, student): the newest value wanted and what the
platform was last sent. Queuing rewrites the wanted value, so several pending changes collapse
to the newest by construction; a value equal to the one last sent is never queued (each score
is a Canvas notification, DESIGN.md correction 3); a student under the minimum evidence gets
nothing queued, so a grade sent earlier stays (correction 6).
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from ..errors import NotFound
from ..extensions import db
from ..mastery import MasteryResult, MasterySettings
from ..models import (
    SUMMARY_LABEL,
    SUMMARY_TAG,
    Course,
    Enrollment,
    GradeColumn,
    GradeOutbox,
    GradingPeriod,
    OutboxState,
    Standard,
    User,
)
from ..models.types import utcnow
from . import periods
from .assessment_grades import SCORE_MAXIMUM, tool_graded_scores
from .course_settings import mastery_settings, settings_for
from .frameworks import CourseTree, course_tree
from .mastery import assemble, stored_levels
from .mastery_rows import load_points

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Wanted:
    """A grade the platform should hold: score out of maximum, and its explanation."""

    score: float
    maximum: float
    comment: str


def standard_tag(standard: Standard) -> str:
    """A priority standard's column tag: stable across course copies (CASE id, else key)."""
    return f"standard:{standard.case_identifier or standard.key}"


def lock_students(course: Course, student_ids: Collection[int] | None) -> None:
    """Serialise writers of the same students' levels and grades until the transaction ends.

    Two requests adding evidence for one student would otherwise each compute a level and a
    summary from a snapshot missing the other's row (PostgreSQL, read committed). SQLite
    serialises writers already (FOR UPDATE renders as nothing there). None: the whole course.
    """
    query = select(Enrollment.id).where(Enrollment.course_id == course.id)
    if student_ids is not None:
        if not student_ids:
            return
        query = query.where(Enrollment.user_id.in_(list(student_ids)))
    db.session.execute(query.order_by(Enrollment.id).with_for_update()).all()


def queue_grades(
    course: Course, student_ids: Collection[int] | None = None, *, now: datetime | None = None
) -> int:
    """Recompute the students' grades (all active students by default); queue what changed.

    A concluded course gets nothing; a closed grading period's column gets nothing.
    """
    now = now or utcnow()
    if course.concluded_at is not None:
        return 0
    students = _gradable_students(course, student_ids)
    if not students:
        return 0
    tree = course_tree(course)
    settings = mastery_settings(course, tree=tree)
    columns = _columns(course, tree)
    levels = stored_levels(course, student_ids=students, scale=settings.scale)
    by_student: dict[int, dict[int, MasteryResult]] = {student: {} for student in students}
    for (student, standard), result in levels.items():
        if standard in tree.standards and student in by_student:
            by_student[student][standard] = result
    wanted: dict[tuple[int, int], Wanted] = {}
    for student, results in by_student.items():
        for column in columns:
            if column.assessment_id is None and column.period_id is None:
                value = _wanted(column, results, settings, tree)
                if value is not None:
                    wanted[(column.id, student)] = value
    published = tool_graded_scores(columns, students, settings.scale, tree)
    for key, (percent, comment) in published.items():
        wanted[key] = Wanted(percent, SCORE_MAXIMUM, comment)
    open_periods = [c for c in columns if c.period is not None and not c.period.is_closed(now)]
    for column in open_periods:
        whole = student_ids is None
        wanted.update(_period_wanted(course, column, students, settings, tree, whole=whole))
    return _enqueue(wanted, now)


def _period_wanted(
    course: Course,
    column: GradeColumn,
    students: list[int],
    settings: MasterySettings,
    tree: CourseTree,
    *,
    whole: bool,
) -> dict[tuple[int, int], Wanted]:
    """A period's summaries, from the evidence demonstrated inside its window only.

    `whole`: every student of the course is graded, so the query needs no list of ids.
    """
    period = column.period
    assert period is not None
    bounds = periods.period_window(period, periods.course_zone(course))
    points = load_points(
        course,
        settings_for(course).scale_id,
        settings.scale,
        student_ids=None if whole else students,
        keep=tree.standards,
        window=bounds,
    )
    summaries = assemble(settings, tree, students, points).summaries
    found = {}
    for student in students:
        summary = summaries.get(student)
        if summary is not None and summary.score is not None:
            comment = f"{period.title}: {summary.explanation}"
            found[(column.id, student)] = Wanted(summary.score, summary.maximum, comment)
    return found


def _wanted(
    column: GradeColumn,
    results: dict[int, MasteryResult],
    settings: MasterySettings,
    tree: CourseTree,
) -> Wanted | None:
    if column.standard_id is None:
        summary = settings.summarise(results, priority=tree.priority)
        if summary.score is None:
            return None
        return Wanted(summary.score, summary.maximum, summary.explanation)
    result = results.get(column.standard_id)
    if result is None or not result.is_assessed or result.points is None or not result.level:
        return None
    standard = tree.standards[column.standard_id]
    top = settings.scale.max_points
    pieces = "piece" if result.evidence_count == 1 else "pieces"
    comment = (
        f"{result.level.label} ({round(result.points, 2):g} of {top:g}) on {standard.label}, "
        f"from {result.evidence_count} {pieces} of evidence"
    )
    return Wanted(round(result.points, 2), top, comment)


def _gradable_students(course: Course, student_ids: Collection[int] | None) -> list[int]:
    """Active students of the course: an inactive or dropped student is sent nothing."""
    query = select(Enrollment.user_id).where(
        Enrollment.course_id == course.id,
        Enrollment.role == "student",
        Enrollment.status == "active",
    )
    if student_ids is not None:
        query = query.where(Enrollment.user_id.in_(list(student_ids)))
    return sorted(db.session.scalars(query))


def _columns(course: Course, tree: CourseTree) -> list[GradeColumn]:
    """The course's columns, created as needed: the summary (each of its placements), one per
    grading period, priority standards if asked, and published assessments (their publication
    keeps them active)."""
    every = list(
        db.session.scalars(
            select(GradeColumn).where(GradeColumn.course_id == course.id).order_by(GradeColumn.id)
        )
    )
    existing = {column.tag: column for column in every if not column.placement}
    more = [
        column
        for column in every
        if column.is_active and (column.placement or column.assessment_id is not None)
    ]
    settings = settings_for(course)
    summary = (SUMMARY_LABEL, settings.maximum)
    # tag -> (standard id, period, label, maximum)
    wanted: dict[str, tuple[int | None, GradingPeriod | None, str, float]] = {
        SUMMARY_TAG: (None, None, *summary)
    }
    for period in periods.periods_of(course):
        wanted[periods.period_tag(period)] = (
            None,
            period,
            periods.period_label(period),
            settings.maximum,
        )
    if settings.has_standard_columns:
        top = mastery_settings(course, settings).scale.max_points
        for standard_id in sorted(tree.priority):
            label = f"Mastery: {tree.standards[standard_id].label}"[:500]
            wanted[standard_tag(tree.standards[standard_id])] = (standard_id, None, label, top)
    columns = []
    for tag, (standard_id, period, label, maximum) in wanted.items():
        column = existing.get(tag)
        if column is None:
            column = GradeColumn(
                course_id=course.id,
                tag=tag,
                standard_id=standard_id,
                label=label,
                score_maximum=maximum,
            )
            db.session.add(column)
        if period is not None:
            column.period, column.label = period, label
        column.is_active = True
        columns.append(column)
    for tag, column in existing.items():
        if column.assessment_id is None:
            column.is_active = tag in wanted
    db.session.flush()
    return columns + [column for column in more if column not in columns]


def _enqueue(wanted: dict[tuple[int, int], Wanted], now: datetime) -> int:
    """Write the wanted values; returns how many rows now wait to be sent."""
    if not wanted:
        return 0
    rows = {(row.column_id, row.student_id): row for row in _rows_for(wanted.keys())}
    queued = 0
    for key, value in wanted.items():
        row = rows.get(key)
        if row is None:
            db.session.add(
                GradeOutbox(
                    column_id=key[0],
                    student_id=key[1],
                    score=value.score,
                    maximum=value.maximum,
                    comment=value.comment,
                    changed_at=now,
                    due_at=now,
                )
            )
            queued += 1
        elif _rewrite(row, value, now):
            queued += 1
    db.session.flush()
    return queued


def _rows_for(keys: Iterable[tuple[int, int]]) -> list[GradeOutbox]:
    keys = list(keys)
    columns = {column for column, _ in keys}
    students = {student for _, student in keys}
    return list(
        db.session.scalars(
            select(GradeOutbox).where(
                GradeOutbox.column_id.in_(columns), GradeOutbox.student_id.in_(students)
            )
        )
    )


def _rewrite(row: GradeOutbox, value: Wanted, now: datetime) -> bool:
    """Point a row at a new value; True when it now waits to be sent."""
    if (row.score, row.maximum, row.comment) == (value.score, value.maximum, value.comment):
        return row.state == OutboxState.PENDING  # a dead row waits for the retry action
    row.score, row.maximum, row.comment = value.score, value.maximum, value.comment
    row.version += 1
    row.changed_at = now
    row.attempts = 0
    row.last_error = None
    if row.sent_version is not None and (row.sent_score, row.sent_comment) == (
        value.score,
        value.comment,
    ):
        # Back to what the platform already holds: nothing to send.
        row.state, row.sent_version = OutboxState.SENT, row.version
        return False
    row.state, row.due_at = OutboxState.PENDING, now
    return True


@dataclass(frozen=True)
class SyncStatus:
    """What a teacher sees per student: the grade wanted, what was sent and when, any error."""

    student: User
    column: GradeColumn
    row: GradeOutbox


def sync_status(course: Course) -> list[SyncStatus]:
    """Every outbox row of the course, with its student and column: one query."""
    query = (
        select(GradeOutbox, GradeColumn, User)
        .join(GradeColumn, GradeOutbox.column_id == GradeColumn.id)
        .join(User, GradeOutbox.student_id == User.id)
        .where(GradeColumn.course_id == course.id)
        .order_by(GradeColumn.id, User.family_name, User.given_name, User.id)
    )
    return [SyncStatus(user, column, row) for row, column, user in db.session.execute(query)]


def retry_dead(course: Course, row_id: int | None = None, *, now: datetime | None = None) -> int:
    """Send dead-lettered grades again (one row, or all of the course's); returns how many."""
    now = now or utcnow()
    columns = select(GradeColumn.id).where(GradeColumn.course_id == course.id)
    query = (
        update(GradeOutbox)
        .where(GradeOutbox.column_id.in_(columns), GradeOutbox.state == OutboxState.DEAD)
        .values(state=OutboxState.PENDING, due_at=now, attempts=0)
    )
    if row_id is not None:
        query = query.where(GradeOutbox.id == row_id)
    count = db.session.execute(query).rowcount
    if row_id is not None and not count:
        raise NotFound("No failed grade to retry there.")
    return count


def release_held(course: Course, *, now: datetime | None = None) -> int:
    """Make the course's waiting grades due now (its grade services just became known)."""
    columns = select(GradeColumn.id).where(GradeColumn.course_id == course.id)
    query = (
        update(GradeOutbox)
        .where(GradeOutbox.column_id.in_(columns), GradeOutbox.state == OutboxState.PENDING)
        .values(due_at=now or utcnow())
    )
    return db.session.execute(query).rowcount


@dataclass(frozen=True)
class GoneColumn:
    """A column deleted in the LMS, and how many of its grades wait for it."""

    column: GradeColumn
    waiting: int


def gone_columns(course: Course) -> list[GoneColumn]:
    """The course's paused columns (deleted in the LMS), with their waiting grades: one query."""
    query = (
        select(GradeColumn, func.count(GradeOutbox.id))
        .outerjoin(
            GradeOutbox,
            (GradeOutbox.column_id == GradeColumn.id) & (GradeOutbox.state == OutboxState.PENDING),
        )
        .where(GradeColumn.course_id == course.id, GradeColumn.gone_at.is_not(None))
        .group_by(GradeColumn.id)
        .order_by(GradeColumn.id)
    )
    return [GoneColumn(column, waiting) for column, waiting in db.session.execute(query)]


def recreate_column(course: Course, column_id: int, *, now: datetime | None = None) -> int:
    """Unpause a deleted column: the worker creates it again and sends its grades now."""
    column = db.session.scalar(
        select(GradeColumn).where(
            GradeColumn.id == column_id,
            GradeColumn.course_id == course.id,
            GradeColumn.gone_at.is_not(None),
        )
    )
    if column is None:
        raise NotFound("That column is not waiting to be recreated.")
    column.gone_at = column.gone_reason = column.line_item_url = None
    waiting = db.session.execute(
        update(GradeOutbox)
        .where(GradeOutbox.column_id == column.id, GradeOutbox.state != OutboxState.SENT)
        .values(state=OutboxState.PENDING, due_at=now or utcnow(), attempts=0)
    ).rowcount
    log.info("column %s of course %s to be recreated (%d grades)", column.id, course.id, waiting)
    return waiting
