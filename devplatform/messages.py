"""LTI message building: id_token claims, login initiation, sealed opaque hints."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import TYPE_CHECKING, Any

from devplatform.vocab import (
    CONTEXT_TYPE_COURSE_OFFERING,
    DL_CONTENT_LTI_RESOURCE_LINK,
    LTI_VERSION,
    PRODUCT_FAMILY_CODE,
    PRODUCT_VERSION,
    Claim,
    MessageType,
    TOOL_CONFIGURATION,
    Role,
    Scope,
)

if TYPE_CHECKING:
    from devplatform.platform import Platform

# Moodle issues id_tokens that live 60 seconds.
ID_TOKEN_LIFETIME_S = 60


class HintError(ValueError):
    """An opaque hint or data string was forged or malformed."""


def seal(secret: str, payload: dict[str, Any]) -> str:
    """Encode a payload as an opaque, HMAC-protected string."""
    body = base64.urlsafe_b64encode(json.dumps(payload, sort_keys=True).encode()).decode()
    mac = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()[:32]
    return f"{body.rstrip('=')}.{mac}"


def unseal(secret: str, sealed: str) -> dict[str, Any]:
    """Decode a string made by `seal`, checking its MAC."""
    body, _, mac = sealed.rpartition(".")
    padded = body + "=" * (-len(body) % 4)
    expected = hmac.new(secret.encode(), padded.encode(), hashlib.sha256).hexdigest()[:32]
    if not body or not hmac.compare_digest(mac, expected):
        raise HintError("the opaque value was not issued by this platform")
    try:
        return dict(json.loads(base64.urlsafe_b64decode(padded)))
    except ValueError as exc:
        raise HintError("malformed opaque value") from exc


def _roles(platform: Platform, user_id: str, context_id: str) -> tuple[list[str], list[str]]:
    """Return (roles, mentees) of a user in a course, context roles first."""
    state = platform.store.state
    user = state.users[user_id]
    enrollment = state.courses[context_id].enrollments.get(user_id)
    roles = list(enrollment.roles) if enrollment else []
    roles += [r for r in user.system_roles if r not in roles]
    return roles, list(enrollment.mentees) if enrollment else []


def _service_claims(
    platform: Platform, context_id: str, client_id: str, link_id: str | None
) -> dict[str, Any]:
    reg = platform.store.state.registrations[client_id]
    base = f"{platform.issuer}/api/lti/courses/{context_id}"
    claims: dict[str, Any] = {}
    ags_scopes = [s for s in reg.scopes if s != Scope.NRPS_READONLY]
    if ags_scopes:
        ags: dict[str, Any] = {"scope": ags_scopes, "lineitems": f"{base}/line_items"}
        for item in platform.store.state.line_items.values():
            if link_id and item.resource_link_id == link_id and item.client_id == client_id:
                ags["lineitem"] = f"{base}/line_items/{item.id}"
                break
        claims[Claim.AGS_ENDPOINT] = ags
    if Scope.NRPS_READONLY in reg.scopes:
        claims[Claim.NRPS] = {
            "context_memberships_url": f"{base}/names_and_roles",
            "service_versions": ["2.0"],
        }
    return claims


def default_link_id(platform: Platform, context_id: str, client_id: str,
                    link_id: str | None) -> str:
    """The given link id, else the course's first activity for that tool."""
    if link_id:
        return link_id
    for link in platform.resource_links(context_id):
        if link.client_id == client_id:
            return link.id
    raise KeyError(f"no activity of {client_id} in {context_id}")


def build_launch_claims(
    platform: Platform,
    user_id: str,
    context_id: str,
    *,
    nonce: str,
    resource_link_id: str | None = None,
    message_type: str = MessageType.RESOURCE_LINK,
    client_id: str | None = None,
    deployment_id: str | None = None,
    target_link_uri: str | None = None,
    custom: dict[str, str] | None = None,
    locale: str | None = None,
) -> dict[str, Any]:
    """The claims the auth endpoint puts in the id_token for this user and message."""
    state = platform.store.state
    client_id = client_id or platform.default_client_id
    reg = state.registrations[client_id]
    urls = platform.tool_urls(client_id)
    deployment_id = deployment_id or reg.deployment_ids[0]
    user, course = state.users[user_id], state.courses[context_id]
    roles, mentees = _roles(platform, user_id, context_id)
    locale = locale or user.locale
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": platform.issuer, "aud": client_id, "azp": client_id, "sub": user.id,
        "iat": now, "exp": now + ID_TOKEN_LIFETIME_S, "nonce": nonce,
        "name": user.name, "given_name": user.given_name, "family_name": user.family_name,
        "email": user.email, "locale": locale,
        Claim.MESSAGE_TYPE: message_type, Claim.VERSION: LTI_VERSION,
        Claim.DEPLOYMENT_ID: deployment_id, Claim.ROLES: roles,
        Claim.CONTEXT: {
            "id": course.id, "label": course.label, "title": course.title,
            "type": [CONTEXT_TYPE_COURSE_OFFERING],
        },
        Claim.TOOL_PLATFORM: {
            "guid": platform.guid, "name": platform.name,
            "product_family_code": PRODUCT_FAMILY_CODE, "version": PRODUCT_VERSION,
        },
        Claim.LAUNCH_PRESENTATION: {
            "document_target": "iframe", "locale": locale,
            "return_url": f"{platform.issuer}/courses/{context_id}?as={user_id}",
        },
        Claim.LIS: {
            "person_sourcedid": user.sourcedid, "course_section_sourcedid": course.sourcedid,
        },
    }
    if Role.MENTOR in roles and mentees:
        claims[Claim.ROLE_SCOPE_MENTOR] = mentees
    tool_config = reg.config.get(TOOL_CONFIGURATION) or {}
    all_custom: dict[str, str] = dict(tool_config.get("custom_parameters") or {})
    if message_type == MessageType.DEEP_LINKING:
        claims[Claim.TARGET_LINK_URI] = target_link_uri or urls["deep_link_url"]
        data = seal(platform.secret, {
            "c": context_id, "u": user_id, "cl": client_id, "d": deployment_id, "t": now,
        })
        claims[Claim.DL_SETTINGS] = {
            "deep_link_return_url": f"{platform.issuer}/deep_linking/return",
            "accept_types": [DL_CONTENT_LTI_RESOURCE_LINK],
            "accept_presentation_document_targets": ["iframe", "window"],
            "accept_multiple": True, "accept_lineitem": True, "auto_create": True,
            "data": data, "title": f"Add an activity to {course.title}",
        }
    else:
        resource_link_id = default_link_id(platform, context_id, client_id, resource_link_id)
        link = state.links.get(resource_link_id)
        if link is None:
            raise KeyError(f"unknown resource link {resource_link_id!r}")
        claims[Claim.TARGET_LINK_URI] = target_link_uri or link.url or urls["target_link_uri"]
        claims[Claim.RESOURCE_LINK] = {
            "id": link.id, "title": link.title, "description": link.description,
        }
        all_custom.update(link.custom)
    all_custom.update(custom or {})
    if all_custom:
        enrollment = course.enrollments.get(user_id)
        claims[Claim.CUSTOM] = {
            k: _substitute(v, course, user, enrollment) for k, v in all_custom.items()
        }
    claims.update(_service_claims(platform, context_id, client_id, resource_link_id))
    return claims


# Substitution variables the platform expands in custom parameters, as Canvas does; an
# unknown one is sent as written (so a tool must treat "$Name" as "not offered").
# Canvas's section variables describe the launching user's own sections: ids sorted and
# comma-separated, names as a JSON array in enrolment order (so names pair with ids only for a
# user in one section).
_SUBSTITUTIONS = {
    "$Context.id": lambda course, user, enrollment: course.id,
    "$Context.id.history": lambda course, user, enrollment: ",".join(course.history),
    # Canvas's own numeric user id, as its gradebook export's "ID" column writes it.
    "$Canvas.user.id": lambda course, user, enrollment: user.id,
    "$User.id": lambda course, user, enrollment: user.id,
    "$Canvas.course.sectionIds": lambda course, user, enrollment: ",".join(
        sorted(enrollment.sections if enrollment else [], key=_numeric_first)
    ),
    "$com.instructure.User.sectionNames": lambda course, user, enrollment: json.dumps(
        [course.sections.get(s, s) for s in (enrollment.sections if enrollment else [])]
    ),
    "$Person.address.timezone": lambda course, user, enrollment: user.time_zone,
    "$Canvas.course.workflowState": lambda course, user, enrollment: course.workflow_state,
}


def _numeric_first(section_id: str) -> tuple[int, str]:
    return (int(section_id), "") if section_id.isdigit() else (0, section_id)


def _substitute(value: str, course: Any, user: Any, enrollment: Any) -> str:
    expand = _SUBSTITUTIONS.get(value)
    return expand(course, user, enrollment) if expand else value


def build_login_initiation(
    platform: Platform,
    user_id: str,
    context_id: str,
    *,
    resource_link_id: str | None = None,
    message_type: str = MessageType.RESOURCE_LINK,
    client_id: str | None = None,
    storage_target: bool = False,
) -> tuple[str, dict[str, str]]:
    """The tool's login URL and the third-party-initiated login parameters."""
    client_id = client_id or platform.default_client_id
    reg = platform.store.state.registrations[client_id]
    urls = platform.tool_urls(client_id)
    deployment_id = reg.deployment_ids[0]
    if message_type == MessageType.DEEP_LINKING:
        target = urls["deep_link_url"]
    else:
        resource_link_id = default_link_id(platform, context_id, client_id, resource_link_id)
        link = platform.store.state.links[resource_link_id]
        target = link.url or urls["target_link_uri"]
    hint = seal(platform.secret, {
        "u": user_id, "c": context_id, "rl": resource_link_id, "mt": message_type,
        "cl": client_id, "d": deployment_id,
    })
    params = {
        "iss": platform.issuer, "login_hint": user_id, "target_link_uri": target,
        "lti_message_hint": hint, "client_id": client_id, "lti_deployment_id": deployment_id,
    }
    if storage_target:
        # Canvas offers platform storage through the parent frame.
        params["lti_storage_target"] = "_parent"
    return urls["login_url"], params
