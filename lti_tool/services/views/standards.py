"""The standards library page: frameworks a course may adopt from, their trees, and a draft's
outline before it is saved.

A framework is visible to a course when it is in its platform's library (no course) or was
imported for that course. A framework's tree is read in three queries (its standards, its
edges, and which of them the course adopted).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from ...errors import NotFound
from ...extensions import db
from ...mastery.framework import FrameworkDraft, StandardDraft
from ...models import Course, CourseStandard, Framework, Standard, StandardEdge
from ..frameworks import CourseTree


@dataclass(frozen=True)
class LibraryEntry:
    framework: Framework
    standards: int
    adopted: int

    @property
    def is_course_own(self) -> bool:
        return self.framework.course_id is not None


def library(platform_id: int, course: Course | None) -> list[LibraryEntry]:
    """Frameworks visible to the course (the platform's library alone without one), with
    their size and how much of each the course adopted."""
    adopted = (
        select(Standard.framework_id, func.count().label("n"))
        .join(CourseStandard, CourseStandard.standard_id == Standard.id)
        .where(CourseStandard.course_id == (course.id if course else None))
        .group_by(Standard.framework_id)
        .subquery()
    )
    sizes = (
        select(Standard.framework_id, func.count().label("n"))
        .group_by(Standard.framework_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Framework, func.coalesce(sizes.c.n, 0), func.coalesce(adopted.c.n, 0))
        .outerjoin(sizes, sizes.c.framework_id == Framework.id)
        .outerjoin(adopted, adopted.c.framework_id == Framework.id)
        .where(_visible(platform_id, course))
        .order_by(Framework.name, Framework.id)
    ).all()
    return [LibraryEntry(framework, total, taken) for framework, total, taken in rows]


def _visible(platform_id: int, course: Course | None):
    own = Framework.course_id.is_(None)
    if course is not None:
        own = or_(own, Framework.course_id == course.id)
    return (Framework.platform_id == platform_id) & own


def visible_framework(platform_id: int, course: Course | None, framework_id: int) -> Framework:
    """The framework, if this course (or the platform's library) holds it; else 404."""
    framework = db.session.scalar(
        select(Framework).where(Framework.id == framework_id, _visible(platform_id, course))
    )
    if framework is None:
        raise NotFound("No such framework in this platform's library.")
    return framework


@dataclass(frozen=True)
class Node:
    """One standard of a framework in tree order."""

    standard: Standard
    depth: int
    has_children: bool
    is_adopted: bool


def framework_nodes(course: Course | None, framework: Framework) -> list[Node]:
    """Every standard of the framework, parents before children, siblings in order.

    A standard with several parents is listed under the first one only.
    """
    standards = {
        s.id: s
        for s in db.session.scalars(select(Standard).where(Standard.framework_id == framework.id))
    }
    edges = db.session.execute(
        select(StandardEdge.parent_id, StandardEdge.child_id)
        .where(StandardEdge.framework_id == framework.id)
        .order_by(StandardEdge.parent_id, StandardEdge.position, StandardEdge.id)
    ).all()
    adopted = set(
        db.session.scalars(
            select(CourseStandard.standard_id).where(
                CourseStandard.course_id == (course.id if course else None),
                CourseStandard.standard_id.in_(list(standards)),
            )
        )
    )
    children: dict[int, list[int]] = {}
    has_parent: set[int] = set()
    for parent, child in edges:
        children.setdefault(parent, []).append(child)
        has_parent.add(child)
    roots = sorted(i for i in standards if i not in has_parent)
    tree = CourseTree(standards, children, roots, frozenset())
    return [
        Node(standards[node], depth, bool(children.get(node)), node in adopted)
        for node, depth in tree.with_depths()
    ]


@dataclass(frozen=True)
class OutlineRow:
    """A draft node in the preview: shown to `depth` 3, with how many nodes lie under it."""

    item: StandardDraft
    depth: int
    below: int


def draft_outline(draft: FrameworkDraft, max_depth: int = 3) -> list[OutlineRow]:
    """The top of a draft's tree for the preview (the rest is counted, not listed)."""
    rows: list[OutlineRow] = []
    for item, depth in _walk(draft):
        if depth < max_depth:
            rows.append(OutlineRow(item, depth, _count_below(draft, item.key)))
    return rows


def _walk(draft: FrameworkDraft) -> Iterator[tuple[StandardDraft, int]]:
    seen: set[str] = set()
    stack = [(root, 0) for root in reversed(draft.roots())]
    while stack:
        item, depth = stack.pop()
        if item.key in seen:
            continue
        seen.add(item.key)
        yield item, depth
        stack.extend((child, depth + 1) for child in reversed(draft.children_of(item.key)))


def _count_below(draft: FrameworkDraft, key: str) -> int:
    seen: set[str] = set()
    stack = [child.key for child in draft.children_of(key)]
    while stack:
        current = stack.pop()
        if current not in seen:
            seen.add(current)
            stack.extend(child.key for child in draft.children_of(current))
    return len(seen)
