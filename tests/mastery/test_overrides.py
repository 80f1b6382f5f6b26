"""Overrides on standards and branches: the nearest applies; equal distance → tree order."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.mastery import Calculation, MasterySettings, Score, compute_course
from lti_tool.mastery.overrides import resolve_overrides

HIGHEST = Calculation("highest")
MEAN2 = Calculation("mean_last_n", {"n": 2})
RECENT3 = Calculation("most_recent", {}, 3)

# ELA > {W1, R1 > {R1a, R1b}}; MATH > {M1, M2}; W1 (a writing standard) also sits under MATH
# (several parents), one level deep under each.
CHILDREN = {
    "ELA": ["W1", "R1"],
    "R1": ["R1a", "R1b"],
    "MATH": ["M1", "M2", "W1"],
}
ORDER = ["ELA", "W1", "R1", "R1a", "R1b", "MATH", "M1", "M2"]


def effective(overrides: dict) -> dict:
    return resolve_overrides(overrides, CHILDREN, ORDER).effective


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({}, {}),
        # A branch covers itself and everything beneath it.
        (
            {"ELA": HIGHEST},
            {"ELA": HIGHEST, "W1": HIGHEST, "R1": HIGHEST, "R1a": HIGHEST, "R1b": HIGHEST},
        ),
        # A nearer override beats the branch's; the branch still covers the rest.
        (
            {"ELA": HIGHEST, "R1": MEAN2},
            {"ELA": HIGHEST, "W1": HIGHEST, "R1": MEAN2, "R1a": MEAN2, "R1b": MEAN2},
        ),
        # The standard's own override wins over every branch.
        (
            {"ELA": HIGHEST, "R1": MEAN2, "R1b": RECENT3},
            {"ELA": HIGHEST, "W1": HIGHEST, "R1": MEAN2, "R1a": MEAN2, "R1b": RECENT3},
        ),
        # W1 is one step under ELA and one under MATH: equal distance, ELA comes first.
        (
            {"ELA": HIGHEST, "MATH": MEAN2},
            {
                "ELA": HIGHEST,
                "W1": HIGHEST,
                "R1": HIGHEST,
                "R1a": HIGHEST,
                "R1b": HIGHEST,
                "MATH": MEAN2,
                "M1": MEAN2,
                "M2": MEAN2,
            },
        ),
        # Only MATH set: W1 takes it through its second parent.
        ({"MATH": MEAN2}, {"MATH": MEAN2, "M1": MEAN2, "M2": MEAN2, "W1": MEAN2}),
        ({"W1": RECENT3, "MATH": MEAN2}, {"MATH": MEAN2, "M1": MEAN2, "M2": MEAN2, "W1": RECENT3}),
    ],
)
def test_resolution_table(overrides: dict, expected: dict) -> None:
    assert effective(overrides) == expected


def test_nearest_beats_tree_order_across_parents() -> None:
    # X sits under A (two steps: A > B > X) and under C (one step): C is nearer, though A
    # comes first in tree order.
    children = {"A": ["B"], "B": ["X"], "C": ["X"]}
    found = resolve_overrides({"A": HIGHEST, "C": MEAN2}, children, ["A", "B", "X", "C"])
    assert found.effective["X"] == MEAN2 and found.source["X"] == "C"
    assert found.conflicts == {}


def test_equal_distance_ties_are_reported() -> None:
    found = resolve_overrides({"ELA": HIGHEST, "MATH": MEAN2}, CHILDREN, ORDER)
    assert found.conflicts == {"W1": ("ELA", "MATH")}
    assert found.source["W1"] == "ELA"
    same = resolve_overrides({"ELA": HIGHEST, "MATH": HIGHEST}, CHILDREN, ORDER)
    assert same.conflicts == {}  # both say the same: nothing to settle


def test_a_cycle_does_not_loop() -> None:
    found = resolve_overrides({"A": HIGHEST}, {"A": ["B"], "B": ["A"]}, ["A", "B"])
    assert found.effective == {"A": HIGHEST, "B": HIGHEST}


def test_resolved_overrides_drive_compute_course() -> None:
    day = datetime(2025, 9, 1, tzinfo=UTC)
    scores = [Score(4.0, day, 1), Score(1.0, day.replace(day=2), 2)]
    settings = MasterySettings(overrides=effective({"ELA": HIGHEST}))
    found = compute_course({("s", "R1a"): scores, ("s", "M1"): scores}, settings)
    assert found[("s", "R1a")].points == 4.0  # highest, from the ELA branch
    assert found[("s", "M1")].points == 1.0  # course default: most recent


NODES = [f"n{i}" for i in range(8)]


@st.composite
def dags(draw):
    """Random DAGs over NODES: edges only from a lower to a higher index (no cycles)."""
    children: dict[str, list[str]] = {}
    for child in range(1, len(NODES)):
        parents = draw(st.sets(st.integers(0, child - 1), max_size=3))
        for parent in sorted(parents):
            children.setdefault(NODES[parent], []).append(NODES[child])
    return children


def _distance(children: dict, start: str, goal: str) -> int | None:
    level, seen, steps = [start], {start}, 0
    while level:
        if goal in level:
            return steps
        level = [c for n in level for c in children.get(n, ()) if c not in seen]
        seen.update(level)
        steps += 1
    return None


@given(
    children=dags(),
    chosen=st.dictionaries(st.sampled_from(NODES), st.sampled_from([HIGHEST, MEAN2, RECENT3])),
)
def test_property_the_applied_override_is_a_nearest_one(children, chosen) -> None:
    found = resolve_overrides(chosen, children, NODES)
    for node in NODES:
        reach = {a: d for a in chosen if (d := _distance(children, a, node)) is not None}
        if not reach:
            assert node not in found.effective  # nothing above it: the course default
            continue
        nearest = min(reach.values())
        source = found.source[node]
        assert reach[source] == nearest
        assert found.effective[node] == chosen[source]
        tied = [a for a, d in reach.items() if d == nearest]
        assert source == min(tied, key=NODES.index)  # ties go to tree order
        if node in chosen:
            assert found.effective[node] == chosen[node]
