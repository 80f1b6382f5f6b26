"""Publishing a tool-made assessment as an LMS gradebook column the tool owns.

The column's line item carries `tag` = `resourceId` = "assessment:<assessment tag>" (stable
across course copies, never a database id) and is found or created by the worker, never in a
web request. Each assessment is graded one way, stored on it:

- "tool": the teacher scores it per standard on the scoring page; its column gets the
  assessment's score (assessment_grades.py), queued in the marks' own transaction;
- "lms": the teacher grades the column in the LMS (SpeedGrader, Moodle's grader); "Sync from
  LMS" reads the results back and turns them into evidence through the alignments' cut scores
  (the course scale's defaults when none were set). A tool-graded column is never read back.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from ..errors import MasteryRejected, NotFound
from ..extensions import db
from ..models import (
    ASSESSMENT_TAG_PREFIX,
    GRADED_IN_LMS,
    GRADED_IN_TOOL,
    Assessment,
    Course,
    GradeColumn,
    User,
)
from ..translatable import N_
from . import jobs
from .assessment_grades import SCORE_MAXIMUM
from .course_settings import settings_for
from .grades import queue_grades
from .lms_columns import default_cut_scores

log = logging.getLogger(__name__)

GRADINGS = {
    GRADED_IN_TOOL: N_("Graded in the tool (per standard, on the scoring page)"),
    GRADED_IN_LMS: N_("Graded in the LMS (read back through cut scores by “Sync from LMS”)"),
}


def column_tag(assessment: Assessment) -> str:
    """The line item's tag and resourceId: stable across course copies."""
    return ASSESSMENT_TAG_PREFIX + assessment.tag


def publish_assessment(
    course: Course,
    assessment: Assessment,
    grading: str,
    *,
    actor: User | None,
    create_now: bool = True,
) -> GradeColumn:
    """Store how the assessment is graded and give it its column (flushes, never commits).

    `create_now`: ask the worker to create the line item at once; a deep link leaves it to the
    platform, which creates the line item from the content item, and the worker finds it by tag.
    """
    if assessment.course_id != course.id or assessment.kind != "tool":
        raise NotFound("That assessment is not one of this course's tool-made assessments.")
    if grading not in GRADINGS:
        raise MasteryRejected("Choose whether the assessment is graded in the tool or the LMS.")
    if not assessment.alignments:
        raise MasteryRejected("Align the assessment to a standard before publishing it.")
    if grading == GRADED_IN_LMS:
        cuts = default_cut_scores(settings_for(course).scale)
        for alignment in assessment.alignments:
            alignment.cut_scores = alignment.cut_scores or cuts
    assessment.grading = grading
    tag = column_tag(assessment)
    column = db.session.scalar(
        select(GradeColumn).where(
            GradeColumn.course_id == course.id, GradeColumn.tag == tag, GradeColumn.placement == ""
        )
    )
    if column is None:
        column = GradeColumn(
            course_id=course.id,
            tag=tag,
            placement="",
            assessment_id=assessment.id,
            label=assessment.title[:500],
            score_maximum=SCORE_MAXIMUM,
        )
        db.session.add(column)
    column.is_active = True
    db.session.flush()
    if create_now:
        jobs.enqueue("columns", course)
    if grading == GRADED_IN_TOOL:
        queue_grades(course)  # marks given before publishing go to the new column
    log.info("assessment %s published (%s) by %s", assessment.tag, grading, actor and actor.id)
    return column


def published_assessment(course: Course, tag: str) -> Assessment | None:
    """The course's published assessment with this tag (a deep-linked activity names it)."""
    return db.session.scalar(
        select(Assessment).where(
            Assessment.course_id == course.id,
            Assessment.tag == tag,
            Assessment.grading.is_not(None),
        )
    )
