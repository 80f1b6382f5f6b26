"""Server-side launch state, shared by every process: login states, used nonces, launches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import Course, User
from .registration import Platform
from .types import UTCDateTime


class LoginState(db.Model):
    """One OIDC login in progress: single use, short-lived, bound to its nonce."""

    __tablename__ = "login_states"

    state: Mapped[str] = mapped_column(String(100), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(100))
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    # Set when the platform offered client-side storage (lti_storage_target).
    storage_target: Mapped[str | None] = mapped_column(String(100))
    browser_secret_hash: Mapped[str | None] = mapped_column(String(64))
    # The login initiation, kept to restart it in a new window when cookies are blocked.
    login_params: Mapped[dict] = mapped_column(JSON, default=dict)
    # The origin of the LMS page that sent the login: it may frame the launch's pages shown
    # before the launch is verified (web/security.py).
    frame_origin: Mapped[str | None] = mapped_column(String(255))


class UsedNonce(db.Model):
    """A nonce accepted once; the primary key makes a second acceptance impossible."""

    __tablename__ = "used_nonces"

    platform_id: Mapped[int] = mapped_column(
        ForeignKey("platforms.id", ondelete="CASCADE"), primary_key=True
    )
    nonce: Mapped[str] = mapped_column(String(255), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class Launch(db.Model):
    """A validated launch. The browser holds an opaque token; only its hash is stored."""

    __tablename__ = "launches"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    message_type: Mapped[str] = mapped_column(String(50))
    locale: Mapped[str | None] = mapped_column(String(35))
    claims: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    platform: Mapped[Platform] = relationship()
    course: Mapped[Course | None] = relationship()
    user: Mapped[User | None] = relationship()
