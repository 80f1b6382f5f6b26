"""The cut score editor's preview: who has evidence whose level the new cut scores change."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from ...extensions import db
from ...models import Course, User
from ..course_settings import settings_for
from ..frameworks import course_tree
from ..lms_results import Remap
from ..roster import name_key


@dataclass(frozen=True)
class RemapRow:
    student: str
    standard: str
    percent: str
    before: str
    after: str


def remap_rows(course: Course, remaps: list[Remap]) -> list[RemapRow]:
    """Each re-mapped piece of evidence by name and label, in class-list order (one query)."""
    if not remaps:
        return []
    standards = course_tree(course).standards
    labels = {level.points: level.label for level in settings_for(course).scale.levels}
    people = {
        user.id: user
        for user in db.session.scalars(
            select(User).where(User.id.in_({remap.student_id for remap in remaps}))
        )
    }
    ordered = sorted(
        remaps,
        key=lambda r: (name_key(people[r.student_id]), standards[r.standard_id].label),
    )
    return [
        RemapRow(
            student=people[remap.student_id].display_name,
            standard=standards[remap.standard_id].label,
            percent=f"{round(remap.percent, 1):g}",
            before=labels.get(remap.before, f"{remap.before:g}"),
            after=labels.get(remap.after, f"{remap.after:g}"),
        )
        for remap in ordered
    ]
