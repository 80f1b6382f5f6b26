"""Which calculation applies to each standard, from overrides set on standards or branches.

A course has a default calculation. An override set on a node applies to that node and to
every standard beneath it ("all of ELA: highest of 3"), unless a nearer override applies:

- the node's own override wins;
- else the override on the nearest ancestor, by the fewest parent → child steps;
- a node may sit under several parents: when two overrides are equally near and differ,
  the one on the ancestor that comes first in the course's tree order (the order the
  gradebook shows, parents before children) applies, and the node is reported in
  `Resolution.conflicts` so a teacher can settle it with an override on the node itself.

Resolved once per computation into a plain standard → calculation mapping, so the per-cell
lookup stays a dict access.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from lti_tool.mastery.calculation import Calculation

Node = TypeVar("Node", bound=Hashable)


@dataclass(frozen=True)
class Resolution(Generic[Node]):
    """Each node's effective override, where it comes from, and the ties that were broken."""

    effective: dict[Node, Calculation]
    source: dict[Node, Node]  # node -> the node whose override applies to it
    conflicts: dict[Node, tuple[Node, ...]] = field(default_factory=dict)


def resolve_overrides(
    overrides: Mapping[Node, Calculation],
    children: Mapping[Node, Sequence[Node]],
    order: Sequence[Node],
) -> Resolution[Node]:
    """The override applying to every node of `order` (tree order, parents first).

    `overrides` are the ones set on nodes (a leaf or a branch); `children` the tree's edges.
    Nodes with no override above them are left out: the course default applies to them.
    """
    if not overrides:
        return Resolution({}, {})
    rank = {node: position for position, node in enumerate(order)}
    parents: dict[Node, list[Node]] = {}
    for parent, kids in children.items():
        for child in kids:
            parents.setdefault(child, []).append(parent)
    effective: dict[Node, Calculation] = {}
    source: dict[Node, Node] = {}
    conflicts: dict[Node, tuple[Node, ...]] = {}
    for node in order:
        found = _nearest(node, overrides, parents)
        if not found:
            continue
        found.sort(key=lambda ancestor: rank.get(ancestor, len(rank)))
        chosen = found[0]
        effective[node], source[node] = overrides[chosen], chosen
        differing = tuple(a for a in found[1:] if overrides[a] != overrides[chosen])
        if differing:
            conflicts[node] = (chosen, *differing)
    return Resolution(effective, source, conflicts)


def _nearest(
    node: Node, overrides: Mapping[Node, Calculation], parents: Mapping[Node, list[Node]]
) -> list[Node]:
    """The nodes holding an override at the smallest distance above `node` (0: itself)."""
    level, seen = [node], {node}
    while level:
        holders = [candidate for candidate in level if candidate in overrides]
        if holders:
            return holders
        level = _step_up(level, parents, seen)
    return []


def _step_up(level: Iterable[Node], parents: Mapping[Node, list[Node]], seen: set[Node]) -> list:
    above: list[Node] = []
    for node in level:
        for parent in parents.get(node, ()):
            if parent not in seen:  # a cycle or a diamond is walked once
                seen.add(parent)
                above.append(parent)
    return above
