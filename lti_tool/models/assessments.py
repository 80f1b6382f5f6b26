"""Assessments (tool-made or LMS line items) and the standards they are aligned to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime, utcnow

# How a published assessment is graded (Assessment.grading).
GRADED_IN_TOOL = "tool"
GRADED_IN_LMS = "lms"


class Assessment(db.Model):
    """Something students are assessed on; `tag` is a stable name, never a database id."""

    __tablename__ = "assessments"
    __table_args__ = (UniqueConstraint("course_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(20), default="tool")  # "tool" | "lms_line_item"
    line_item_url: Mapped[str | None] = mapped_column(String(1000))
    tag: Mapped[str] = mapped_column(String(255))
    resource_id: Mapped[str | None] = mapped_column(String(255))
    # A tool-made assessment published as an LMS column: graded "tool" (per standard on the
    # scoring page, its score sent to the column) or "lms" (read back through cut scores).
    # None: not published.
    grading: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    alignments: Mapped[list[Alignment]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True
    )


class Alignment(db.Model):
    """Assessment ↔ standard, with optional cut scores: [[min_percent, level_points], ...]."""

    __tablename__ = "alignments"
    __table_args__ = (UniqueConstraint("assessment_id", "standard_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    standard_id: Mapped[int] = mapped_column(
        ForeignKey("standards.id", ondelete="CASCADE"), index=True
    )
    cut_scores: Mapped[list[list[float]]] = mapped_column(JSON, default=list)

    assessment: Mapped[Assessment] = relationship(back_populates="alignments")
