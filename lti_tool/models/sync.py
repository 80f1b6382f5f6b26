"""Keeping the LMS in step: gradebook columns, the grade outbox, and the worker's job queue."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .people import Course, User
from .periods import GradingPeriod
from .types import UTCDateTime, utcnow

SUMMARY_TAG = "mastery-summary"
SUMMARY_LABEL = "Mastery summary"  # the summary column's name in the LMS gradebook
ASSESSMENT_TAG_PREFIX = "assessment:"
PERIOD_TAG_PREFIX = f"{SUMMARY_TAG}:period:"


class GradeColumn(db.Model):
    """A gradebook column the tool owns in one course: the summary, a priority standard or a
    published assessment.

    `tag` is stable across course copies (never a database id); `line_item_url` is found or
    created by the worker, never inside a web request. The platform may hold several line items
    tagged as the summary (each deep-linked placement makes one): each is a column of its own,
    told apart by `placement` ("" for the first, a digest of its URL for the others), so each
    has its own outbox rows, timestamps and last sent values.
    """

    __tablename__ = "grade_columns"
    __table_args__ = (UniqueConstraint("course_id", "tag", "placement"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(255))
    label: Mapped[str] = mapped_column(String(500))
    score_maximum: Mapped[float] = mapped_column(Float, default=100.0)
    standard_id: Mapped[int | None] = mapped_column(
        ForeignKey("standards.id", ondelete="CASCADE"), index=True
    )
    assessment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="CASCADE"), index=True
    )
    placement: Mapped[str] = mapped_column(String(64), default="")
    # A grading period's summary: evidence inside the period only, nothing after it closes.
    period_id: Mapped[int | None] = mapped_column(
        ForeignKey("grading_periods.id", ondelete="CASCADE"), index=True
    )
    line_item_url: Mapped[str | None] = mapped_column(String(1000))
    # A column the course no longer wants (a standard lost its priority) gets nothing more.
    is_active: Mapped[bool] = mapped_column(default=True)
    # The platform answered that the line item is gone (deleted in the LMS): its grades wait,
    # paused, until a teacher chooses to recreate the column (one banner, not a dead letter
    # per student).
    gone_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    gone_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    course: Mapped[Course] = relationship()
    period: Mapped[GradingPeriod | None] = relationship()


class OutboxState(StrEnum):
    PENDING = "pending"  # a value waits to be sent (or re-sent after a failure)
    SENT = "sent"  # the platform holds the newest value
    DEAD = "dead"  # the platform refused it; a person must look (retry action)


class GradeOutbox(db.Model):
    """One student's grade in one column: the newest value to send and what was last sent.

    A change rewrites the wanted value and bumps `version` in the evidence transaction, so
    pending changes collapse to the newest by construction, and a row is held by at most one
    worker at a time (`lease_until`): one score in flight per (line item, user).
    """

    __tablename__ = "grade_outbox"
    __table_args__ = (
        UniqueConstraint("column_id", "student_id"),
        Index("ix_grade_outbox_due", "state", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    column_id: Mapped[int] = mapped_column(ForeignKey("grade_columns.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    score: Mapped[float] = mapped_column(Float)
    maximum: Mapped[float] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    state: Mapped[str] = mapped_column(String(20), default=OutboxState.PENDING)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    worker: Mapped[str | None] = mapped_column(String(100))
    # The AGS timestamp of the latest attempt: the next one is at least a second later.
    last_timestamp: Mapped[datetime | None] = mapped_column(UTCDateTime())
    sent_version: Mapped[int | None] = mapped_column()
    sent_score: Mapped[float | None] = mapped_column(Float)
    sent_comment: Mapped[str | None] = mapped_column(Text)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    last_status: Mapped[int | None] = mapped_column()
    last_error: Mapped[str | None] = mapped_column(Text)

    column: Mapped[GradeColumn] = relationship()
    student: Mapped[User] = relationship()


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Job(db.Model):
    """Work the worker does outside requests: recompute a course, sync a roster or results."""

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_due", "state", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    course_id: Mapped[int | None] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), index=True
    )
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(20), default=JobState.QUEUED)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    worker: Mapped[str | None] = mapped_column(String(100))
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
