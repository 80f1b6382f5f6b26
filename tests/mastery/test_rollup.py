"""Roll-ups of parent standards from their children."""

from __future__ import annotations

import pytest

from lti_tool.mastery import ROLLUPS, MasteryError, MasteryResult, Status, rollup_tree
from lti_tool.mastery.presets import FOUR_LEVEL, TWO_LEVEL
from lti_tool.mastery.results import NOT_ASSESSED
from lti_tool.mastery.rollup import RollupPlan, get_rollup
from tests.mastery.factories import INSUFFICIENT, assessed

S = FOUR_LEVEL


@pytest.mark.parametrize(
    ("method", "children", "status", "points", "label"),
    [
        ("mean_of_children", [assessed(2, S), assessed(3, S)], Status.ASSESSED, 2.5, "Developing"),
        ("mean_of_children", [assessed(3, S), assessed(4, S)], Status.ASSESSED, 3.5, "Proficient"),
        ("mean_of_children", [assessed(4, S), NOT_ASSESSED], Status.ASSESSED, 4, "Advanced"),
        ("mean_of_children", [assessed(1, S), INSUFFICIENT], Status.ASSESSED, 1, "Beginning"),
        ("mean_of_children", [NOT_ASSESSED, NOT_ASSESSED], Status.NOT_ASSESSED, None, None),
        ("mean_of_children", [NOT_ASSESSED, INSUFFICIENT], Status.INSUFFICIENT, None, None),
        ("mean_of_children", [], Status.NOT_ASSESSED, None, None),
        ("minimum_of_children", [assessed(2, S), assessed(4, S)], Status.ASSESSED, 2, "Developing"),
        ("minimum_of_children", [assessed(3, S), NOT_ASSESSED], Status.ASSESSED, 3, "Proficient"),
        (
            "minimum_of_children",
            [assessed(3.5, S), assessed(4, S)],
            Status.ASSESSED,
            3.5,
            "Proficient",
        ),
        ("minimum_of_children", [NOT_ASSESSED], Status.NOT_ASSESSED, None, None),
        (
            "all_children_at_mastery",
            [assessed(3, S), assessed(4, S)],
            Status.ASSESSED,
            3,
            "Proficient",
        ),
        (
            "all_children_at_mastery",
            [assessed(4, S), assessed(4, S)],
            Status.ASSESSED,
            3,
            "Proficient",
        ),
        (
            "all_children_at_mastery",
            [assessed(4, S), assessed(2, S)],
            Status.ASSESSED,
            2,
            "Developing",
        ),
        ("all_children_at_mastery", [assessed(1, S)], Status.ASSESSED, 2, "Developing"),
        (
            "all_children_at_mastery",
            [assessed(4, S), NOT_ASSESSED],
            Status.ASSESSED,
            3,
            "Proficient",
        ),
        ("all_children_at_mastery", [INSUFFICIENT], Status.INSUFFICIENT, None, None),
        ("share_at_mastery", [assessed(3, S), assessed(1, S)], Status.ASSESSED, 2.5, "Developing"),
        ("share_at_mastery", [assessed(3, S), assessed(4, S)], Status.ASSESSED, 4, "Advanced"),
        ("share_at_mastery", [assessed(2, S), assessed(1, S)], Status.ASSESSED, 1, "Beginning"),
        ("share_at_mastery", [assessed(3, S), NOT_ASSESSED], Status.ASSESSED, 4, "Advanced"),
        ("share_at_mastery", [NOT_ASSESSED], Status.NOT_ASSESSED, None, None),
    ],
)
def test_rollup_truth_table(
    method: str,
    children: list[MasteryResult],
    status: Status,
    points: float | None,
    label: str | None,
) -> None:
    result = ROLLUPS[method](children, S)
    assert result.status is status
    assert result.points == (pytest.approx(points) if points is not None else None)
    assert (result.level.label if result.level else None) == label
    assert result.evidence_count == sum(child.is_assessed for child in children)


@pytest.mark.parametrize(
    ("children", "share"),
    [
        ([assessed(3, S), assessed(1, S), assessed(2, S), assessed(4, S)], 0.5),
        ([assessed(3, S), NOT_ASSESSED, INSUFFICIENT], 1.0),
        ([assessed(1, S)], 0.0),
    ],
)
def test_share_at_mastery_reports_the_share(children: list[MasteryResult], share: float) -> None:
    assert ROLLUPS["share_at_mastery"](children, S).share == share


def test_rollup_tree_walks_a_dag_bottom_up() -> None:
    children = {
        "domain": ["std-a", "std-b"],
        "std-a": ["t1", "t2"],
        "std-b": ["t2", "t3"],  # t2 has two parents
    }
    leaves = {"t1": assessed(4, S), "t2": assessed(2, S), "t3": NOT_ASSESSED}
    results = rollup_tree(children, leaves, S, "mean_of_children")
    assert results["std-a"].points == 3
    assert results["std-b"].points == 2  # t3 is left out, not counted as zero
    assert results["domain"].points == 2.5
    assert results["t3"] is NOT_ASSESSED
    assert set(results) == {"domain", "std-a", "std-b", "t1", "t2", "t3"}


def test_rollup_tree_counts_direct_evidence_on_a_parent_as_one_more_child() -> None:
    results = rollup_tree(
        {"p": ["c"]}, {"c": assessed(2, S), "p": assessed(4, S)}, S, "mean_of_children"
    )
    assert results["p"].points == 3


def test_rollup_tree_marks_a_node_with_no_results_not_assessed() -> None:
    results = rollup_tree({"p": ["c1", "c2"]}, {}, TWO_LEVEL, "all_children_at_mastery")
    assert results["p"].status is Status.NOT_ASSESSED


def test_rollup_tree_handles_deep_chains_without_recursion() -> None:
    depth = 5000
    children = {i: [i + 1] for i in range(depth)}
    results = rollup_tree(children, {depth: assessed(3, S)}, S, "minimum_of_children")
    assert results[0].points == 3


@pytest.mark.parametrize(
    ("children", "message"),
    [
        ({"a": ["b"], "b": ["a"]}, "Standards form a cycle: a -> b -> a"),
        ({"a": ["a"]}, "a -> a"),
        ({"root": ["x"], "x": ["y"], "y": ["z"], "z": ["x"]}, "x -> y -> z -> x"),
    ],
)
def test_rollup_tree_names_a_cycle(children: dict[str, list[str]], message: str) -> None:
    with pytest.raises(MasteryError, match=message):
        rollup_tree(children, {}, S, "mean_of_children")


def test_unknown_rollup_raises() -> None:
    with pytest.raises(MasteryError, match="Unknown roll-up 'median'"):
        get_rollup("median")


def test_a_plan_reused_for_many_students_gives_each_their_own_roll_up() -> None:
    """The plan remembers parents by their inputs' identity: shared, equal and new objects."""
    plan = RollupPlan({"unit": ["a", "b"]}, S, "mean_of_children")
    low, high = assessed(1, S), assessed(4, S)
    first = plan.apply({"a": low, "b": high})
    assert plan.apply({"a": low, "b": high})["unit"] is first["unit"]  # same inputs: reused
    for points in (1, 2, 3, 4, 2, 1):  # fresh objects each time, freed after each student
        result = plan.apply({"a": assessed(points, S), "b": assessed(points, S)})["unit"]
        assert result.points == points
    assert plan.apply({"a": high, "b": NOT_ASSESSED})["unit"].points == 4
    assert plan.apply({"a": high, "b": low})["unit"].points == 2.5  # order of inputs kept apart
    two, three = assessed(2, S), assessed(3, S)
    equal = plan.apply({"a": two, "b": three})["unit"], plan.apply({"a": three, "b": two})["unit"]
    assert equal[0] is equal[1]  # equal results are one object, so their parents repeat too


def test_a_result_on_a_standard_outside_the_tree_is_kept_as_it_is() -> None:
    inside, outside = assessed(2, S), assessed(4, S)
    results = rollup_tree({"p": ["a"]}, {"a": inside, "z": outside}, S, "mean_of_children")
    assert results["z"] is outside and results["a"] is inside and results["p"].points == 2
    assert rollup_tree({"p": ["a"]}, {"a": inside}, S, "mean_of_children").keys() == {"p", "a"}
