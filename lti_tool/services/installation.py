"""The whole installation as its own administrators see it (the /install console): every
registration with its usage, the signing keys and their rotation, failed grades everywhere.

Per-registration logic is reused, not repeated: failed grades and their retry come from
grade_health (one registration at a time), registration status from platforms.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import distinct, func, select

from ..extensions import db
from ..lti.context import lti
from ..lti.keys import PUBLISHED, SigningKey
from ..models import Course, Enrollment, Evidence, GradeColumn, GradeOutbox, OutboxState, Platform
from ..models.types import utcnow
from . import audit, grade_health

ACTIVE_DAYS = 30
KEY_STAMP = "%Y%m%dT%H%M%S%fZ"


@dataclass(frozen=True)
class KeyView:
    kid: str
    created: datetime | None
    status: str  # "current", "previous" (still published) or "retired"


def signing_keys() -> list[KeyView]:
    """The tool's keys, newest first, with what each is for now."""
    views = []
    for index, key in enumerate(lti().key_ring.keys()):
        status = "current" if index == 0 else "previous" if index < PUBLISHED else "retired"
        views.append(KeyView(key.kid, _created(key.created), status))
    return views


def _created(stamp: str) -> datetime | None:
    try:
        return datetime.strptime(stamp, KEY_STAMP).replace(tzinfo=UTC)
    except ValueError:
        return None


def record_key_event(action: str, kid: str, *, actor: str) -> None:
    """A tool-wide event (no platform): the key id only, never the key."""
    audit.record(action, actor=actor, target=f"signing key {kid}")


def rotate_keys(*, actor: str) -> SigningKey:
    """A new current key; the previous one stays published until the next rotation. Audited."""
    key = lti().key_ring.generate()
    record_key_event("keys.rotated", key.kid, actor=actor)
    return key


@dataclass
class Usage:
    courses: int = 0
    active_students: int = 0
    evidence: int = 0
    grades_sent: int = 0


def usage(now: datetime | None = None) -> dict[int, Usage]:
    """Per registration: courses, students who opened the tool in the last ACTIVE_DAYS days,
    evidence rows, and grades the LMS holds (outbox rows sent). Four grouped queries."""
    since = (now or utcnow()) - timedelta(days=ACTIVE_DAYS)
    found: dict[int, Usage] = {}

    def fill(query, attribute: str) -> None:
        for platform_id, count in db.session.execute(query):
            setattr(found.setdefault(platform_id, Usage()), attribute, count)

    fill(select(Course.platform_id, func.count(Course.id)).group_by(Course.platform_id), "courses")
    fill(
        select(Course.platform_id, func.count(distinct(Enrollment.user_id)))
        .join(Course, Course.id == Enrollment.course_id)
        .where(Enrollment.role == "student", Enrollment.last_launch_at >= since)
        .group_by(Course.platform_id),
        "active_students",
    )
    fill(
        select(Course.platform_id, func.count(Evidence.id))
        .join(Course, Course.id == Evidence.course_id)
        .group_by(Course.platform_id),
        "evidence",
    )
    fill(
        select(Course.platform_id, func.count(GradeOutbox.id))
        .join(GradeColumn, GradeColumn.id == GradeOutbox.column_id)
        .join(Course, Course.id == GradeColumn.course_id)
        .where(GradeOutbox.state == OutboxState.SENT)
        .group_by(Course.platform_id),
        "grades_sent",
    )
    return found


@dataclass(frozen=True)
class PlatformFailures:
    platform: Platform
    failed: list[grade_health.FailedGrade]
    total: int


def failed_grades_everywhere(platforms: list[Platform]) -> list[PlatformFailures]:
    """Each registration's refused grades (as its own admin console lists them), those with any."""
    found = []
    for platform in platforms:
        failed, total = grade_health.failed_grades(platform)
        if total:
            found.append(PlatformFailures(platform, failed, total))
    return found
