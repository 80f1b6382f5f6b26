"""A course's grading periods: each has its own summary column in the LMS."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class GradingPeriod(db.Model):
    """Calendar dates in the course's time zone; `slug` makes the column's stable tag.

    `closes_at` is the end of the last day plus the grace days, in UTC, kept in step with the
    course's time zone so the worker can filter on it; `closed_at` is a teacher's early close.
    """

    __tablename__ = "grading_periods"
    __table_args__ = (UniqueConstraint("course_id", "slug"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(80))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    grace_days: Mapped[int] = mapped_column(default=0)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    def is_closed(self, now: datetime) -> bool:
        return self.closed_at is not None or self.closes_at <= now
