"""Reading a course's exemptions as the calculations use them (writes: services/exemptions).

A student × standard exemption makes that cell, and every cell of its subtree, EXEMPT (see
mastery/exemptions.py). A student × assessment exemption is applied where evidence is read
(mastery_rows._live_evidence): that student's evidence from the assessment does not count.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select

from ..extensions import db
from ..mastery.exemptions import exempt_subtree
from ..models import Course, Exemption
from .frameworks import CourseTree, course_tree

Cell = tuple[int, int]  # (student id, standard id)


def exemptions_of(course: Course, student_ids: Collection[int] | None = None) -> list[Exemption]:
    """The course's exemption rows (of some students): one query."""
    query = select(Exemption).where(Exemption.course_id == course.id)
    if student_ids is not None:
        query = query.where(Exemption.student_id.in_(list(student_ids)))
    return list(db.session.scalars(query.order_by(Exemption.id)))


def exempt_standards(
    course: Course,
    tree: CourseTree | None = None,
    student_ids: Collection[int] | None = None,
    rows: Sequence[Exemption] | None = None,
) -> dict[int, set[int]]:
    """Each student's exempt adopted standards, subtrees included: one query unless `rows`
    (their exemptions, read already) is given; the tree is read only when needed and not given.
    """
    rows = exemptions_of(course, student_ids) if rows is None else rows
    targets: dict[int, set[int]] = {}
    for row in rows:
        if row.standard_id is not None:
            targets.setdefault(row.student_id, set()).add(row.standard_id)
    if not targets:
        return {}
    tree = tree or course_tree(course)
    return {
        student: exempt_subtree(found, tree.children) & tree.standards.keys()
        for student, found in targets.items()
    }


def exempt_cells(course: Course, student_ids: Collection[int]) -> set[Cell]:
    """The exempt (student, standard) cells of some students."""
    found = exempt_standards(course, None, student_ids)
    return {(student, standard) for student, standards in found.items() for standard in standards}


def exempt_assessments(rows: Sequence[Exemption]) -> set[int]:
    """The assessments exempted among some exemption rows (one student's, as read)."""
    return {row.assessment_id for row in rows if row.assessment_id is not None}
