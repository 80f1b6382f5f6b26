"""OAuth 2 client_credentials token endpoint (private_key_jwt) and Bearer checks."""

from __future__ import annotations

import secrets
import time
from typing import Any

from flask import Blueprint, Response, jsonify, request

from devplatform.context import get_platform
from devplatform.keys import TokenError, check_times, unverified_claims
from devplatform.store import AccessToken
from devplatform.vocab import CLIENT_ASSERTION_TYPE, GRANT_CLIENT_CREDENTIALS

bp = Blueprint("tokens", __name__)

ACCESS_TOKEN_LIFETIME_S = 3600
ASSERTION_MAX_LIFETIME_S = 3600


def oauth_error(error: str, description: str, status: int = 400) -> tuple[Response, int]:
    """An RFC 6749 error answer."""
    return jsonify({"error": error, "error_description": description}), status


class ServiceAuthError(Exception):
    """A service call without a usable token (401) or scope (403)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _verify_assertion(assertion: str) -> dict[str, Any]:
    p = get_platform()
    # The client id must be known before the signature can be checked.
    unverified = unverified_claims(assertion)
    client_id = unverified.get("iss")
    reg = p.registrations.get(str(client_id))
    if reg is None or not reg.active:
        raise TokenError(f"unknown or inactive client {client_id!r}")
    claims = p.tool_keys.verify(assertion, str(p.tool_urls(reg.client_id)["jwks_url"]))
    if claims.get("iss") != claims.get("sub") or claims.get("iss") != reg.client_id:
        raise TokenError("iss and sub must both be the client id")
    aud = claims.get("aud")
    auds = aud if isinstance(aud, list) else [aud]
    if p.token_url not in auds and p.issuer not in auds:
        raise TokenError(f"aud must contain {p.token_url}")
    check_times(claims, max_lifetime_s=ASSERTION_MAX_LIFETIME_S)
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise TokenError("jti is required")
    now = time.time()
    with p.store.lock:
        used = p.store.state.used_jtis
        for old in [k for k, exp in used.items() if exp < now]:
            del used[old]
        if f"{reg.client_id}:{jti}" in used:
            raise TokenError("jti was already used (replay)")
        used[f"{reg.client_id}:{jti}"] = float(claims["exp"])
    return claims


@bp.post("/token")
def token() -> Any:
    """Exchange a signed client assertion for a service access token."""
    p = get_platform()
    p.token_requests += 1
    form = request.form
    if form.get("grant_type") != GRANT_CLIENT_CREDENTIALS:
        return oauth_error("unsupported_grant_type", "grant_type must be client_credentials")
    if form.get("client_assertion_type") != CLIENT_ASSERTION_TYPE:
        return oauth_error("invalid_request",
                           f"client_assertion_type must be {CLIENT_ASSERTION_TYPE}")
    if not form.get("client_assertion"):
        return oauth_error("invalid_request", "client_assertion is required")
    try:
        claims = _verify_assertion(form["client_assertion"])
    except TokenError as exc:
        return oauth_error("invalid_grant", str(exc))
    reg = p.registrations[claims["iss"]]
    requested = form.get("scope", "").split()
    if not requested:
        return oauth_error("invalid_scope", "scope is required")
    excess = [s for s in requested if s not in reg.scopes]
    if excess:
        return oauth_error("invalid_scope", f"not granted to this tool: {' '.join(excess)}")
    access = AccessToken(token=secrets.token_urlsafe(32), client_id=reg.client_id,
                         scopes=requested, expires_at=time.time() + ACCESS_TOKEN_LIFETIME_S)
    with p.store.lock:
        p.store.state.tokens[access.token] = access
        p.store.save()
    return jsonify({"access_token": access.token, "token_type": "Bearer",
                    "expires_in": ACCESS_TOKEN_LIFETIME_S, "scope": " ".join(requested)})


def require_token(*any_of: str) -> AccessToken:
    """The request's Bearer token, which must hold one of the given scopes."""
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() != "bearer" or not value:
        raise ServiceAuthError(401, "a Bearer access token is required")
    p = get_platform()
    access = p.store.state.tokens.get(value.strip())
    if access is None or access.expires_at < time.time():
        raise ServiceAuthError(401, "the access token is unknown or expired")
    if not any(scope in access.scopes for scope in any_of):
        raise ServiceAuthError(403, f"the token lacks the scope {' or '.join(any_of)}")
    return access


def service_error(status: int, message: str) -> Response:
    """A JSON error for service endpoints, with a WWW-Authenticate header on 401."""
    resp = jsonify({"errors": [{"message": message}]})
    resp.status_code = status
    if status == 401:
        resp.headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    return resp
