"""A course's mastery settings and its per-standard calculation overrides."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .scales import Scale


class CourseSettings(db.Model):
    """Scale, calculation, roll-up and summary policy of one course."""

    __tablename__ = "course_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), unique=True
    )
    scale_id: Mapped[int] = mapped_column(ForeignKey("scales.id"), index=True)
    method: Mapped[str] = mapped_column(String(50), default="most_recent")
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    min_evidence: Mapped[int] = mapped_column(default=1)
    rollup: Mapped[str] = mapped_column(String(50), default="mean_of_children")
    # DESIGN correction 7: level conversion is the default, not share-of-standards.
    policy: Mapped[str] = mapped_column(String(50), default="level_conversion")
    policy_params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    maximum: Mapped[float] = mapped_column(Float, default=100.0)
    # Also one gradebook column per priority standard (tag "standard:<key>").
    has_standard_columns: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Teaching assistants (and designers) change evidence and settings as teachers do, unless
    # the course makes them read-only.
    assistants_may_edit: Mapped[bool] = mapped_column(default=True, server_default=true())

    scale: Mapped[Scale] = relationship()


class StandardOverride(db.Model):
    """A different calculation for one standard in one course."""

    __tablename__ = "standard_overrides"
    __table_args__ = (UniqueConstraint("course_id", "standard_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    standard_id: Mapped[int] = mapped_column(
        ForeignKey("standards.id", ondelete="CASCADE"), index=True
    )
    method: Mapped[str] = mapped_column(String(50))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    min_evidence: Mapped[int] = mapped_column(default=1)
