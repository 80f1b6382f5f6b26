"""The scores of published assessments graded in the tool, for their LMS columns.

An assessment's score is the mean of the levels its teacher gave on its aligned standards, as a
percent of the scale's maximum (mastery/assessment_score.py says why), with a comment naming
each standard's level. Only live, non-exempt teacher marks of the assessment count; a student
with no mark on it gets nothing sent. One query for every column and student asked.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from sqlalchemy import select

from ..extensions import db
from ..mastery import Scale
from ..mastery.assessment_score import assessment_score
from ..models import GRADED_IN_TOOL, Alignment, Assessment, Evidence, GradeColumn
from .frameworks import CourseTree

SCORE_MAXIMUM = 100.0
SOURCE = "teacher"

Key = tuple[int, int]  # (column id, student id)


def tool_graded_scores(
    columns: Sequence[GradeColumn], students: Collection[int], scale: Scale, tree: CourseTree
) -> dict[Key, tuple[float, str]]:
    """(percent, explanation) per (column, student) for the columns of tool-graded assessments."""
    by_assessment = {c.assessment_id: c for c in columns if c.assessment_id is not None}
    if not by_assessment or not students:
        return {}
    rows = db.session.execute(
        select(Assessment.id, Assessment.title, Evidence.student_id, Evidence.standard_id)
        .add_columns(Evidence.points)
        .join(Evidence, Evidence.assessment_id == Assessment.id)
        .join(
            Alignment,
            (Alignment.assessment_id == Assessment.id)
            & (Alignment.standard_id == Evidence.standard_id),
        )
        .where(
            Assessment.id.in_(list(by_assessment)),
            Assessment.grading == GRADED_IN_TOOL,
            Evidence.course_id == Assessment.course_id,
            Evidence.source == SOURCE,
            Evidence.superseded_by_id.is_(None),
            Evidence.is_exempt.is_(False),
            Evidence.student_id.in_(list(students)),
        )
    )
    marks: dict[tuple[int, int], list[tuple[int, float]]] = {}
    titles: dict[int, str] = {}
    for assessment_id, title, student_id, standard_id, points in rows:
        titles[assessment_id] = title
        marks.setdefault((assessment_id, student_id), []).append((standard_id, points))
    order = {standard_id: n for n, standard_id in enumerate(tree.preorder())}
    scores: dict[Key, tuple[float, str]] = {}
    for (assessment_id, student_id), given in marks.items():
        given = sorted(
            (m for m in given if m[0] in tree.standards), key=lambda m: order.get(m[0], 0)
        )
        named = [
            (tree.standards[sid].label, scale.level_for(points).label, points)
            for sid, points in given
        ]
        score = assessment_score(titles[assessment_id], named, scale.max_points)
        if score is not None:
            column = by_assessment[assessment_id]
            scores[(column.id, student_id)] = (score.percent, score.explanation)
    return scores
