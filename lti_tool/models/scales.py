"""Proficiency scales stored per platform (presets) or per course (custom)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .types import UTCDateTime


class Scale(db.Model):
    """A scale a course can pick; presets are materialised per platform on first use."""

    __tablename__ = "scales"
    __table_args__ = (UniqueConstraint("platform_id", "course_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(
        ForeignKey("platforms.id", ondelete="CASCADE"), index=True
    )
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(200))
    # A preset an administrator no longer offers: courses that use it keep it, and its
    # evidence keeps it; no other course can pick it until it is offered again.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    levels: Mapped[list[Level]] = relationship(
        back_populates="scale",
        cascade="all, delete-orphan",
        order_by="Level.position",
        passive_deletes=True,
    )


class Level(db.Model):
    """One rating on a stored scale."""

    __tablename__ = "levels"
    __table_args__ = (UniqueConstraint("scale_id", "label"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    scale_id: Mapped[int] = mapped_column(ForeignKey("scales.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(100))
    points: Mapped[float] = mapped_column(Float)
    colour: Mapped[str] = mapped_column(String(7))
    description: Mapped[str] = mapped_column(Text, default="")
    is_mastery: Mapped[bool] = mapped_column(default=False)
    counts_as_score: Mapped[bool] = mapped_column(default=True)
    position: Mapped[int] = mapped_column(default=0)

    scale: Mapped[Scale] = relationship(back_populates="levels")
