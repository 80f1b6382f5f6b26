"""Launch sessions: an opaque token in the page's links stands in for a cookie.

Cookies inside an LMS iframe are partitioned or blocked, so every page after the launch carries
`launch=<token>`; only the token's hash is stored, and it expires.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy.orm import joinedload

from ..errors import SessionExpired
from ..extensions import db
from ..lti.launch import ValidatedLaunch
from ..lti.vocab import Claim
from ..models import Launch
from ..models.types import utcnow
from ..translatable import N_
from .identity import LaunchIdentity


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(
    launch: ValidatedLaunch, identity: LaunchIdentity, ttl_seconds: int
) -> tuple[str, Launch]:
    token = secrets.token_urlsafe(32)
    now = utcnow()
    presentation = launch.claims.get(Claim.LAUNCH_PRESENTATION)
    locale = presentation.get("locale") if isinstance(presentation, dict) else None
    row = Launch(
        token_hash=token_hash(token),
        platform_id=launch.platform.id,
        # Ids, not the rows: no cascade over the course's and person's relationships at flush;
        # row.course and row.user still come from the session without a query.
        course_id=identity.course.id if identity.course else None,
        user_id=identity.user.id if identity.user else None,
        role=identity.role,
        message_type=launch.message_type,
        locale=locale if isinstance(locale, str) else None,
        claims=launch.claims,
        created_at=now,
        expires_at=now + timedelta(seconds=ttl_seconds),
    )
    db.session.add(row)
    db.session.flush()
    return token, row


def load_session(token: str | None) -> Launch:
    """The launch behind a token, or SessionExpired with a way back."""
    if not token:
        raise SessionExpired(
            N_("This page needs a launch from your LMS."),
            hint=N_("Open the tool again from your course."),
        )
    # The platform (framing), course and person every page needs, in the same statement.
    row = db.session.get(
        Launch,
        token_hash(token),
        options=[joinedload(Launch.platform), joinedload(Launch.course), joinedload(Launch.user)],
    )
    if row is None or row.expires_at < utcnow():
        raise SessionExpired(
            N_("Your session with the tool has ended."),
            hint=N_("Open the tool again from your course; nothing you saved is lost."),
        )
    return row
