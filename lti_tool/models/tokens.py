"""Service access tokens, cached in the database so every process and worker shares them."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


def scope_key(scopes: Iterable[str]) -> str:
    """The canonical form of a scope set: sorted, unique, space-joined."""
    return " ".join(sorted({str(scope) for scope in scopes}))


class AccessToken(db.Model):
    """An OAuth 2 access token for a platform's services, for one exact set of scopes."""

    __tablename__ = "access_tokens"
    __table_args__ = (UniqueConstraint("platform_id", "scopes"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    scopes: Mapped[str] = mapped_column(String(1000))
    # Canvas issues JWTs as access tokens: they can be long.
    token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def __repr__(self) -> str:
        return f"<AccessToken platform={self.platform_id} expires={self.expires_at:%H:%M:%S}>"
