"""Platform registrations (issuer + client id) and their deployments."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow


class RegistrationStatus(StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


class Platform(db.Model):
    """One tool registration on one LMS: (issuer, client_id) is the tenant key.

    Canvas uses one issuer for every customer, so the issuer alone never identifies a school.
    """

    __tablename__ = "platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    auth_audience: Mapped[str | None] = mapped_column(String(1000))
    keyset_url: Mapped[str] = mapped_column(String(1000))
    product_family_code: Mapped[str | None] = mapped_column(String(100))
    registered_via: Mapped[str] = mapped_column(String(20), default="manual")
    status: Mapped[str] = mapped_column(String(20), default=RegistrationStatus.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Students may create share links of their own profile only where an admin allows it: off
    # by default (a link opens a child's data to whoever holds it); teachers always may.
    allow_student_share_links: Mapped[bool] = mapped_column(default=False, server_default=false())

    deployments: Mapped[list[Deployment]] = relationship(
        back_populates="platform", cascade="all, delete-orphan", order_by="Deployment.id"
    )

    @property
    def is_active(self) -> bool:
        return self.status == RegistrationStatus.ACTIVE

    def __repr__(self) -> str:
        return f"<Platform {self.id} {self.issuer} client={self.client_id}>"


class Deployment(db.Model):
    """A deployment of the tool inside a platform (a whole site, a sub-account, a course)."""

    __tablename__ = "deployments"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    platform: Mapped[Platform] = relationship(back_populates="deployments")
