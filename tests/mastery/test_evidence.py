"""Evidence: validation and canonical order."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest

from lti_tool.mastery import MasteryError, Score, ordered
from lti_tool.mastery.evidence import ordered_points
from lti_tool.mastery.presets import CANVAS_DEFAULT, FOUR_LEVEL

DAY1 = datetime(2025, 9, 1, tzinfo=UTC)
DAY2 = datetime(2025, 9, 2, tzinfo=UTC)


@pytest.mark.parametrize(
    ("scores", "scale", "expected_ids"),
    [
        ([Score(1, DAY2, 1), Score(2, DAY1, 2)], FOUR_LEVEL, [2, 1]),
        ([Score(1, DAY1, 9), Score(2, DAY1, 3)], FOUR_LEVEL, [3, 9]),  # same date: entry id
        ([Score(1, DAY1, 1, is_exempt=True), Score(2, DAY2, 2)], FOUR_LEVEL, [2]),
        ([Score(0, DAY1, 1), Score(3, DAY2, 2)], CANVAS_DEFAULT, [2]),  # No Evidence dropped
        ([Score(0, DAY1, 1)], CANVAS_DEFAULT, []),
        ([], FOUR_LEVEL, []),
    ],
)
def test_ordered(scores: list[Score], scale: object, expected_ids: list[int]) -> None:
    assert [score.entry_id for score in ordered(scores, scale)] == expected_ids  # type: ignore[arg-type]


def test_naive_dates_are_refused() -> None:
    with pytest.raises(MasteryError, match="timezone-aware"):
        Score(3, datetime(2025, 9, 1), 1)  # noqa: DTZ001


@pytest.mark.parametrize("points", [math.nan, math.inf])
def test_non_finite_points_are_refused(points: float) -> None:
    with pytest.raises(MasteryError, match="finite"):
        Score(points, DAY1, 1)


@pytest.mark.parametrize("points", [0.5, 4.5])
def test_points_off_the_scale_are_refused(points: float) -> None:
    with pytest.raises(MasteryError, match="outside scale 'four_level'"):
        ordered_points([Score(points, DAY1, 1)], FOUR_LEVEL)
