"""OIDC side of LTI: platform configuration, JWKS and the authorization endpoint."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, render_template, request

from devplatform.context import error_page, get_platform
from devplatform.messages import HintError, unseal
from devplatform.vocab import (
    ALL_SCOPES,
    PLATFORM_CONFIGURATION,
    PRODUCT_FAMILY_CODE,
    PRODUCT_VERSION,
    MessageType,
    Role,
)

bp = Blueprint("oidc", __name__)

_SUPPORTED_CLAIMS = ["iss", "sub", "aud", "exp", "iat", "nonce", "name", "given_name",
                     "family_name", "email", "locale"]
_VARIABLES = ["Context.id", "Context.id.history", "Canvas.user.id", "CourseSection.sourcedId",
              "Person.email.primary", "Person.name.full", "User.id", "ResourceLink.id"]


@bp.get("/.well-known/openid-configuration")
def openid_configuration() -> Response:
    """The platform configuration a tool reads during Dynamic Registration."""
    p = get_platform()
    return jsonify({
        "issuer": p.issuer,
        "authorization_endpoint": f"{p.issuer}/auth",
        "token_endpoint": p.token_url,
        "token_endpoint_auth_methods_supported": ["private_key_jwt"],
        "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
        "jwks_uri": f"{p.issuer}/jwks",
        "registration_endpoint": f"{p.issuer}/registration",
        "scopes_supported": ["openid", *ALL_SCOPES],
        "response_types_supported": ["id_token"],
        "subject_types_supported": ["public", "pairwise"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "claims_supported": _SUPPORTED_CLAIMS,
        PLATFORM_CONFIGURATION: {
            "product_family_code": PRODUCT_FAMILY_CODE,
            "version": PRODUCT_VERSION,
            "messages_supported": [
                {"type": MessageType.RESOURCE_LINK},
                {"type": MessageType.DEEP_LINKING, "placements": ["ContentArea"]},
            ],
            "variables": _VARIABLES,
        },
    })


@bp.get("/jwks")
def jwks() -> Response:
    """The platform's public keys."""
    resp = jsonify(get_platform().public_jwks())
    resp.headers["Cache-Control"] = "max-age=300"
    return resp


class AuthError(Exception):
    """An authorization request the platform refuses."""


_REQUIRED_VALUES = {"scope": "openid", "response_type": "id_token",
                    "response_mode": "form_post", "prompt": "none"}


def _validate(params: dict[str, str]) -> dict[str, Any]:
    """Check the authentication request and return the decoded message hint."""
    p = get_platform()
    for name, value in _REQUIRED_VALUES.items():
        if params.get(name) != value:
            raise AuthError(f"{name} must be {value!r}, got {params.get(name)!r}")
    for name in ("client_id", "redirect_uri", "login_hint", "lti_message_hint", "state", "nonce"):
        if not params.get(name):
            raise AuthError(f"{name} is required")
    client_id = params["client_id"]
    reg = p.registrations.get(client_id)
    if reg is None or not reg.active:
        raise AuthError(f"unknown or inactive client_id {client_id!r}")
    if params["redirect_uri"] not in p.tool_urls(client_id)["redirect_uris"]:
        raise AuthError(f"redirect_uri {params['redirect_uri']!r} is not registered for this tool")
    try:
        hint = unseal(p.secret, params["lti_message_hint"])
    except HintError as exc:
        raise AuthError(f"lti_message_hint: {exc}") from exc
    if hint.get("cl") != client_id:
        raise AuthError("lti_message_hint was issued for another tool")
    if params["login_hint"] != hint.get("u") or params["login_hint"] not in p.users:
        raise AuthError(f"login_hint {params['login_hint']!r} does not match a known user")
    course = p.courses.get(str(hint.get("c")))
    if course is None:
        raise AuthError("the course of this launch no longer exists")
    user = p.users[params["login_hint"]]
    if user.id not in course.enrollments and Role.SYSTEM_ADMIN not in user.system_roles:
        raise AuthError("the user is not enrolled in this course")
    return hint


@bp.route("/auth", methods=["GET", "POST"])
def authorize() -> Any:
    """OIDC authorization endpoint: answers with an auto-submitting form_post."""
    params = {k: v for k, v in (request.form if request.method == "POST" else request.args).items()}
    try:
        hint = _validate(params)
    except AuthError as exc:
        return error_page(400, "The launch was refused", str(exc))
    p = get_platform()
    try:
        claims = p.launch_claims(
            hint["u"], hint["c"], nonce=params["nonce"], resource_link_id=hint.get("rl"),
            message_type=hint.get("mt") or MessageType.RESOURCE_LINK, client_id=hint["cl"],
            deployment_id=hint.get("d"))
    except KeyError as exc:
        return error_page(400, "The launch was refused", f"unknown item: {exc}")
    fields = {"id_token": p.sign(claims), "state": params["state"]}
    return render_template("autosubmit.html", action=params["redirect_uri"], fields=fields,
                           title="Launching the tool…")
