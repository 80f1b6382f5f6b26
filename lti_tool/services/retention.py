"""The installation's retention period: what students did in a course concluded longer ago
than `RETENTION_DAYS` is deleted by the worker, with a report.

Deleted per course: evidence and its audit trail, stored levels, exemptions, the grade
outbox's rows (the LMS keeps its own copy of every grade it accepted), share links, and the
course's audit events; one event recording the purge (counts only) takes their place. Kept:
the course's setup (standards, settings, assessments), so a copy can still bring it, and the
people, who may be in other courses. Nothing happens when no period is set.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from ..extensions import db
from ..models import (
    AuditEvent,
    Course,
    CurrentLevel,
    Evidence,
    EvidenceAudit,
    Exemption,
    GradeColumn,
    GradeOutbox,
    ShareLink,
)
from ..models.types import utcnow
from . import audit

log = logging.getLogger(__name__)

ACTION = "retention.purge"


@dataclass
class RetentionReport:
    """Rows deleted per table, per course purged."""

    courses: dict[int, dict[str, int]] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(sum(counts.values()) for counts in self.courses.values())


def purge_expired(config: Mapping[str, Any], now: datetime | None = None) -> RetentionReport:
    """Purge every course concluded more than RETENTION_DAYS ago that still holds evidence,
    in the caller's transaction."""
    report = RetentionReport()
    days = config.get("RETENTION_DAYS")
    if not days:
        return report
    cutoff = (now or utcnow()) - timedelta(days=float(days))
    holding = select(Evidence.id).where(Evidence.course_id == Course.id).exists()
    due = select(Course).where(
        Course.concluded_at.is_not(None), Course.concluded_at < cutoff, holding
    )
    for course in db.session.scalars(due).all():
        report.courses[course.id] = purge_course(course)
        audit.record(
            ACTION,
            actor="retention period",
            platform=course.platform,
            course=course,
            target=f"course {course.id}",
            details={"days": days, **report.courses[course.id]},
        )
        log.info(
            "retention: course %s concluded %s, %d rows deleted",
            course.id,
            course.concluded_at.date().isoformat() if course.concluded_at else "?",
            sum(report.courses[course.id].values()),
        )
    return report


def purge_course(course: Course) -> dict[str, int]:
    """Delete one course's student activity (see the module); rows per table."""
    evidence = select(Evidence.id).where(Evidence.course_id == course.id)
    columns = select(GradeColumn.id).where(GradeColumn.course_id == course.id)
    statements = {
        "evidence_audits": delete(EvidenceAudit).where(EvidenceAudit.evidence_id.in_(evidence)),
        "evidence": delete(Evidence).where(Evidence.course_id == course.id),
        "current_levels": delete(CurrentLevel).where(CurrentLevel.course_id == course.id),
        "exemptions": delete(Exemption).where(Exemption.course_id == course.id),
        "grade_outbox": delete(GradeOutbox).where(GradeOutbox.column_id.in_(columns)),
        "share_links": delete(ShareLink).where(ShareLink.course_id == course.id),
        "audit_events": delete(AuditEvent).where(AuditEvent.course_id == course.id),
    }
    return {
        table: db.session.execute(statement).rowcount or 0
        for table, statement in statements.items()
    }
