"""A student's standards-first profile (own, a teacher's view, or a mentor's read-only view),
and the student's self-assessment on a standard."""

from __future__ import annotations

import logging

from flask import Blueprint, redirect, render_template, request

from ..errors import N_, MasteryRejected, NotFound, PermissionDenied, translated
from ..extensions import db
from ..lti.vocab import CourseRole
from ..models import User
from ..services import self_assessment, share_links
from ..services.views.profile import build_profile
from .access import Viewer, current_viewer, launch_url, mentees, visible_student
from .charts import evidence_chart

bp = Blueprint("profile", __name__)
log = logging.getLogger(__name__)


@bp.get("/students/<int:student_id>")
def show(student_id: int):
    """One student's profile, if this launch may see that student."""
    viewer = current_viewer()
    return render_profile(viewer, visible_student(viewer, student_id))


@bp.post("/students/<int:student_id>/standards/<int:standard_id>/self-assessment")
def self_assess(student_id: int, standard_id: int):
    """The student rates themself on a standard and says what they did (never counted)."""
    viewer = current_viewer()
    if viewer.role is not CourseRole.STUDENT or viewer.user.id != student_id:
        raise PermissionDenied(N_("Only the student rates themself."))
    typed = request.form.get("level", "")
    try:
        points = float(typed) if typed else None
    except ValueError:
        points = None
    try:
        self_assessment.self_assess(
            viewer.course, viewer.user, standard_id, points, request.form.get("reflection", "")
        )
    except (MasteryRejected, NotFound) as error:
        db.session.rollback()
        log.info("self-assessment refused: %s", error.detail)
        message = translated(error.message)
        return render_profile(viewer, viewer.user, error=message, typed=request.form), 400
    db.session.commit()
    return redirect(launch_url("profile.show", student_id=student_id, rated=standard_id), 303)


def render_profile(viewer: Viewer, student: User, *, error: str | None = None, typed=None) -> str:
    """The profile page: to-do list first, then the tree, the summary grade last."""
    is_own = viewer.user.id == student.id
    profile = build_profile(viewer.course, student, read_by_student=is_own)
    rated = request.args.get("rated", type=int)
    typed = typed or {}
    page = render_template(
        "profile/show.html",
        viewer=viewer,
        profile=profile,
        is_own=is_own,
        may_self_assess=is_own and viewer.role is CourseRole.STUDENT,
        rated=rated,
        rated_label=profile.label_of(rated) if rated and is_own else None,
        self_error=error,
        self_label=profile.label_of(_int(typed.get("standard"))) if error else None,
        typed=typed,
        may_share=share_links.may_create(viewer.course, viewer.role)
        and (viewer.is_teacher or viewer.user.id == student.id),
        chart_of=lambda items: evidence_chart(items, profile.scale),
    )
    db.session.commit()  # after rendering (a commit expires the rows the page reads)
    return page


def render_mentees(viewer: Viewer) -> str:
    """A mentor's landing page: the linked students of this course, nothing of anyone else."""
    return render_template("profile/mentees.html", viewer=viewer, students=mentees(viewer))


def _int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None
