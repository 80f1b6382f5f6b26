"""The worker's job queue: recompute a course, sync its roster or its LMS results.

A job is queued in the caller's transaction (so a settings change and its recompute commit
together), claimed by one worker under a lease (SKIP LOCKED on PostgreSQL), and retried with
backoff when it fails, up to MAX_ATTEMPTS; its progress is stored for the pages to show.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from ..errors import LtiToolError
from ..extensions import db
from ..models import Assessment, Course, Job, JobState
from ..models.types import utcnow
from ..translatable import N_

log = logging.getLogger(__name__)

# Each kind of job as a teacher or an administrator reads it (sync page, admin console).
JOB_NAMES = {
    "roster": N_("Class list"),
    "lms_results": N_("LMS grades"),
    "recompute": N_("Recompute after a settings change"),
    "columns": N_("LMS columns"),
    "grades": N_("Every grade queued again"),
}

LEASE_SECONDS = 600.0
MAX_ATTEMPTS = 5
RETRY_SECONDS = 30.0

Handler = Callable[[Course, Job], str | None]
_HANDLERS: dict[str, Handler] = {}


def handles(kind: str) -> Callable[[Handler], Handler]:
    """Register the function that runs jobs of `kind` (returns a line for the log)."""

    def register(function: Handler) -> Handler:
        _HANDLERS[kind] = function
        return function

    return register


def enqueue(
    kind: str,
    course: Course,
    *,
    due_at: datetime | None = None,
    payload: dict[str, Any] | None = None,
) -> Job:
    """Queue a job for a course, or return the one already waiting (flushes, never commits)."""
    waiting = db.session.scalar(
        select(Job).where(
            Job.kind == kind, Job.course_id == course.id, Job.state == JobState.QUEUED
        )
    )
    due_at = due_at or utcnow()
    if waiting is not None:
        waiting.due_at = min(waiting.due_at, due_at)
        return waiting
    job = Job(kind=kind, course_id=course.id, due_at=due_at, payload=payload or {})
    db.session.add(job)
    db.session.flush()
    return job


def claim_job(worker: str, *, now: datetime | None = None) -> Job | None:
    """Lease the oldest due job to `worker` and commit; None when nothing is due."""
    now = now or utcnow()
    job = db.session.scalar(
        select(Job)
        .where(
            or_(
                Job.state == JobState.QUEUED,
                # A worker that died mid-job: its lease ran out, the job runs again.
                (Job.state == JobState.RUNNING) & (Job.lease_until < now),
            ),
            Job.due_at <= now,
        )
        .order_by(Job.due_at, Job.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if job is None:
        db.session.commit()
        return None
    job.state, job.worker = JobState.RUNNING, worker
    job.lease_until = now + timedelta(seconds=LEASE_SECONDS)
    job.attempts += 1
    db.session.commit()
    return job


def run_job(job: Job) -> bool:
    """Run a claimed job in its own transaction; True when it succeeded."""
    handler = _HANDLERS.get(job.kind)
    course = db.session.get(Course, job.course_id) if job.course_id else None
    try:
        if handler is None or course is None:
            raise LtiToolError(f"Nothing can run a {job.kind!r} job for course {job.course_id}.")
        outcome = handler(course, job)
    except Exception as error:  # noqa: BLE001 - any failure is recorded on the job
        db.session.rollback()
        _failed(job, error)
        return False
    job.state, job.finished_at, job.lease_until, job.error = JobState.DONE, utcnow(), None, None
    db.session.commit()
    log.info("job %s %s for course %s: %s", job.id, job.kind, job.course_id, outcome or "done")
    return True


def _failed(job: Job, error: Exception) -> None:
    message = error.message if isinstance(error, LtiToolError) else f"{type(error).__name__}"
    if not isinstance(error, LtiToolError):
        log.exception("job %s %s failed", job.id, job.kind, exc_info=error)
    job = db.session.merge(job)
    job.error, job.lease_until = message, None
    if job.attempts >= MAX_ATTEMPTS:
        job.state, job.finished_at = JobState.FAILED, utcnow()
    else:
        job.state = JobState.QUEUED
        job.due_at = utcnow() + timedelta(seconds=RETRY_SECONDS * 2 ** (job.attempts - 1))
    db.session.commit()
    log.warning("job %s %s for course %s failed: %s", job.id, job.kind, job.course_id, message)


def latest_jobs(course: Course, limit: int = 10) -> list[Job]:
    """The course's most recent jobs, newest first (for the sync status page)."""
    return list(
        db.session.scalars(
            select(Job).where(Job.course_id == course.id).order_by(Job.id.desc()).limit(limit)
        )
    )


def schedule_course_sync(course: Course) -> None:
    """Read the roster in the worker, once the course has a roster service and until it has been
    read (the launch that first names the service calls this; the nightly schedule re-queues a
    course whose sync failed)."""
    if course.nrps_url and course.roster_synced_at is None and course.id is not None:
        enqueue("roster", course)


def schedule_due_syncs(config: Mapping[str, Any], *, now: datetime | None = None) -> int:
    """Queue the nightly roster syncs and the LMS results syncs the admin's schedule asks for."""
    now = now or utcnow()
    queued = 0
    roster_age = now - timedelta(hours=float(config["ROSTER_SYNC_HOURS"]))
    stale = select(Course).where(
        Course.nrps_url.is_not(None),
        or_(Course.roster_synced_at.is_(None), Course.roster_synced_at < roster_age),
    )
    for course in db.session.scalars(stale):
        enqueue("roster", course, due_at=now)
        queued += 1
    minutes = float(config["LMS_RESULTS_SYNC_MINUTES"])
    if minutes > 0:
        last = (
            select(Job.course_id, func.max(Job.created_at).label("at"))
            .where(Job.kind == "lms_results")
            .group_by(Job.course_id)
            .subquery()
        )
        due = (
            select(Course)
            .where(
                Course.id.in_(
                    select(Assessment.course_id).where(Assessment.kind == "lms_line_item")
                )
            )
            .outerjoin(last, last.c.course_id == Course.id)
            .where(or_(last.c.at.is_(None), last.c.at < now - timedelta(minutes=minutes)))
        )
        for course in db.session.scalars(due):
            enqueue("lms_results", course, due_at=now)
            queued += 1
    return queued
