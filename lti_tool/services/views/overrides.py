"""The override editor's page: the course's overrides, the standards each covers, the conflicts.

Read through `services.overrides` (the same resolution every computation uses), so what the
page says an override covers is what the levels are computed with.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...mastery import METHODS, Calculation
from ...models import Course, Standard
from ..frameworks import CourseTree, course_tree
from ..overrides import node_overrides, resolve


@dataclass(frozen=True)
class OverrideRow:
    """An override as set on a node, and the standards it decides (itself included)."""

    node: Standard
    calculation: Calculation
    method_label: str
    params: list[tuple[str, str]]  # (parameter label, value) of the method's parameters
    covers: list[Standard]  # tree order; empty when nearer overrides decide every one


@dataclass(frozen=True)
class ConflictRow:
    """A standard under several parents whose equally near overrides differ."""

    standard: Standard
    applied: Standard  # the parent whose override is used (first in the tree)
    others: list[Standard]


@dataclass(frozen=True)
class NodeChoice:
    standard: Standard
    depth: int  # 0 for a root
    has_override: bool


@dataclass(frozen=True)
class OverridesView:
    rows: list[OverrideRow]
    conflicts: list[ConflictRow]
    nodes: list[NodeChoice]  # every adopted node once, in tree order


def overrides_view(course: Course, tree: CourseTree | None = None) -> OverridesView:
    """Everything the override editor lists (the tree read once)."""
    tree = tree or course_tree(course)
    set_on = node_overrides(course)
    resolution = resolve(tree, set_on)
    order = tree.preorder()
    standards = tree.standards
    rows = [
        OverrideRow(
            node=standards[node],
            calculation=set_on[node],
            method_label=METHODS[set_on[node].method].label,
            params=_params(set_on[node]),
            covers=[standards[n] for n in order if resolution.source.get(n) == node],
        )
        for node in order
        if node in set_on
    ]
    conflicts = [
        ConflictRow(standards[node], standards[chosen], [standards[other] for other in others])
        for node, (chosen, *others) in resolution.conflicts.items()
        if node in standards
    ]
    return OverridesView(rows, conflicts, _choices(tree, set_on))


def _params(calculation: Calculation) -> list[tuple[str, str]]:
    method = METHODS[calculation.method]
    return [
        (parameter.label, f"{calculation.params[parameter.name]:g}")
        for parameter in method.parameters
        if parameter.name in calculation.params
    ]


def _choices(tree: CourseTree, set_on: dict[int, Calculation]) -> list[NodeChoice]:
    """Each node once (the first place it appears), with its depth for indenting."""
    return [
        NodeChoice(tree.standards[node], depth, node in set_on)
        for node, depth in tree.with_depths()
    ]
