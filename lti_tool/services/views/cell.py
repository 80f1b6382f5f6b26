"""One student's evidence on one standard: the drill-down behind a gradebook cell."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from ...errors import NotFound
from ...extensions import db
from ...mastery import MasteryResult
from ...mastery.exemptions import REASONS, exempt_subtree, reason_label
from ...models import Assessment, Course, Exemption, Standard, User
from ..course_settings import settings_for
from ..evidence import history
from ..exempt_cells import exemptions_of
from ..frameworks import CourseTree
from ..mastery import student_mastery
from .common import EvidenceItem, ScaleView, describe


@dataclass(frozen=True)
class ExemptionView:
    """An exemption as the teacher sees it: on what, why, by whom and when."""

    row: Exemption
    target: str  # the standard's label or the assessment's title
    reason: str
    set_by: str | None


@dataclass(frozen=True)
class CellView:
    """The cell's current result, its whole history (corrections included) and the choices."""

    student: User
    standard: Standard
    result: MasteryResult
    is_priority: bool
    parents: list[Standard]
    children: list[tuple[Standard, MasteryResult]]
    items: list[EvidenceItem]
    scale: ScaleView
    assessments: list[Assessment]
    exemption: ExemptionView | None  # on this standard, or on a parent that covers it
    is_inherited: bool  # the exemption is a parent's
    assessment_exemptions: list[ExemptionView]
    reasons: dict[str, str]

    @property
    def live(self) -> list[EvidenceItem]:
        """The evidence that counts now, oldest first."""
        return [item for item in self.items if item.is_live]

    def item(self, evidence_id: int) -> EvidenceItem | None:
        return next((item for item in self.items if item.id == evidence_id), None)


def build_cell(course: Course, student: User, standard_id: int) -> CellView:
    """The drill-down of (student, standard); NotFound unless the course adopted the standard."""
    settings = settings_for(course)
    rows = exemptions_of(course, [student.id])
    mastery = student_mastery(course, student.id, settings, exemptions=rows)
    tree = mastery.tree
    standard = tree.standards.get(standard_id)
    if standard is None:
        raise NotFound("This course has not adopted that standard.")
    scale = ScaleView(mastery.settings.scale)
    parents = [tree.standards[p] for p, kids in tree.children.items() if standard_id in kids]
    children = [
        (tree.standards[child], mastery.result(student.id, child))
        for child in tree.children.get(standard_id, [])
    ]
    assessments = db.session.scalars(
        select(Assessment).where(Assessment.course_id == course.id).order_by(Assessment.title)
    ).all()
    found = _exemptions(tree, rows, assessments)
    on_standard = next(
        (
            view
            for view in found
            if view.row.standard_id is not None
            and standard_id in exempt_subtree({view.row.standard_id}, tree.children)
        ),
        None,
    )
    excused = [view for view in found if view.row.assessment_id is not None]
    return CellView(
        student=student,
        standard=standard,
        result=mastery.result(student.id, standard_id),
        is_priority=standard_id in tree.priority,
        parents=parents,
        children=children,
        items=describe(
            history(course, student.id, standard_id),
            scale,
            {view.row.assessment_id for view in excused if view.row.assessment_id},
            course_scale=settings.scale,
        ),
        scale=scale,
        assessments=list(assessments),
        exemption=on_standard,
        is_inherited=on_standard is not None and on_standard.row.standard_id != standard_id,
        assessment_exemptions=excused,
        reasons=dict(REASONS),
    )


def _exemptions(
    tree: CourseTree, rows: list[Exemption], assessments: Sequence[Assessment]
) -> list[ExemptionView]:
    """The student's exemptions named (authors: one query when there are any)."""
    people = (
        {
            user.id: user.display_name
            for user in db.session.scalars(
                select(User).where(User.id.in_({row.set_by_id for row in rows if row.set_by_id}))
            )
        }
        if rows
        else {}
    )
    titles = {assessment.id: assessment.title for assessment in assessments}
    views = []
    for row in rows:
        if row.standard_id is not None:
            standard = tree.standards.get(row.standard_id)
            if standard is None:
                continue  # a standard the course no longer adopts
            target = standard.label
        else:
            target = titles.get(row.assessment_id or 0, "an assessment")
        author = people.get(row.set_by_id) if row.set_by_id else None
        views.append(ExemptionView(row, target, reason_label(row.reason), author))
    return views
