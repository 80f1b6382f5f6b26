"""A course's grading periods, its time zone, and whether the platform concluded it.

Each period has its own summary column in the LMS (tag `mastery-summary:period:<slug>`, the
slug fixed when the period is made, so it survives course copies and title edits). A period
closes when a teacher closes it or when its last day plus its grace days has passed in the
course's time zone; a closed period, and every column of a concluded course, gets no grade
queued and no waiting grade sent. The course-wide summary column stays alongside periods.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from ..errors import MasteryRejected, NotFound
from ..extensions import db
from ..lti.vocab import Claim, CourseRole
from ..mastery.periods import PeriodDates, closes_at, period_problems, slugify, window, zone_named
from ..models import PERIOD_TAG_PREFIX, SUMMARY_LABEL, Course, GradingPeriod
from ..models.types import utcnow
from . import jobs

log = logging.getLogger(__name__)

# Custom parameters the tool's registration asks for (lti/registration.py CUSTOM_PARAMETERS:
# Canvas substitutes them; Moodle does the time zone too; a platform that does not sends the
# "$..." text unchanged).
ZONE_PARAMETER = "person_time_zone"
STATE_PARAMETER = "course_workflow_state"
CONCLUDED_STATES = {"completed"}  # Canvas: a concluded course


class PeriodRejected(MasteryRejected):
    """A period or time zone that cannot be saved; `problems` names each field's reason."""

    title = "This grading period cannot be saved"

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(problems.values()))
        self.problems = problems


def default_zone_name() -> str:
    name = str(current_app.config.get("DEFAULT_TIME_ZONE") or "UTC")
    return name if zone_named(name) else "UTC"


def course_zone(course: Course | None) -> ZoneInfo:
    """The course's time zone: its own, else the installation's DEFAULT_TIME_ZONE, else UTC."""
    zone = zone_named(course.time_zone) if course is not None else None
    return zone or zone_named(default_zone_name()) or ZoneInfo("UTC")


def periods_of(course: Course) -> list[GradingPeriod]:
    """The course's periods, in date order."""
    query = select(GradingPeriod).where(GradingPeriod.course_id == course.id)
    return list(db.session.scalars(query.order_by(GradingPeriod.starts_on, GradingPeriod.id)))


def period_tag(period: GradingPeriod) -> str:
    return f"{PERIOD_TAG_PREFIX}{period.slug}"


def period_label(period: GradingPeriod) -> str:
    """The label of the period's LMS column, which follows the period's title."""
    return f"{SUMMARY_LABEL}: {period.title}"[:500]


def period_window(period: GradingPeriod, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The period's UTC window, half-open (see mastery.periods)."""
    return window(period.starts_on, period.ends_on, zone)


def dates_of(period: GradingPeriod) -> PeriodDates:
    return PeriodDates(period.title, period.starts_on, period.ends_on, period.grace_days)


def save_period(course: Course, dates: PeriodDates, period_id: int | None = None) -> GradingPeriod:
    """Add a period, or change one; validated whole (nothing written when refused).

    The worker then queues the course's grades, so the new or moved window gets its grades.
    """
    existing = periods_of(course)
    period = None
    if period_id is not None:
        period = next((p for p in existing if p.id == period_id), None)
        if period is None:
            raise NotFound("That grading period is not part of this course.")
    others = [dates_of(p) for p in existing if p is not period]
    dates = PeriodDates(dates.title.strip(), dates.starts_on, dates.ends_on, dates.grace_days)
    problems = period_problems(dates, others)
    if problems:
        log.info("grading period refused for course %s: %s", course.id, problems)
        raise PeriodRejected(problems)
    if period is None:
        taken = {p.slug for p in existing}
        slug, n = slugify(dates.title), 1
        while slug in taken:
            n += 1
            slug = f"{slugify(dates.title)}-{n}"
        period = GradingPeriod(course_id=course.id, slug=slug)
        db.session.add(period)
    period.title = dates.title
    period.starts_on, period.ends_on = dates.starts_on, dates.ends_on
    period.grace_days = dates.grace_days
    period.closes_at = closes_at(dates.ends_on, dates.grace_days, course_zone(course))
    db.session.flush()
    jobs.enqueue("recompute", course)
    if period_id is not None:  # a renamed or moved period: its LMS column follows
        jobs.enqueue("columns", course)
    return period


def close_period(course: Course, period_id: int, *, now: datetime | None = None) -> GradingPeriod:
    """Close a period now: no grade is queued or sent for it any more."""
    period = _period(course, period_id)
    period.closed_at = period.closed_at or now or utcnow()
    return period


def reopen_period(course: Course, period_id: int) -> GradingPeriod:
    """Undo a teacher's close (a period past its end and grace stays closed)."""
    period = _period(course, period_id)
    period.closed_at = None
    jobs.enqueue("recompute", course)
    return period


def _period(course: Course, period_id: int) -> GradingPeriod:
    period = db.session.scalar(
        select(GradingPeriod).where(
            GradingPeriod.id == period_id, GradingPeriod.course_id == course.id
        )
    )
    if period is None:
        raise NotFound("That grading period is not part of this course.")
    return period


def set_time_zone(course: Course, name: str, *, source: str = "teacher") -> None:
    """Use another time zone for the course's dates; its periods' closing times follow."""
    zone = zone_named(name)
    if zone is None:
        raise PeriodRejected({"time_zone": "Choose a time zone from the list."})
    course.time_zone, course.time_zone_source = zone.key, source
    for period in periods_of(course):
        period.closes_at = closes_at(period.ends_on, period.grace_days, zone)
    db.session.flush()


def sync_course_state(course: Course, claims: dict[str, Any], role: CourseRole) -> None:
    """What a launch says of the course's time zone and conclusion (launch sync step).

    The time zone comes from the first instructor launch that sends one (Canvas and Moodle
    send the launching person's zone): later launches never move it, so co-teachers in other
    zones do not shift the course's dates back and forth; a teacher changes it in the tool.
    """
    custom = claims.get(Claim.CUSTOM)
    if not isinstance(custom, dict):
        return
    zone = zone_named(custom.get(ZONE_PARAMETER))
    if zone is not None and role == CourseRole.TEACHER and course.time_zone is None:
        if course.id is None:
            db.session.flush()
        set_time_zone(course, zone.key, source="platform")
    state = custom.get(STATE_PARAMETER)
    if isinstance(state, str) and not state.startswith("$"):
        if state in CONCLUDED_STATES and course.concluded_at is None:
            course.concluded_at = utcnow()
            log.info("course %s is concluded in the platform: no more grades", course.id)
        elif state not in CONCLUDED_STATES:
            course.concluded_at = None


@dataclass(frozen=True)
class PeriodStatus:
    """A period as the pages show it: closed or open, and why."""

    period: GradingPeriod
    is_closed: bool
    reason: str


def period_statuses(course: Course, *, now: datetime | None = None) -> list[PeriodStatus]:
    now = now or utcnow()
    zone = course_zone(course)
    found = []
    for period in periods_of(course):
        if period.closed_at is not None:
            when = period.closed_at.astimezone(zone).date().isoformat()
            found.append(PeriodStatus(period, True, f"closed by a teacher on {when}"))
        elif period.closes_at <= now:
            found.append(PeriodStatus(period, True, "closed: its end date and grace days passed"))
        else:
            when = period.closes_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            found.append(PeriodStatus(period, False, f"open until {when}"))
    return found
