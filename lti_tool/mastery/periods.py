"""Grading periods and a course's time zone: calendar dates in the course's zone, UTC instants.

A period runs from the start of its first day to the end of its last day, in the course's
time zone: the window is half-open, [first day 00:00, day after the last 00:00), so evidence
dated on the last day counts and evidence of the next day does not. It closes, and receives
no more grades, when a teacher closes it or when its last day plus its grace days has passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lti_tool.text import slug

MAX_GRACE_DAYS = 60
TITLE_LIMIT = 200


@dataclass(frozen=True)
class PeriodDates:
    """What a teacher types for a period: its title, first and last day, grace days."""

    title: str
    starts_on: date
    ends_on: date
    grace_days: int = 0


def zone_named(name: str | None) -> ZoneInfo | None:
    """The IANA time zone of that name ("America/Denver"), or None when it is not one."""
    if not name or not isinstance(name, str) or name.startswith("$") or len(name) > 64:
        return None
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


def day_start(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant a local calendar day begins (23 or 25 hours long around DST)."""
    return datetime.combine(day, time(0), zone).astimezone(UTC)


def local_noon(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant of midday on a local day: how a date without a time is stored."""
    return datetime.combine(day, time(12), zone).astimezone(UTC)


def local_day(instant: datetime, zone: ZoneInfo) -> date:
    """The calendar day an instant falls on in the zone."""
    return instant.astimezone(zone).date()


def window(starts_on: date, ends_on: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The period's UTC window, half-open: [first day's start, the next day after the last)."""
    return day_start(starts_on, zone), day_start(ends_on + timedelta(days=1), zone)


def closes_at(ends_on: date, grace_days: int, zone: ZoneInfo) -> datetime:
    """When a period closes by itself: the end of its last day plus its grace days."""
    return day_start(ends_on + timedelta(days=1 + grace_days), zone)


def slugify(title: str) -> str:
    """A tag-safe slug of a title ("Term 1 (Fall)" -> "term-1-fall"), "period" if none."""
    return slug(title) or "period"


def period_problems(candidate: PeriodDates, others: Iterable[PeriodDates]) -> dict[str, str]:
    """Each field's problem (empty when valid): title, dates in order, grace, no overlap."""
    problems: dict[str, str] = {}
    if not candidate.title.strip():
        problems["title"] = "Give the period a title."
    elif len(candidate.title) > TITLE_LIMIT:
        problems["title"] = f"Keep the title under {TITLE_LIMIT} characters."
    if candidate.ends_on <= candidate.starts_on:
        problems["ends_on"] = "The end date must be after the start date."
    if not 0 <= candidate.grace_days <= MAX_GRACE_DAYS:
        problems["grace_days"] = f"Grace days go from 0 to {MAX_GRACE_DAYS}."
    if "ends_on" not in problems:
        for other in others:
            if candidate.starts_on <= other.ends_on and other.starts_on <= candidate.ends_on:
                problems["starts_on"] = (
                    f"These dates overlap {other.title!r} ({other.starts_on.isoformat()} to "
                    f"{other.ends_on.isoformat()}); periods cannot overlap."
                )
                break
    return problems
