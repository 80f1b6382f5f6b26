"""Rolling children's results up to parent standards (domain > standard > target)."""

from __future__ import annotations

from collections.abc import Callable, Container, Hashable, Mapping, Sequence
from types import MappingProxyType
from typing import Generic, TypeVar

from lti_tool.mastery.errors import MasteryError
from lti_tool.mastery.results import EXEMPT, NOT_ASSESSED, MasteryResult, Status
from lti_tool.mastery.scales import Scale

Node = TypeVar("Node", bound=Hashable)
_ASSESSED = Status.ASSESSED
RollupFunction = Callable[[Sequence[MasteryResult], Scale], MasteryResult]


def _assessed(results: Sequence[MasteryResult]) -> list[MasteryResult]:
    return [result for result in results if result.status is Status.ASSESSED]


def _unassessed(results: Sequence[MasteryResult]) -> MasteryResult:
    """The result of a parent with no assessed child: insufficient beats not assessed.

    Exempt children are left out like unassessed ones; a parent whose every child is
    exempt is exempt itself.
    """
    if any(result.status is Status.INSUFFICIENT for result in results):
        return MasteryResult(Status.INSUFFICIENT, None, None, 0)
    if results and all(result.status is Status.EXEMPT for result in results):
        return EXEMPT
    return NOT_ASSESSED


def _at(points: float, scale: Scale, count: int, share: float | None = None) -> MasteryResult:
    return MasteryResult(Status.ASSESSED, points, scale.level_for(points), count, share)


def mean_of_children(results: Sequence[MasteryResult], scale: Scale) -> MasteryResult:
    """The mean of the assessed children's points; unassessed children are left out."""
    # The most used roll-up, run for every parent of every student: one pass, no helpers.
    points = [result.points or 0.0 for result in results if result.status is _ASSESSED]
    if not points:
        return _unassessed(results)
    mean = sum(points) / len(points)
    return MasteryResult(_ASSESSED, mean, scale.level_for(mean), len(points))


def minimum_of_children(results: Sequence[MasteryResult], scale: Scale) -> MasteryResult:
    """The lowest assessed child's points: a parent is only as strong as its weakest part."""
    assessed = _assessed(results)
    if not assessed:
        return _unassessed(results)
    return _at(min(result.points or 0.0 for result in assessed), scale, len(assessed))


def all_children_at_mastery(results: Sequence[MasteryResult], scale: Scale) -> MasteryResult:
    """The lowest mastery level if every assessed child is at mastery.

    Otherwise the highest level below mastery.
    """
    assessed = _assessed(results)
    if not assessed:
        return _unassessed(results)
    if all(result.is_mastery for result in assessed):
        return _at(scale.mastery_threshold, scale, len(assessed))
    return _at(scale.highest_below_mastery.points, scale, len(assessed))


def share_at_mastery(results: Sequence[MasteryResult], scale: Scale) -> MasteryResult:
    """The share (0..1) of assessed children at mastery, in `share`.

    `points` maps the share linearly onto the scoring range (0 -> lowest
    level, 1 -> highest) so that grandparents can roll it up like any result.
    """
    assessed = _assessed(results)
    if not assessed:
        return _unassessed(results)
    share = sum(result.is_mastery for result in assessed) / len(assessed)
    points = scale.min_points + share * (scale.max_points - scale.min_points)
    return _at(points, scale, len(assessed), share)


ROLLUPS: MappingProxyType[str, RollupFunction] = MappingProxyType(
    {
        "mean_of_children": mean_of_children,
        "minimum_of_children": minimum_of_children,
        "all_children_at_mastery": all_children_at_mastery,
        "share_at_mastery": share_at_mastery,
    }
)


def get_rollup(name: str) -> RollupFunction:
    """The roll-up called `name`, or MasteryError listing the choices."""
    try:
        return ROLLUPS[name]
    except (KeyError, TypeError):
        raise MasteryError(
            f"Unknown roll-up {name!r}; choose one of: {', '.join(ROLLUPS)}"
        ) from None


def rollup_tree(
    children: Mapping[Node, Sequence[Node]],
    leaf_results: Mapping[Node, MasteryResult],
    scale: Scale,
    method: str,
) -> dict[Node, MasteryResult]:
    """Results for every node, computed bottom-up; each node once, however many parents.

    A node with children is rolled up from them; if it also has a result of
    its own (direct evidence on a standard), that result counts as one more
    child. A node with neither is not assessed. A cycle raises MasteryError.
    """
    return RollupPlan(children, scale, method).apply(leaf_results)


class RollupPlan(Generic[Node]):
    """A tree's bottom-up order, worked out once and applied to every student's results.

    The order and the cycle check depend on the tree only, so a whole course pays for
    them once instead of once per student. A parent's result is remembered by the identity
    of its inputs: results are immutable, and stored levels share one object per value, so
    a course's 300 students repeat few combinations; equal results are then one object
    (`_equal`), so their parents repeat too. The inputs stay referenced (`_kept`), so
    an id cannot be reused by another object while the plan lives; one flat list, not a
    container per entry, so that a large course leaves the garbage collector little to scan.
    """

    __slots__ = ("_combine", "_equal", "_kept", "_memo", "_scale", "_steps")

    def __init__(self, children: Mapping[Node, Sequence[Node]], scale: Scale, method: str) -> None:
        self._combine = get_rollup(method)
        self._scale = scale
        seen: dict[Node, None] = {}
        steps: list[tuple[Node, tuple[Node, ...]]] = []
        for root in children:
            for node in _post_order(root, children, seen):
                seen[node] = None
                steps.append((node, tuple(dict.fromkeys(children.get(node, ())))))
        self._steps = steps
        self._memo: dict[tuple[int, ...], MasteryResult] = {}
        self._kept: list[MasteryResult] = []
        self._equal: dict[MasteryResult, MasteryResult] = {}

    def apply(self, leaf_results: Mapping[Node, MasteryResult]) -> dict[Node, MasteryResult]:
        """Every node's result from one student's direct results, as `rollup_tree`."""
        combine, scale, own_result, memo = self._combine, self._scale, leaf_results.get, self._memo
        done: dict[Node, MasteryResult] = {}
        for node, kids in self._steps:
            own = own_result(node)
            if not kids:
                done[node] = own or NOT_ASSESSED
                continue
            inputs = [done[kid] for kid in kids]
            if own is not None:
                inputs.append(own)
            key = tuple(map(id, inputs))
            known = memo.get(key)
            if known is None:
                fresh = combine(inputs, scale)
                known = memo[key] = self._equal.setdefault(fresh, fresh)
                self._kept += inputs
            done[node] = known
        if not leaf_results.keys() <= done.keys():  # results on standards outside the tree
            for node, result in leaf_results.items():
                done.setdefault(node, result)
        return done


def _post_order(
    root: Node, children: Mapping[Node, Sequence[Node]], done: Container[Node]
) -> list[Node]:
    """Nodes under `root` not yet done, children before parents; raise on a cycle.

    Iterative, so a deep framework cannot hit Python's recursion limit.
    """
    order: list[Node] = []
    on_path: list[Node] = []
    visiting: set[Node] = set()
    finished: set[Node] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, is_exit = stack.pop()
        if is_exit:
            on_path.pop()
            visiting.discard(node)
            finished.add(node)
            order.append(node)
            continue
        if node in done or node in finished:
            continue
        if node in visiting:
            cycle = [*on_path[on_path.index(node) :], node]
            raise MasteryError("Standards form a cycle: " + " -> ".join(map(str, cycle)))
        visiting.add(node)
        on_path.append(node)
        stack.append((node, True))
        stack.extend((kid, False) for kid in reversed(children.get(node, ())))
    return order
