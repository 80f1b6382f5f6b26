"""A course's evidence and stored levels, read and written in bulk through the driver's cursor.

On 70,000 evidence rows SQLAlchemy's per-row result processing costs more than the query, so
whole-course paths build statements with SQLAlchemy and run them on the session connection's
own DBAPI cursor, in the session's transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Container, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Select, and_, bindparam, case, delete, or_, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import ClauseElement, ColumnElement
from sqlalchemy.sql.compiler import Compiled

from ..extensions import db
from ..mastery import Scale as DomainScale
from ..mastery import Score
from ..mastery.scales import rescale
from ..models import Course, CurrentLevel, Evidence, Exemption, Scale
from ..models.evidence import SELF
from ..models.types import utcnow
from .course_settings import domain_scale

Cell = tuple[int, int]  # (student id, standard id)
Window = tuple[datetime, datetime]  # UTC, half-open: [start, end)
Stored = tuple[str, float | None, str | None, int]  # status, points, level label, evidence count
LEVELS = CurrentLevel.__table__
STORED = ("status", "points", "level_label", "evidence_count")


# The student × assessment exemption (if any) of each evidence row: its evidence never counts.
_EXCUSED = Exemption.__table__


def _excused_join() -> ColumnElement[bool]:
    return and_(
        _EXCUSED.c.course_id == Evidence.course_id,
        _EXCUSED.c.student_id == Evidence.student_id,
        _EXCUSED.c.assessment_id == Evidence.assessment_id,
    )


def _is_exempt() -> ColumnElement[bool]:
    """Evidence that counts in no calculation: excused itself, from an assessment its student
    is exempt from, or the student's own self-assessment (shown, never counted)."""
    return or_(Evidence.is_exempt, _EXCUSED.c.id.is_not(None), Evidence.source == SELF)


def _live_evidence(
    course: Course,
    columns: Iterable[ColumnElement[Any]],
    student_ids: Collection[int] | None,
    standard_ids: Collection[int] | None,
    window: Window | None = None,
) -> Select[Any]:
    """Live evidence of a course, each cell's history oldest first, with its exemption
    (demonstrated in `window` when given).

    The database orders it, so Python neither builds datetimes nor sorts. On SQLite the
    column holds fixed-width UTC text (UTCDateTime), whose text order is time order; ties go
    to the entry id, as in the domain's ORDER_KEY.
    """
    query = (
        select(Evidence.student_id, Evidence.standard_id, Evidence.points, *columns)
        .outerjoin(_EXCUSED, _excused_join())
        .where(Evidence.course_id == course.id, Evidence.superseded_by_id.is_(None))
        .order_by(Evidence.student_id, Evidence.standard_id, Evidence.demonstrated_at, Evidence.id)
    )
    if student_ids is not None:
        query = query.where(_among(Evidence.student_id, student_ids))
    if standard_ids is not None:
        query = query.where(_among(Evidence.standard_id, standard_ids))
    if window is not None:
        # Driver-ready bounds (driver_rows skips SQLAlchemy's bind processing): on SQLite the
        # column's own fixed-width UTC text, so text order is time order.
        at = Evidence.demonstrated_at
        dialect = db.session.get_bind().dialect
        process = at.type.dialect_impl(dialect).bind_processor(dialect)
        start, end = (process(moment) if process else moment for moment in window)
        query = query.where(at >= start, at < end)
    return query


def _among(column: ColumnElement[int], ids: Collection[int]) -> ColumnElement[bool]:
    """`column IN ids`; one id as `=`, so one person's page reuses a compiled statement."""
    ids = list(ids)
    return column == ids[0] if len(ids) == 1 else column.in_(ids)


def load_points(
    course: Course,
    scale_id: int,
    scale: DomainScale,
    *,
    student_ids: Collection[int] | None = None,
    standard_ids: Collection[int] | None = None,
    keep: Container[int] | None = None,
    window: Window | None = None,
) -> dict[Cell, list[float]]:
    """Each cell's counting points on the course scale, oldest first: one query.

    Exempt evidence and non-score levels are left out, but their cell stays (it is stored as
    not assessed); points given on another scale are rescaled. `keep` filters standards;
    `window` keeps evidence demonstrated inside it (a grading period).
    """
    # None for the common row, 0 when exempt, else the other scale the points were given on.
    other = case((_is_exempt(), 0), (Evidence.scale_id != scale_id, Evidence.scale_id))
    rows = driver_rows(_live_evidence(course, [other], student_ids, standard_ids, window))
    skip, others = scale.non_score_points, _OtherScales(scale)
    cells: dict[Cell, list[float]] = {}
    current: list[float] = []
    last_student = last_standard = None
    for student, standard, points, given_on in rows:
        if standard != last_standard or student != last_student:
            last_student, last_standard, current = student, standard, []
            if keep is None or standard in keep:
                cells[(student, standard)] = current
        if given_on is None:
            if points not in skip:
                current.append(points)
        elif given_on:
            value = others.rescale(points, given_on)
            if value is not None and value not in skip:
                current.append(value)
    return cells


def counting_points(
    scores: Mapping[Cell, Sequence[Score]], scale: DomainScale, keep: Container[int] | None = None
) -> dict[Cell, list[float]]:
    """What `load_points` reads, from what `load_scores` read (a page that needs both reads
    once): each cell's points that count, oldest first; exempt scores and non-score levels
    left out, their cell kept."""
    skip = scale.non_score_points
    return {
        cell: [score.points for score in found if not score.is_exempt and score.points not in skip]
        for cell, found in scores.items()
        if keep is None or cell[1] in keep
    }


class _OtherScales:
    """The older scales some evidence was given on, each loaded on first sight."""

    def __init__(self, scale: DomainScale) -> None:
        self.scale = scale
        self.found: dict[int, DomainScale] = {}

    def rescale(self, points: float, scale_id: int) -> float | None:
        """Points on the course scale, or None for an old non-score level."""
        old = self.found.get(scale_id)
        if old is None:
            old = self.found[scale_id] = domain_scale(db.session.get_one(Scale, scale_id))
        return rescale(points, old, self.scale)


def load_scores(
    course: Course,
    scale_id: int,
    scale: DomainScale,
    *,
    student_ids: Collection[int] | None = None,
    standard_ids: Collection[int] | None = None,
) -> dict[Cell, list[Score]]:
    """Live evidence as dated Scores on the course scale, by cell, oldest first: one query."""
    # The driver's raw instants (text on SQLite) are converted once per distinct value below:
    # evidence of one assessment shares its date, and parsing dominates on SQLite.
    columns = [Evidence.demonstrated_at, Evidence.id, _is_exempt(), Evidence.scale_id]
    others = _OtherScales(scale)
    instants: dict[object, datetime] = {}
    cells: dict[Cell, list[Score]] = {}
    query = _live_evidence(course, columns, student_ids, standard_ids)
    for student, standard, points, raw, entry, is_exempt, given_on in driver_rows(query):
        when = instants.get(raw) or instants.setdefault(raw, _instant(raw))
        if given_on != scale_id:
            value = others.rescale(points, given_on)
            # An old non-score level stays out of every calculation, as an exempt score does.
            points, is_exempt = (scale.min_points, True) if value is None else (value, is_exempt)
        score = Score(points, when, entry, bool(is_exempt))
        cells.setdefault((student, standard), []).append(score)
    return cells


def _instant(raw: object) -> datetime:
    """An aware UTC datetime from what the driver returned (text on SQLite)."""
    value = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def stored_rows(course: Course, student_ids: Collection[int] | None = None) -> list[Any]:
    """The stored levels as (row id, student, standard, *Stored) tuples: one query."""
    columns = (LEVELS.c.id, LEVELS.c.student_id, LEVELS.c.standard_id, *LEVELS.c[STORED])
    return driver_rows(_stored_query(course, columns, student_ids))


def stored_result_rows(course: Course, student_ids: Collection[int] | None = None) -> list[Any]:
    """The stored levels as (student, standard, status, points, evidence count) tuples: what
    the pages read, in one query; no row id nor label (the scale gives the level)."""
    columns = (LEVELS.c.student_id, LEVELS.c.standard_id, LEVELS.c.status, LEVELS.c.points)
    return driver_rows(_stored_query(course, (*columns, LEVELS.c.evidence_count), student_ids))


def _stored_query(
    course: Course, columns: Sequence[Any], student_ids: Collection[int] | None
) -> Select[Any]:
    query = select(*columns).where(LEVELS.c.course_id == course.id)
    if student_ids is not None:
        query = query.where(_among(LEVELS.c.student_id, student_ids))
    return query


def write_levels(course: Course, fresh: Mapping[Cell, Stored]) -> None:
    """Make the stored levels of a course equal `fresh`, writing only what differs.

    Changed rows are updated in place (PostgreSQL then re-checks no foreign key, and a change
    that moves no level writes nothing); new cells are inserted; cells no longer computed (a
    standard dropped from the course) are deleted.
    """
    stored = {(row[1], row[2]): (row[0], tuple(row[3:])) for row in stored_rows(course)}
    now = _driver_time(utcnow())
    keys = (*STORED, "updated_at")
    new = [
        {"course_id": course.id, "student_id": cell[0], "standard_id": cell[1]}
        | dict(zip(keys, (*values, now), strict=True))
        for cell, values in fresh.items()
        if cell not in stored
    ]
    changed = [
        {"row_id": row_id} | dict(zip(keys, (*fresh[cell], now), strict=True))
        for cell, (row_id, values) in stored.items()
        if cell in fresh and fresh[cell] != values
    ]
    gone = [{"row_id": row_id} for cell, (row_id, _) in stored.items() if cell not in fresh]
    by_id = LEVELS.c.id == bindparam("row_id")
    driver_many(delete(LEVELS).where(by_id), (), gone)
    driver_many(update(LEVELS).where(by_id), keys, changed)
    driver_many(LEVELS.insert(), ("course_id", "student_id", "standard_id", *keys), new)
    for level in [o for o in db.session.identity_map.values() if isinstance(o, CurrentLevel)]:
        db.session.expire(level)  # written behind the session's back: reload on next use


def _driver_time(value: datetime) -> Any:
    """A timestamp as the driver takes it for a UTCDateTime column (text on SQLite)."""
    process = LEVELS.c.updated_at.type.bind_processor(db.session.get_bind().dialect)
    return process(value) if process else value


def driver_rows(query: Select[Any]) -> list[Any]:
    """Every row of a query as the driver's own tuples, in the session's transaction.

    Parameters reach the driver without SQLAlchemy's bind processing: integers only.
    """
    db.session.flush()  # what autoflush does before an ORM query
    connection = db.session.connection()
    sql, params = _compiled(query, connection.dialect)
    with _cursor(connection, sql) as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Compiled statements by their shape (SQLAlchemy's cache key) and dialect: a page's queries
# are compiled once per process, not per request. Bounded: shapes are few; the cache is
# cleared if it ever grows past this.
_COMPILED: dict[tuple[Any, str], tuple[str, Compiled]] = {}
_COMPILED_MAX = 500


def _compiled(query: Select[Any], dialect: Any) -> tuple[str, Any]:
    """The driver's SQL text and parameters of `query`, compiled once per shape.

    A statement with a list parameter (`IN` of many ids) renders one SQL text per length and
    is compiled every time.
    """
    key = query._generate_cache_key()
    if key is None or any(param.expanding for param in key.bindparams):
        compiled = query.compile(dialect=dialect, compile_kwargs={"render_postcompile": True})
        return str(compiled), _driver_params(compiled, compiled.params)
    found = _COMPILED.get((key.key, dialect.name))
    if found is None:
        if len(_COMPILED) >= _COMPILED_MAX:
            _COMPILED.clear()
        compiled = query.compile(dialect=dialect, cache_key=key)
        found = _COMPILED[(key.key, dialect.name)] = (str(compiled), compiled)
    sql, compiled = found
    values = compiled.construct_params(extracted_parameters=key.bindparams)
    return sql, _driver_params(compiled, values)


def driver_many(statement: ClauseElement, keys: Sequence[str], rows: list[dict[str, Any]]) -> None:
    """One statement run for many rows of driver-ready values (executemany)."""
    if not rows:
        return
    connection = db.session.connection()
    compiled = statement.compile(dialect=connection.dialect, column_keys=list(keys))
    with _cursor(connection, str(compiled)) as cursor:
        cursor.executemany(str(compiled), [_driver_params(compiled, row) for row in rows])


@contextmanager
def _cursor(connection: Connection, statement: str) -> Iterator[Any]:
    """The connection's DBAPI cursor; a driver error leaves it as SQLAlchemy's own would.

    A lost connection (PostgreSQL restarted, backend terminated) is invalidated, so the pool
    replaces it, and raised as a DBAPIError, so the request gets the 503 page, not a 500.
    """
    dbapi = connection.dialect.loaded_dbapi
    raw = connection.connection
    cursor = raw.cursor()
    try:
        yield cursor
    except dbapi.Error as error:
        lost = connection.dialect.is_disconnect(error, raw.dbapi_connection, cursor)
        if lost:
            connection.invalidate(error)
        raise DBAPIError.instance(
            statement,
            None,
            error,
            dbapi.Error,
            hide_parameters=True,
            dialect=connection.dialect,
            connection_invalidated=lost,
        ) from error
    finally:
        with suppress(dbapi.Error):
            cursor.close()


def _driver_params(compiled: Compiled, values: Mapping[str, Any]) -> Any:
    """Parameters in the driver's style: by position for SQLite, by name for psycopg."""
    names = getattr(compiled, "positiontup", None)
    return values if names is None else [values[name] for name in names]
