"""The whole-course path as it was before rows came straight from the driver (commit aedbfae).

Kept only so that `bench_course.py` can time the old and the new path in the same run, on the
same machine load, and check that both give the same results. Evidence on the course scale
only (the benchmark course has no other).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Unicode, delete, insert, select, type_coerce

from lti_tool.extensions import db
from lti_tool.mastery import MasteryResult, Score, Status, apply_policy, compute_course
from lti_tool.models import Course, CurrentLevel, Enrollment, Evidence
from lti_tool.models.types import utcnow
from lti_tool.services import course_settings, frameworks

Cell = tuple[int, int]


def load_scores(course: Course, scale_id: int) -> dict[Cell, list[Score]]:
    """Live evidence as Scores through SQLAlchemy rows, unordered (the domain sorts)."""
    rows = db.session.execute(
        select(
            Evidence.student_id,
            Evidence.standard_id,
            Evidence.points,
            type_coerce(Evidence.demonstrated_at, Unicode),
            Evidence.id,
            Evidence.is_exempt,
            Evidence.scale_id,
        ).where(Evidence.course_id == course.id, Evidence.superseded_by_id.is_(None))
    ).all()
    instants: dict[object, datetime] = {}
    cells: dict[Cell, list[Score]] = {}
    for student, standard, points, raw, entry, is_exempt, given_on in rows:
        assert given_on == scale_id, "the old path is kept for the benchmark course only"
        when = instants.get(raw) or instants.setdefault(raw, _instant(raw))
        cells.setdefault((student, standard), []).append(Score(points, when, entry, is_exempt))
    return cells


def _instant(raw: object) -> datetime:
    value = raw if isinstance(raw, datetime) else datetime.fromisoformat(str(raw))
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def compute_course_mastery(course: Course) -> tuple[dict[Cell, MasteryResult], dict]:
    """Every cell's result and every summary grade, as the old service did."""
    row = course_settings.settings_for(course)
    settings = course_settings.mastery_settings(course, row)
    tree = frameworks.course_tree(course)
    scores = load_scores(course, row.scale_id)
    cells = compute_course({c: s for c, s in scores.items() if c[1] in tree.standards}, settings)
    enrolled = db.session.scalars(
        select(Enrollment.user_id).where(
            Enrollment.course_id == course.id, Enrollment.role == "student"
        )
    ).all()
    leaves: dict[int, dict[int, MasteryResult]] = {s: {} for s in sorted(set(enrolled))}
    for (student, standard), result in cells.items():
        leaves.setdefault(student, {})[standard] = result
    summaries = {
        # The old summarise resolved (and validated) the policy's params for every student.
        student: apply_policy(
            settings.policy,
            found,
            settings.scale,
            maximum=settings.maximum,
            priority=tree.priority,
            params=settings.policy_params,
        )
        for student, found in leaves.items()
    }
    return cells, summaries


def recompute_course(course: Course) -> int:
    """Delete every stored level of the course, insert them all again through the ORM."""
    cells, _ = compute_course_mastery(course)
    db.session.execute(delete(CurrentLevel).where(CurrentLevel.course_id == course.id))
    now = utcnow()
    rows = [
        {
            "course_id": course.id,
            "student_id": student,
            "standard_id": standard,
            "status": str(result.status),
            "points": result.points,
            "level_label": result.level.label if result.level else None,
            "evidence_count": result.evidence_count,
            "updated_at": now,
        }
        for (student, standard), result in cells.items()
    ]
    db.session.execute(insert(CurrentLevel), rows)
    return len(rows)


def stored_levels(course: Course) -> dict[Cell, MasteryResult]:
    """The stored levels through SQLAlchemy rows, one enum lookup and result per row."""
    scale = course_settings.domain_scale(course_settings.settings_for(course).scale)
    rows = db.session.execute(
        select(
            CurrentLevel.student_id,
            CurrentLevel.standard_id,
            CurrentLevel.status,
            CurrentLevel.points,
            CurrentLevel.evidence_count,
        ).where(CurrentLevel.course_id == course.id)
    ).all()
    results: dict[Cell, MasteryResult] = {}
    for student, standard, status, points, count in rows:
        level = scale.level_for(points) if points is not None else None
        results[(student, standard)] = MasteryResult(Status(status), points, level, count)
    return results
