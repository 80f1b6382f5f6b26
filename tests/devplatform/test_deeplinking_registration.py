"""Deep linking return, Dynamic Registration, pages and the live server."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from devplatform import create_app
from devplatform.platform import Platform
from devplatform.server import serve_in_thread
from devplatform.vocab import MOODLE_EMPTY_CUSTOM_ERROR, Claim, MessageType, Scope
from tests.devplatform.conftest import CLIENT_ID, ISSUER, FakeTool

COURSE = "algebra-1-p3"
TOOL_CONF = "https://purl.imsglobal.org/spec/lti-tool-configuration"


def dl_response(platform: Platform, fake_tool: FakeTool, items: list[dict[str, Any]],
                **overrides: Any) -> str:
    """A signed LtiDeepLinkingResponse echoing the request's data."""
    request = platform.launch_claims("101", COURSE, nonce="n",
                                     message_type=MessageType.DEEP_LINKING)
    now = int(time.time())
    claims = {"iss": CLIENT_ID, "aud": ISSUER, "iat": now, "exp": now + 300, "nonce": "dl-n",
              Claim.MESSAGE_TYPE: "LtiDeepLinkingResponse", Claim.VERSION: "1.3.0",
              Claim.DEPLOYMENT_ID: "1", Claim.DL_CONTENT_ITEMS: items,
              Claim.DL_DATA: request[Claim.DL_SETTINGS]["data"]}
    claims.update(overrides)
    return fake_tool.sign(claims)


ITEM = {"type": "ltiResourceLink", "title": "Unit 2 check-in",
        "url": "http://127.0.0.1:5000/lti/launch", "custom": {"assessment": "42"},
        "lineItem": {"label": "Unit 2 check-in", "scoreMaximum": 4, "tag": "mastery",
                     "resourceId": "a-42"}}


def test_deep_link_return_creates_link_and_line_item(client: FlaskClient, platform: Platform,
                                                     fake_tool: FakeTool) -> None:
    resp = client.post("/deep_linking/return",
                       data={"JWT": dl_response(platform, fake_tool, [ITEM])})
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert 'target="_top"' in resp.get_data(as_text=True)
    link = next(lk for lk in platform.resource_links(COURSE) if lk.title == "Unit 2 check-in")
    assert link.custom == {"assessment": "42"} and link.client_id == CLIENT_ID
    item = next(i for i in platform.line_items(COURSE) if i.resource_link_id == link.id)
    assert (item.client_id, item.score_maximum, item.tag, item.resource_id) == (
        CLIENT_ID, 4.0, "mastery", "a-42")
    claims = platform.launch_claims("201", COURSE, nonce="n", resource_link_id=link.id)
    assert claims[Claim.AGS_ENDPOINT]["lineitem"].endswith(f"/line_items/{item.id}")
    # The link's own custom parameters, beside the registration's (history empty: no copy;
    # the student is in no section; time zone and course state substituted).
    assert claims[Claim.CUSTOM] == {"assessment": "42", "ctx_history": "",
                                    "canvas_user_id": "201",
                                    "canvas_course_section_ids": "",
                                    "canvas_user_section_names": "[]",
                                    "person_time_zone": "Etc/UTC",
                                    "course_workflow_state": "available"}


def test_deep_link_rejects_empty_custom(client: FlaskClient, platform: Platform,
                                        fake_tool: FakeTool) -> None:
    token = dl_response(platform, fake_tool, [dict(ITEM, custom={})])
    resp = client.post("/deep_linking/return", data={"JWT": token})
    assert resp.status_code == 400
    assert "params_to_string(): Argument #1 ($params)" in resp.get_data(as_text=True)
    assert MOODLE_EMPTY_CUSTOM_ERROR.startswith("params_to_string")
    assert len(platform.resource_links(COURSE)) == 1


@pytest.mark.parametrize("override", [
    {"aud": "http://other"}, {"nonce": ""}, {Claim.DL_DATA: "tampered.abc"},
    {Claim.MESSAGE_TYPE: "LtiResourceLinkRequest"}, {"exp": int(time.time()) + 3600},
    {Claim.DEPLOYMENT_ID: "nope"},
])
def test_deep_link_rejects_bad_response(client: FlaskClient, platform: Platform,
                                        fake_tool: FakeTool, override: dict[str, Any]) -> None:
    token = dl_response(platform, fake_tool, [ITEM], **override)
    assert client.post("/deep_linking/return", data={"JWT": token}).status_code == 400


def registration_body(fake_tool: FakeTool, domain: str | None = None) -> dict[str, Any]:
    """An OIDC client registration as a tool sends it."""
    host = fake_tool.url.removeprefix("http://")
    return {
        "application_type": "web", "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": f"{fake_tool.url}/lti/login",
        "redirect_uris": [f"{fake_tool.url}/lti/launch"], "client_name": "Another tool",
        "jwks_uri": f"{fake_tool.url}/.well-known/jwks.json",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": f"{Scope.SCORE} {Scope.NRPS_READONLY} https://example.com/unknown",
        TOOL_CONF: {"domain": domain or host, "target_link_uri": f"{fake_tool.url}/lti/launch",
                    "claims": ["iss", "sub", "name"],
                    "messages": [{"type": "LtiDeepLinkingRequest",
                                  "target_link_uri": f"{fake_tool.url}/lti/launch"}]},
    }


def test_registration_success_and_single_use(client: FlaskClient, platform: Platform,
                                             fake_tool: FakeTool) -> None:
    token = platform.issue_registration_token()
    headers = {"Authorization": f"Bearer {token}"}
    resp = client.post("/registration", json=registration_body(fake_tool), headers=headers)
    assert resp.status_code == 200, resp.json
    body = resp.json
    client_id = body["client_id"]
    assert body[TOOL_CONF]["deployment_id"]
    assert body["scope"] == f"{Scope.SCORE} {Scope.NRPS_READONLY}"
    assert platform.registrations[client_id].active
    assert client_id in platform.courses[COURSE].tools
    again = client.post("/registration", json=registration_body(fake_tool), headers=headers)
    assert again.status_code == 401
    _, params = platform.login_initiation("101", COURSE, client_id=client_id,
                                          message_type=MessageType.DEEP_LINKING)
    assert params["client_id"] == client_id


def test_registration_moodle_domain_check(client: FlaskClient, platform: Platform,
                                          fake_tool: FakeTool) -> None:
    headers = {"Authorization": f"Bearer {platform.issue_registration_token()}"}
    resp = client.post("/registration", json=registration_body(fake_tool, domain="127.0.0.1"),
                       headers=headers)
    assert resp.status_code == 400 and resp.json["error"] == "domain_targetlinkuri_mismatch"


def test_registration_needs_token(client: FlaskClient, fake_tool: FakeTool) -> None:
    assert client.post("/registration", json=registration_body(fake_tool)).status_code == 401


def test_admin_page_starts_registration(client: FlaskClient) -> None:
    url = "http://127.0.0.1:5000/lti/register"
    resp = client.post("/admin/tools", data={"registration_url": url})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "registration_token=" in html
    assert "openid_configuration=http%3A%2F%2Flocalhost%3A5001%2F.well-known" in html
    assert "org.imsglobal.lti.close" in html


def test_pages_render_and_escape(client: FlaskClient, platform: Platform) -> None:
    platform.add_resource_link(COURSE, "<script>alert(1)</script>")
    assert "Liam O&#39;Brien" in client.get("/").get_data(as_text=True)
    page = client.get(f"/courses/{COURSE}?as=101").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)" in page and "Add activity" in page
    assert "Add activity" not in client.get(f"/courses/{COURSE}?as=201").get_data(as_text=True)
    platform.grade("601", "201", 17, "Nice work")
    book = client.get(f"/courses/{COURSE}/gradebook?as=101").get_data(as_text=True)
    assert "Unit 1 Quiz" in book and "Nice work" in book
    assert client.get(f"/courses/{COURSE}/gradebook?as=201").status_code == 403
    launch = client.get(f"/courses/{COURSE}/links/501/launch?as=201").get_data(as_text=True)
    assert 'name="lti_message_hint"' in launch and "/lti/login" in launch


def test_persistence_and_live_server(tmp_path: Any, fake_tool: FakeTool) -> None:
    config = {"PLATFORM_DATA_PATH": str(tmp_path / "state.json"),
              "PLATFORM_KEY_PATH": str(tmp_path / "key.pem"), "TOOL_BASE_URL": fake_tool.url}
    app: Flask = create_app(config)
    platform: Platform = app.extensions["devplatform"]
    platform.add_resource_link(COURSE, "Saved link", link_id="777")
    kid = platform.kid
    assert (tmp_path / "key.pem").stat().st_mode & 0o777 == 0o600
    again: Platform = create_app(config).extensions["devplatform"]
    assert again.kid == kid and "777" in again.store.state.links
    saved = json.loads((tmp_path / "state.json").read_text())
    assert saved["links"]["777"]["title"] == "Saved link"
    with serve_in_thread(app, host="localhost") as handle:
        assert handle.url.startswith("http://localhost:")
        resp = requests.get(f"{handle.url}/jwks", timeout=5)
        assert resp.json()["keys"][0]["kid"] == kid
        resp.close()
