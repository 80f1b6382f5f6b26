"""Loading a course's evidence in a fixed number of queries and computing mastery from it.

Stored current levels (CurrentLevel) hold the result of each (student, standard) cell that
has evidence; roll-ups to parent standards and summary grades are computed when read, from
those cells, because a parent depends on every child and storing it would turn each evidence
write into a walk up the DAG.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import Unicode, delete, insert, select, type_coerce
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..mastery import (
    Calculator,
    MasteryResult,
    MasterySettings,
    Score,
    Status,
    SummaryGrade,
    compute_course,
    rollup_tree,
)
from ..mastery import Scale as DomainScale
from ..mastery.results import NOT_ASSESSED
from ..models import Course, CurrentLevel, Enrollment, Evidence, Scale
from ..models.types import utcnow
from .course_settings import domain_scale, mastery_settings, settings_for
from .frameworks import CourseTree, course_tree
from .rejections import reported

Cell = tuple[int, int]  # (student id, standard id)
Converter = Callable[[float, bool], tuple[float, bool]]


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

    def rolled_up(self, student_id: int) -> dict[int, MasteryResult]:
        """One student's results on every adopted node, parents rolled up from children."""
        found = self._rolled.get(student_id)
        if found is None:
            with reported():
                found = rollup_tree(
                    self.tree.children,
                    self.leaves.get(student_id, {}),
                    self.settings.scale,
                    self.settings.rollup,
                )
            self._rolled[student_id] = found
        return found

    def result(self, student_id: int, standard_id: int) -> MasteryResult:
        return self.rolled_up(student_id).get(standard_id, NOT_ASSESSED)


def load_scores(
    course: Course,
    scale_id: int,
    scale: DomainScale,
    *,
    student_ids: Collection[int] | None = None,
    standard_ids: Collection[int] | None = None,
) -> dict[Cell, list[Score]]:
    """Live evidence as Scores on the course scale, by cell: one query (two if scales differ)."""
    query = select(
        Evidence.student_id,
        Evidence.standard_id,
        Evidence.points,
        # Raw values, converted once per distinct instant below (evidence of one assessment
        # shares its date): parsing 70,000 timestamps is most of the load time on SQLite.
        type_coerce(Evidence.demonstrated_at, Unicode),
        Evidence.id,
        Evidence.is_exempt,
        Evidence.scale_id,
    ).where(Evidence.course_id == course.id, Evidence.superseded_by_id.is_(None))
    if student_ids is not None:
        query = query.where(Evidence.student_id.in_(list(student_ids)))
    if standard_ids is not None:
        query = query.where(Evidence.standard_id.in_(list(standard_ids)))
    rows = db.session.execute(query).all()
    convert = _converters(scale_id, scale, {row[6] for row in rows})
    instants: dict[object, datetime] = {}
    cells: dict[Cell, list[Score]] = {}
    for student, standard, points, raw, entry, is_exempt, given_on in rows:
        when = instants.get(raw) or instants.setdefault(raw, _instant(raw))
        if given_on != scale_id:
            points, is_exempt = convert[given_on](points, is_exempt)
        cells.setdefault((student, standard), []).append(Score(points, when, entry, is_exempt))
    return cells


def _instant(raw: object) -> datetime:
    """An aware UTC datetime from what the driver returned (text on SQLite)."""
    value = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _converters(scale_id: int, scale: DomainScale, used: set[int]) -> dict[int, Converter]:
    """Point converters from older scales: the evidence keeps its scale, the maths adapts.

    Points map linearly between the scoring ranges; an old non-score level stays out.
    """
    others = used - {scale_id}
    if not others:
        return {}
    rows = db.session.scalars(
        select(Scale).where(Scale.id.in_(others)).options(selectinload(Scale.levels))
    ).all()
    converters: dict[int, Converter] = {}
    for row in rows:
        old = domain_scale(row)

        def convert(points: float, is_exempt: bool, old: DomainScale = old) -> tuple[float, bool]:
            if points in old.non_score_points:
                return scale.min_points, True
            share = (points - old.min_points) / (old.max_points - old.min_points)
            span = scale.max_points - scale.min_points
            return scale.min_points + min(max(share, 0.0), 1.0) * span, is_exempt

        converters[row.id] = convert
    return converters


def compute_course_mastery(course: Course) -> CourseMastery:
    """Whole course: a constant number of queries, whatever the number of students."""
    row = settings_for(course)
    settings = mastery_settings(course, row)
    tree = course_tree(course)
    scores = load_scores(course, row.scale_id, settings.scale)
    cells = {cell: s for cell, s in scores.items() if cell[1] in tree.standards}
    students = _students(course, {student for student, _ in cells})
    return _assemble(settings, tree, students, cells)


def student_mastery(course: Course, student_id: int) -> CourseMastery:
    """One student's results on every adopted standard, with roll-ups and summary."""
    row = settings_for(course)
    settings = mastery_settings(course, row)
    tree = course_tree(course)
    scores = load_scores(course, row.scale_id, settings.scale, student_ids=[student_id])
    cells = {cell: s for cell, s in scores.items() if cell[1] in tree.standards}
    return _assemble(settings, tree, [student_id], cells)


def standard_mastery(course: Course, standard_id: int) -> dict[int, MasteryResult]:
    """Every student's result on one standard (rolled up from its subtree when it has one)."""
    row = settings_for(course)
    settings = mastery_settings(course, row)
    tree = course_tree(course)
    subtree = _subtree(tree, standard_id)
    scores = load_scores(course, row.scale_id, settings.scale, standard_ids=subtree)
    students = _students(course, {student for student, _ in scores})
    mastery = _assemble(settings, tree, students, scores)
    return {student: mastery.result(student, standard_id) for student in students}


def _subtree(tree: CourseTree, root: int) -> set[int]:
    found, stack = {root}, [root]
    while stack:
        for child in tree.children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _students(course: Course, with_evidence: set[int]) -> list[int]:
    """Enrolled learners, plus anyone who has evidence (a student who left keeps history)."""
    enrolled = db.session.scalars(
        select(Enrollment.user_id).where(
            Enrollment.course_id == course.id, Enrollment.role == "student"
        )
    ).all()
    return sorted(set(enrolled) | with_evidence)


def _assemble(
    settings: MasterySettings,
    tree: CourseTree,
    students: list[int],
    scores: Mapping[Cell, list[Score]],
) -> CourseMastery:
    with reported():
        cells = compute_course(scores, settings)
        leaves: dict[int, dict[int, MasteryResult]] = {student: {} for student in students}
        for (student, standard), result in cells.items():
            leaves.setdefault(student, {})[standard] = result
        summaries = {
            student: settings.summarise(results, priority=tree.priority)
            for student, results in leaves.items()
        }
    return CourseMastery(settings, tree, students, cells, leaves, summaries)


def recompute_course(course: Course) -> int:
    """Rewrite every stored current level of a course (after a settings change); returns rows."""
    mastery = compute_course_mastery(course)
    db.session.execute(delete(CurrentLevel).where(CurrentLevel.course_id == course.id))
    now = utcnow()
    rows = [_level_row(course.id, cell, result, now) for cell, result in mastery.cells.items()]
    if rows:
        db.session.execute(insert(CurrentLevel), rows)
    return len(rows)


def refresh_levels(course: Course, cells: Collection[Cell]) -> None:
    """Recompute and store the current level of some cells, in the caller's transaction."""
    if not cells:
        return
    row = settings_for(course)
    settings = mastery_settings(course, row)
    students = {student for student, _ in cells}
    standards = {standard for _, standard in cells}
    scores = load_scores(
        course, row.scale_id, settings.scale, student_ids=students, standard_ids=standards
    )
    now = utcnow()
    calculators: dict[int, Calculator] = {}
    values = []
    for cell in cells:
        standard = cell[1]
        if standard not in calculators:
            calculators[standard] = Calculator(settings.calculation_for(standard), settings.scale)
        with reported():
            result = calculators[standard].result(scores.get(cell, []))
        values.append(_level_row(course.id, cell, result, now))
    _upsert(values)


def _level_row(
    course_id: int, cell: Cell, result: MasteryResult, now: datetime
) -> dict[str, object]:
    return {
        "course_id": course_id,
        "student_id": cell[0],
        "standard_id": cell[1],
        "status": str(result.status),
        "points": result.points,
        "level_label": result.level.label if result.level else None,
        "evidence_count": result.evidence_count,
        "updated_at": now,
    }


def _upsert(values: list[dict[str, object]]) -> None:
    """INSERT ... ON CONFLICT DO UPDATE, so two writers on one cell cannot collide."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    keys = ("status", "points", "level_label", "evidence_count", "updated_at")
    # Chunks keep each statement under SQLite's bound-parameter limit.
    for start in range(0, len(values), 1000):
        statement = dialect.insert(CurrentLevel).values(values[start : start + 1000])
        upsert = statement.on_conflict_do_update(
            index_elements=["course_id", "student_id", "standard_id"],
            set_={key: statement.excluded[key] for key in keys},
        )
        # RETURNING the entity refreshes rows the session already holds.
        db.session.scalars(
            upsert.returning(CurrentLevel), execution_options={"populate_existing": True}
        ).all()


def stored_levels(
    course: Course, *, student_ids: Collection[int] | None = None
) -> dict[Cell, MasteryResult]:
    """The stored current levels as results (what the gradebook reads): one query."""
    scale = domain_scale(settings_for(course).scale)
    query = select(
        CurrentLevel.student_id,
        CurrentLevel.standard_id,
        CurrentLevel.status,
        CurrentLevel.points,
        CurrentLevel.evidence_count,
    ).where(CurrentLevel.course_id == course.id)
    if student_ids is not None:
        query = query.where(CurrentLevel.student_id.in_(list(student_ids)))
    rows = db.session.execute(query).all()
    results: dict[Cell, MasteryResult] = {}
    for student, standard, status, points, count in rows:
        level = scale.level_for(points) if points is not None else None
        results[(student, standard)] = MasteryResult(Status(status), points, level, count)
    return results
