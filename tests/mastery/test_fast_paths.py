"""The whole-course fast paths agree with the one-cell-at-a-time definitions they shortcut."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lti_tool.mastery import (
    METHODS,
    POLICIES,
    ROLLUPS,
    Calculation,
    Calculator,
    MasteryError,
    MasterySettings,
    RollupPlan,
    apply_policy,
    compute_course,
    compute_points,
    ordered,
    rollup_tree,
)
from lti_tool.mastery.presets import CANVAS_DEFAULT, FOUR_LEVEL, MARZANO, TWO_LEVEL
from lti_tool.mastery.results import NOT_ASSESSED, Status
from lti_tool.mastery.scales import rescale
from lti_tool.mastery.whatif import describe_changes, is_shown_change
from tests.mastery.factories import INSUFFICIENT, assessed
from tests.mastery.test_properties import histories

PROPERTY = settings(max_examples=150, deadline=None)


@PROPERTY
@given(histories(), st.sampled_from(list(METHODS)), st.integers(1, 3))
def test_points_in_order_give_what_scores_give(history, method, min_evidence) -> None:
    scale, scores = history
    calculator = Calculator(Calculation(method, {}, min_evidence), scale)
    points = [score.points for score in ordered(scores, scale)]
    assert calculator.of_points(points) == calculator.result(scores)


@PROPERTY
@given(st.lists(histories(FOUR_LEVEL), min_size=1, max_size=6), st.sampled_from(list(METHODS)))
def test_compute_points_equals_compute_course_with_overrides(found, method) -> None:
    cells = {(n % 2, n): scores for n, (_, scores) in enumerate(found)}  # standard 1 overridden
    settings_ = MasterySettings(method=method, overrides={1: Calculation("highest")})
    points = {key: [s.points for s in ordered(scores, FOUR_LEVEL)] for key, scores in cells.items()}
    assert compute_points(points, settings_) == compute_course(cells, settings_)
    plain = MasterySettings(method=method)
    assert compute_points(points, plain) == compute_course(cells, plain)


RESULTS = st.sampled_from(
    [NOT_ASSESSED, INSUFFICIENT, *(assessed(p, FOUR_LEVEL) for p in (1, 2, 2.5, 3, 4))]
)
LEAVES = st.dictionaries(st.sampled_from(["a", "b", "c", "d", "e", "x"]), RESULTS)
TREE = {"root": ["p", "q"], "p": ["a", "b"], "q": ["c", "d", "a"], "d": ["e"]}


@PROPERTY
@given(st.lists(LEAVES, max_size=5), st.sampled_from(list(ROLLUPS)))
def test_one_plan_serves_every_student(students, method) -> None:
    plan = RollupPlan(TREE, FOUR_LEVEL, method)
    for leaves in students:
        rolled = plan.apply(leaves)
        assert rolled == rollup_tree(TREE, leaves, FOUR_LEVEL, method)
        assert list(rolled)[:8] == ["a", "b", "p", "c", "e", "d", "q", "root"]
        assert rolled.get("x") == leaves.get("x")  # a result outside the tree stays as it is


def test_a_plan_refuses_a_cycle_once_built() -> None:
    with pytest.raises(MasteryError, match="cycle"):
        RollupPlan({"a": ["b"], "b": ["a"]}, FOUR_LEVEL, "mean_of_children")


@PROPERTY
@given(
    st.dictionaries(st.integers(0, 6), RESULTS),
    st.sampled_from(list(POLICIES)),
    st.sampled_from([10, 100.0]),
)
def test_settings_summarise_as_apply_policy_does(results, policy, maximum) -> None:
    settings_ = MasterySettings(policy=policy, maximum=maximum)
    expected = apply_policy(
        policy, results, FOUR_LEVEL, maximum=maximum, priority={1, 2}, exempt={3}
    )
    assert settings_.summarise(results, priority={1, 2}, exempt={3}) == expected


@pytest.mark.parametrize(
    ("points", "old", "new", "expected"),
    [
        (0.0, CANVAS_DEFAULT, FOUR_LEVEL, None),  # "No Evidence" is not a score
        (1.0, CANVAS_DEFAULT, FOUR_LEVEL, 1.0),
        (3.0, FOUR_LEVEL, TWO_LEVEL, 2 / 3),
        (4.0, FOUR_LEVEL, MARZANO, 4.0),
        (2.5, MARZANO, FOUR_LEVEL, 2.875),  # 2.5 of 0..4 is 62.5 %: 1 + 0.625 * 3
        (0.0, MARZANO, FOUR_LEVEL, 1.0),
        (1.0, TWO_LEVEL, CANVAS_DEFAULT, 4.0),
    ],
)
def test_rescale_maps_the_scoring_ranges(points, old, new, expected) -> None:
    found = rescale(points, old, new)
    assert found == (None if expected is None else pytest.approx(expected))


def test_shown_changes_ignore_float_noise() -> None:
    assert not is_shown_change(assessed(3.0, FOUR_LEVEL), assessed(3.4, FOUR_LEVEL))
    assert is_shown_change(assessed(2.9, FOUR_LEVEL), assessed(3.0, FOUR_LEVEL))
    assert is_shown_change(NOT_ASSESSED, INSUFFICIENT)
    assert INSUFFICIENT.status is Status.INSUFFICIENT


@pytest.mark.parametrize(
    ("levels", "grades", "sentence"),
    [
        (0, 0, "0 students' levels change; 0 summary grades change"),
        (1, 1, "1 student's level changes; 1 summary grade changes"),
        (7, 3, "7 students' levels change; 3 summary grades change"),
    ],
)
def test_describe_changes(levels, grades, sentence) -> None:
    assert describe_changes(levels, grades) == sentence
