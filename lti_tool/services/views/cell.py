"""One student's evidence on one standard: the drill-down behind a gradebook cell."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ...errors import NotFound
from ...extensions import db
from ...mastery import MasteryResult
from ...models import Assessment, Course, Standard, User
from ..evidence import history
from ..mastery import student_mastery
from .common import EvidenceItem, ScaleView, describe


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

    @property
    def live(self) -> list[EvidenceItem]:
        """The evidence that counts now, oldest first."""
        return [item for item in self.items if item.is_live]

    def item(self, evidence_id: int) -> EvidenceItem | None:
        return next((item for item in self.items if item.id == evidence_id), None)


def build_cell(course: Course, student: User, standard_id: int) -> CellView:
    """The drill-down of (student, standard); NotFound unless the course adopted the standard."""
    mastery = student_mastery(course, student.id)
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
    return CellView(
        student=student,
        standard=standard,
        result=mastery.result(student.id, standard_id),
        is_priority=standard_id in tree.priority,
        parents=parents,
        children=children,
        items=describe(history(course, student.id, standard_id), scale),
        scale=scale,
        assessments=list(assessments),
    )
