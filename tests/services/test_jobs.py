"""Jobs the worker runs: queued with the change, scheduled nightly, retried, never lost."""

from __future__ import annotations

from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import Assessment, Course, Enrollment, GradeOutbox, Job, JobState, User
from lti_tool.models.types import utcnow
from lti_tool.services import jobs
from lti_tool.worker import Worker
from tests.live import COURSE, STUDENT, TEACHER, Lms
from tests.lti.conftest import Browser
from tests.services.grading import drain, rows, score


def course(tool: Flask) -> Course:
    return db.session.scalars(select(Course).where(Course.context_id == COURSE)).one()


def queued(kind: str) -> int:
    return len(db.session.scalars(select(Job).where(Job.kind == kind, Job.state == "queued")).all())


def test_only_the_first_launch_queues_a_roster_sync(tool: Flask, lms: Lms, course_id: int) -> None:
    Browser(tool, lms).launch(TEACHER)
    with tool.app_context():
        assert queued("roster") == 0
        assert course(tool).roster_synced_at is not None


def test_a_launch_queues_the_roster_sync_only_when_it_brings_the_roster_service(
    tool: Flask, lms: Lms, course_id: int
) -> None:
    with tool.app_context():  # the first sync failed for good: the nightly schedule retries it
        course(tool).roster_synced_at = None
        db.session.commit()
    Browser(tool, lms).launch(STUDENT)
    with tool.app_context():
        assert queued("roster") == 0
        course(tool).nrps_url = None  # launches so far came without the service
        db.session.commit()
    Browser(tool, lms).launch(STUDENT)
    with tool.app_context():
        assert queued("roster") == 1
        assert course(tool).nrps_url


def test_the_nightly_roster_and_scheduled_results_syncs(tool: Flask, course_id: int) -> None:
    config = {"ROSTER_SYNC_HOURS": 24, "LMS_RESULTS_SYNC_MINUTES": 0}
    with tool.app_context():
        assert jobs.schedule_due_syncs(config) == 0  # synced at the first launch
        tomorrow = utcnow() + timedelta(hours=25)
        assert jobs.schedule_due_syncs(config, now=tomorrow) == 1
        assert jobs.schedule_due_syncs(config, now=tomorrow) == 1  # the same job, not two
        assert queued("roster") == 1
        db.session.add(Assessment(course_id=course_id, title="Quiz", kind="lms_line_item", tag="q"))
        hourly = {"ROSTER_SYNC_HOURS": 24, "LMS_RESULTS_SYNC_MINUTES": 60}
        assert jobs.schedule_due_syncs(hourly) == 1
        assert queued("lms_results") == 1
        db.session.commit()


def test_a_returning_student_is_active_again_at_launch(
    tool: Flask, lms: Lms, course_id: int
) -> None:
    with tool.app_context():
        enrollment = db.session.scalars(
            select(Enrollment).join(User).where(User.sub == STUDENT)
        ).one()
        enrollment.status = "inactive"
        enrollment_id = enrollment.id
        db.session.commit()
    Browser(tool, lms).launch(STUDENT)
    with tool.app_context():
        assert db.session.get(Enrollment, enrollment_id).status == "active"


def test_grades_waiting_for_grade_services_go_when_a_launch_brings_them(
    tool: Flask, lms: Lms, course_id: int
) -> None:
    with tool.app_context():
        course(tool).ags_lineitems_url = None
        db.session.commit()
    score(tool, course_id, STUDENT, "S1", 3)
    drain(tool)
    [held] = rows(tool)
    assert held.due_at > utcnow() + timedelta(minutes=5)
    Browser(tool, lms).launch(TEACHER)
    assert drain(tool).delivered == 1


def test_a_failing_job_is_retried_then_marked_failed(tool: Flask, course_id: int) -> None:
    calls = []

    @jobs.handles("explode")
    def explode(course: Course, job: Job) -> str:
        calls.append(job.attempts)
        raise RuntimeError("boom")

    with tool.app_context():
        job = jobs.enqueue("explode", course(tool))
        db.session.commit()
        job_id = job.id
    for _ in range(jobs.MAX_ATTEMPTS):
        with tool.app_context():
            db.session.execute(
                Job.__table__.update().values(due_at=utcnow() - timedelta(seconds=1))
            )
            db.session.commit()
        Worker(tool).step()
    with tool.app_context():
        job = db.session.get(Job, job_id)
        assert job.state == JobState.FAILED and job.error == "RuntimeError"
    assert calls == list(range(1, jobs.MAX_ATTEMPTS + 1))


@pytest.mark.parametrize("kind", ["recompute"])
def test_a_job_whose_worker_died_runs_again_when_its_lease_ends(
    tool: Flask, course_id: int, kind: str
) -> None:
    with tool.app_context():
        jobs.enqueue(kind, course(tool))
        db.session.commit()
        claimed = jobs.claim_job("dead-worker")
        assert claimed is not None
        assert jobs.claim_job("other") is None  # leased
        later = utcnow() + timedelta(seconds=jobs.LEASE_SECONDS + 1)
        again = jobs.claim_job("other", now=later)
        assert again is not None and again.id == claimed.id and again.attempts == 2
        assert db.session.scalars(select(GradeOutbox)).all() == []
