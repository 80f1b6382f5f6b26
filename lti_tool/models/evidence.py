"""Append-only evidence, its audit trail, and the stored current levels."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow

# A student's rating of themself: shown to the teacher, never counted in a calculation.
SELF = "self"

# A partial index: on PostgreSQL and SQLite only live (not superseded) rows are indexed.
_LIVE = text("superseded_by_id IS NULL")


class Evidence(db.Model):
    """One observation of a student on a standard; corrections supersede, never overwrite."""

    __tablename__ = "evidence"
    __table_args__ = (
        Index(
            "ix_evidence_live",
            "course_id",
            "student_id",
            "standard_id",
            postgresql_where=_LIVE,
            sqlite_where=_LIVE,
        ),
        UniqueConstraint("course_id", "import_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    standard_id: Mapped[int] = mapped_column(
        ForeignKey("standards.id", ondelete="CASCADE"), index=True
    )
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="SET NULL")
    )
    points: Mapped[float] = mapped_column(Float)
    # The scale it was given on: changing the course's scale never rewrites history.
    scale_id: Mapped[int] = mapped_column(ForeignKey("scales.id"))
    demonstrated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    source: Mapped[str] = mapped_column(String(20))  # teacher | lms | self | import
    comment: Mapped[str | None] = mapped_column(Text)
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    superseded_by_id: Mapped[int | None] = mapped_column(ForeignKey("evidence.id"))
    is_exempt: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    import_key: Mapped[str | None] = mapped_column(String(64))

    @property
    def is_live(self) -> bool:
        return self.superseded_by_id is None


class EvidenceAudit(db.Model):
    """Who did what to a piece of evidence, and when."""

    __tablename__ = "evidence_audits"

    id: Mapped[int] = mapped_column(primary_key=True)
    evidence_id: Mapped[int] = mapped_column(
        ForeignKey("evidence.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(20))  # create | supersede | exempt
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CurrentLevel(db.Model):
    """A student's stored mastery on one standard, written with the evidence change."""

    __tablename__ = "current_levels"
    __table_args__ = (UniqueConstraint("course_id", "student_id", "standard_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    standard_id: Mapped[int] = mapped_column(
        ForeignKey("standards.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(30))
    points: Mapped[float | None] = mapped_column(Float)
    level_label: Mapped[str | None] = mapped_column(String(100))
    evidence_count: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
