"""Saving imported frameworks, adopting standards into courses, and reading a course's tree."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select, update

from ..errors import NotFound, PermissionDenied
from ..extensions import db
from ..mastery.framework import FrameworkDraft, StandardDraft
from ..models import Course, CourseStandard, Framework, Platform, Standard, StandardEdge
from .framework_rules import adopt_rules, store_rules
from .rejections import rejected


@dataclass(frozen=True)
class CourseTree:
    """A course's adopted standards: nodes by id, ordered children, ordered roots."""

    standards: dict[int, Standard]
    children: dict[int, list[int]]
    roots: list[int]
    priority: frozenset[int]

    def preorder(self) -> list[int]:
        """Every node once, parents before children, siblings in order."""
        return [node for node, _depth in self.with_depths()]

    def with_depths(self) -> list[tuple[int, int]]:
        """`preorder()` with each node's depth (0 for a root), where it first appears."""
        seen: set[int] = set()
        order: list[tuple[int, int]] = []
        stack = [(root, 0) for root in reversed(self.roots)]
        while stack:
            node, depth = stack.pop()
            if node in seen:
                continue
            seen.add(node)
            order.append((node, depth))
            stack.extend((child, depth + 1) for child in reversed(self.children.get(node, [])))
        return order

    def leaves(self) -> list[int]:
        """Nodes without adopted children, in tree order."""
        return [node for node in self.preorder() if not self.children.get(node)]

    def subtree(self, node: int) -> set[int]:
        """The node and every node under it (a branch or unit of the framework)."""
        found: set[int] = set()
        stack = [node] if node in self.standards else []
        while stack:
            current = stack.pop()
            if current not in found:
                found.add(current)
                stack.extend(self.children.get(current, []))
        return found


def save_framework(
    draft: FrameworkDraft,
    *,
    platform: Platform,
    course: Course | None = None,
    adopt_all: bool = True,
) -> Framework:
    """Store a whole draft (validated first): in the platform library, or course-local.

    A course-local framework is adopted whole (with the file's priority flags) unless
    `adopt_all` is off, as when the teacher chooses branches next."""
    problems = draft.validate()
    if problems:
        raise rejected(problems)
    if course is not None and course.platform_id != platform.id:
        raise PermissionDenied("That course belongs to another platform.")
    framework = Framework(
        platform_id=platform.id,
        course_id=course.id if course else None,
        name=draft.name,
        source_format=draft.source_format,
        identifier=draft.identifier,
    )
    db.session.add(framework)
    db.session.flush()
    ordered = _tree_order(draft)
    rows = [_standard_row(framework.id, item) for item in ordered]
    # One multi-row INSERT ... RETURNING; ids come back in the order given.
    ids = db.session.scalars(
        insert(Standard).returning(Standard.id, sort_by_parameter_order=True), rows
    ).all()
    by_key = {item.key: standard_id for item, standard_id in zip(ordered, ids, strict=True)}
    edges = [
        {
            "framework_id": framework.id,
            "parent_id": by_key[item.key],
            "child_id": by_key[child.key],
            "position": position,
        }
        for item in ordered
        for position, child in enumerate(draft.children_of(item.key))
    ]
    if edges:
        db.session.execute(insert(StandardEdge), edges)
    store_rules(framework, draft, by_key)
    if course is not None and adopt_all:
        _adopt_ids(course, ids, priority={by_key[i.key] for i in ordered if i.is_priority})
    return framework


def _tree_order(draft: FrameworkDraft) -> list[StandardDraft]:
    """Nodes depth-first from the roots, so ids follow reading order; each node once."""
    seen: set[str] = set()
    order: list[StandardDraft] = []
    stack = list(reversed(draft.roots()))
    while stack:
        item = stack.pop()
        if item.key in seen:
            continue
        seen.add(item.key)
        order.append(item)
        stack.extend(reversed(draft.children_of(item.key)))
    return order


def _standard_row(framework_id: int, item: StandardDraft) -> dict[str, object]:
    return {
        "framework_id": framework_id,
        "key": item.key,
        "code": item.code or "",
        "title": item.title or "",
        "statement": item.statement or "",
        "statement_html": item.statement_html,
        "i_can": item.i_can,
        "case_identifier": item.case_identifier,
        "node_type": item.node_type,
    }


def adopt(course: Course, target: Framework | Iterable[int]) -> int:
    """Adopt a whole framework, or chosen standards with all their descendants; returns new rows."""
    if isinstance(target, Framework):
        _check_visible(course, target)
        ids = list(
            db.session.scalars(select(Standard.id).where(Standard.framework_id == target.id))
        )
        return _adopt_ids(course, ids)
    chosen = set(target)
    rows = db.session.execute(
        select(Standard.id, Framework.id, Framework.platform_id, Framework.course_id)
        .join(Framework, Standard.framework_id == Framework.id)
        .where(Standard.id.in_(chosen))
    ).all()
    visible = {r[0] for r in rows if r[2] == course.platform_id and r[3] in (None, course.id)}
    if visible != chosen:
        raise NotFound(f"No standard {sorted(chosen - visible)} in this platform's library.")
    framework_ids = {r[1] for r in rows}
    return _adopt_ids(course, _with_descendants(chosen, framework_ids))


def _check_visible(course: Course, framework: Framework) -> None:
    if framework.platform_id != course.platform_id or framework.course_id not in (None, course.id):
        raise NotFound("No such framework in this platform's library.")


def _with_descendants(start: set[int], framework_ids: set[int]) -> list[int]:
    edges = db.session.execute(
        select(StandardEdge.parent_id, StandardEdge.child_id).where(
            StandardEdge.framework_id.in_(framework_ids)
        )
    ).all()
    children: dict[int, list[int]] = {}
    for parent, child in edges:
        children.setdefault(parent, []).append(child)
    found, stack = set(start), list(start)
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return sorted(found)


def _adopt_ids(course: Course, ids: Sequence[int], priority: set[int] | None = None) -> int:
    have = set(
        db.session.scalars(
            select(CourseStandard.standard_id).where(CourseStandard.course_id == course.id)
        )
    )
    rows = [
        {"course_id": course.id, "standard_id": i, "is_priority": i in (priority or ())}
        for i in ids
        if i not in have
    ]
    if rows:
        db.session.execute(insert(CourseStandard), rows)
        adopt_rules(course, [row["standard_id"] for row in rows])
    return len(rows)


def course_tree(course: Course) -> CourseTree:
    """The adopted standards with their adopted children, in framework order (2 queries)."""
    pairs = db.session.execute(
        select(Standard, CourseStandard.is_priority)
        .join(CourseStandard, CourseStandard.standard_id == Standard.id)
        .where(CourseStandard.course_id == course.id)
        .order_by(Standard.framework_id, Standard.id)
    ).all()
    standards = {standard.id: standard for standard, _ in pairs}
    priority = frozenset(standard.id for standard, is_priority in pairs if is_priority)
    edges = db.session.execute(
        select(StandardEdge.parent_id, StandardEdge.child_id)
        .join(CourseStandard, CourseStandard.standard_id == StandardEdge.child_id)
        .where(CourseStandard.course_id == course.id)
        .order_by(StandardEdge.parent_id, StandardEdge.position)
    ).all()
    children: dict[int, list[int]] = {}
    has_parent: set[int] = set()
    for parent, child in edges:
        if parent in standards:
            children.setdefault(parent, []).append(child)
            has_parent.add(child)
    roots = [i for i in standards if i not in has_parent]
    return CourseTree(standards, children, roots, priority)


def set_priority(course: Course, standard_ids: Iterable[int], is_priority: bool = True) -> int:
    """Mark adopted standards as priority (or not); returns how many rows changed."""
    result = db.session.execute(
        update(CourseStandard)
        .where(
            CourseStandard.course_id == course.id,
            CourseStandard.standard_id.in_(list(standard_ids)),
        )
        .values(is_priority=is_priority)
    )
    return result.rowcount or 0


def edit_i_can(course: Course, standard_id: int, text: str | None) -> Standard:
    """Set a standard's "I can" statement; only through a course that adopted it."""
    standard = db.session.scalar(
        select(Standard)
        .join(CourseStandard, CourseStandard.standard_id == Standard.id)
        .where(CourseStandard.course_id == course.id, Standard.id == standard_id)
    )
    if standard is None:
        raise NotFound("This course has not adopted that standard.")
    standard.i_can = (text or "").strip() or None
    db.session.flush()
    return standard
