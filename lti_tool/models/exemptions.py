"""Exemptions: a student excused from a standard or from an assessment in one course."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class Exemption(db.Model):
    """One student × standard or student × assessment exemption (exactly one target).

    Unique per target: NULLs differ in a unique constraint, so each constraint only
    binds the rows of its own kind.
    """

    __tablename__ = "exemptions"
    __table_args__ = (
        UniqueConstraint("course_id", "student_id", "standard_id"),
        UniqueConstraint("course_id", "student_id", "assessment_id"),
        CheckConstraint("(standard_id IS NULL) <> (assessment_id IS NULL)", name="one_target"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    standard_id: Mapped[int | None] = mapped_column(
        ForeignKey("standards.id", ondelete="CASCADE"), index=True
    )
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(String(20))  # a key of mastery.exemptions.REASONS
    note: Mapped[str | None] = mapped_column(Text)
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    set_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
