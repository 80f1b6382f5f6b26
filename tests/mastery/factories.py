"""Builders for mastery test data."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime, timedelta

from lti_tool.mastery import MasteryResult, Scale, Score, Status

START = datetime(2025, 9, 1, 8, 0, tzinfo=UTC)


def scores_from(points: Sequence[float], *, exempt: Collection[int] = ()) -> list[Score]:
    """Scores one day apart in the order given, listed newest first.

    Listing them reversed proves that callers never rely on input order.
    """
    scores = [
        Score(float(p), START + timedelta(days=i), entry_id=i + 1, is_exempt=i in exempt)
        for i, p in enumerate(points)
    ]
    return scores[::-1]


def assessed(points: float, scale: Scale, count: int = 1) -> MasteryResult:
    """An assessed result at `points`."""
    return MasteryResult(Status.ASSESSED, points, scale.level_for(points), count)


INSUFFICIENT = MasteryResult(Status.INSUFFICIENT, None, None, 1)
