"""Summary-grade policies: scores and the sentence a student reads."""

from __future__ import annotations

import pytest

from lti_tool.mastery import POLICIES, MasteryError, MasteryResult, apply_policy
from lti_tool.mastery.policies import DEFAULT_TABLE, convert_level, validate_table
from lti_tool.mastery.presets import CANVAS_DEFAULT, FOUR_LEVEL
from lti_tool.mastery.results import NOT_ASSESSED
from tests.mastery.factories import INSUFFICIENT, assessed

S = FOUR_LEVEL


def _results(*items: float | MasteryResult) -> dict[str, MasteryResult]:
    return {
        f"s{i}": item if isinstance(item, MasteryResult) else assessed(item, S)
        for i, item in enumerate(items)
    }


@pytest.mark.parametrize(
    ("mean_level", "percent"),
    [(1, 55), (2.5, 77.5), (3, 85), (4, 100), (0, 55), (4.5, 100), (3.25, 88.75), (1.5, 62.5)],
)
def test_default_table_is_linear_between_rows_and_clamped(
    mean_level: float, percent: float
) -> None:
    assert convert_level(mean_level, validate_table(DEFAULT_TABLE)) == pytest.approx(percent)


@pytest.mark.parametrize(
    ("results", "score", "explanation", "is_complete"),
    [
        (_results(2, 3, 2, 3), 77.5, "Average level 2.5 across 4 assessed standards → 77.5%", True),
        (_results(4), 100, "Average level 4 across 1 assessed standard → 100%", True),
        (_results(2, 2, 2), 70, "Average level 2 across 3 assessed standards → 70%", True),
        (_results(1, 2, 2), 65, "Average level 1.67 across 3 assessed standards → 65%", True),
        (
            _results(3, NOT_ASSESSED, INSUFFICIENT),
            85,
            "Average level 3 across 1 assessed standard → 85%",
            False,
        ),
        # levels, not raw points: 2.9 is Developing, so it counts as 2
        (_results(2.9, 4), 85, "Average level 3 across 2 assessed standards → 85%", True),
        (_results(NOT_ASSESSED), None, "No standards assessed yet", False),
        ({}, None, "No standards assessed yet", False),
    ],
)
def test_level_conversion(
    results: dict[str, MasteryResult], score: float | None, explanation: str, is_complete: bool
) -> None:
    grade = apply_policy("level_conversion", results, S)
    assert (grade.score, grade.explanation, grade.is_complete) == (score, explanation, is_complete)


def test_level_conversion_scales_to_the_maximum_and_takes_a_custom_table() -> None:
    grade = apply_policy(
        "level_conversion", _results(2, 3), S, maximum=20, params={"table": {1: 0, 4: 90}}
    )
    assert grade.score == 9  # 45% of 20
    assert grade.explanation == "Average level 2.5 across 2 assessed standards → 45%"


def test_a_table_read_back_from_json_works() -> None:
    grade = apply_policy(
        "level_conversion", _results(2, 3), S, params={"table": {"1": "55", "4": 100}}
    )
    assert grade.score == 77.5


def test_exempt_standards_leave_every_denominator() -> None:
    grade = apply_policy("level_conversion", _results(1, 4, 4), S, exempt={"s0"})
    assert grade.explanation == "Average level 4 across 2 assessed standards → 100%"


@pytest.mark.parametrize(
    ("priority_only", "results", "score", "explanation"),
    [
        (
            True,
            _results(*[3] * 14, *[2] * 4),
            77.78,
            "14 of 18 priority standards at Proficient or above → 78%",
        ),
        (False, _results(3, 4, 1), 66.67, "2 of 3 assessed standards at Proficient or above → 67%"),
        (False, _results(2, 2, 2), 0, "0 of 3 assessed standards at Proficient or above → 0%"),
        (
            False,
            _results(4, NOT_ASSESSED),
            100,
            "1 of 1 assessed standard at Proficient or above → 100%",
        ),
        (True, _results(NOT_ASSESSED), None, "No priority standards assessed yet"),
        (False, {}, None, "No standards assessed yet"),
    ],
)
def test_share_at_mastery(
    priority_only: bool, results: dict[str, MasteryResult], score: float | None, explanation: str
) -> None:
    priority = set(results) if priority_only else set()
    grade = apply_policy(
        "share_at_mastery", results, S, priority=priority, params={"priority_only": priority_only}
    )
    assert (grade.score, grade.explanation) == (score, explanation)


def test_share_at_mastery_priority_only_ignores_other_standards() -> None:
    results = _results(3, 1, 1)
    grade = apply_policy(
        "share_at_mastery", results, S, priority={"s0"}, params={"priority_only": True}
    )
    assert grade.explanation == "1 of 1 priority standard at Proficient or above → 100%"


def test_share_at_mastery_names_the_scale_s_lowest_mastery_level() -> None:
    grade = apply_policy("share_at_mastery", {"a": assessed(4, CANVAS_DEFAULT)}, CANVAS_DEFAULT)
    assert grade.explanation == "1 of 1 assessed standard at Mastery or above → 100%"


@pytest.mark.parametrize(
    ("results", "score", "explanation"),
    [
        (
            _results(3, 3, 4, 3, 4, 3),
            100,
            "Credit: all 6 priority standards at Proficient or above",
        ),
        (
            _results(3, 3, 4, 3, 2, 1),
            0,
            "No credit yet: 4 of 6 priority standards at Proficient or above",
        ),
        (_results(3, NOT_ASSESSED), 100, "Credit: all 1 priority standard at Proficient or above"),
        (_results(NOT_ASSESSED), None, "No priority standards assessed yet"),
    ],
)
def test_credit_no_credit(
    results: dict[str, MasteryResult], score: float | None, explanation: str
) -> None:
    grade = apply_policy(
        "credit_no_credit", results, S, priority=set(results), params={"priority_only": True}
    )
    assert (grade.score, grade.explanation) == (score, explanation)


@pytest.mark.parametrize(
    ("policy", "params", "message"),
    [
        ("average", None, "Unknown grade policy 'average'"),
        ("level_conversion", {"table": {4: 100}}, "at least two rows"),
        ("level_conversion", {"table": {1: 90, 4: 60}}, "must not fall"),
        ("level_conversion", {"table": {1: -5, 4: 60}}, "not negative"),
        ("level_conversion", {"table": {"x": 1, 4: 60}}, "two numbers"),
        ("level_conversion", {"table": [(1, 55), (4, 100)]}, "at least two rows"),
        ("level_conversion", {"table": {"1": 55, 1: 60, 4: 100}}, "same level twice"),
        ("level_conversion", {"table": {1: 55, 4: float("inf")}}, "finite"),
        ("level_conversion", {"priority_only": True}, "has no parameter 'priority_only'"),
        ("credit_no_credit", {"priority_only": "yes"}, "true or false"),
    ],
)
def test_bad_policy_settings_raise(policy: str, params: dict | None, message: str) -> None:
    with pytest.raises(MasteryError, match=message):
        apply_policy(policy, _results(3), S, params=params)


@pytest.mark.parametrize("maximum", [0, -10, float("inf"), float("nan")])
def test_bad_maximum_raises(maximum: float) -> None:
    with pytest.raises(MasteryError, match="maximum"):
        apply_policy("level_conversion", _results(3), S, maximum=maximum)


def test_registry_lists_the_three_policies() -> None:
    assert list(POLICIES) == ["level_conversion", "share_at_mastery", "credit_no_credit"]
