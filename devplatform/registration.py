"""LTI Dynamic Registration: the admin initiator page and the registration endpoint."""

from __future__ import annotations

import secrets
import time
from typing import Any
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, Response, jsonify, render_template, request

from devplatform.context import error_page, get_platform
from devplatform.seed import DEMO_CONTEXT_ID
from devplatform.store import Registration
from devplatform.vocab import (
    ALL_SCOPES,
    CLOSE_SUBJECT,
    MOODLE_DOMAIN_MISMATCH,
    TOOL_CONFIGURATION,
    MessageType,
)

bp = Blueprint("registration", __name__)

_DEFAULT_PORTS = {"http": 80, "https": 443}


class RegistrationError(Exception):
    """A client registration the platform refuses (OIDC error code + description)."""

    def __init__(self, code: str, description: str) -> None:
        super().__init__(description)
        self.code = code
        self.description = description


def host_with_port(url: str) -> str:
    """The URL's host, with `:port` when the port is not the scheme's default (as Moodle does)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != _DEFAULT_PORTS.get(parts.scheme):
        return f"{host}:{parts.port}"
    return host


def _require(cond: bool, description: str, code: str = "invalid_client_metadata") -> None:
    if not cond:
        raise RegistrationError(code, description)


def validate_client(body: Any) -> dict[str, Any]:
    """Check an OIDC client registration with the LTI tool configuration; return the latter."""
    _require(isinstance(body, dict), "the body must be a JSON object")
    _require(body.get("application_type") == "web", "application_type must be 'web'")
    _require(body.get("response_types") == ["id_token"], "response_types must be ['id_token']")
    grants = body.get("grant_types") or []
    _require("implicit" in grants and "client_credentials" in grants,
             "grant_types must contain implicit and client_credentials")
    _require(isinstance(body.get("initiate_login_uri"), str), "initiate_login_uri is required")
    uris = body.get("redirect_uris")
    _require(isinstance(uris, list) and bool(uris) and all(isinstance(u, str) for u in uris),
             "redirect_uris must be a non-empty list", "invalid_redirect_uri")
    _require(isinstance(body.get("jwks_uri"), str), "jwks_uri is required")
    _require(body.get("token_endpoint_auth_method") == "private_key_jwt",
             "token_endpoint_auth_method must be private_key_jwt")
    _require(isinstance(body.get("scope", ""), str), "scope must be a space-separated string")
    config = body.get(TOOL_CONFIGURATION)
    _require(isinstance(config, dict), f"{TOOL_CONFIGURATION} is required")
    for name in ("domain", "target_link_uri"):
        _require(isinstance(config.get(name), str) and bool(config[name]), f"{name} is required")
    _require(isinstance(config.get("claims", []), list), "claims must be a list")
    _require(isinstance(config.get("messages", []), list), "messages must be a list")
    # Moodle 4.5 compares the domain with the launch URL's host, port included.
    if config["domain"].lower() != host_with_port(config["target_link_uri"]):
        raise RegistrationError(
            MOODLE_DOMAIN_MISMATCH,
            f"domain {config['domain']!r} does not match the host of target_link_uri "
            f"({host_with_port(config['target_link_uri'])!r})")
    return config


def _deep_link_url(config: dict[str, Any]) -> str | None:
    for message in config.get("messages", []):
        if isinstance(message, dict) and message.get("type") == MessageType.DEEP_LINKING:
            return message.get("target_link_uri") or None
    return None


def _take_registration_token() -> None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    p = get_platform()
    with p.store.lock:
        expires = p.store.state.registration_tokens.pop(token.strip(), None)
        p.store.save()
    if scheme.lower() != "bearer" or expires is None or expires < time.time():
        raise RegistrationError("invalid_token", "a valid, unused registration token is required")


@bp.post("/registration")
def register() -> Any:
    """The registration_endpoint: create a tool from its client registration."""
    try:
        _take_registration_token()
        body = request.get_json(force=True, silent=True)
        config = validate_client(body)
    except RegistrationError as exc:
        status = 401 if exc.code == "invalid_token" else 400
        return jsonify({"error": exc.code, "error_description": exc.description}), status
    p = get_platform()
    granted = [s for s in str(body.get("scope", "")).split() if s in ALL_SCOPES]
    reg = Registration(
        client_id=secrets.token_hex(8), name=str(body.get("client_name") or config["domain"]),
        deployment_ids=[p.store.new_id()], scopes=granted,
        login_url=body["initiate_login_uri"], redirect_uris=list(body["redirect_uris"]),
        target_link_uri=config["target_link_uri"], jwks_url=body["jwks_uri"],
        deep_link_url=_deep_link_url(config), domain=config["domain"], config=dict(body),
    )
    with p.store.lock:
        p.store.state.registrations[reg.client_id] = reg
        # Made usable at once: active, and offered in the demo course.
        course = p.store.state.courses.get(DEMO_CONTEXT_ID)
        if course is not None and reg.client_id not in course.tools:
            course.tools.append(reg.client_id)
        p.store.save()
    answer = dict(body, client_id=reg.client_id, scope=" ".join(granted))
    answer[TOOL_CONFIGURATION] = dict(config, deployment_id=reg.deployment_ids[0])
    return jsonify(answer)


@bp.route("/admin/tools", methods=["GET", "POST"])
def admin_tools() -> Any:
    """List tools; on POST start Dynamic Registration of the pasted URL in an iframe."""
    p = get_platform()
    frame_src = None
    if request.method == "POST":
        url = request.form.get("registration_url", "").strip()
        if urlsplit(url).scheme not in ("http", "https"):
            return error_page(400, "Registration not started", "paste an http(s) registration URL")
        query = urlencode({"openid_configuration": f"{p.issuer}/.well-known/openid-configuration",
                           "registration_token": p.issue_registration_token()})
        frame_src = f"{url}{'&' if '?' in url else '?'}{query}"
    default_url = p.tool_urls(p.default_client_id)["registration_url"] \
        if p.default_client_id in p.registrations else ""
    return render_template("admin_tools.html", registrations=list(p.registrations.values()),
                           frame_src=frame_src, close_subject=CLOSE_SUBJECT,
                           default_url=default_url, platform_name=p.name)


@bp.get("/admin/tools.json")
def admin_tools_json() -> Response:
    """The registered tools, for the page's reload after registration."""
    regs = get_platform().registrations.values()
    return jsonify([{"client_id": r.client_id, "name": r.name, "active": r.active,
                     "deployment_ids": r.deployment_ids} for r in regs])
