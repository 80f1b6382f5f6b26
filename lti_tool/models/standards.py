"""Standards frameworks: a DAG of standards, and the standards each course adopts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .registration import Platform
from .types import UTCDateTime, utcnow


class Framework(db.Model):
    """A set of standards in one platform's library, optionally owned by one course."""

    __tablename__ = "frameworks"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The district library is per registration: no framework is visible across platforms.
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("platforms.id", ondelete="CASCADE"), index=True
    )
    # Set for a course-local framework; NULL for a platform-wide library framework.
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(500))
    source_format: Mapped[str] = mapped_column(String(20))
    identifier: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # What the file said about rating, kept as written: its levels ([label, points,
    # is_mastery], ...), and the stored scale made of them when they form a usable one
    # (offered to adopting courses, never forced on them); its calculation method.
    ratings: Mapped[list[list[Any]] | None] = mapped_column(JSON)
    scale_id: Mapped[int | None] = mapped_column(ForeignKey("scales.id", ondelete="SET NULL"))
    method: Mapped[str | None] = mapped_column(String(50))
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    platform: Mapped[Platform] = relationship()
    standards: Mapped[list[Standard]] = relationship(
        back_populates="framework", cascade="all, delete-orphan", passive_deletes=True
    )


class Standard(db.Model):
    """One node of a framework, stored once whatever the number of its parents."""

    __tablename__ = "standards"
    __table_args__ = (UniqueConstraint("framework_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(ForeignKey("frameworks.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    code: Mapped[str] = mapped_column(String(255), default="")
    title: Mapped[str] = mapped_column(Text, default="")
    statement: Mapped[str] = mapped_column(Text, default="")
    statement_html: Mapped[str | None] = mapped_column(Text)
    i_can: Mapped[str | None] = mapped_column(Text)
    case_identifier: Mapped[str | None] = mapped_column(String(255))
    node_type: Mapped[str | None] = mapped_column(String(100))
    # Set only where the file gave this node other ratings or another method than the
    # framework's (Canvas keeps both per outcome).
    ratings: Mapped[list[list[Any]] | None] = mapped_column(JSON)
    method: Mapped[str | None] = mapped_column(String(50))
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    framework: Mapped[Framework] = relationship(back_populates="standards")

    @property
    def label(self) -> str:
        """The code when there is one, else the start of the statement."""
        return self.code or (self.title or self.statement)[:60]


class StandardEdge(db.Model):
    """Parent → child within one framework; `position` orders the siblings."""

    __tablename__ = "standard_edges"
    __table_args__ = (UniqueConstraint("parent_id", "child_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    framework_id: Mapped[int] = mapped_column(
        ForeignKey("frameworks.id", ondelete="CASCADE"), index=True
    )
    parent_id: Mapped[int] = mapped_column(ForeignKey("standards.id", ondelete="CASCADE"))
    child_id: Mapped[int] = mapped_column(
        ForeignKey("standards.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class CourseStandard(db.Model):
    """A standard a course uses (adoption); priority standards weigh in some policies."""

    __tablename__ = "course_standards"
    __table_args__ = (UniqueConstraint("course_id", "standard_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    standard_id: Mapped[int] = mapped_column(
        ForeignKey("standards.id", ondelete="CASCADE"), index=True
    )
    is_priority: Mapped[bool] = mapped_column(default=False)

    standard: Mapped[Standard] = relationship()
