"""Computing a course's mastery from its evidence in a fixed number of queries.

Stored current levels (CurrentLevel) hold the result of each (student, standard) cell that
has evidence; roll-ups to parent standards and summary grades are computed when read, from
those cells, because a parent depends on every child and storing it would turn each evidence
write into a walk up the DAG.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy import select

from ..extensions import db, upsert_insert
from ..mastery import MasteryResult, MasterySettings, Score, Status, SummaryGrade
from ..mastery import Scale as DomainScale
from ..mastery.gradebook import calculators, compute_points
from ..mastery.results import EXEMPT, NOT_ASSESSED
from ..mastery.rollup import RollupPlan
from ..models import Course, CourseSettings, CurrentLevel, Enrollment, Exemption
from ..models.types import utcnow
from .course_settings import domain_scale, mastery_settings, settings_for
from .exempt_cells import exempt_cells, exempt_standards
from .frameworks import CourseTree, course_tree
from .mastery_rows import (
    STORED,
    Cell,
    Stored,
    counting_points,
    load_points,
    stored_result_rows,
    write_levels,
)
from .mastery_rows import load_scores as load_scores  # re-exported: pages import it from here
from .rejections import reported

STATUSES = {status.value: status for status in Status}


@dataclass(frozen=True)
class CourseMastery:
    """Every student's results on the adopted standards, and their summary grades.

    Roll-ups to parent standards are computed per student on first read and cached: the
    summary grade and the stored levels never need them, a profile page needs one student's.
    """

    settings: MasterySettings
    tree: CourseTree
    students: list[int]
    cells: dict[Cell, MasteryResult]  # direct results, for cells with evidence
    leaves: dict[int, dict[int, MasteryResult]]  # the same, by student
    summaries: dict[int, SummaryGrade]
    _rolled: dict[int, dict[int, MasteryResult]] = field(default_factory=dict, repr=False)

    @cached_property
    def _rollup(self) -> RollupPlan[int]:
        """The tree's bottom-up order, worked out once for every student."""
        return RollupPlan(self.tree.children, self.settings.scale, self.settings.rollup)

    def rolled_up(self, student_id: int) -> dict[int, MasteryResult]:
        """One student's results on every adopted node, parents rolled up from children."""
        found = self._rolled.get(student_id)
        if found is None:
            with reported():
                found = self._rollup.apply(self.leaves.get(student_id, {}))
            self._rolled[student_id] = found
        return found

    def result(self, student_id: int, standard_id: int) -> MasteryResult:
        return self.rolled_up(student_id).get(standard_id, NOT_ASSESSED)


def course_mastery(
    course: Course, settings: MasterySettings, scale_id: int, tree: CourseTree | None = None
) -> CourseMastery:
    """Whole course under `settings`, the course's own or proposed ones: constant queries.

    `scale_id` is the stored scale `settings.scale` comes from: evidence given on any other
    scale is rescaled to it.
    """
    tree = tree or course_tree(course)
    points = load_points(course, scale_id, settings.scale, keep=tree.standards)
    students = course_students(course, {student for student, _ in points})
    return assemble(settings, tree, students, points, exempt_standards(course, tree))


def compute_course_mastery(course: Course) -> CourseMastery:
    """Whole course: a constant number of queries, whatever the number of students."""
    row = settings_for(course)
    tree = course_tree(course)
    return course_mastery(course, mastery_settings(course, row, tree=tree), row.scale_id, tree)


def student_mastery(
    course: Course,
    student_id: int,
    row: CourseSettings | None = None,
    exemptions: Sequence[Exemption] | None = None,
    *,
    scores: Mapping[Cell, Sequence[Score]] | None = None,
) -> CourseMastery:
    """One student's results on every adopted standard, with roll-ups and summary.

    `row` is the course's settings row, `exemptions` the student's exemption rows and `scores`
    the student's evidence as `load_scores` gives it, when the caller has read them already.
    """
    row = row or settings_for(course)
    tree = course_tree(course)
    settings = mastery_settings(course, row, tree=tree)
    if scores is not None:
        points = counting_points(scores, settings.scale, keep=tree.standards)
    else:
        points = load_points(
            course, row.scale_id, settings.scale, student_ids=[student_id], keep=tree.standards
        )
    exempt = exempt_standards(course, tree, [student_id], exemptions)
    return assemble(settings, tree, [student_id], points, exempt)


def standard_mastery(course: Course, standard_id: int) -> dict[int, MasteryResult]:
    """Every student's result on one standard (rolled up from its subtree when it has one)."""
    row = settings_for(course)
    tree = course_tree(course)
    settings = mastery_settings(course, row, tree=tree)
    subtree = tree.subtree(standard_id)
    points = load_points(course, row.scale_id, settings.scale, standard_ids=subtree)
    students = course_students(course, {student for student, _ in points})
    mastery = assemble(settings, tree, students, points, exempt_standards(course, tree))
    return {student: mastery.result(student, standard_id) for student in students}


def course_students(course: Course, with_evidence: set[int]) -> list[int]:
    """Enrolled learners, plus anyone who has evidence (a student who left keeps history)."""
    enrolled = db.session.scalars(
        select(Enrollment.user_id).where(
            Enrollment.course_id == course.id, Enrollment.role == "student"
        )
    ).all()
    return sorted(set(enrolled) | with_evidence)


def assemble(
    settings: MasterySettings,
    tree: CourseTree,
    students: list[int],
    points: Mapping[Cell, Sequence[float]],
    exempt: Mapping[int, Collection[int]] | None = None,
) -> CourseMastery:
    """Results and summary grades from each cell's counting points (see `load_points`).

    `exempt` holds each student's exempt standards (`exempt_standards`): their cells are
    EXEMPT, with or without evidence, and so out of the summaries and roll-ups.
    """
    with reported():
        cells = compute_points(points, settings)
        listed = set(students)
        for student, standards in (exempt or {}).items():
            if student in listed:
                cells.update(((student, standard), EXEMPT) for standard in standards)
        leaves: dict[int, dict[int, MasteryResult]] = {student: {} for student in students}
        for (student, standard), result in cells.items():
            leaves.setdefault(student, {})[standard] = result
        summarise, priority = settings.summarise, tree.priority
        summaries = {
            student: summarise(found, priority=priority) for student, found in leaves.items()
        }
    return CourseMastery(settings, tree, students, cells, leaves, summaries)


def recompute_course(course: Course) -> int:
    """Bring every stored current level of a course up to date; returns the cells stored."""
    fresh = {cell: _stored(result) for cell, result in compute_course_mastery(course).cells.items()}
    write_levels(course, fresh)
    return len(fresh)


def refresh_levels(course: Course, cells: Collection[Cell]) -> None:
    """Recompute and store the current level of some cells, in the caller's transaction."""
    if not cells:
        return
    row = settings_for(course)
    settings = mastery_settings(course, row)
    students = {student for student, _ in cells}
    standards = {standard for _, standard in cells}
    points = load_points(
        course, row.scale_id, settings.scale, student_ids=students, standard_ids=standards
    )
    exempt = exempt_cells(course, students)
    now = utcnow()
    calculator_for = calculators(settings)
    values = []
    for student, standard in cells:
        if (student, standard) in exempt:
            result = EXEMPT
        else:
            with reported():
                result = calculator_for(standard).of_points(points.get((student, standard), ()))
        row_values = dict(zip(STORED, _stored(result), strict=True))
        keys = {"course_id": course.id, "student_id": student, "standard_id": standard}
        values.append(keys | row_values | {"updated_at": now})
    _upsert(values)


def _stored(result: MasteryResult) -> Stored:
    """The stored columns of a result."""
    label = result.level.label if result.level else None
    return result.status.value, result.points, label, result.evidence_count


def _upsert(values: list[dict[str, object]]) -> None:
    """INSERT ... ON CONFLICT DO UPDATE, so two writers on one cell cannot collide."""
    # Chunks keep each statement under SQLite's bound-parameter limit.
    for start in range(0, len(values), 1000):
        statement = upsert_insert(CurrentLevel).values(values[start : start + 1000])
        upsert = statement.on_conflict_do_update(
            index_elements=["course_id", "student_id", "standard_id"],
            set_={key: statement.excluded[key] for key in (*STORED, "updated_at")},
        )
        # RETURNING the entity refreshes rows the session already holds.
        db.session.scalars(
            upsert.returning(CurrentLevel), execution_options={"populate_existing": True}
        ).all()


def stored_levels(
    course: Course,
    *,
    student_ids: Collection[int] | None = None,
    scale: DomainScale | None = None,
) -> dict[Cell, MasteryResult]:
    """The stored current levels as results (what the gradebook reads): one query.

    `scale` is the course's, when the caller has it already (else its settings are read).
    """
    scale = scale or domain_scale(settings_for(course).scale)
    results: dict[Cell, MasteryResult] = {}
    shared: dict[tuple[str, float | None, int], MasteryResult] = {}  # results are immutable
    for student, standard, status, points, count in stored_result_rows(course, student_ids):
        result = shared.get((status, points, count))
        if result is None:
            level = scale.level_for(points) if points is not None else None
            result = MasteryResult(STATUSES[status], points, level, count)
            shared[(status, points, count)] = result
        results[(student, standard)] = result
    return results
