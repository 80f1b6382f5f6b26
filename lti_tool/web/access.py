"""Who may see what, in one place: the launch behind a request and the students it may see.

Teachers see every student of their course and alone enter evidence; a student sees only
their own data; a mentor sees the students the platform linked to them (role_scope_mentor,
kept in Enrollment.mentees), read-only. The platform's system or institution administrators
(Canvas account admins, Moodle site admins) see the admin console of their own registration,
whatever their role in the course they launched from. Every page and form carries the launch token
(`launch=`): cookies are unreliable inside an LMS iframe.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from flask import Flask, g, request, url_for
from flask_babel import gettext
from markupsafe import Markup, escape
from sqlalchemy import select

from ..errors import N_, NotFound, PermissionDenied
from ..extensions import db
from ..lti.roles import context_role_names, is_admin
from ..lti.vocab import Claim, CourseRole
from ..models import Course, Enrollment, Launch, User
from ..services.course_settings import settings_for
from ..services.launches import load_session
from .security import allow_framing_by
from .zones import use_course_zone

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Viewer:
    """The person behind this request's launch, in one course."""

    launch: Launch
    token: str

    @property
    def role(self) -> CourseRole:
        return CourseRole(self.launch.role)

    @property
    def course(self) -> Course:
        if self.launch.course is None:
            raise PermissionDenied(N_("This page needs a launch from inside a course."))
        return self.launch.course

    @property
    def user(self) -> User:
        if self.launch.user is None:
            raise PermissionDenied(N_("This page needs a launch by a signed-in person."))
        return self.launch.user

    @property
    def is_teacher(self) -> bool:
        return self.role is CourseRole.TEACHER

    @property
    def is_assistant(self) -> bool:
        """Teaches the course as a teaching assistant or designer, not as an Instructor."""
        roles = self.launch.claims.get(Claim.ROLES)
        names = context_role_names(roles if isinstance(roles, list) else [])
        return self.is_teacher and "Instructor" not in names

    @cached_property
    def may_edit(self) -> bool:
        """May change evidence and settings: teachers; assistants unless the course says not."""
        if not self.is_teacher:
            return False
        return not self.is_assistant or settings_for(self.course).assistants_may_edit

    @property
    def read_only(self) -> bool:
        """A teaching assistant whose course keeps changes to its teachers."""
        return self.is_teacher and not self.may_edit

    @property
    def role_label(self) -> str:
        """The viewer's role as the page header says it, in the page's language."""
        if self.is_assistant:
            return gettext(ROLE_LABELS["assistant" if self.may_edit else "assistant_read_only"])
        return gettext(ROLE_LABELS.get(self.role.value, ROLE_LABELS["none"]))

    @property
    def is_platform_admin(self) -> bool:
        """A system or institution administrator of the launch's platform.

        A course's own `membership#Administrator` is not one; a Moodle site admin launching
        from a course is a teacher there and a platform admin too.
        """
        roles = self.launch.claims.get(Claim.ROLES)
        return isinstance(roles, list) and is_admin(roles)


ROLE_LABELS = {
    "teacher": N_("teacher"),
    "assistant": N_("teaching assistant"),
    "assistant_read_only": N_("teaching assistant, read-only"),
    "student": N_("student"),
    "observer": N_("family or mentor"),
    "admin": N_("administrator"),
    "none": N_("no role in this course"),
}


def launch_origins(platform: Any, claims: dict[str, Any]) -> list[object]:
    """Who may frame this launch: the platform and the return URLs its claims name."""
    presentation = claims.get(Claim.LAUNCH_PRESENTATION) or {}
    settings = claims.get(Claim.DEEP_LINKING_SETTINGS) or {}
    return [
        platform.issuer,
        platform.auth_login_url,
        presentation.get("return_url") if isinstance(presentation, dict) else None,
        settings.get("deep_link_return_url") if isinstance(settings, dict) else None,
    ]


def current_viewer() -> Viewer:
    """The launch named by `launch=` (query or form), or the one this request has just started
    (the first page, answered by the launch itself); sets frame-ancestors for its platform."""
    token = g.get("launched_token") or request.values.get("launch", "")
    launch = load_session(token)
    allow_framing_by(launch_origins(launch.platform, launch.claims))
    g.launch_token = token
    g.launch_locale = launch.locale
    use_course_zone(launch.course)
    return Viewer(launch, token)


def teacher_viewer() -> Viewer:
    """The viewer, who must teach the launch's course (the grid and every evidence change).

    Every change is a POST: one the course keeps from its teaching assistants is refused here.
    """
    viewer = current_viewer()
    if not viewer.is_teacher or viewer.launch.course is None:
        raise PermissionDenied(
            N_("Only the course's teachers see the gradebook and enter evidence.")
        )
    if request.method not in SAFE_METHODS and not viewer.may_edit:
        raise PermissionDenied(
            N_("In this course, teaching assistants see the gradebook but do not change it."),
            hint=N_("A teacher of the course can change this in the course settings."),
        )
    return viewer


def library_viewer() -> Viewer:
    """A teacher of the launch's course (as teacher_viewer), or an administrator of its
    platform, who manages the platform's standards library from any launch."""
    viewer = current_viewer()
    if viewer.is_teacher and viewer.launch.course is not None:
        return teacher_viewer()
    if viewer.is_platform_admin:
        return viewer
    raise PermissionDenied(N_("Only teachers and the platform's administrators manage standards."))


def admin_viewer() -> Viewer:
    """The viewer, who must administer the launch's platform (the admin console)."""
    viewer = current_viewer()
    if not viewer.is_platform_admin:
        raise PermissionDenied(
            N_("Only the platform's administrators see the admin console."),
            hint=N_(
                "Open the tool from your LMS with an administrator account (a Canvas account "
                "admin, a Moodle site admin)."
            ),
        )
    return viewer


def visible_student(viewer: Viewer, student_id: int) -> User:
    """The student, if this viewer may see their data: 403 for someone else's, 404 if unknown."""
    course = viewer.course
    role = viewer.role
    if role is CourseRole.STUDENT and student_id != viewer.user.id:
        raise PermissionDenied(N_("You can only see your own progress."))
    if role is CourseRole.OBSERVER:
        # mentees() reads the linked students with the checks below (course, role, platform).
        linked = next((found for found in mentees(viewer) if found.id == student_id), None)
        if linked is None:
            raise PermissionDenied(N_("You can only see the students linked to your account."))
        return linked
    if role not in (CourseRole.TEACHER, CourseRole.STUDENT):
        raise PermissionDenied(N_("Your role in this course gives no access to mastery data."))
    student = db.session.scalar(
        select(User)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(
            User.id == student_id,
            Enrollment.course_id == course.id,
            Enrollment.role == CourseRole.STUDENT.value,
        )
    )
    if student is None or student.platform_id != course.platform_id:
        raise NotFound(N_("That student is not in this course."))
    return student


def mentees(viewer: Viewer) -> list[User]:
    """The students of this course linked to a mentor's launch (none for anyone else)."""
    if viewer.role is not CourseRole.OBSERVER:
        return []
    enrollment = db.session.scalar(
        select(Enrollment).where(
            Enrollment.course_id == viewer.course.id, Enrollment.user_id == viewer.user.id
        )
    )
    subs = list(enrollment.mentees) if enrollment else []
    if not subs:
        return []
    return list(
        db.session.scalars(
            select(User)
            .join(Enrollment, Enrollment.user_id == User.id)
            .where(
                Enrollment.course_id == viewer.course.id,
                Enrollment.role == CourseRole.STUDENT.value,
                User.platform_id == viewer.course.platform_id,
                User.sub.in_(subs),
            )
            .order_by(User.family_name, User.given_name, User.id)
        )
    )


def launch_url(endpoint: str, **values: Any) -> str:
    """A URL inside the tool that keeps this request's launch token."""
    return url_for(endpoint, launch=g.get("launch_token", ""), **values)


def launch_url_pattern(endpoint: str, *fields: str, **values: Any) -> str:
    """A `str.format` pattern of a launch URL with integer fields left open (for dense grids);
    `values` are filled in once."""
    sentinels = {name: 900_000_001 + n for n, name in enumerate(fields)}
    url = launch_url(endpoint, **values, **sentinels).replace("{", "{{").replace("}", "}}")
    for name, sentinel in sentinels.items():
        url = url.replace(str(sentinel), "{" + name + "}")
    return url


def launch_field() -> Markup:
    """The hidden input every form inside the tool carries (and, on a cell page, the
    gradebook view to go back to: web/cells.py)."""
    token = escape(g.get("launch_token", ""))
    field = f'<input type="hidden" name="launch" value="{token}">'
    if grid := g.get("grid_view"):
        field += f'<input type="hidden" name="grid" value="{escape(grid)}">'
    return Markup(field)


def init_app(app: Flask) -> None:
    """Templates build launch links and fields with these."""
    app.add_template_global(launch_url)
    app.add_template_global(launch_field)
