"""The landing page of a launch, routed by role, and the deep-link picker.

A teacher lands on the gradebook, a student on their profile, a mentor on the linked
students, a platform administrator on the admin console; other roles get a page saying what
they can do.
"""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, url_for

from ..errors import N_, LtiToolError, MasteryRejected, NotFound, PermissionDenied, translated
from ..extensions import db
from ..lti.context import lti
from ..lti.deep_linking import LineItemRequest, ResourceLinkItem, ToolDeepLink
from ..lti.vocab import Claim, CourseRole, MessageType
from ..models import GRADED_IN_LMS, SUMMARY_LABEL, SUMMARY_TAG, Assessment
from ..services import line_items, published, scoring
from ..services.assessment_grades import SCORE_MAXIMUM
from . import admin, gradebook, profile
from .access import Viewer, current_viewer
from .urls import tool_url

bp = Blueprint("pages", __name__)

ROLE_TEMPLATES = {
    CourseRole.TEACHER: "pages/teacher.html",
    CourseRole.STUDENT: "pages/student.html",
    CourseRole.OBSERVER: "pages/observer.html",
}
# The custom parameter of a deep-linked assessment activity: the assessment's stable tag.
ASSESSMENT_PARAMETER = "assessment"
SUMMARY_COLUMN = LineItemRequest(
    label=SUMMARY_LABEL, score_maximum=100, resource_id=SUMMARY_TAG, tag=SUMMARY_TAG
)


@bp.get("/home")
def home():
    """Where a launch lands: the page for the launching person's role in the course."""
    viewer = current_viewer()
    role, session = viewer.role, viewer.launch
    if role is CourseRole.ADMIN and viewer.is_platform_admin:
        return admin.render_console(viewer)
    if session.course is not None and session.user is not None:
        opened = _opened_assessment(viewer)
        if opened is not None and role is CourseRole.TEACHER:
            # Graded in the LMS: what the tool does with its grades, once the column is known.
            if opened.grading == GRADED_IN_LMS and opened.line_item_url:
                cuts = url_for("cut_scores.edit", item=opened.line_item_url, launch=viewer.token)
                return redirect(cuts, 303)
            sheet = url_for("scoring.sheet", assessment_id=opened.id, launch=viewer.token)
            return redirect(sheet, 303)
        if role is CourseRole.TEACHER:
            return gradebook.render_grid(viewer)
        if role is CourseRole.STUDENT:
            return profile.render_profile(viewer, session.user)
        if role is CourseRole.OBSERVER:
            return profile.render_mentees(viewer)
    template = ROLE_TEMPLATES.get(role, "pages/no_role.html")
    return render_template(template, session=session, launch=viewer.token)


def _opened_assessment(viewer: Viewer) -> Assessment | None:
    """The published assessment a deep-linked activity names (custom `assessment`), if any."""
    custom = viewer.launch.claims.get(Claim.CUSTOM)
    tag = custom.get(ASSESSMENT_PARAMETER) if isinstance(custom, dict) else None
    if not isinstance(tag, str) or not tag:
        return None
    return published.published_assessment(viewer.course, tag)


@bp.route("/lti/deep-link", methods=["GET", "POST"])
def deep_link():
    viewer = current_viewer()
    session = viewer.launch
    if session.message_type != MessageType.DEEP_LINKING:
        raise PermissionDenied(N_("This page is only for adding the tool to a course."))
    if session.role not in (CourseRole.TEACHER, CourseRole.ADMIN):
        raise PermissionDenied(N_("Only the course's teachers can add the tool to it."))
    if request.method == "GET":
        return _picker(viewer)
    if request.form.get("kind") == "assessment":
        try:
            item = _assessment_item(viewer)
        except (MasteryRejected, NotFound) as error:
            db.session.rollback()
            return _picker(viewer, error=translated(error.message)), 400
    else:
        item = ResourceLinkItem(
            title=request.form.get("title", "").strip()[:200] or "Mastery tracker",
            url=tool_url("lti.launch"),
            text="Your progress on the course's standards.",
            line_item=SUMMARY_COLUMN,
        )
    ctx = lti()
    deep_link = ToolDeepLink(
        ctx.tool_conf.registration(session.platform),
        session.claims[Claim.DEPLOYMENT_ID],
        session.claims[Claim.DEEP_LINKING_SETTINGS],
        _signing_key(),
    )
    jwt_value = deep_link.get_response_jwt([item])
    db.session.commit()
    return render_template("lti/deep_link_return.html", action=deep_link.return_url, jwt=jwt_value)


def _picker(viewer: Viewer, *, error: str | None = None) -> str:
    course = viewer.launch.course
    assessments = scoring.tool_assessments(course) if course is not None else []
    return render_template(
        "lti/deep_link_picker.html",
        session=viewer.launch,
        launch=viewer.token,
        column=SUMMARY_COLUMN,
        has_summary=course is not None and line_items.has_summary_column(course),
        assessments=[a for a in assessments if a.alignments],
        gradings=published.GRADINGS,
        error=error,
    )


def _assessment_item(viewer: Viewer) -> ResourceLinkItem:
    """An assessment activity: published now; the platform creates its column from `lineItem`
    and the worker finds it by tag. Launching the activity opens the assessment."""
    course = viewer.course
    raw = request.form.get("assessment", "")
    if not raw.isdigit():
        raise MasteryRejected(N_("Choose the assessment to add."))
    assessment = scoring.course_assessment(course, int(raw))
    grading = request.form.get("grading", "")
    published.publish_assessment(course, assessment, grading, actor=viewer.user, create_now=False)
    tag = published.column_tag(assessment)
    return ResourceLinkItem(
        title=assessment.title,
        url=tool_url("lti.launch"),
        text=f"Assessment: {assessment.title}.",
        line_item=LineItemRequest(
            label=assessment.title, score_maximum=SCORE_MAXIMUM, resource_id=tag, tag=tag
        ),
        custom={ASSESSMENT_PARAMETER: assessment.tag},
    )


def _signing_key():
    key = lti().key_ring.current()
    if key is None:
        error = LtiToolError(
            N_("The tool has no signing key yet."),
            hint=N_("An administrator must run `flask --app lti_tool keys generate`."),
        )
        error.status = 503
        raise error
    return key
