"""Share links: a teacher (or, where the admin allows it, the student) makes a read-only link
to the student's profile for family and mentors; the link opens without an LMS account.

The management pages are inside the launch like every page. The link itself is opened outside
the LMS: no launch, no framing, no referrer, not indexed, not cached; it shows the student's
profile of that one course and nothing else, and is rate limited per client address
(web/limits.py).
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request

from ..errors import N_, LtiToolError, PermissionDenied
from ..extensions import db
from ..lti.vocab import CourseRole
from ..models import User
from ..models.types import utcnow
from ..services import share_links
from ..services.views.profile import build_profile
from .access import Viewer, current_viewer, launch_url, visible_student
from .charts import evidence_chart
from .gradebook import levels_stylesheet
from .security import forbid_framing
from .urls import tool_url

bp = Blueprint("share", __name__)


@bp.get("/students/<int:student_id>/share")
def index(student_id: int):
    """The student's links (created, expires, last used) and the form for a new one."""
    viewer, student = _sharer(student_id)
    return _page(viewer, student)


@bp.post("/students/<int:student_id>/share")
def create(student_id: int):
    """A new link, shown in full once on the page this answers (never in a URL or the log)."""
    viewer, student = _sharer(student_id)
    days = request.form.get("days", str(share_links.DEFAULT_DAYS))
    if not days.isdigit():
        raise _bad_form(N_("Choose how long the link should work: 7, 30 or 90 days."))
    _link, token = share_links.create(
        viewer.course, student, creator=viewer.user, role=viewer.role, days=int(days)
    )
    return _page(viewer, student, new_link=tool_url("share.shared", token=token)), 201


@bp.post("/students/<int:student_id>/share/<int:link_id>/revoke")
def revoke(student_id: int, link_id: int):
    """Turn one link off; whoever holds it gets "this link no longer works"."""
    viewer, student = _sharer(student_id)
    share_links.revoke(viewer.course, student, link_id, actor=viewer.user, role=viewer.role)
    db.session.commit()
    return redirect(launch_url("share.index", student_id=student.id, revoked=link_id), 303)


@bp.get("/shared/<token>")
def shared(token: str):
    """The shared profile: the same page the student sees, read-only, in plain language."""
    forbid_framing()
    link = share_links.open_link(token)
    profile = build_profile(link.course, link.student, read_by_student=False)
    page = render_template(
        "profile/shared.html",
        link=link,
        course=link.course,
        profile=profile,
        token=token,
        chart_of=lambda items: evidence_chart(items, profile.scale),
    )
    db.session.commit()  # the last use, after rendering (a commit expires the rows read)
    return page


@bp.get("/shared/<token>/levels.css")
def levels_css(token: str):
    """The level colours of the shared course (does not count as a use of the link)."""
    return levels_stylesheet(share_links.open_link(token, touch=False).course)


@bp.after_request
def _private(response):
    """Links and tokens on these pages: never cached, indexed, or sent on as a referrer."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _sharer(student_id: int) -> tuple[Viewer, User]:
    viewer = current_viewer()
    student = visible_student(viewer, student_id)
    if viewer.role not in (CourseRole.TEACHER, CourseRole.STUDENT):
        raise PermissionDenied(N_("Only the student and the course's teachers manage share links."))
    return viewer, student


def _page(viewer: Viewer, student: User, new_link: str | None = None) -> str:
    page = render_template(
        "share/index.html",
        viewer=viewer,
        student=student,
        links=share_links.links_of(viewer.course, student),
        may_create=share_links.may_create(viewer.course, viewer.role),
        durations=share_links.DURATIONS_DAYS if viewer.is_teacher else (),
        default_days=share_links.DEFAULT_DAYS,
        new_link=new_link,
        revoked=request.args.get("revoked", type=int),
        now=utcnow(),
    )
    db.session.commit()  # after rendering (a commit expires the rows the page reads)
    return page


def _bad_form(message: str) -> LtiToolError:
    error = LtiToolError(message, hint=N_("Reload the page and use its form."))
    error.title = N_("This request could not be understood")
    return error
