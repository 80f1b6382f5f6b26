"""Evidence: one student's scores on one standard, and their canonical order."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter

from lti_tool.mastery.errors import MasteryError
from lti_tool.mastery.scales import Scale

# Entry id breaks ties between scores demonstrated at the same instant, so the
# order never depends on how the caller happened to list them.
ORDER_KEY = attrgetter("demonstrated_at", "entry_id")


@dataclass(frozen=True, slots=True)
class Score:
    """One piece of evidence, already resolved to points on the course scale."""

    points: float
    demonstrated_at: datetime
    entry_id: int
    is_exempt: bool = False

    def __post_init__(self) -> None:
        if not math.isfinite(self.points):
            raise MasteryError(f"Score {self.entry_id}: points must be a finite number")
        if self.demonstrated_at.utcoffset() is None:
            raise MasteryError(f"Score {self.entry_id}: demonstrated_at must be timezone-aware")


def ordered(scores: Iterable[Score], scale: Scale) -> list[Score]:
    """Scores that count, oldest first by (demonstrated_at, entry_id).

    Exempt scores and non-score levels (Canvas's "No Evidence") are dropped.
    """
    skip = scale.non_score_points
    return [
        score
        for score in sorted(scores, key=ORDER_KEY)
        if not score.is_exempt and score.points not in skip
    ]


def ordered_points(scores: Iterable[Score], scale: Scale) -> tuple[float, ...]:
    """Points of the scores that count, oldest first; raise if off the scale."""
    points = tuple(score.points for score in ordered(scores, scale))
    check_points(points, scale)
    return points


def check_points(points: tuple[float, ...], scale: Scale) -> None:
    """Raise MasteryError when a point value lies outside the scale."""
    if points and (min(points) < scale.min_points or max(points) > scale.max_points):
        raise MasteryError(
            f"Evidence points {points} fall outside scale {scale.key!r} "
            f"({scale.min_points:g} to {scale.max_points:g})"
        )
