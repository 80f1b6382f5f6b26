"""HTML pages: the index, course pages with launches, and the gradebook."""

from __future__ import annotations

from typing import Any

import math

from flask import Blueprint, redirect, render_template, request, url_for

from devplatform.context import error_page, get_platform
from devplatform.store import Course, User
from devplatform.vocab import Role

bp = Blueprint("pages", __name__)

_TEACHING_ROLES = {Role.INSTRUCTOR, Role.TEACHING_ASSISTANT}
_ROLE_LABELS = {
    Role.INSTRUCTOR: "Teacher",
    Role.TEACHING_ASSISTANT: "Teaching assistant",
    Role.LEARNER: "Student",
    Role.MENTOR: "Parent / observer",
}


def role_label(course: Course, user: User) -> str:
    """A human label for the user's role in the course."""
    enrollment = course.enrollments.get(user.id)
    if enrollment is None:
        return "Administrator" if Role.SYSTEM_ADMIN in user.system_roles else "Guest"
    labels = [_ROLE_LABELS.get(r, r.rsplit("#", 1)[-1]) for r in enrollment.roles]
    suffix = "" if enrollment.status == "Active" else f", {enrollment.status.lower()}"
    return ", ".join(labels) + suffix


def _viewer(course: Course) -> User | None:
    user_id = request.args.get("as", "")
    user = get_platform().users.get(user_id)
    if user is None:
        return None
    if user.id in course.enrollments or Role.SYSTEM_ADMIN in user.system_roles:
        return user
    return None


def is_teacher(course: Course, user: User) -> bool:
    """Whether the user teaches the course (admins may act as teachers)."""
    enrollment = course.enrollments.get(user.id)
    if enrollment is not None:
        return bool(_TEACHING_ROLES.intersection(enrollment.roles))
    return Role.SYSTEM_ADMIN in user.system_roles


@bp.get("/")
def index() -> Any:
    """Every course, and a way to open it as each of its members."""
    p = get_platform()
    admins = [u for u in p.users.values() if Role.SYSTEM_ADMIN in u.system_roles]
    rows = []
    for course in p.courses.values():
        people = [(p.users[uid], role_label(course, p.users[uid])) for uid in course.enrollments]
        people += [(a, "Administrator") for a in admins if a.id not in course.enrollments]
        rows.append((course, people))
    return render_template("index.html", rows=rows, platform_name=p.name, languages=LANGUAGES)


# The languages a person can choose in this LMS (what a launch says in its locale claims).
LANGUAGES = {"en": "English", "es": "Español"}


@bp.post("/people/<user_id>/locale")
def set_locale(user_id: str) -> Any:
    """A person's language, as an LMS user sets it in their profile: their next launches say it
    (launch_presentation.locale and the locale claim)."""
    p = get_platform()
    user = p.users.get(user_id)
    locale = request.form.get("locale", "")
    if user is None or locale not in LANGUAGES:
        return error_page(400, "Not a person or a language", f"{user_id!r}, {locale!r}")
    with p.store.lock:
        user.locale = locale
        p.store.save()
    return redirect(url_for("pages.index"), 303)


def _course_and_viewer(context_id: str) -> tuple[Course, User] | tuple[None, str]:
    course = get_platform().courses.get(context_id)
    if course is None:
        return None, f"There is no course {context_id!r}."
    viewer = _viewer(course)
    if viewer is None:
        return None, "Choose who you are on the home page (?as=<user id> of a course member)."
    return course, viewer


@bp.get("/courses/<context_id>")
def course(context_id: str) -> Any:
    """The course page: activities open in an iframe; teachers can add activities."""
    p = get_platform()
    found, viewer = _course_and_viewer(context_id)
    if found is None:
        return error_page(404, "Course not available", str(viewer))
    assert isinstance(viewer, User)
    links = [lk for lk in p.resource_links(context_id) if lk.client_id in p.registrations]
    tools = [p.registrations[c] for c in found.tools if c in p.registrations]
    return render_template(
        "course.html",
        course=found,
        viewer=viewer,
        role=role_label(found, viewer),
        links=links,
        tools=tools,
        is_teacher=is_teacher(found, viewer),
        open_link=request.args.get("link"),
        # ?storage=1 offers the tool platform storage (lti_storage_target), as Canvas does.
        storage={"storage": "1"} if request.args.get("storage") else {},
        platform_name=p.name,
    )


@bp.get("/courses/<context_id>/links/<link_id>/launch")
def launch_link(context_id: str, link_id: str) -> Any:
    """Third-party initiated login: auto-POST the login parameters to the tool."""
    p = get_platform()
    found, viewer = _course_and_viewer(context_id)
    link = p.store.state.links.get(link_id)
    if found is None or link is None or link.context_id != context_id:
        return error_page(404, "Activity not available", str(viewer or "no such activity"))
    assert isinstance(viewer, User)
    login_url, params = p.login_initiation(
        viewer.id,
        context_id,
        resource_link_id=link.id,
        client_id=link.client_id,
        storage_target=bool(request.args.get("storage")),
    )
    return render_template(
        "autosubmit.html", action=login_url, fields=params, title=f"Opening {link.title}…"
    )


@bp.get("/courses/<context_id>/deep_link")
def launch_deep_link(context_id: str) -> Any:
    """Start a Deep Linking launch ("Add activity") for a teacher."""
    p = get_platform()
    found, viewer = _course_and_viewer(context_id)
    if refusal := _refuse_unless_teacher(found, viewer, "Only teachers can add activities."):
        return refusal
    assert found is not None and isinstance(viewer, User)
    client_id = request.args.get("client_id") or p.default_client_id
    if client_id not in found.tools or client_id not in p.registrations:
        return error_page(404, "Tool not available", "This tool is not enabled in the course.")
    login_url, params = p.login_initiation(
        viewer.id, context_id, message_type="LtiDeepLinkingRequest", client_id=client_id
    )
    return render_template(
        "autosubmit.html", action=login_url, fields=params, title="Opening the tool…"
    )


@bp.get("/courses/<context_id>/gradebook")
def gradebook(context_id: str) -> Any:
    """Students × columns: what the tool (or the teacher) recorded."""
    p = get_platform()
    found, viewer = _course_and_viewer(context_id)
    if refusal := _refuse_unless_teacher(found, viewer, "Only teachers can see the gradebook."):
        return refusal
    assert found is not None and isinstance(viewer, User)
    students = [p.users[e.user_id] for e in found.enrollments.values() if Role.LEARNER in e.roles]
    items = p.line_items(context_id)
    book = p.gradebook(context_id)
    owners = {
        i.id: (p.registrations[i.client_id].name if i.client_id in p.registrations else "LMS")
        for i in items
    }
    return render_template(
        "gradebook.html",
        course=found,
        viewer=viewer,
        students=students,
        items=items,
        book=book,
        owners=owners,
        platform_name=p.name,
    )


@bp.post("/courses/<context_id>/gradebook/grade")
def enter_grade(context_id: str) -> Any:
    """A teacher grades one student in one column, as in SpeedGrader or Moodle's grader report.

    Any column of the course, a tool's included (real LMSs let teachers override those); the
    result service then reports the new value. An empty score clears the grade.
    """
    p = get_platform()
    found, viewer = _course_and_viewer(context_id)
    if refusal := _refuse_unless_teacher(found, viewer, "Only teachers can grade."):
        return refusal
    assert found is not None and isinstance(viewer, User)
    item = p.store.state.line_items.get(request.form.get("item", ""))
    if item is None or item.context_id != context_id:
        return error_page(404, "Column not available", "That column is not in this course.")
    student = found.enrollments.get(request.form.get("student", ""))
    if student is None or Role.LEARNER not in student.roles:
        return error_page(400, "Grade not saved", "Choose a student of this course.")
    text = request.form.get("score", "").strip()
    try:
        score = float(text) if text else None
    except ValueError:
        score = -1.0
    if score is not None and not (math.isfinite(score) and score >= 0):
        return error_page(400, "Grade not saved", f"{text!r} is not a score (a number, 0 or more).")
    p.grade(item.id, student.user_id, score)
    return redirect(url_for("pages.gradebook", context_id=context_id, **{"as": viewer.id}), 303)


def _refuse_unless_teacher(found: Any, viewer: Any, why: str) -> Any:
    """An error page unless the course exists and the viewer teaches it; None when allowed."""
    if found is None:
        return error_page(404, "Course not available", str(viewer))
    if not isinstance(viewer, User) or not is_teacher(found, viewer):
        return error_page(403, "Not allowed", why)
    return None
