"""A student's standards-first profile (own, a teacher's view, or a mentor's read-only view)."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..extensions import db
from ..models import User
from ..services import share_links
from ..services.views.profile import build_profile
from .access import Viewer, current_viewer, mentees, visible_student
from .charts import evidence_chart

bp = Blueprint("profile", __name__)


@bp.get("/students/<int:student_id>")
def show(student_id: int):
    """One student's profile, if this launch may see that student."""
    viewer = current_viewer()
    return render_profile(viewer, visible_student(viewer, student_id))


def render_profile(viewer: Viewer, student: User) -> str:
    """The profile page: to-do list first, then the tree, the summary grade last."""
    profile = build_profile(viewer.course, student)
    page = render_template(
        "profile/show.html",
        viewer=viewer,
        profile=profile,
        is_own=viewer.user.id == student.id,
        may_share=share_links.may_create(viewer.course, viewer.role)
        and (viewer.is_teacher or viewer.user.id == student.id),
        chart_of=lambda items: evidence_chart(items, profile.scale),
    )
    db.session.commit()  # after rendering (a commit expires the rows the page reads)
    return page


def render_mentees(viewer: Viewer) -> str:
    """A mentor's landing page: the linked students of this course, nothing of anyone else."""
    return render_template("profile/mentees.html", viewer=viewer, students=mentees(viewer))
