"""The background worker: drains the grade outbox and runs queued jobs, never inside a request.

`flask --app lti_tool worker` loops until SIGTERM or SIGINT and finishes the batch in hand
before it exits; `flask --app lti_tool sync once` drains what is due and exits. Any number of
workers may run against PostgreSQL; on SQLite, run one.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass, field

from flask import Flask

from .extensions import db
from .models import Course, Job
from .services import (
    grades,
    housekeeping,
    jobs,
    line_items,
    lms_results,
    mastery,
    retention,
    roster,
)
from .services.outbox import DrainReport, drain_once

log = logging.getLogger(__name__)

# How often a worker looks for courses whose nightly roster or LMS results sync is due.
SCHEDULE_EVERY_SECONDS = 60.0


@jobs.handles("recompute")
def recompute(course: Course, job: Job) -> str:
    """After a change of method, scale or minimum: every stored level, then every grade."""
    grades.lock_students(course, None)
    rows = mastery.recompute_course(course)
    queued = grades.queue_grades(course)
    job.progress_done = job.progress_total = rows
    return f"{rows} levels recomputed, {queued} grades queued"


@jobs.handles("roster")
def sync_roster(course: Course, job: Job) -> str:
    """Names and roles from the platform (NRPS): students who never launched appear."""
    return roster.sync_roster(course).summary()


@jobs.handles("lms_results")
def sync_lms_results(course: Course, job: Job) -> str:
    """Results of the LMS columns aligned to standards, recorded as evidence."""
    found = line_items.discover_columns(course, assessments_only=True)  # deep-linked ones
    return "; ".join(part for part in (found, lms_results.sync_results(course).summary()) if part)


@jobs.handles("columns")
def discover_columns(course: Course, job: Job) -> str:
    """Line items for published columns, and summary columns the platform added (placements)."""
    return line_items.discover_columns(course)


@jobs.handles("grades")
def queue_course_grades(course: Course, job: Job) -> str:
    """Every student's grades queued again (a new column needs them all)."""
    grades.lock_students(course, None)
    return f"{grades.queue_grades(course)} grades queued"


@dataclass
class WorkerReport:
    """Totals of a worker's life (or of one `sync once`)."""

    grades: DrainReport = field(default_factory=DrainReport)
    jobs_done: int = 0
    jobs_failed: int = 0


class Worker:
    """One worker process (or thread): grades first, then one due job, repeat."""

    def __init__(
        self,
        app: Flask,
        *,
        name: str | None = None,
        batch_size: int = 200,
        idle_seconds: float = 1.0,
        stop: threading.Event | None = None,
    ):
        self.app = app
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self.batch_size = batch_size
        self.idle_seconds = idle_seconds
        self.stop = stop or threading.Event()
        self.report = WorkerReport()
        self._next_schedule = 0.0

    def step(self) -> int:
        """One batch of grades and at most one job; returns how much work it found."""
        with self.app.app_context():
            try:
                if time.monotonic() >= self._next_schedule:
                    jobs.schedule_due_syncs(self.app.config)
                    housekeeping.sweep_expired()
                    retention.purge_expired(self.app.config)
                    db.session.commit()
                    self._next_schedule = time.monotonic() + SCHEDULE_EVERY_SECONDS
                batch = drain_once(self.name, limit=self.batch_size)
                self.report.grades.add(batch)
                job = jobs.claim_job(self.name)
                if job is not None:
                    if jobs.run_job(job):
                        self.report.jobs_done += 1
                    else:
                        self.report.jobs_failed += 1
                # Rows handed back (their registration was busy) are not work found.
                return batch.claimed - batch.waiting + (job is not None)
            finally:
                db.session.remove()

    def run(self) -> WorkerReport:
        """Work until `stop` is set; sleeps `idle_seconds` when nothing is due."""
        log.info("worker %s started", self.name)
        while not self.stop.is_set():
            try:
                found = self.step()
            except Exception:  # noqa: BLE001 - a database outage must not end the worker
                log.exception("worker %s: step failed; trying again shortly", self.name)
                found = 0
            if not found:
                self.stop.wait(self.idle_seconds)
        log.info("worker %s stopped", self.name)
        return self.report

    def drain(self) -> WorkerReport:
        """Work until nothing is due (a retry scheduled for later is left for later)."""
        while self.step():
            pass
        return self.report


def start_in_thread(app: Flask, **options: object) -> tuple[Worker, threading.Thread]:
    """A worker in a daemon thread (the demo and the tests); set `worker.stop` to end it."""
    worker = Worker(app, **options)  # type: ignore[arg-type]
    thread = threading.Thread(target=worker.run, name="worker", daemon=True)
    thread.start()
    return worker, thread
