"""Exemptions: a student excused from a standard (an IEP, a 504 plan, a newcomer English
learner) is shown as exempt, never as missing, and the standard is out of every calculation.

Decisions: an exempt standard is left out of the summary grade and of every denominator
(share at mastery, "n of m standards", completeness); it is not on the to-do list; a
parent rolls up from its children that are not exempt, and is exempt itself only when
every child is; exempting a parent exempts its whole subtree.
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from types import MappingProxyType
from typing import TypeVar

from lti_tool.mastery.results import EXEMPT, MasteryResult

Node = TypeVar("Node", bound=Hashable)

REASONS: Mapping[str, str] = MappingProxyType(
    {
        "iep": "IEP",
        "504": "504 plan",
        "newcomer_el": "Newcomer English learner",
        "other": "Other",
    }
)


def reason_label(reason: str) -> str:
    """The words for a reason category (an unknown one reads as "Other")."""
    return REASONS.get(reason, REASONS["other"])


def exempt_subtree(targets: Collection[Node], children: Mapping[Node, Sequence[Node]]) -> set[Node]:
    """The exempt standards with everything under them (each node once, cycles harmless)."""
    found: set[Node] = set()
    stack = list(targets)
    while stack:
        node = stack.pop()
        if node not in found:
            found.add(node)
            stack.extend(children.get(node, ()))
    return found


def apply_exemptions(
    results: Mapping[Node, MasteryResult], exempt: Collection[Node]
) -> dict[Node, MasteryResult]:
    """A copy of one student's results with each exempt standard's result set to EXEMPT."""
    return {**results, **dict.fromkeys(exempt, EXEMPT)}
