"""The audit log: `record` adds an event to the caller's transaction, so it commits or rolls
back with the action it describes; `recent` reads one registration's newest events.

Details are for ids, counts and settings: a key that names a token, a secret or a person is
refused, so a careless call fails in tests rather than writing one into the log.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import AuditEvent, Course, Platform, User
from ..translatable import N_

FORBIDDEN_DETAIL_KEYS = ("token", "secret", "password", "name", "email")
COMMAND_LINE = "command line"
# What each recorded action means, as the admin console shows it (the code stays beside it).
ACTION_LABELS = {
    "registration.created": N_("Registration created"),
    "registration.enabled": N_("Registration enabled"),
    "registration.disabled": N_("Registration disabled"),
    "registration.settings_changed": N_("Registration settings changed"),
    "registration.exported": N_("Registration data exported"),
    "registration.purged": N_("Registration data deleted"),
    "registration.scale_added": N_("Scale added for every course"),
    "registration.scale_offered": N_("Scale offered again"),
    "registration.scale_retired": N_("Scale no longer offered"),
    "deployment.added": N_("Deployment added"),
    "grades.retried": N_("Failed grades sent again"),
    "share_link.created": N_("Share link created"),
    "share_link.revoked": N_("Share link turned off"),
    "student.exported": N_("A student's data exported"),
    "student.erased": N_("A student's data erased"),
}


def action_label(action: str) -> str:
    """The action in words (in the page's language when shown), or its code if unknown."""
    return ACTION_LABELS.get(action, action)


def record(
    action: str,
    *,
    actor: str,
    platform: Platform | None = None,
    course: Course | None = None,
    user: User | None = None,
    target: str = "",
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one event to the session (flushed): it commits with the action, or not at all."""
    details = dict(details or {})
    for key in details:
        if any(word in key.lower() for word in FORBIDDEN_DETAIL_KEYS):
            raise ValueError(f"audit details may not hold {key!r} (tokens, secrets, names)")
    event = AuditEvent(
        action=action,
        actor=actor[:200],
        platform_id=platform.id if platform is not None else None,
        course_id=course.id if course is not None else None,
        actor_user_id=user.id if user is not None else None,
        target=target[:300],
        details=details,
    )
    db.session.add(event)
    db.session.flush()
    return event


def recent(platform: Platform, limit: int = 100) -> list[AuditEvent]:
    """The registration's newest events first (its own only)."""
    return list(
        db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.platform_id == platform.id)
            .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
            .limit(limit)
        )
    )
