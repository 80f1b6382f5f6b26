"""Draining the grade outbox: claim due rows, post them through AGS, settle each outcome.

Claiming leases a row to one worker (`SELECT ... FOR UPDATE SKIP LOCKED` on PostgreSQL, so
any number of workers share the outbox; SQLite runs one worker). A worker that dies holding a
lease loses nothing: the lease runs out and the row is sent again, unless the platform's result
already holds it (the worker died after sending, before recording: re-sent, its comment would
notify the student again on Canvas, correction 3). The AGS timestamp of every
attempt is at least a second after the previous one (DESIGN.md correction 2), so a re-sent
row can never replace a newer value on the platform, and a stale one is refused as
superseded.

Canvas allows a tool a few concurrent calls per client id (correction 4): one worker's
batch keeps to AGS_MAX_CONCURRENT_CALLS, and on PostgreSQL one worker at a time delivers to
a registration (a session advisory lock, which PostgreSQL drops with the connection if the
worker dies). Rows of a registration another worker is busy with are handed back unsent;
the worker that holds the registration claims them in its next pass.
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, bindparam, case, func, or_, select, update

from ..extensions import db
from ..lti.ags import AgsClient, Score
from ..lti.service import Delivered, Gone, Outcome, Retry, ServiceCallFailed, Superseded
from ..models import Course, GradeColumn, GradeOutbox, GradingPeriod, OutboxState, User
from ..models.types import utcnow
from .line_items import grade_client, line_item_url, link_line_item

log = logging.getLogger(__name__)

LEASE_SECONDS = 120.0
MAX_ATTEMPTS = 8
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_CAP_SECONDS = 900.0
NO_SERVICE_RETRY_SECONDS = 600.0
# The first key of the registration's advisory lock (pg_try_advisory_lock(int, int)).
DELIVERY_LOCK_CLASS = 0x4C544931  # "LTI1"


@dataclass
class DrainReport:
    """What one pass over the outbox did."""

    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    dead: int = 0
    paused: int = 0  # waiting for a column deleted in the LMS to be recreated
    waiting: int = 0  # handed back: another worker was delivering to their registration
    errors: list[str] = field(default_factory=list)

    def add(self, other: DrainReport) -> None:
        self.claimed += other.claimed
        self.delivered += other.delivered
        self.retried += other.retried
        self.dead += other.dead
        self.paused += other.paused
        self.waiting += other.waiting
        self.errors.extend(other.errors)


@dataclass(frozen=True)
class Claim:
    """A leased row as it was when claimed: what to send, and the version it settles."""

    row_id: int
    version: int
    platform_id: int
    course_id: int
    column_id: int
    score: Score
    comment: str
    in_doubt: bool = False  # a lease ran out on it: it may have reached the platform already


def claim(worker: str, limit: int, *, now: datetime | None = None) -> list[Claim]:
    """Lease up to `limit` due rows to `worker` and commit, so other workers skip them."""
    now = now or utcnow()
    query = (
        select(GradeOutbox, Course.platform_id, GradeColumn.course_id, User.sub)
        .join(GradeColumn, GradeOutbox.column_id == GradeColumn.id)
        .join(User, GradeOutbox.student_id == User.id)
        .join(Course, GradeColumn.course_id == Course.id)
        .outerjoin(GradingPeriod, GradeColumn.period_id == GradingPeriod.id)
        .where(
            GradeOutbox.state == OutboxState.PENDING,
            GradeOutbox.due_at <= now,
            or_(GradeOutbox.lease_until.is_(None), GradeOutbox.lease_until < now),
            GradeColumn.gone_at.is_(None),
            # A concluded course and a closed period receive nothing more: their rows wait.
            Course.concluded_at.is_(None),
            or_(
                GradeColumn.period_id.is_(None),
                GradingPeriod.closed_at.is_(None) & (GradingPeriod.closes_at > now),
            ),
        )
        .order_by(GradeOutbox.due_at, GradeOutbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True, of=GradeOutbox)
    )
    claims = []
    for row, platform_id, course_id, sub in db.session.execute(query):
        # Every way a row is settled, held or handed back clears its lease: one still set has
        # run out on a worker that died (or hung) while delivering it.
        in_doubt = row.lease_until is not None
        row.lease_until = now + timedelta(seconds=LEASE_SECONDS)
        row.worker = worker
        # Strictly increasing per (line item, user), a second apart: Moodle compares seconds.
        floor = row.last_timestamp + timedelta(seconds=1) if row.last_timestamp else now
        row.last_timestamp = max(now, floor)
        # A comment is a new Canvas submission comment: only when its text changed.
        comment = row.comment if row.comment != row.sent_comment else None
        score = Score(sub, row.score, row.maximum, row.last_timestamp, comment)
        claims.append(
            Claim(
                row.id,
                row.version,
                platform_id,
                course_id,
                row.column_id,
                score,
                row.comment,
                in_doubt,
            )
        )
    db.session.commit()
    return claims


def drain_once(worker: str, *, limit: int = 200, now: datetime | None = None) -> DrainReport:
    """Claim one batch, send it course by course, settle every row; commits."""
    report = DrainReport()
    claims = claim(worker, limit, now=now)
    report.claimed = len(claims)
    by_registration: dict[int, dict[int, list[Claim]]] = {}
    for item in claims:
        by_registration.setdefault(item.platform_id, {}).setdefault(item.course_id, []).append(item)
    for platform_id, by_course in by_registration.items():
        with registration_turn(platform_id) as ours:
            if not ours:
                _hand_back([item for items in by_course.values() for item in items], report)
                db.session.commit()
                continue
            for course_id, course_claims in by_course.items():
                course = db.session.get(Course, course_id)
                assert course is not None  # the column's foreign key guarantees it
                _deliver_course(course, course_claims, report)
                db.session.commit()
    return report


@contextmanager
def registration_turn(platform_id: int) -> Iterator[bool]:
    """Whether this worker may call the registration now: on PostgreSQL, while no other
    worker delivers to it (a session advisory lock on a connection of its own, held for the
    block). SQLite runs one worker, whose turn it always is."""
    if db.engine.dialect.name != "postgresql":
        yield True
        return
    with db.engine.connect() as connection:
        key = (DELIVERY_LOCK_CLASS, platform_id)
        ours = bool(connection.scalar(select(func.pg_try_advisory_lock(*key))))
        connection.commit()
        try:
            yield ours
        finally:
            if ours:
                connection.scalar(select(func.pg_advisory_unlock(*key)))
                connection.commit()


def _hand_back(claims: list[Claim], report: DrainReport) -> None:
    """Another worker is delivering to this registration: release these rows unsent (a pass
    that only hands rows back finds no work, so its worker pauses before claiming again)."""
    ids = [item.row_id for item in claims]
    _update(GradeOutbox.id.in_(ids), lease_until=None, worker=None)
    report.waiting += len(claims)


def _deliver_course(course: Course, claims: list[Claim], report: DrainReport) -> None:
    """Resolve each column's line item, post the scores, settle what came back."""
    if not course.ags_lineitems_url and not link_line_item(course):
        for item in claims:
            _hold(item, "The course has not offered grade services yet: open the tool from it.")
        report.retried += len(claims)
        return
    client = grade_client(course)
    sendable: list[tuple[Claim, str]] = []
    for item in claims:
        column = db.session.get(GradeColumn, item.column_id)
        assert column is not None
        try:
            sendable.append((item, line_item_url(client, course, column)))
        except ServiceCallFailed as error:
            _settle(item, error.outcome, report)
    # A row whose lease ran out may be there already: it is settled without sending it again.
    there = {
        item.row_id for item, url in sendable if item.in_doubt and _arrived(client, url, item.score)
    }
    delivered: list[tuple[Claim, Outcome]] = [
        (item, Delivered(status=200, message="already at the platform"))
        for item, _ in sendable
        if item.row_id in there
    ]
    sendable = [(item, url) for item, url in sendable if item.row_id not in there]
    outcomes = client.post_scores([(url, item.score) for item, url in sendable])
    for (item, _), outcome in zip(sendable, outcomes, strict=True):
        if isinstance(outcome, Delivered):
            delivered.append((item, outcome))
        else:
            _settle(item, outcome, report)
    _settle_delivered(delivered)
    report.delivered += len(delivered)


def _arrived(client: AgsClient, url: str, score: Score) -> bool:
    """Whether the platform's current result for the user is this score already (and its
    comment, when one is to be sent). Not known (the read failed): no, the score is sent."""
    try:
        found = client.results(url, user_id=score.user_id)
    except ServiceCallFailed as error:
        log.info("could not read the result before re-sending: %s", error)
        return False
    wanted = score.score_given / score.score_maximum
    return any(
        result.result_score is not None
        and result.result_maximum
        and math.isclose(result.result_score / result.result_maximum, wanted, abs_tol=1e-9)
        and (score.comment is None or result.comment == score.comment)
        for result in found
    )


def _settle_delivered(delivered: list[tuple[Claim, Outcome]]) -> None:
    """Record deliveries in one statement; a value queued meanwhile stays pending."""
    if not delivered:
        return
    row = GradeOutbox.__table__.c
    statement = (
        update(GradeOutbox.__table__)
        .where(row.id == bindparam("b_row_id"))
        .values(
            lease_until=None,
            worker=None,
            last_status=bindparam("b_status"),
            sent_score=bindparam("b_score"),
            sent_comment=bindparam("b_comment"),
            sent_version=bindparam("b_version"),
            sent_at=bindparam("b_now"),
            attempts=0,
            last_error=None,
            state=case(
                (row.version == bindparam("b_version"), OutboxState.SENT.value),
                else_=OutboxState.PENDING.value,
            ),
        )
    )
    now = utcnow()
    params = [
        {
            "b_row_id": item.row_id,
            "b_status": outcome.status,
            "b_score": item.score.score_given,
            "b_comment": item.comment,
            "b_version": item.version,
            "b_now": now,
        }
        for item, outcome in delivered
    ]
    db.session.execute(statement, params)


def _settle(item: Claim, outcome: Outcome, report: DrainReport) -> None:
    """Record a failure with conditional updates: a value queued meanwhile stays pending."""
    now = utcnow()
    row = GradeOutbox.__table__.c
    mine = (row.id == item.row_id) & (row.version == item.version)
    released = {"lease_until": None, "worker": None, "last_status": outcome.status}
    message = outcome.message or type(outcome).__name__
    attempts = _attempts(item.row_id) + 1
    if isinstance(outcome, Superseded | Retry) and attempts < MAX_ATTEMPTS:
        # Superseded: the platform holds a newer timestamp; ours is still the newest value
        # (a newer one would have bumped the version), so it goes again with a fresh one.
        after = outcome.after_seconds if isinstance(outcome, Retry) else 0.0
        due = now + timedelta(seconds=max(after, _backoff(attempts)))
        changed = _update(mine, **released, attempts=attempts, last_error=message, due_at=due)
        report.retried += 1
    elif isinstance(outcome, Gone):
        # The column was deleted in the LMS: pause it (one banner for the teacher), keep the
        # grade pending; recreating the column sends it.
        _pause_column(item.column_id, message, now)
        changed = _update(mine, **released, attempts=0, last_error=message)
        report.paused += changed
    else:
        changed = _update(
            mine, **released, attempts=attempts, last_error=message, state=OutboxState.DEAD.value
        )
        report.dead += changed
        if changed:
            report.errors.append(f"grade {item.row_id}: {message}")
            log.warning("grade %s dead after %s attempts: %s", item.row_id, attempts, message)
    if not changed:
        # A newer value was queued while this one was out: it goes next, on its own merits.
        _update(row.id == item.row_id, **released)


def _update(where: ColumnElement[bool], **values: object) -> int:
    result = db.session.execute(update(GradeOutbox).where(where).values(**values))
    return result.rowcount


def _pause_column(column_id: int, reason: str, now: datetime) -> None:
    db.session.execute(
        update(GradeColumn)
        .where(GradeColumn.id == column_id, GradeColumn.gone_at.is_(None))
        .values(line_item_url=None, gone_at=now, gone_reason=reason)
    )
    log.warning("gradebook column %s is gone from the LMS: %s", column_id, reason)


def _attempts(row_id: int) -> int:
    return db.session.scalar(select(GradeOutbox.attempts).where(GradeOutbox.id == row_id)) or 0


def _hold(item: Claim, message: str) -> None:
    due = utcnow() + timedelta(seconds=NO_SERVICE_RETRY_SECONDS)
    _update(
        GradeOutbox.id == item.row_id, lease_until=None, worker=None, due_at=due, last_error=message
    )


def _backoff(attempts: int) -> float:
    """Exponential backoff with jitter: 2 s, 4 s, 8 s ... capped, times 0.5–1."""
    ceiling = min(BACKOFF_CAP_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempts - 1))
    return ceiling * random.uniform(0.5, 1.0)
