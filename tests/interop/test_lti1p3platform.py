"""Interop: our tool against lti1p3platform 0.1.8, a platform implementation we did not write.

devplatform/ is ours and can share our misreadings of the spec; lti1p3platform's launch,
deep-linking check and token endpoint are someone else's reading. Where the two platforms
differ, the comment at the test says what the spec requires and which side is right.

Differences that need no test, noted here once:
- id_token lifetime: lti1p3platform signs for 300 s, devplatform (like Moodle) for 60 s. LTI
  Core 1.3 and the Security Framework (ID Token, §5.1.2) only require `exp` and that the tool
  reject tokens past it; no lifetime is prescribed, so both are right and the tool accepts both.
- `aud`: both platforms send a single string (with `azp`). OIDC Core §2 allows a string or an
  array; the tool accepts either (tests/lti/test_launch_rejections.py covers the array form).
- lti1p3platform's authorization endpoint checks only nonce, state, redirect_uri presence and
  client_id; it does not check `redirect_uri` against the registered one, nor `scope=openid`,
  `response_type=id_token`, `response_mode=form_post`, `prompt=none`, nor that `login_hint`
  is the signed-in user. Security Framework §5.1.1.2 requires the redirect_uri to be one the
  tool registered, so devplatform (which refuses unknown redirect_uris) is right; this is a
  platform-side gap that our tool cannot observe, so it is not asserted here.
"""

from __future__ import annotations

import re
import time
import uuid
from html import unescape
from typing import Any
from urllib.parse import urlsplit

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from flask import Flask
from pylti1p3.service_connector import ServiceConnector

from lti_tool.lti.context import lti
from lti_tool.lti.vocab import Claim

from .conftest import Browser, Foreign
from .flask_platform import CLIENT_ID, DEEP_LINK_DATA, DEPLOYMENT_ID

SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
LINEITEM = "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


def _tool_key(tool: Flask, kid: str) -> jwt.PyJWK:
    keys = tool.test_client().get("/.well-known/jwks.json").json["keys"]
    return jwt.PyJWK(next(k for k in keys if k["kid"] == kid))


# -- (1) resource-link launches ---------------------------------------------------------------


def test_instructor_launch_lands_on_teacher_dashboard(browser: Browser) -> None:
    html = browser.page(browser.launch("t-1"))
    assert "Teacher dashboard" in html and "Ada Instructor" in html


def test_learner_launch_lands_on_own_mastery(browser: Browser) -> None:
    html = browser.page(browser.launch("s-1"))
    assert "My mastery" in html and "Lin Learner" in html
    assert "Teacher dashboard" not in html


def test_replayed_lti1p3platform_launch_is_refused(browser: Browser) -> None:
    # lti1p3platform signs the tool's nonce in and leaves replay protection to the tool, as
    # the Security Framework's authentication response validation (§5.1.3) says: the tool
    # SHOULD verify it has not yet received this nonce. The same form posted twice must fail.
    _action, form = browser.launch_form("s-1")
    assert browser.tool.post("/lti/launch", data=form).status_code == 200
    replay = browser.tool.post("/lti/launch", data=form)
    assert replay.status_code == 401


def test_lti1p3platform_id_token_claims_match_what_we_rely_on(browser: Browser) -> None:
    _action, form = browser.launch_form("t-1")
    header = jwt.get_unverified_header(form["id_token"])
    claims = jwt.decode(form["id_token"], options={"verify_signature": False})
    # The tool picks the key from the issuer's JWKS by the header's `kid` (Security Framework
    # §6, key set URL) and rejects launches without one. lti1p3platform derives the kid as the
    # RFC 7638 thumbprint (via jwcrypto), as our tool does for its own keys.
    assert header["alg"] == "RS256" and header["kid"]
    assert claims["aud"] == CLIENT_ID and claims["azp"] == CLIENT_ID
    assert claims[Claim.DEPLOYMENT_ID] == DEPLOYMENT_ID
    # LTI Core 1.3 §5.4.1: target_link_uri is required and equals the login's target_link_uri.
    assert urlsplit(claims[Claim.TARGET_LINK_URI]).path == "/lti/launch"
    assert claims["exp"] - claims["iat"] == 300
    # AGS 2.0 §3.1: lineitems present, no lineitem (this link has no column yet).
    ags = claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]
    assert "lineitem" not in ags and ags["lineitems"].endswith("/lineitems")


# -- (2) deep linking ---------------------------------------------------------------------------


def _deep_link_response(browser: Browser) -> tuple[str, str]:
    """Launch as instructor for deep linking, choose the tool; return (action, response JWT)."""
    launched = browser.launch("t-1", message="deep_link")
    assert launched.status_code == 303, launched.get_data(as_text=True)
    picker = launched.headers["Location"]
    assert urlsplit(picker).path == "/lti/deep-link"
    token = picker.split("launch=")[1]
    page = browser.tool.post("/lti/deep-link", data={"launch": token, "title": "Interop link"})
    assert page.status_code == 200, page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    action = unescape(re.search(r'action="([^"]+)"', html).group(1))
    return action, re.search(r'name="JWT" value="([^"]+)"', html).group(1)


def test_deep_linking_response_passes_lti1p3platform_validation(
    browser: Browser, foreign: Foreign, tool: Flask
) -> None:
    action, response_jwt = _deep_link_response(browser)
    assert action == f"{foreign.issuer}/deep_linking/return"

    # lti1p3platform fetches our JWKS over HTTP, checks kid+alg, signature, exp and type.
    returned = foreign.client().post(urlsplit(action).path, data={"JWT": response_jwt})
    assert returned.status_code == 200, returned.get_data(as_text=True)
    (item,) = foreign.state.content_items
    assert item["type"] == "ltiResourceLink" and item["title"] == "Interop link"
    assert urlsplit(item["url"]).path == "/lti/launch"
    # lti1p3platform sends no `accept_lineitem`. DL 2.0 §4.4.1: when absent "no assumption
    # ... should be made", so sending lineItem anyway is allowed (a platform may ignore it).
    assert item["lineItem"] == {
        "label": "Mastery summary",
        "scoreMaximum": 100,
        "resourceId": "mastery-summary",
        "tag": "mastery-summary",
    }

    # What lti1p3platform does NOT check (it decodes with verify_aud=False and reads only
    # message_type and content_items), checked here against the spec instead. DL 2.0, Deep
    # Linking Response message: the response's iss is the tool's client_id, its aud the
    # platform's issuer, it carries the deployment_id of the request and a nonce. Our tool is
    # right on each; lti1p3platform would also accept a response minted for another platform.
    kid = jwt.get_unverified_header(response_jwt)["kid"]
    claims = jwt.decode(
        response_jwt, _tool_key(tool, kid), algorithms=["RS256"], audience=foreign.issuer
    )
    assert claims["iss"] == CLIENT_ID
    assert claims[Claim.DEPLOYMENT_ID] == DEPLOYMENT_ID and claims["nonce"]
    # lti1p3platform sends `data` as a JSON object, where the spec's examples use a string.
    # DL 2.0 §4.4.1 only says `data` is opaque and MUST be returned if sent: echoing the value
    # unchanged, whatever its JSON type, is right, and our tool does.
    assert claims[Claim.DL_DATA] == DEEP_LINK_DATA


def test_lti1p3platform_rejects_a_tampered_deep_linking_response(
    browser: Browser, foreign: Foreign
) -> None:
    action, response_jwt = _deep_link_response(browser)
    head, body, signature = response_jwt.split(".")
    forged = f"{head}.{body}.{signature[:-4]}AAAA"
    returned = foreign.client().post(urlsplit(action).path, data={"JWT": forged})
    assert returned.status_code == 400 and not foreign.state.content_items


# -- (3) client credentials -------------------------------------------------------------------


def _connector(tool: Flask, foreign: Foreign) -> ServiceConnector:
    """pylti1p3's ServiceConnector (the tool's service client library) with our registration
    and our current signing key, exactly as lti_tool.lti.toolconf builds the registration."""
    with tool.app_context():
        ctx = lti()
        platform = ctx.tool_conf.find_platform(foreign.issuer, CLIENT_ID)
        assert platform is not None
        registration = ctx.tool_conf.registration(platform)
        key = ctx.key_ring.current()
        assert key is not None
    pem = key.private_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    registration.set_tool_private_key(pem).set_tool_public_key(public)
    # pylti1p3 derives the kid from the public key; it must be the kid our JWKS publishes.
    assert registration.get_kid() == key.kid
    return ServiceConnector(registration)


def test_client_credentials_token_from_lti1p3platform(tool: Flask, foreign: Foreign) -> None:
    token = _connector(tool, foreign).get_access_token([SCORE, LINEITEM, NRPS])
    (answer,) = foreign.state.access_tokens
    assert answer["access_token"] == token
    # RFC 6749 §5.1 / Security Framework §4.1: bearer, expires_in, granted scopes.
    assert answer["token_type"] == "bearer" and answer["expires_in"] == 3600
    assert set(answer["scope"].split()) == {SCORE, LINEITEM, NRPS}


def test_lti1p3platform_token_endpoint_ignores_assertion_audience(
    tool: Flask, foreign: Foreign
) -> None:
    # Not our bug; pinned so a fixed lti1p3platform is noticed. Security Framework §4.1.1 and
    # RFC 7523 §3 (item 3): the authorization server MUST reject a client assertion whose `aud`
    # does not identify it (item 7 lets it refuse a reused `jti`, which only a server that
    # remembers them can). lti1p3platform decodes the
    # assertion with verify_aud=False and keeps no jti, so an assertion minted for another
    # platform is accepted. Our tool is right to send aud = the token URL (pylti1p3 does).
    with tool.app_context():
        key = lti().key_ring.current()
        assert key is not None
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": CLIENT_ID,
        "sub": CLIENT_ID,
        "aud": "https://some-other-platform.example/token",
        "iat": now,
        "exp": now + 60,
        "jti": str(uuid.uuid4()),
    }
    assertion = jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})
    form = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": assertion,
        "scope": SCORE,
    }
    client = foreign.client()
    assert client.post("/token", data=form).status_code == 200
    assert client.post("/token", data=form).status_code == 200  # same jti, accepted again


@pytest.mark.parametrize("grant_type", ["password", "authorization_code"])
def test_lti1p3platform_refuses_other_grants(
    tool: Flask, foreign: Foreign, grant_type: str
) -> None:
    # Both platforms agree: Security Framework §4.1 allows only client_credentials here.
    form = {
        "grant_type": grant_type,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": "x.y.z",
        "scope": SCORE,
    }
    answer = foreign.client().post("/token", data=form)
    assert answer.status_code == 400 and answer.json["error"] == "unsupported_grant_type"
