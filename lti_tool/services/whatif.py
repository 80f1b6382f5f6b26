"""What a change would do to a course's levels and summary grades, before saving it.

A settings change: the whole course computed twice from the stored evidence, under the settings
as they are and as proposed. Evidence re-mapped to other points (new cut scores of an LMS
column): the students it belongs to computed twice, with its points as they are and as they
would be. Neither writes anything (except the defaults row a course gets on first use, as any
read of its settings does).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from sqlalchemy import select

from ..errors import NotFound
from ..extensions import db
from ..mastery import Calculation, MasteryResult, MasterySettings, SummaryGrade
from ..mastery.results import NOT_ASSESSED
from ..mastery.whatif import describe_changes, is_shown_change
from ..models import Course, CourseSettings, Evidence, Scale
from .course_settings import check_scale_owner, domain_scale, mastery_settings, settings_for
from .exempt_cells import exempt_standards
from .frameworks import CourseTree, course_tree
from .mastery import (
    CourseMastery,
    assemble,
    counting_points,
    course_students,
    load_points,
    load_scores,
)
from .overrides import node_overrides, resolve
from .rejections import reported

# What `course_settings.change_settings` can change, plus the scale (`change_scale`).
STORED_FIELDS = ("method", "params", "min_evidence", "rollup", "policy", "policy_params", "maximum")


@dataclass(frozen=True, slots=True)
class LevelChange:
    """A standard (or a parent rolled up) whose shown level would change for one student."""

    standard_id: int
    before: MasteryResult
    after: MasteryResult


@dataclass(frozen=True, slots=True)
class StudentPreview:
    """One student's changes: the levels that would move, the summary grade before and after."""

    student_id: int
    levels: tuple[LevelChange, ...]  # in tree order, parents before their children
    before: SummaryGrade
    after: SummaryGrade

    @property
    def has_level_change(self) -> bool:
        return bool(self.levels)

    @property
    def has_grade_change(self) -> bool:
        """Whether the LMS would get another score (a student with none gets none either way)."""
        before, after = self.before, self.after
        return (before.score, before.maximum) != (after.score, after.maximum) and not (
            before.score is None and after.score is None
        )

    @property
    def has_explanation_change(self) -> bool:
        """Whether the sentence explaining the grade would change (sent as its comment)."""
        return self.before.explanation != self.after.explanation


@dataclass(frozen=True)
class SettingsPreview:
    """The students a settings change would affect, and how, by student id."""

    current: MasterySettings
    proposed: MasterySettings
    students: tuple[StudentPreview, ...]  # only students with any change

    @property
    def levels_changed(self) -> int:
        """How many students would see at least one level change."""
        return sum(student.has_level_change for student in self.students)

    @property
    def cells_changed(self) -> int:
        """How many (student, standard) levels would change, parents included."""
        return sum(len(student.levels) for student in self.students)

    @property
    def grades_changed(self) -> int:
        """How many summary grades sent to the LMS would change."""
        return sum(student.has_grade_change for student in self.students)

    @property
    def summary(self) -> str:
        """E.g. "7 students' levels change; 3 summary grades change"."""
        return describe_changes(self.levels_changed, self.grades_changed)


def preview_settings_change(course: Course, **changes: object) -> SettingsPreview:
    """Levels and summary grades under the current settings and under `changes`.

    `changes` takes what `change_settings` takes, `scale` (a Scale row, as for
    `change_scale`), and `overrides`: {node id: Calculation, or None to clear} as
    `overrides.set_override` / `clear_override` would set them on a standard or a branch,
    resolved over the tree as every computation resolves them. Invalid values raise the
    MasteryRejected that saving them would.
    """
    unknown = set(changes) - {*STORED_FIELDS, "scale", "overrides"}
    if unknown:
        raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
    row = settings_for(course)
    tree = course_tree(course)
    current = mastery_settings(course, row, tree=tree)
    scale = changes.pop("scale", None) or row.scale
    if not isinstance(scale, Scale):
        raise TypeError(f"scale must be a Scale row, got {scale!r}")
    override_changes = changes.pop("overrides", None) or {}
    proposed = _proposed(course, row, current, scale, changes)
    if override_changes:
        proposed = _with_overrides(course, tree, proposed, override_changes)
    points = load_points(course, row.scale_id, current.scale, keep=tree.standards)
    students = course_students(course, {student for student, _ in points})
    exempt = exempt_standards(course, tree)
    before = assemble(current, tree, students, points, exempt)
    if scale.id != row.scale_id:  # evidence is rescaled to the proposed scale
        points = load_points(course, scale.id, proposed.scale, keep=tree.standards)
    after = assemble(proposed, tree, students, points, exempt)
    order = tree.preorder()
    changed = (_student_preview(before, after, student, order) for student in students)
    return SettingsPreview(current, proposed, tuple(s for s in changed if s is not None))


def preview_evidence_change(course: Course, new_points: Mapping[int, float]) -> SettingsPreview:
    """Levels and summary grades if these live evidence rows (by id) had other points on the
    course scale, as a sync re-mapping them would record (same date), for the students they
    belong to; the settings stay as they are."""
    row = settings_for(course)
    tree = course_tree(course)
    settings = mastery_settings(course, row, tree=tree)
    students = sorted(
        db.session.scalars(
            select(Evidence.student_id)
            .where(Evidence.course_id == course.id, Evidence.id.in_(list(new_points)))
            .distinct()
        )
    )
    if not students:
        return SettingsPreview(settings, settings, ())
    scores = load_scores(course, row.scale_id, settings.scale, student_ids=students)
    remapped = {
        cell: [
            replace(score, points=new_points[score.entry_id])
            if score.entry_id in new_points
            else score
            for score in found
        ]
        for cell, found in scores.items()
    }
    exempt = exempt_standards(course, tree, students)
    keep = tree.standards
    before, after = (
        assemble(settings, tree, students, counting_points(cells, settings.scale, keep), exempt)
        for cells in (scores, remapped)
    )
    order = tree.preorder()
    changed = (_student_preview(before, after, student, order) for student in students)
    return SettingsPreview(settings, settings, tuple(s for s in changed if s is not None))


def _proposed(
    course: Course,
    row: CourseSettings,
    current: MasterySettings,
    scale: Scale,
    changes: Mapping[str, object],
) -> MasterySettings:
    """The settings saving `changes` would give: the stored values overlaid, validated alike.

    Overlaid on the stored row, not on `current`, whose params have defaults filled in: a
    method change that keeps another method's stored params is refused, as saving it is.
    """
    check_scale_owner(course, scale)
    values = {name: getattr(row, name) for name in STORED_FIELDS} | dict(changes)
    with reported():
        proposed_scale = current.scale if scale.id == row.scale_id else domain_scale(scale)
        return replace(current, scale=proposed_scale, **values)


def _with_overrides(
    course: Course, tree: CourseTree, proposed: MasterySettings, changes: object
) -> MasterySettings:
    """`proposed` with the overrides set on nodes changed, then resolved again."""
    if not isinstance(changes, Mapping):
        raise TypeError(f"overrides must map standard ids to a Calculation or None: {changes!r}")
    set_on = node_overrides(course)
    for node, calculation in changes.items():
        if node not in tree.standards:
            raise NotFound("This course has not adopted that standard.")
        if calculation is None:
            set_on.pop(node, None)
        elif isinstance(calculation, Calculation):
            set_on[node] = calculation
        else:
            raise TypeError(f"an override must be a Calculation or None, got {calculation!r}")
    with reported():
        return replace(proposed, overrides=resolve(tree, set_on).effective)


def _student_preview(
    before: CourseMastery, after: CourseMastery, student: int, order: list[int]
) -> StudentPreview | None:
    """One student's changes, or None when nothing they or the LMS see would change."""
    levels = tuple(_level_changes(before, after, student, order))
    found = StudentPreview(student, levels, before.summaries[student], after.summaries[student])
    is_seen = found.has_level_change or found.has_grade_change or found.has_explanation_change
    return found if is_seen else None


def _level_changes(
    before: CourseMastery, after: CourseMastery, student: int, order: list[int]
) -> list[LevelChange]:
    """The shown levels that differ, over every adopted node in `order` (the tree's)."""
    same_rollup = (before.settings.scale, before.settings.rollup) == (
        after.settings.scale,
        after.settings.rollup,
    )
    if same_rollup and before.leaves.get(student) == after.leaves.get(student):
        return []  # equal direct results roll up to equal parents: skip the roll-up
    old, new = before.rolled_up(student), after.rolled_up(student)
    changes = []
    for standard in order:
        was, will = old.get(standard, NOT_ASSESSED), new.get(standard, NOT_ASSESSED)
        if is_shown_change(was, will):
            changes.append(LevelChange(standard, was, will))
    return changes
