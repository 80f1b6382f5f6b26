"""Exempt standards: out of every summary, denominator, roll-up and to-do list."""

from __future__ import annotations

import pytest

from lti_tool.mastery import MasteryResult, MasterySettings, Status, apply_policy, build_todo
from lti_tool.mastery.exemptions import (
    REASONS,
    apply_exemptions,
    exempt_subtree,
    reason_label,
)
from lti_tool.mastery.presets import FOUR_LEVEL
from lti_tool.mastery.results import EXEMPT, NOT_ASSESSED
from lti_tool.mastery.rollup import ROLLUPS, rollup_tree
from tests.mastery.factories import INSUFFICIENT, assessed

S = FOUR_LEVEL


def test_exempt_is_its_own_status_with_no_level() -> None:
    assert EXEMPT.status is Status.EXEMPT
    assert (EXEMPT.points, EXEMPT.level, EXEMPT.is_assessed, EXEMPT.is_mastery) == (
        None,
        None,
        False,
        False,
    )


@pytest.mark.parametrize("policy", ["level_conversion", "share_at_mastery", "credit_no_credit"])
def test_an_exempt_result_leaves_the_summary_equal_to_the_summary_without_it(
    policy: str,
) -> None:
    kept = {"a": assessed(3, S), "b": assessed(3, S), "c": NOT_ASSESSED}
    with_exempt = {**kept, "d": EXEMPT}
    assert apply_policy(policy, with_exempt, S) == apply_policy(policy, kept, S)


@pytest.mark.parametrize("policy", ["level_conversion", "share_at_mastery", "credit_no_credit"])
def test_three_three_one_with_the_one_exempted_is_the_three_three_summary(policy: str) -> None:
    exempted = apply_exemptions(
        {"a": assessed(3, S), "b": assessed(3, S), "c": assessed(1, S)}, {"c"}
    )
    assert exempted["c"] is EXEMPT
    expected = apply_policy(policy, {"a": assessed(3, S), "b": assessed(3, S)}, S)
    grade = apply_policy(policy, exempted, S)
    assert grade == expected
    assert grade.is_complete  # the exempt standard is not "still to assess"


def test_share_at_mastery_counts_exempt_standards_in_no_denominator() -> None:
    results = {"a": assessed(3, S), "b": assessed(2, S), "c": EXEMPT, "d": EXEMPT}
    grade = apply_policy("share_at_mastery", results, S)
    assert grade.explanation == "1 of 2 assessed standards at Proficient or above → 50%"


def test_all_exempt_means_no_score_to_send() -> None:
    grade = apply_policy("level_conversion", {"a": EXEMPT}, S)
    assert grade.score is None


def test_apply_exemptions_adds_exempt_cells_without_evidence_and_keeps_the_rest() -> None:
    results = {"a": assessed(2, S), "b": INSUFFICIENT}
    out = apply_exemptions(results, {"b", "z"})
    assert out == {"a": assessed(2, S), "b": EXEMPT, "z": EXEMPT}
    assert results["b"] is INSUFFICIENT  # the input is not changed


@pytest.mark.parametrize("rollup", sorted(ROLLUPS))
def test_a_parent_rolls_up_from_its_children_that_are_not_exempt(rollup: str) -> None:
    children = {"P": ["a", "b", "c"]}
    with_exempt = rollup_tree(
        children, {"a": assessed(3, S), "b": assessed(4, S), "c": EXEMPT}, S, rollup
    )
    without = rollup_tree(children, {"a": assessed(3, S), "b": assessed(4, S)}, S, rollup)
    assert with_exempt["P"] == without["P"]
    assert with_exempt["c"] is EXEMPT


@pytest.mark.parametrize(
    ("kids", "status"),
    [
        ({"a": EXEMPT, "b": EXEMPT}, Status.EXEMPT),
        ({"a": EXEMPT}, Status.NOT_ASSESSED),  # b is still to be assessed
        ({"a": EXEMPT, "b": INSUFFICIENT}, Status.INSUFFICIENT),
    ],
)
def test_a_parent_is_exempt_only_when_every_child_is(
    kids: dict[str, MasteryResult], status: Status
) -> None:
    done = rollup_tree({"P": ["a", "b"]}, kids, S, "mean_of_children")
    assert done["P"].status is status


def test_exempting_a_parent_exempts_its_whole_subtree_once_even_in_a_dag() -> None:
    children = {"D": ["S1", "S2"], "S1": ["T1", "T2"], "S2": ["T2"], "X": ["T3"]}
    assert exempt_subtree({"D"}, children) == {"D", "S1", "S2", "T1", "T2"}
    assert exempt_subtree({"T3"}, children) == {"T3"}
    assert exempt_subtree(set(), children) == set()


def test_exempt_standards_are_not_on_the_to_do_list() -> None:
    results = {"a": assessed(2, S), "b": EXEMPT, "c": NOT_ASSESSED}
    todo = build_todo(results, MasterySettings(scale=S))
    assert [item.standard for item in todo] == ["a", "c"]


def test_reasons_are_short_categories_with_labels() -> None:
    assert set(REASONS) == {"iep", "504", "newcomer_el", "other"}
    assert reason_label("504") == "504 plan"
    assert reason_label("iep") == "IEP"
    assert reason_label("newcomer_el") == "Newcomer English learner"
    assert reason_label("unknown") == "Other"
