"""Grading period windows and time zones: local calendar days in, UTC instants out."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.mastery.periods import (
    PeriodDates,
    closes_at,
    day_start,
    local_day,
    local_noon,
    period_problems,
    slugify,
    window,
    zone_named,
)

NEW_YORK = zone_named("America/New_York")
DENVER = zone_named("America/Denver")
UTC_ZONE = zone_named("UTC")


@pytest.mark.parametrize(
    ("day", "zone", "expected"),
    [
        (date(2026, 1, 15), "UTC", datetime(2026, 1, 15, 0, 0, tzinfo=UTC)),
        (date(2026, 1, 15), "America/New_York", datetime(2026, 1, 15, 5, 0, tzinfo=UTC)),
        # Spring forward (2026-03-08): the day starts in EST, the next in EDT.
        (date(2026, 3, 8), "America/New_York", datetime(2026, 3, 8, 5, 0, tzinfo=UTC)),
        (date(2026, 3, 9), "America/New_York", datetime(2026, 3, 9, 4, 0, tzinfo=UTC)),
        # Fall back (2026-11-01): 25 hours long.
        (date(2026, 11, 1), "America/New_York", datetime(2026, 11, 1, 4, 0, tzinfo=UTC)),
        (date(2026, 11, 2), "America/New_York", datetime(2026, 11, 2, 5, 0, tzinfo=UTC)),
        (date(2026, 1, 15), "Pacific/Auckland", datetime(2026, 1, 14, 11, 0, tzinfo=UTC)),
        (date(2026, 1, 15), "Asia/Kolkata", datetime(2026, 1, 14, 18, 30, tzinfo=UTC)),
    ],
)
def test_a_local_day_starts_at_its_utc_instant(day, zone, expected) -> None:
    assert day_start(day, zone_named(zone)) == expected


@pytest.mark.parametrize(
    ("instant", "zone", "expected"),
    [
        # 03:30 UTC on 9 March is still the evening of 8 March in New York (EDT, UTC-4).
        (datetime(2026, 3, 9, 3, 30, tzinfo=UTC), "America/New_York", date(2026, 3, 8)),
        (datetime(2026, 3, 9, 4, 0, tzinfo=UTC), "America/New_York", date(2026, 3, 9)),
        # On 8 March before the change (EST, UTC-5): 04:59 UTC is 23:59 on 7 March.
        (datetime(2026, 3, 8, 4, 59, tzinfo=UTC), "America/New_York", date(2026, 3, 7)),
        (datetime(2026, 3, 8, 23, 0, tzinfo=UTC), "UTC", date(2026, 3, 8)),
        (datetime(2026, 3, 8, 23, 0, tzinfo=UTC), "Pacific/Auckland", date(2026, 3, 9)),
    ],
)
def test_an_instant_falls_on_its_local_day(instant, zone, expected) -> None:
    assert local_day(instant, zone_named(zone)) == expected


def test_local_noon_across_the_dst_changes() -> None:
    assert local_noon(date(2026, 3, 7), NEW_YORK) == datetime(2026, 3, 7, 17, tzinfo=UTC)
    assert local_noon(date(2026, 3, 8), NEW_YORK) == datetime(2026, 3, 8, 16, tzinfo=UTC)
    assert local_noon(date(2026, 11, 1), NEW_YORK) == datetime(2026, 11, 1, 17, tzinfo=UTC)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_a_day_entered_is_the_day_shown_in_any_zone(day: date) -> None:
    for zone in (NEW_YORK, DENVER, UTC_ZONE, zone_named("Pacific/Kiritimati")):
        assert local_day(local_noon(day, zone), zone) == day
        assert local_day(day_start(day, zone), zone) == day


def test_a_window_covers_whole_local_days_across_spring_forward() -> None:
    start, end = window(date(2026, 3, 1), date(2026, 3, 8), NEW_YORK)
    assert start == datetime(2026, 3, 1, 5, tzinfo=UTC)
    assert end == datetime(2026, 3, 9, 4, tzinfo=UTC)  # 23:59:59 EDT on the last day is inside


def test_a_period_closes_after_its_last_day_and_grace() -> None:
    assert closes_at(date(2026, 1, 31), 0, DENVER) == datetime(2026, 2, 1, 7, tzinfo=UTC)
    assert closes_at(date(2026, 1, 31), 3, DENVER) == datetime(2026, 2, 4, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("America/Denver", True),
        ("UTC", True),
        ("Etc/UTC", True),
        ("$Person.address.timezone", False),  # a platform that did not substitute it
        ("99", False),  # Moodle's "server time zone"
        ("", False),
        (None, False),
        ("Mars/Olympus", False),
        ("../../etc/passwd", False),
    ],
)
def test_only_real_time_zone_names_are_taken(name, valid) -> None:
    assert (zone_named(name) is not None) is valid


@pytest.mark.parametrize(
    ("title", "slug"),
    [("Term 1", "term-1"), ("Q2 (Winter) ", "q2-winter"), ("Été", "ete"), ("!!!", "period")],
)
def test_slugs(title, slug) -> None:
    assert slugify(title) == slug


TERM_1 = PeriodDates("Term 1", date(2026, 9, 1), date(2026, 12, 18))


@pytest.mark.parametrize(
    ("candidate", "fields"),
    [
        (PeriodDates("Term 2", date(2027, 1, 4), date(2027, 3, 26)), set()),
        (PeriodDates("Term 2", date(2026, 12, 19), date(2027, 3, 26)), set()),
        (PeriodDates("Term 2", date(2026, 12, 18), date(2027, 3, 26)), {"starts_on"}),
        (PeriodDates("Term 2", date(2026, 8, 1), date(2026, 9, 1)), {"starts_on"}),
        (PeriodDates("Term 2", date(2026, 10, 1), date(2026, 10, 2)), {"starts_on"}),
        (PeriodDates("Term 2", date(2027, 3, 26), date(2027, 3, 26)), {"ends_on"}),
        (PeriodDates("Term 2", date(2027, 3, 26), date(2027, 1, 4)), {"ends_on"}),
        (PeriodDates(" ", date(2027, 1, 4), date(2027, 3, 26)), {"title"}),
        (PeriodDates("Term 2", date(2027, 1, 4), date(2027, 3, 26), 61), {"grace_days"}),
        (PeriodDates("Term 2", date(2027, 1, 4), date(2027, 3, 26), -1), {"grace_days"}),
    ],
)
def test_period_problems(candidate: PeriodDates, fields: set[str]) -> None:
    assert set(period_problems(candidate, [TERM_1])) == fields


def test_an_overlap_names_the_other_period() -> None:
    candidate = PeriodDates("Term 2", date(2026, 12, 1), date(2027, 3, 26))
    assert "'Term 1'" in period_problems(candidate, [TERM_1])["starts_on"]
