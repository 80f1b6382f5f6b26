"""Exempting a student from a standard or an assessment, and lifting it, from the cell page.

Teachers only. A refused form shows the cell page again with the problem named and nothing
saved; the request commits only after the service succeeded.
"""

from __future__ import annotations

import logging

from flask import Blueprint, request

from ..errors import MasteryRejected, NotFound
from ..extensions import db
from ..services import exemptions
from .access import teacher_viewer, visible_student
from .cells import CELL, refused, saved

log = logging.getLogger(__name__)

bp = Blueprint("exemptions", __name__)


@bp.post(CELL + "/exempt")
def exempt_standard(student_id: int, standard_id: int):
    """Exempt the student from this standard (and any standards under it)."""
    viewer = teacher_viewer()
    student = visible_student(viewer, student_id)
    try:
        exemptions.exempt_standard(
            viewer.course, student.id, standard_id, actor=viewer.user, **_reason()
        )
    except (MasteryRejected, NotFound) as error:
        log.info("exemption refused (student %s): %s", student_id, error.detail)
        return refused(viewer, student, standard_id, exempt_error=error.message)
    db.session.commit()
    return saved(student_id, standard_id, "exempted")


@bp.post(CELL + "/exempt-assessment")
def exempt_assessment(student_id: int, standard_id: int):
    """Exempt the student from one of the course's assessments."""
    viewer = teacher_viewer()
    student = visible_student(viewer, student_id)
    chosen = request.form.get("assessment", "")
    try:
        if not chosen.isdigit():
            raise MasteryRejected("Choose the assessment the student is exempt from.")
        exemptions.exempt_assessment(
            viewer.course, student.id, int(chosen), actor=viewer.user, **_reason()
        )
    except (MasteryRejected, NotFound) as error:
        log.info("assessment exemption refused (student %s): %s", student_id, error.detail)
        return refused(viewer, student, standard_id, exempt_error=error.message)
    db.session.commit()
    return saved(student_id, standard_id, "exempted")


@bp.post(CELL + "/exemptions/<int:exemption_id>/lift")
def lift(student_id: int, standard_id: int, exemption_id: int):
    """Lift one of this student's exemptions: what it left out counts again."""
    viewer = teacher_viewer()
    student = visible_student(viewer, student_id)
    found = exemptions.find_exemption(viewer.course, exemption_id)
    if found.student_id != student.id:
        raise NotFound("That exemption is not this student's.")
    exemptions.lift_exemption(viewer.course, exemption_id, actor=viewer.user)
    db.session.commit()
    return saved(student_id, standard_id, "lifted")


def _reason() -> dict[str, str]:
    return {"reason": request.form.get("reason", ""), "note": request.form.get("note", "")}
