"""The remembered mapping of an LMS gradebook export's columns, per course."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class ExportColumn(db.Model):
    """One column of a Canvas or Moodle export as this course last mapped it.

    `column_key` is the Canvas assignment id (`canvas:1201`) or the Moodle item name; the
    standards and cut scores are the alignments of `assessment` (kind "lms_export"). No
    assessment: the teacher chose not to import the column.
    """

    __tablename__ = "lms_export_columns"
    __table_args__ = (UniqueConstraint("course_id", "column_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    column_key: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(500))
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="SET NULL")
    )
    # The teacher's maximum, for exports that do not say it (Moodle, display type Real).
    points_possible: Mapped[float | None] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
