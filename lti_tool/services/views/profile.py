"""A student's standards-first profile: to-do list, the course tree with levels and evidence."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from ...extensions import db
from ...mastery import MasteryResult, Score, SummaryGrade, build_todo
from ...models import Course, Evidence, Standard, User
from ..course_settings import domain_scale, settings_for
from ..exempt_cells import exempt_assessments, exemptions_of
from ..frameworks import CourseTree
from ..mastery import CourseMastery, load_scores, student_mastery
from ..mastery_rows import Cell
from ..rejections import reported
from .common import EvidenceItem, ScaleView, describe


@dataclass(frozen=True)
class Node:
    """One standard of the tree with the student's result and the evidence behind it."""

    standard: Standard
    depth: int
    result: MasteryResult
    is_priority: bool
    evidence: list[EvidenceItem]
    children: list[Node]


@dataclass(frozen=True)
class Todo:
    """A standard not yet at mastery and what to do about it."""

    standard: Standard
    result: MasteryResult
    is_priority: bool
    feedback: EvidenceItem | None  # the teacher's latest comment, with where and when
    next_step: str


@dataclass(frozen=True)
class Profile:
    """Everything the profile page shows, to-do list first, summary grade last."""

    student: User
    scale: ScaleView
    roots: list[Node]
    todo: list[Todo]
    summary: SummaryGrade | None

    def label_of(self, standard_id: int | None) -> str | None:
        """The label of a standard shown in the tree (None when it is not there)."""
        stack = list(self.roots)
        while stack:
            node = stack.pop()
            if node.standard.id == standard_id:
                return node.standard.label
            stack.extend(node.children)
        return None


def build_profile(course: Course, student: User, *, read_by_student: bool) -> Profile:
    """One student's profile in a fixed number of queries. Its next steps speak to the student
    when `read_by_student`, else of them, by first name (to a teacher, a family, a mentor)."""
    row = settings_for(course)
    exemptions = exemptions_of(course, [student.id])
    # The student's scores, read once: the results count their points, the to-do list their dates.
    scores = load_scores(course, row.scale_id, domain_scale(row.scale), student_ids=[student.id])
    mastery = student_mastery(course, student.id, row, exemptions, scores=scores)
    tree = mastery.tree
    scale = ScaleView(mastery.settings.scale)
    rows = db.session.scalars(
        select(Evidence)
        .where(
            Evidence.course_id == course.id,
            Evidence.student_id == student.id,
            Evidence.superseded_by_id.is_(None),
        )
        .order_by(Evidence.demonstrated_at, Evidence.id)
    ).all()
    items = describe(rows, scale, exempt_assessments(exemptions), course_scale=row.scale)
    by_standard: dict[int, list[EvidenceItem]] = {}
    for item in items:
        by_standard.setdefault(item.standard_id, []).append(item)
    return Profile(
        student=student,
        scale=scale,
        roots=_nodes(tree, mastery, student.id, by_standard),
        todo=_todo(
            mastery,
            student.id,
            by_standard,
            scores,
            about=None if read_by_student else student.given_name or student.display_name,
        ),
        summary=mastery.summaries.get(student.id),
    )


def _todo(
    mastery: CourseMastery,
    student_id: int,
    items: dict[int, list[EvidenceItem]],
    scores: Mapping[Cell, Sequence[Score]],
    *,
    about: str | None,
) -> list[Todo]:
    """The leaves not at mastery, most actionable first, with the latest feedback."""
    tree = mastery.tree
    feedback = {
        standard: commented[-1]
        for standard, found in items.items()
        # The teacher's feedback: a student's own reflection is not it.
        if (commented := [item for item in found if item.comment and not item.is_self])
    }
    with reported():
        todo = build_todo(
            {leaf: mastery.result(student_id, leaf) for leaf in tree.leaves()},
            mastery.settings,
            priority=tree.priority,
            comments={k: v.comment for k, v in feedback.items() if v.comment},
            scores={standard: found for (_, standard), found in scores.items()},
            about=about,
        )
    return [
        Todo(
            tree.standards[t.standard],  # type: ignore[index]
            t.result,
            t.is_priority,
            feedback.get(t.standard),  # type: ignore[arg-type]
            t.next_step,
        )
        for t in todo
    ]


def _nodes(
    tree: CourseTree,
    mastery: CourseMastery,
    student_id: int,
    items: dict[int, list[EvidenceItem]],
) -> list[Node]:
    """The tree from its roots; a node under several parents is shown under the first."""
    seen: set[int] = set()

    def build(node: int, depth: int) -> Node | None:
        if node in seen:
            return None
        seen.add(node)
        kids = [built for kid in tree.children.get(node, []) if (built := build(kid, depth + 1))]
        return Node(
            standard=tree.standards[node],
            depth=depth,
            result=mastery.result(student_id, node),
            is_priority=node in tree.priority,
            evidence=items.get(node, []),
            children=kids,
        )

    return [built for root in tree.roots if (built := build(root, 0))]
