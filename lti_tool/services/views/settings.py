"""The course settings page: the scales a course may pick, and a what-if preview with names."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ...extensions import db
from ...mastery import SummaryGrade
from ...models import Course, Job, Scale, User
from ...translatable import N_
from ..course_settings import ensure_presets, settings_for
from ..frameworks import course_tree
from ..roster import name_key
from ..whatif import SettingsPreview
from .common import status_text


@dataclass(frozen=True)
class LevelMove:
    standard: str
    before: str
    after: str


@dataclass(frozen=True)
class PreviewRow:
    """One student whose levels or summary grade would change."""

    name: str
    levels: list[LevelMove]
    grade_before: str
    grade_after: str
    explanation_after: str
    has_grade_change: bool


def course_scales(course: Course) -> list[Scale]:
    """The platform's presets (materialised on first use) and the course's own scales."""
    ensure_presets(course.platform)
    return list(
        db.session.scalars(
            select(Scale)
            .where(
                Scale.platform_id == course.platform_id,
                or_(Scale.course_id.is_(None), Scale.course_id == course.id),
            )
            .options(selectinload(Scale.levels))
            .order_by(Scale.course_id.is_(None), Scale.name, Scale.id)
        )
    )


def offered_scales(course: Course) -> list[Scale]:
    """The scales a course's settings offer: the presets its administrators offer, the course's
    newest own scale and the one it uses (even a preset no longer offered). Its older own
    scales stay for the evidence recorded on them, not as choices (each edit of the course's
    scale makes a new one)."""
    in_use = settings_for(course).scale_id
    scales = course_scales(course)
    newest = max((scale.id for scale in scales if scale.course_id is not None), default=None)
    return [
        scale
        for scale in scales
        if scale.id in (newest, in_use) or (scale.course_id is None and scale.retired_at is None)
    ]


def preview_rows(course: Course, preview: SettingsPreview) -> list[PreviewRow]:
    """Who would see a change, and which, in class-list order (two queries)."""
    if not preview.students:
        return []
    tree = course_tree(course)
    people = {
        user.id: user
        for user in db.session.scalars(
            select(User).where(User.id.in_([s.student_id for s in preview.students]))
        )
    }
    rows = []
    for student in sorted(preview.students, key=lambda s: name_key(people[s.student_id])):
        moves = [
            LevelMove(
                tree.standards[move.standard_id].label,
                status_text(move.before),
                status_text(move.after),
            )
            for move in student.levels
        ]
        rows.append(
            PreviewRow(
                name=people[student.student_id].display_name,
                levels=moves,
                grade_before=grade_text(student.before),
                grade_after=grade_text(student.after),
                explanation_after=student.after.explanation,
                has_grade_change=student.has_grade_change,
            )
        )
    return rows


def grade_text(grade: SummaryGrade) -> str:
    """The summary grade as the previews show it (its absence in the page's language)."""
    if grade.score is None:
        return N_("no grade")
    return f"{grade.score:g} / {grade.maximum:g}"


def latest_recompute(course: Course) -> Job | None:
    """The course's newest recompute job (the settings page shows its progress)."""
    return db.session.scalar(
        select(Job)
        .where(Job.course_id == course.id, Job.kind == "recompute")
        .order_by(Job.id.desc())
        .limit(1)
    )
