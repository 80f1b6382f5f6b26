"""Default cut scores: what the alignment form starts from, for scales of any length."""

from __future__ import annotations

import pytest

from lti_tool.models import Level, Scale
from lti_tool.services.lms_columns import checked_cut_scores, default_cut_scores


def scale(*points: float, uncounted: float | None = None) -> Scale:
    levels = [Level(label=f"L{p:g}", points=p, colour="#000000") for p in points]
    for level in levels:
        level.counts_as_score = True
    if uncounted is not None:
        levels.append(
            Level(label="No evidence", points=uncounted, colour="#000000", counts_as_score=False)
        )
    return Scale(key="s", name="s", levels=levels)


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ((1, 2, 3, 4), [[0, 1], [60, 2], [75, 3], [90, 4]]),
        ((4, 3, 2, 1), [[0, 1], [60, 2], [75, 3], [90, 4]]),  # order of the levels
        ((0, 1), [[0, 0], [90, 1]]),
        ((1, 2, 3), [[0, 1], [75, 2], [90, 3]]),
        ((1, 2, 3, 4, 5, 6, 7), [[0, 1], [15, 2], [30, 3], [45, 4], [60, 5], [75, 6], [90, 7]]),
        # Too many levels for 15-point steps: spread evenly instead.
        (
            tuple(range(1, 9)),
            [[0, 1], [12.5, 2], [25, 3], [37.5, 4], [50, 5], [62.5, 6], [75, 7], [87.5, 8]],
        ),
        ((3,), [[0, 3]]),
    ],
)
def test_default_cut_scores(points, expected) -> None:
    assert default_cut_scores(scale(*points)) == expected


def test_levels_that_are_not_scores_get_no_cut_and_the_defaults_always_pass_the_check() -> None:
    with_none = scale(1, 2, 3, 4, uncounted=0)
    cuts = default_cut_scores(with_none)
    assert cuts == [[0, 1], [60, 2], [75, 3], [90, 4]]
    assert checked_cut_scores(cuts, with_none) == cuts
    assert default_cut_scores(scale()) == []
