"""Grades and the LMS, as the teacher sees them: what was sent, what failed, and sync actions."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request
from flask_babel import lazy_gettext

from ..extensions import db
from ..services import grades, jobs, periods
from ..services.lms_columns import aligned_columns
from .access import launch_url, teacher_viewer

bp = Blueprint("sync", __name__)

NOTICES = {
    "lms": lazy_gettext("Reading grades from the LMS: the evidence appears within a minute."),
    "lms-none": lazy_gettext(
        "No LMS column is read yet: choose one and its standards on “LMS columns and "
        "standards”, then sync."
    ),
    "roster": lazy_gettext("Reading the class list from the LMS."),
    "retry": lazy_gettext("The failed grades will be sent again within a minute."),
    "recreate": lazy_gettext(
        "The column will be created again in the LMS and its grades sent within a minute."
    ),
}


@bp.get("/sync")
def status():
    """Per student: the grade wanted, the grade the LMS holds, when, and any platform error."""
    viewer = teacher_viewer()
    course = viewer.course
    closed = {s.period.id: s.reason for s in periods.period_statuses(course) if s.is_closed}
    page = render_template(
        "sync/status.html",
        viewer=viewer,
        rows=grades.sync_status(course),
        gone_columns=grades.gone_columns(course),
        recent_jobs=jobs.latest_jobs(course),
        job_names=jobs.JOB_NAMES,
        notice=NOTICES.get(request.args.get("done", "")),
        closed_periods=closed,
        concluded=course.concluded_at,
    )
    db.session.commit()
    return page


@bp.post("/sync/lms")
def sync_from_lms():
    """Queue a read of the LMS columns aligned to standards (and of the class list)."""
    viewer = teacher_viewer()
    if request.form.get("what") == "roster":
        jobs.enqueue("roster", viewer.course)
        done = "roster"
    elif aligned_columns(viewer.course):
        jobs.enqueue("lms_results", viewer.course)
        done = "lms"
    else:
        done = "lms-none"  # nothing to read: say where to choose a column, queue nothing
    db.session.commit()
    return redirect(launch_url("sync.status", done=done), 303)


@bp.post("/sync/retry")
def retry():
    """Send the failed grades again (all of the course's, or one)."""
    viewer = teacher_viewer()
    row_id = request.form.get("row", type=int)
    grades.retry_dead(viewer.course, row_id)
    db.session.commit()
    return redirect(launch_url("sync.status", done="retry"), 303)


@bp.post("/sync/columns/<int:column_id>/recreate")
def recreate_column(column_id: int):
    """Create again a gradebook column deleted in the LMS, and send its waiting grades."""
    viewer = teacher_viewer()
    grades.recreate_column(viewer.course, column_id)
    db.session.commit()
    return redirect(launch_url("sync.status", done="recreate"), 303)
