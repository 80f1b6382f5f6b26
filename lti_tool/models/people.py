"""Courses, people and their enrolments, as the platform describes them at launch."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .registration import Deployment, Platform
from .types import UTCDateTime, utcnow


class Course(db.Model):
    """A course is (registration, deployment, context id) — DESIGN.md correction 10."""

    __tablename__ = "courses"
    __table_args__ = (UniqueConstraint("deployment_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    deployment_id: Mapped[int] = mapped_column(ForeignKey("deployments.id", ondelete="CASCADE"))
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(500), default="")
    label: Mapped[str] = mapped_column(String(255), default="")
    # Service endpoints from the last launch that offered them (AGS, NRPS).
    ags_lineitems_url: Mapped[str | None] = mapped_column(String(1000))
    ags_scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    nrps_url: Mapped[str | None] = mapped_column(String(1000))
    roster_synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # IANA name; None: the installation's DEFAULT_TIME_ZONE. `time_zone_source` is "platform"
    # (an instructor's launch sent it) or "teacher" (chosen in the tool, never overwritten).
    time_zone: Mapped[str | None] = mapped_column(String(64))
    time_zone_source: Mapped[str | None] = mapped_column(String(20))
    # The platform said the course is concluded (Canvas workflowState "completed"): no grades.
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    platform: Mapped[Platform] = relationship()
    deployment: Mapped[Deployment] = relationship()

    @property
    def display_name(self) -> str:
        return self.title or self.label or self.context_id


class User(db.Model):
    """A person as one platform registration knows them (by `sub`)."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("platform_id", "sub"),
        Index("ix_users_platform_lms_user_id", "platform_id", "lms_user_id"),
        Index("ix_users_platform_sis_id", "platform_id", "sis_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    sub: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(300), default="")
    given_name: Mapped[str] = mapped_column(String(200), default="")
    family_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(320))
    # The LMS's own user id (Canvas `$Canvas.user.id`) and SIS id (LIS person_sourcedid), as
    # gradebook exports name students; unique only per platform, and not even there.
    lms_user_id: Mapped[str | None] = mapped_column(String(255))
    sis_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def display_name(self) -> str:
        full = " ".join(p for p in (self.given_name, self.family_name) if p)
        return self.name or full or self.email or f"User {self.sub}"


class Enrollment(db.Model):
    """A person's roles in a course: the LIS URIs as sent, and the tool role derived from them."""

    __tablename__ = "enrollments"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(20))
    lis_roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Subs of the students a Mentor launch may see (role_scope_mentor).
    mentees: Mapped[list[str]] = mapped_column(JSON, default=list)
    # NRPS status: an inactive or deleted member is hidden and sent no grades; evidence stays.
    status: Mapped[str] = mapped_column(String(20), default="active", server_default="active")
    # The platform's ids of the course sections this person is in, as their last launch said
    # (Canvas `$Canvas.course.sectionIds`); empty when the platform never said.
    section_ids: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    last_launch_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    course: Mapped[Course] = relationship()
    user: Mapped[User] = relationship()


class CourseSection(db.Model):
    """A section of a course as the platform names it (Canvas sections; a name may be unknown)."""

    __tablename__ = "course_sections"
    __table_args__ = (UniqueConstraint("course_id", "section_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    section_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(500), default="")

    @property
    def display_name(self) -> str:
        return self.name or f"Section {self.section_id}"


class ResourceLink(db.Model):
    """A placement of the tool in a course, with the line item the platform bound to it."""

    __tablename__ = "resource_links"
    __table_args__ = (UniqueConstraint("course_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(Text, default="")
    lineitem_url: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
