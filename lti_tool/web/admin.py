"""The admin console of one platform registration: grade-sync health and failed grades.

An administrator sees only the registration they launched from (access.admin_viewer); the
queries live in services/grade_health.py. The console also holds the registration's settings
(whether students may create share links) and its newest audit events.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request

from ..errors import LtiToolError
from ..extensions import db
from ..services import audit, data_inventory, grade_health, platforms
from .access import Viewer, admin_viewer, launch_url

bp = Blueprint("admin", __name__)

JOB_NAMES = {
    "roster": "Class list",
    "lms_results": "LMS grades",
    "recompute": "Recompute after a settings change",
}


@bp.get("/admin")
def index():
    """Courses with their grade-sync health, every failed grade, and the registration."""
    return render_console(admin_viewer())


def render_console(viewer: Viewer) -> str:
    """The console page (also where an admin's launch lands)."""
    platform = viewer.launch.platform
    failed, failed_total = grade_health.failed_grades(platform)
    retried = request.args.get("retried", type=int)
    page = render_template(
        "admin/index.html",
        viewer=viewer,
        registration=grade_health.registration(platform),
        courses=grade_health.course_health(platform),
        failed=failed,
        failed_total=failed_total,
        job_names=JOB_NAMES,
        retried=retried,
        saved=request.args.get("saved") == "1",
        events=audit.recent(platform),
    )
    db.session.commit()  # after rendering: a commit expires the rows the page reads
    return page


@bp.get("/admin/data")
def data():
    """What is stored about students and staff, why, for how long, and how much of it."""
    viewer = admin_viewer()
    page = render_template(
        "admin/data.html", viewer=viewer, inventory=data_inventory.inventory(viewer.launch.platform)
    )
    db.session.commit()
    return page


@bp.post("/admin/retry")
def retry():
    """Send failed grades again: one (`row`), one course's (`course`), or all (`scope=all`)."""
    viewer = admin_viewer()
    scope = request.form.get("scope", "")
    if scope not in ("row", "course", "all"):
        raise _bad_form("Choose what to retry: one grade, one course's, or all.")
    count = grade_health.retry_failed(
        viewer.launch.platform,
        row_id=_form_id("row") if scope == "row" else None,
        course_id=_form_id("course") if scope == "course" else None,
        actor=viewer.launch.user,
    )
    db.session.commit()
    return redirect(launch_url("admin.index", retried=count), 303)


@bp.post("/admin/settings")
def settings():
    """The registration's settings: whether students may create share links of their profile."""
    viewer = admin_viewer()
    allowed = request.form.get("allow_student_share_links") == "on"
    platforms.allow_student_share_links(viewer.launch.platform, allowed, by=viewer.launch.user)
    db.session.commit()
    return redirect(launch_url("admin.index", saved=1), 303)


def _form_id(name: str) -> int:
    value = request.form.get(name, "")
    if not value.isdigit():
        raise _bad_form(f"The form named no {name} to retry.")
    return int(value)


def _bad_form(message: str) -> LtiToolError:
    error = LtiToolError(message, hint="Reload the admin console and use its buttons.")
    error.title = "This request could not be understood"
    return error
