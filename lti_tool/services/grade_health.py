"""A platform's grade sync as its administrators see it: course health, failed grades, retry.

The tenant is the platform registration (issuer + client id) of the admin's launch, never the
issuer alone (Canvas uses one issuer for every customer, DESIGN.md correction 10): every query
here is filtered by `Course.platform_id`, and a retry reaches a row only through a course of
that registration. Retrying reuses the teacher's `grades.retry_dead`, course by course.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select

from ..errors import NotFound
from ..extensions import db
from ..models import (
    Course,
    Deployment,
    GradeColumn,
    GradeOutbox,
    Job,
    JobState,
    OutboxState,
    Platform,
    User,
)
from . import audit, grades

log = logging.getLogger(__name__)

# The failed-grades list shows at most this many rows (the oldest failures first).
FAILED_LIST_LIMIT = 500


@dataclass
class CourseHealth:
    """One course's grade sync: rows by state, its oldest failure, and jobs that keep failing."""

    course: Course
    sent: int = 0
    waiting: int = 0
    failed: int = 0
    oldest_failure: datetime | None = None
    failing_jobs: list[Job] = field(default_factory=list)

    @property
    def is_healthy(self) -> bool:
        return not self.failed and not self.failing_jobs


@dataclass(frozen=True)
class FailedGrade:
    """A grade the platform refused: where, for whom, the platform's answer, and when."""

    course: Course
    student: User
    column: GradeColumn
    row: GradeOutbox

    @property
    def failed_at(self) -> datetime:
        """The time of the attempt the platform refused (its AGS timestamp)."""
        return self.row.last_timestamp or self.row.changed_at


@dataclass(frozen=True)
class DeploymentUse:
    deployment: Deployment
    courses: int


@dataclass(frozen=True)
class RegistrationView:
    """What the tool holds about the registration, and which services its courses offered."""

    platform: Platform
    deployments: list[DeploymentUse]
    courses: int
    ags_courses: int
    nrps_courses: int
    ags_scopes: list[str]


def _platform_columns(platform: Platform):
    return (
        select(GradeColumn.id)
        .join(Course, Course.id == GradeColumn.course_id)
        .where(Course.platform_id == platform.id)
    )


def course_health(platform: Platform) -> list[CourseHealth]:
    """Every course of the registration, failing ones first, then by name: three queries."""
    courses = db.session.scalars(select(Course).where(Course.platform_id == platform.id))
    health = {course.id: CourseHealth(course) for course in courses}
    counts = db.session.execute(
        select(
            GradeColumn.course_id,
            GradeOutbox.state,
            func.count(GradeOutbox.id),
            func.min(func.coalesce(GradeOutbox.last_timestamp, GradeOutbox.changed_at)),
        )
        .join(GradeColumn, GradeColumn.id == GradeOutbox.column_id)
        .where(GradeOutbox.column_id.in_(_platform_columns(platform)))
        .group_by(GradeColumn.course_id, GradeOutbox.state)
    )
    for course_id, state, count, oldest in counts:
        item = health[course_id]
        if state == OutboxState.SENT:
            item.sent = count
        elif state == OutboxState.PENDING:
            item.waiting = count
        elif state == OutboxState.DEAD:
            item.failed, item.oldest_failure = count, oldest
    for job in _failing_jobs(platform):
        health[job.course_id].failing_jobs.append(job)  # type: ignore[index]
    return sorted(
        health.values(),
        key=lambda h: (h.is_healthy, -h.failed, h.course.display_name.casefold(), h.course.id),
    )


def _failing_jobs(platform: Platform) -> list[Job]:
    """Per course and kind, the latest job when it failed or is being retried after a failure."""
    latest = (
        select(func.max(Job.id))
        .join(Course, Course.id == Job.course_id)
        .where(Course.platform_id == platform.id)
        .group_by(Job.course_id, Job.kind)
    )
    query = (
        select(Job)
        .where(Job.id.in_(latest), Job.state != JobState.DONE, Job.error.is_not(None))
        .order_by(Job.id)
    )
    return list(db.session.scalars(query))


def failed_grades(
    platform: Platform, *, limit: int = FAILED_LIST_LIMIT
) -> tuple[list[FailedGrade], int]:
    """The registration's refused grades, oldest failure first, and how many there are."""
    where = (
        GradeOutbox.state == OutboxState.DEAD,
        GradeOutbox.column_id.in_(_platform_columns(platform)),
    )
    total = db.session.scalar(select(func.count(GradeOutbox.id)).where(*where)) or 0
    query = (
        select(GradeOutbox, GradeColumn, Course, User)
        .join(GradeColumn, GradeColumn.id == GradeOutbox.column_id)
        .join(Course, Course.id == GradeColumn.course_id)
        .join(User, User.id == GradeOutbox.student_id)
        .where(*where)
        .order_by(func.coalesce(GradeOutbox.last_timestamp, GradeOutbox.changed_at), GradeOutbox.id)
        .limit(limit)
    )
    rows = [
        FailedGrade(course, student, column, row)
        for row, column, course, student in db.session.execute(query)
    ]
    return rows, total


def retry_failed(
    platform: Platform,
    *,
    course_id: int | None = None,
    row_id: int | None = None,
    actor: User | None = None,
    actor_label: str = "administrator",
    now: datetime | None = None,
) -> int:
    """Send refused grades again: one row, one course's, or every course's of the registration.

    `actor_label` names who asked in the audit log (an LMS administrator, or an account of the
    installation console)."""
    if row_id is not None:
        course = db.session.scalar(
            select(Course)
            .join(GradeColumn, GradeColumn.course_id == Course.id)
            .join(GradeOutbox, GradeOutbox.column_id == GradeColumn.id)
            .where(GradeOutbox.id == row_id, Course.platform_id == platform.id)
        )
        if course is None:
            raise NotFound("No failed grade to retry there.")
        targets = [course]
    elif course_id is not None:
        course = db.session.get(Course, course_id)
        if course is None or course.platform_id != platform.id:
            raise NotFound("That course is not one of this platform's.")
        targets = [course]
    else:
        targets = list(
            db.session.scalars(
                select(Course)
                .where(Course.platform_id == platform.id)
                .where(
                    Course.id.in_(
                        select(GradeColumn.course_id)
                        .join(GradeOutbox, GradeOutbox.column_id == GradeColumn.id)
                        .where(GradeOutbox.state == OutboxState.DEAD)
                    )
                )
                .order_by(Course.id)
            )
        )
    count = sum(grades.retry_dead(course, row_id, now=now) for course in targets)
    log.info(
        "admin %s retried %s failed grades on platform %s (course %s, row %s)",
        actor and actor.id,
        count,
        platform.id,
        course_id,
        row_id,
    )
    audit.record(
        "grades.retried",
        actor=actor_label,
        platform=platform,
        course=targets[0] if len(targets) == 1 else None,
        user=actor,
        target=f"grade {row_id}" if row_id else f"course {course_id}" if course_id else "all",
        details={"grades": count, "courses": [course.id for course in targets]},
    )
    return count


def registration(platform: Platform) -> RegistrationView:
    """The registration's deployments (with their courses) and the services courses offered."""
    deployments = db.session.execute(
        select(Deployment, func.count(Course.id))
        .outerjoin(Course, Course.deployment_id == Deployment.id)
        .where(Deployment.platform_id == platform.id)
        .group_by(Deployment.id)
        .order_by(Deployment.id)
    )
    uses = [DeploymentUse(deployment, count) for deployment, count in deployments]
    services = db.session.execute(
        select(Course.ags_lineitems_url, Course.ags_scopes, Course.nrps_url).where(
            Course.platform_id == platform.id
        )
    ).all()
    scopes = sorted({scope for _, granted, _ in services for scope in granted or []})
    return RegistrationView(
        platform=platform,
        deployments=uses,
        courses=len(services),
        ags_courses=sum(1 for ags, _, _ in services if ags),
        nrps_courses=sum(1 for _, _, nrps in services if nrps),
        ags_scopes=scopes,
    )
