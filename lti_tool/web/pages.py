"""The pages a launch lands on: teacher, student, observer and admin, and the deep-link picker."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from ..errors import LtiToolError, PermissionDenied
from ..extensions import db
from ..lti.context import lti
from ..lti.deep_linking import LineItemRequest, ResourceLinkItem, ToolDeepLink
from ..lti.vocab import Claim, CourseRole, MessageType
from ..services.launches import load_session
from .security import allow_framing_by
from .urls import tool_url

bp = Blueprint("pages", __name__)

ROLE_TEMPLATES = {
    CourseRole.TEACHER: "pages/teacher.html",
    CourseRole.STUDENT: "pages/student.html",
    CourseRole.OBSERVER: "pages/observer.html",
    CourseRole.ADMIN: "pages/admin.html",
}
SUMMARY_COLUMN = LineItemRequest(
    label="Mastery summary", score_maximum=100, resource_id="mastery-summary", tag="mastery-summary"
)


def _session():
    session = load_session(request.values.get("launch"))
    allow_framing_by(launch_origins(session.platform, session.claims))
    return session


def launch_origins(platform, claims) -> list[object]:
    """Who may frame this launch: the platform and the return URLs its claims name."""
    presentation = claims.get(Claim.LAUNCH_PRESENTATION) or {}
    settings = claims.get(Claim.DEEP_LINKING_SETTINGS) or {}
    return [
        platform.issuer,
        platform.auth_login_url,
        presentation.get("return_url") if isinstance(presentation, dict) else None,
        settings.get("deep_link_return_url") if isinstance(settings, dict) else None,
    ]


@bp.get("/home")
def home():
    session = _session()
    template = ROLE_TEMPLATES.get(CourseRole(session.role), "pages/no_role.html")
    return render_template(template, session=session, launch=request.values["launch"])


@bp.route("/lti/deep-link", methods=["GET", "POST"])
def deep_link():
    session = _session()
    if session.message_type != MessageType.DEEP_LINKING:
        raise PermissionDenied("This page is only for adding the tool to a course.")
    if session.role not in (CourseRole.TEACHER, CourseRole.ADMIN):
        raise PermissionDenied("Only the course's teachers can add the tool to it.")
    if request.method == "GET":
        return render_template(
            "lti/deep_link_picker.html",
            session=session,
            launch=request.values["launch"],
            column=SUMMARY_COLUMN,
        )
    ctx = lti()
    item = ResourceLinkItem(
        title=request.form.get("title", "").strip()[:200] or "Mastery tracker",
        url=tool_url("lti.launch"),
        text="Your progress on the course's standards.",
        line_item=SUMMARY_COLUMN,
    )
    deep_link = ToolDeepLink(
        ctx.tool_conf.registration(session.platform),
        session.claims[Claim.DEPLOYMENT_ID],
        session.claims[Claim.DEEP_LINKING_SETTINGS],
        _signing_key(),
    )
    jwt_value = deep_link.get_response_jwt([item])
    db.session.commit()
    return render_template("lti/deep_link_return.html", action=deep_link.return_url, jwt=jwt_value)


def _signing_key():
    key = lti().key_ring.current()
    if key is None:
        error = LtiToolError(
            "The tool has no signing key yet.",
            hint="An administrator must run `flask --app lti_tool keys generate`.",
        )
        error.status = 503
        raise error
    return key
