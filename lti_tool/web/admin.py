"""The admin console of one platform registration: grade-sync health and failed grades.

An administrator sees only the registration they launched from (access.admin_viewer); the
queries live in services/grade_health.py. The console also holds the registration's settings
(whether students may create share links) and its newest audit events.
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint, make_response, redirect, render_template, request
from flask_babel import gettext as _

from ..errors import N_, LtiToolError, translated
from ..extensions import db
from ..models.types import utcnow
from ..services import audit, data_inventory, grade_health, jobs, platforms, registration_data
from ..services.registration_data import PurgeRefused
from .access import Viewer, admin_viewer, launch_url

bp = Blueprint("admin", __name__)
log = logging.getLogger(__name__)


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
        job_names=jobs.JOB_NAMES,
        retried=retried,
        saved=request.args.get("saved") == "1",
        events=audit.recent(platform),
        action_label=audit.action_label,
    )
    db.session.commit()  # after rendering: a commit expires the rows the page reads
    return page


@bp.get("/admin/data")
def data():
    """What is stored about students and staff, why, for how long, and how much of it."""
    return render_data_page(admin_viewer())


def render_data_page(viewer: Viewer, *, purge_error: str | None = None) -> str:
    page = render_template(
        "admin/data.html",
        viewer=viewer,
        inventory=data_inventory.inventory(viewer.launch.platform),
        purge_error=purge_error,
    )
    db.session.commit()
    return page


@bp.get("/admin/export.json")
def export():
    """Everything of this registration as JSON (credentials left out), audited."""
    viewer = admin_viewer()
    platform = viewer.launch.platform
    data = registration_data.export(platform, actor=_actor(viewer))
    db.session.commit()  # the export's audit event
    response = make_response(json.dumps(data, ensure_ascii=False, indent=1))
    response.mimetype = "application/json"
    stamp = utcnow().strftime("%Y%m%d")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="registration-{platform.id}-{stamp}.json"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/admin/purge")
def purge():
    """Delete every row of this registration once its name is typed back (contract end).

    The administrator's own launch goes with it, so the answer is a page that needs none.
    """
    viewer = admin_viewer()
    platform = viewer.launch.platform
    name, actor = platform.name, _actor(viewer)
    try:
        deleted = registration_data.purge(platform, request.form.get("confirm", ""), actor=actor)
    except PurgeRefused as error:
        db.session.rollback()
        log.info("purge of registration %s refused: %s", platform.id, error.detail)
        return render_data_page(viewer, purge_error=translated(error.message)), 400
    db.session.commit()
    log.warning(
        "registration %s purged from the admin console: %d rows", name, sum(deleted.values())
    )
    return render_template("admin/purged.html", name=name, rows=sum(deleted.values()))


def _actor(viewer: Viewer) -> str:
    user = viewer.launch.user
    return f"admin console (user {user.id})" if user is not None else "admin console"


@bp.post("/admin/retry")
def retry():
    """Send failed grades again: one (`row`), one course's (`course`), or all (`scope=all`)."""
    viewer = admin_viewer()
    scope = request.form.get("scope", "")
    if scope not in ("row", "course", "all"):
        raise _bad_form(N_("Choose what to retry: one grade, one course's, or all."))
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
        raise _bad_form(_("The form named no %(name)s to retry.", name=name))
    return int(value)


def _bad_form(message: str) -> LtiToolError:
    error = LtiToolError(message, hint=N_("Reload the admin console and use its buttons."))
    error.title = N_("This request could not be understood")
    return error
