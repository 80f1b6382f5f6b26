"""An assessment's score for its LMS column: the mean level on its standards, as a percent."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.mastery import MasteryError
from lti_tool.mastery.assessment_score import assessment_score


@pytest.mark.parametrize(
    ("marks", "maximum", "percent", "explanation"),
    [
        ([("S1", "Proficient", 3)], 4, 75.0, "Unit 3 test: Proficient on S1 → 3 of 4 = 75%"),
        (
            [("S1", "Proficient", 3), ("S2", "Advanced", 4)],
            4,
            87.5,
            "Unit 3 test: average level 3.5 of 4 across 2 standards "
            "(S1 Proficient, S2 Advanced) = 87.5%",
        ),
        (
            [("S1", "Beginning", 1), ("S2", "Developing", 2), ("S3", "Developing", 2)],
            4,
            41.67,
            "Unit 3 test: average level 1.67 of 4 across 3 standards "
            "(S1 Beginning, S2 Developing, S3 Developing) = 41.67%",
        ),
        ([("A", "Top", 5)], 5, 100.0, "Unit 3 test: Top on A → 5 of 5 = 100%"),
        ([("A", "None yet", 0)], 3, 0.0, "Unit 3 test: None yet on A → 0 of 3 = 0%"),
    ],
)
def test_percent_of_the_scale_maximum(marks, maximum, percent, explanation) -> None:
    score = assessment_score("Unit 3 test", marks, maximum)
    assert score is not None
    assert score.percent == percent
    assert score.explanation == explanation


def test_no_marks_gives_no_score() -> None:
    assert assessment_score("Unit 3 test", [], 4) is None


@pytest.mark.parametrize("maximum", [0, -1, float("nan")])
def test_a_scale_without_a_positive_maximum_is_refused(maximum) -> None:
    with pytest.raises(MasteryError):
        assessment_score("Unit 3 test", [("S1", "Proficient", 3)], maximum)


@given(st.lists(st.integers(0, 4), min_size=1, max_size=12))
def test_between_the_lowest_and_highest_mark(levels: list[int]) -> None:
    marks = [(f"S{n}", f"L{level}", level) for n, level in enumerate(levels)]
    score = assessment_score("T", marks, 4)
    assert score is not None
    assert min(levels) * 25 - 0.01 <= score.percent <= max(levels) * 25 + 0.01
    assert 0 <= score.percent <= 100
