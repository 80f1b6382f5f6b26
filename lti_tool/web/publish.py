"""Publishing a tool-made assessment as an LMS gradebook column, graded in the tool or the LMS.

The request only records the choice and the column; the worker creates the line item.
"""

from __future__ import annotations

import logging

from flask import redirect, request

from ..errors import MasteryRejected, NotFound
from ..extensions import db
from ..services import published, scoring
from .access import launch_url, teacher_viewer
from .scoring import bp, index_page

log = logging.getLogger(__name__)


@bp.post("/assessments/<int:assessment_id>/publish")
def publish(assessment_id: int):
    """Give the assessment its LMS column, graded the way the teacher chose."""
    viewer = teacher_viewer()
    course = viewer.course
    assessment = scoring.course_assessment(course, assessment_id)
    grading = request.form.get("grading", "")
    try:
        published.publish_assessment(course, assessment, grading, actor=viewer.user)
    except (MasteryRejected, NotFound) as error:
        db.session.rollback()
        log.info("assessment %s not published: %s", assessment_id, error.detail)
        return index_page(viewer, title="", chosen=set(), errors={"publish": error.message}), 400
    db.session.commit()
    return redirect(launch_url("scoring.index", published=assessment.id), 303)
