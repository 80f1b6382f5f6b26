"""Rate-limit counters, in the database so every process and machine counts together."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime


class RateCounter(db.Model):
    """Requests seen for one key (scope and subject) in one fixed window."""

    __tablename__ = "rate_counters"

    # e.g. "login:address:203.0.113.9" or "launch:platform:12"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    # Start of the window in whole seconds since the epoch: the same for every process.
    window_start: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    count: Mapped[int] = mapped_column(Integer)
    # When the window is over; expired rows are deleted as new windows open.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    def __repr__(self) -> str:
        return f"<RateCounter {self.key} @{self.window_start}: {self.count}>"
