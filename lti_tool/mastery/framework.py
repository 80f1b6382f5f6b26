"""Neutral draft of an imported standards framework, before it is saved.

Every importer (CASE, Canvas, Moodle, ESCO, our CSV) produces a
`FrameworkDraft`; the service layer turns a valid draft into rows. The
hierarchy is a DAG: a node with several parents appears once, with one edge
per parent, never copied.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from lti_tool.translatable import N_


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an import: where, which field, why."""

    line_or_id: str
    field: str
    reason: str

    def __str__(self) -> str:
        return f"{self.line_or_id}, field '{self.field}': {self.reason}"


@dataclass(frozen=True)
class ExternalRef:
    """A link from a node to something outside the file (kept, never resolved here)."""

    relation: str
    target: str
    title: str | None = None


@dataclass(frozen=True)
class StandardDraft:
    """One node of the framework: a group, domain, standard or learning target."""

    key: str
    code: str | None
    title: str
    statement: str
    i_can: str | None = None
    case_identifier: str | None = None
    node_type: str | None = None
    sequence: int = 0
    external_refs: tuple[ExternalRef, ...] = ()
    # The source text when it carried markup; `statement` is always plain text.
    statement_html: str | None = None
    is_priority: bool = False


@dataclass(frozen=True)
class LevelDraft:
    """One level of a proficiency scale."""

    label: str
    points: float
    is_mastery: bool


@dataclass(frozen=True)
class ScaleDraft:
    """A proficiency scale found in the file, levels from highest to lowest points."""

    levels: tuple[LevelDraft, ...]
    name: str | None = None


@dataclass(frozen=True)
class CalculationDraft:
    """A calculation method in our vocabulary (mastery/methods.py, METHODS) and its parameters,
    as the file gave them (checked when the framework is stored)."""

    method: str
    params: tuple[tuple[str, int], ...] = ()

    def param(self, name: str) -> int | None:
        """A parameter by name, e.g. 'latest_weight' or 'n'."""
        return dict(self.params).get(name)


@dataclass(frozen=True)
class FrameworkDraft:
    """A whole imported framework: nodes, parent→child edges, optional scale and method."""

    name: str
    source_format: str
    identifier: str | None
    items: tuple[StandardDraft, ...]
    edges: tuple[tuple[str, str], ...] = ()
    scale: ScaleDraft | None = None
    calculation: CalculationDraft | None = None
    source_metadata: Mapping[str, Any] = field(default_factory=dict)

    @property
    def item_count(self) -> int:
        """Number of distinct nodes."""
        return len({item.key for item in self.items})

    @cached_property
    def _by_key(self) -> dict[str, StandardDraft]:
        by_key: dict[str, StandardDraft] = {}
        for item in self.items:
            by_key.setdefault(item.key, item)  # a duplicate is a validate() problem
        return by_key

    @cached_property
    def _file_order(self) -> dict[str, int]:
        return {key: index for index, key in enumerate(self._by_key)}

    @cached_property
    def _children(self) -> dict[str, list[str]]:
        children: dict[str, list[str]] = {}
        for parent, child in dict.fromkeys(self.edges):
            if parent in self._by_key and child in self._by_key:
                children.setdefault(parent, []).append(child)
        for keys in children.values():
            keys.sort(key=self._sibling_order)
        return children

    @cached_property
    def _parents(self) -> dict[str, list[str]]:
        parents: dict[str, list[str]] = {}
        for parent, kids in self._children.items():
            for child in kids:
                parents.setdefault(child, []).append(parent)
        return parents

    def _sibling_order(self, key: str) -> tuple[int, int]:
        return (self._by_key[key].sequence, self._file_order[key])

    def get(self, key: str) -> StandardDraft | None:
        """The node with this key, if any."""
        return self._by_key.get(key)

    def roots(self) -> tuple[StandardDraft, ...]:
        """Nodes with no parent inside the file, ordered by sequence then file order."""
        keys = sorted((k for k in self._by_key if k not in self._parents), key=self._sibling_order)
        return tuple(self._by_key[key] for key in keys)

    def children_of(self, key: str) -> tuple[StandardDraft, ...]:
        """Direct children of a node, ordered by sequence then file order."""
        return tuple(self._by_key[child] for child in self._children.get(key, ()))

    def parents_of(self, key: str) -> tuple[StandardDraft, ...]:
        """Direct parents of a node inside the file (several in a DAG)."""
        return tuple(self._by_key[parent] for parent in self._parents.get(key, ()))

    def levels(self) -> dict[str, int]:
        """Each node's level: 1 for a root, else 1 + its deepest parent (longest path)."""
        level: dict[str, int] = {}
        for key in self._topological_order():
            parents = self._parents.get(key, ())
            level[key] = 1 + max((level.get(parent, 0) for parent in parents), default=0)
        return level

    def depth(self) -> int:
        """Number of levels along the longest root-to-leaf path; 0 for an empty draft."""
        return max(self.levels().values(), default=0)

    def _topological_order(self) -> list[str]:
        # Kahn's algorithm: nodes caught in a cycle never reach in-degree 0, so they
        # are appended last; validate() names those cycles.
        indegree = {key: len(self._parents.get(key, ())) for key in self._by_key}
        ready = [key for key, count in indegree.items() if count == 0]
        order: list[str] = []
        while ready:
            key = ready.pop()
            order.append(key)
            for child in self._children.get(key, ()):
                indegree[child] -= 1
                if indegree[child] == 0:
                    ready.append(child)
        seen = set(order)
        return order + [key for key in self._by_key if key not in seen]

    def validate(self) -> list[Problem]:
        """Duplicate keys, edges to unknown nodes and cycles, each named."""
        problems = _duplicate_problems(item.key for item in self.items)
        for parent, child in self.edges:
            for role, key in (("parent", parent), ("child", child)):
                if key not in self._by_key:
                    problems.append(Problem(f"item {child}", role, _unknown(role, key)))
        problems.extend(
            Problem(f"item {cycle[0]}", "parent", N_("cycle: %(path)s", path=" → ".join(cycle)))
            for cycle in self._cycles()
        )
        return problems

    def _cycles(self) -> list[list[str]]:
        """One named cycle per strongly tangled region, found by iterative DFS."""
        state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
        cycles: list[list[str]] = []
        for start in self._by_key:
            if start in state:
                continue
            path: list[str] = [start]
            stack = [iter(self._children.get(start, ()))]
            state[start] = 1
            while stack:
                child = next(stack[-1], None)
                if child is None:
                    state[path.pop()] = 2
                    stack.pop()
                elif state.get(child) == 1:
                    cycles.append(path[path.index(child) :] + [child])
                elif child not in state:
                    state[child] = 1
                    path.append(child)
                    stack.append(iter(self._children.get(child, ())))
        return cycles


def _unknown(role: str, key: str) -> str:
    if role == "parent":
        return N_("unknown parent '%(value)s'", value=key)
    return N_("unknown child '%(value)s'", value=key)


def _duplicate_problems(keys: Iterable[str]) -> list[Problem]:
    seen: set[str] = set()
    problems: list[Problem] = []
    for key in keys:
        if key in seen:
            problems.append(
                Problem(f"item {key}", "key", N_("duplicate identifier '%(value)s'", value=key))
            )
        seen.add(key)
    return problems


def number_siblings(
    items: Iterable[StandardDraft], edges: Iterable[tuple[str, str]]
) -> tuple[StandardDraft, ...]:
    """Items with `sequence` set to their file-order position under their first parent."""
    items = tuple(items)
    first_parent: dict[str, str] = {}
    for parent, child in edges:
        first_parent.setdefault(child, parent)
    counters: dict[str | None, int] = {}
    numbered: list[StandardDraft] = []
    for item in items:
        parent = first_parent.get(item.key)
        counters[parent] = counters.get(parent, 0) + 1
        numbered.append(replace(item, sequence=counters[parent]))
    return tuple(numbered)
