"""Names and Role Provisioning Services 2.0: the course membership container."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from devplatform.ags import json_response, paginate
from devplatform.context import get_platform
from devplatform.store import Enrollment
from devplatform.tokens import ServiceAuthError, require_token, service_error
from devplatform.vocab import NRPS_SHORT_ROLE_NAMES, MediaType, Scope

bp = Blueprint("nrps", __name__, url_prefix="/api/lti/courses/<context_id>")


@bp.errorhandler(ServiceAuthError)
def _auth_failed(exc: ServiceAuthError) -> Response:
    return service_error(exc.status, str(exc))


def _member(enrollment: Enrollment) -> dict[str, Any]:
    user = get_platform().users[enrollment.user_id]
    # Real platforms differ: Moodle short names for some roles, full URIs for others.
    roles = [NRPS_SHORT_ROLE_NAMES.get(r, r) for r in enrollment.roles]
    return {
        "status": enrollment.status, "name": user.name, "given_name": user.given_name,
        "family_name": user.family_name, "email": user.email, "user_id": user.id,
        "roles": roles, "lis_person_sourcedid": user.sourcedid,
    }


@bp.get("/names_and_roles")
def memberships(context_id: str) -> Response:
    """The membership container, paginated with Link rel=next; `role` filters."""
    access = require_token(Scope.NRPS_READONLY)
    p = get_platform()
    course = p.courses.get(context_id)
    if course is None or access.client_id not in course.tools:
        return service_error(404, f"no course {context_id}")
    enrollments = sorted(course.enrollments.values(), key=lambda e: int(e.user_id)
                         if e.user_id.isdigit() else 0)
    role = request.args.get("role")
    if role:
        enrollments = [e for e in enrollments if role in e.roles
                       or role in [NRPS_SHORT_ROLE_NAMES.get(r) for r in e.roles]]
    url = f"{p.issuer}{request.path}"
    context = {"id": course.id, "label": course.label, "title": course.title}
    return paginate(enrollments, lambda page: json_response(
        {"id": url, "context": context, "members": [_member(e) for e in page]},
        MediaType.MEMBERSHIP_CONTAINER))
