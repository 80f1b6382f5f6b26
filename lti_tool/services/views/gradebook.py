"""The teacher's grid: students × adopted standards from the stored current levels.

Queries are fixed in number: settings with their scale, overrides, the tree (2), the stored
levels, the students, and the course's sections when students are in any. Parents are rolled
up from the stored leaves when read, as `CourseMastery.rolled_up` does for computed ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from ...mastery import MasteryResult, SummaryGrade
from ...mastery.results import NOT_ASSESSED
from ...models import Course, Standard, User
from ..course_settings import mastery_settings, settings_for
from ..frameworks import CourseTree, course_tree
from ..mastery import CourseMastery, stored_levels
from ..rejections import reported
from ..roster import learners, name_key
from ..sections import SectionChoice, in_section, section_choices
from .common import ScaleView


@dataclass(frozen=True)
class Column:
    """One standard's column; `ancestors` are the shown columns above it, nearest last."""

    standard: Standard
    depth: int
    ancestors: tuple[int, ...]
    has_children: bool
    is_priority: bool


@dataclass(frozen=True)
class Row:
    """One student's line: every node's result (parents rolled up) and the summary grade."""

    student: User
    results: Mapping[int, MasteryResult]
    summary: SummaryGrade | None

    def result(self, standard_id: int) -> MasteryResult:
        return self.results.get(standard_id, NOT_ASSESSED)


@dataclass(frozen=True)
class Gradebook:
    """What the grid page shows, already filtered and sorted."""

    scale: ScaleView
    columns: list[Column]
    rows: list[Row]
    adopted: int
    priority_count: int
    branches: list[Column]
    sections: list[SectionChoice]

    def children_of(self, standard_id: int) -> list[int]:
        """The shown columns directly under this one (what its toggle hides)."""
        return [c.standard.id for c in self.columns if c.ancestors[-1:] == (standard_id,)]


def build_gradebook(
    course: Course,
    *,
    priority_only: bool = False,
    sort: str = "name",
    by: int | None = None,
    branch: int | None = None,
    section: str | None = None,
) -> Gradebook:
    """The grid for a course, in a number of queries that does not depend on its size.

    `branch` keeps the columns of one branch or unit of the tree; `section` the students the
    platform placed in one section (sections.UNKNOWN: those it has not placed yet)."""
    row = settings_for(course)
    tree = course_tree(course)
    settings = mastery_settings(course, row, tree=tree)
    stored = stored_levels(course, scale=settings.scale)
    enrolled = learners(course)
    students = [s.user for s in enrolled if in_section(s.section_ids, section)]
    leaves: dict[int, dict[int, MasteryResult]] = {student.id: {} for student in students}
    cells: dict[tuple[int, int], MasteryResult] = {}
    adopted, leaves_of = tree.standards, leaves.get
    for cell, result in stored.items():
        if cell[1] in adopted:
            cells[cell] = result
            found = leaves_of(cell[0])  # someone no longer a learner keeps history only
            if found is not None:
                found[cell[1]] = result
    with reported():
        summaries = {
            sid: settings.summarise(found, priority=tree.priority) for sid, found in leaves.items()
        }
    mastery = CourseMastery(settings, tree, list(leaves), cells, leaves, summaries)
    rows = [Row(s, mastery.rolled_up(s.id), summaries[s.id]) for s in students]
    keep = set(tree.priority) if priority_only else set(tree.standards)
    if branch is not None:
        keep &= tree.subtree(branch)
    all_columns = columns_of(tree, set(tree.standards))
    return Gradebook(
        scale=ScaleView(settings.scale),
        columns=columns_of(tree, keep),
        rows=sort_rows(rows, sort, by),
        adopted=len(tree.standards),
        priority_count=len(tree.priority),
        branches=[column for column in all_columns if column.has_children],
        # Only a course whose platform placed students in sections has any to choose from.
        sections=section_choices(course) if any(s.section_ids for s in enrolled) else [],
    )


def columns_of(tree: CourseTree, keep: set[int]) -> list[Column]:
    """Kept nodes in tree order; a node's parent column is its nearest kept ancestor."""
    columns: list[Column] = []
    seen: set[int] = set()
    stack: list[tuple[int, tuple[int, ...]]] = [(root, ()) for root in reversed(tree.roots)]
    while stack:
        node, path = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        below = path
        if node in keep:
            standard = tree.standards[node]
            columns.append(Column(standard, len(path), path, False, node in tree.priority))
            below = (*path, node)
        stack.extend((child, below) for child in reversed(tree.children.get(node, [])))
    parents = {column.ancestors[-1] for column in columns if column.ancestors}
    return [replace(c, has_children=c.standard.id in parents) for c in columns]


def sort_rows(rows: list[Row], sort: str, by: int | None) -> list[Row]:
    """By name; by summary grade or by one standard's level, lowest first, unassessed last."""
    by_name = sorted(rows, key=lambda r: name_key(r.student))
    if sort == "summary":
        return sorted(by_name, key=lambda r: _score_key(r.summary.score if r.summary else None))
    if sort == "level" and by is not None:
        return sorted(by_name, key=lambda r: _score_key(r.result(by).points))
    return by_name


def _score_key(value: float | None) -> tuple[bool, float]:
    return (value is None, value if value is not None else 0.0)
