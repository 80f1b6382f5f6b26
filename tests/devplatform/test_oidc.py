"""Keys, JWKS, platform configuration and the OIDC authorization endpoint."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import jwt as pyjwt
import pytest
from flask.testing import FlaskClient

from devplatform.platform import Platform
from devplatform.vocab import Claim, MessageType, Role
from tests.devplatform.conftest import CLIENT_ID, ISSUER, FakeTool

PRIVATE_MEMBERS = {"d", "p", "q", "dp", "dq", "qi"}


def auth_params(platform: Platform, fake_tool: FakeTool, user_id: str = "201",
                **kw: Any) -> dict[str, str]:
    """A valid authorization request built from the platform's own login initiation."""
    message_type = kw.pop("message_type", MessageType.RESOURCE_LINK)
    _, login = platform.login_initiation(user_id, "algebra-1-p3", message_type=message_type)
    params = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post",
              "prompt": "none", "client_id": CLIENT_ID,
              "redirect_uri": f"{fake_tool.url}/lti/launch", "login_hint": login["login_hint"],
              "lti_message_hint": login["lti_message_hint"], "state": "st-1", "nonce": "n-1"}
    params.update(kw)
    return params


def form_fields(html: str) -> dict[str, str]:
    """The hidden fields of an auto-submit form."""
    pairs = re.findall(r'name="([^"]+)" value="([^"]*)"', html)
    return {k: unescape(v) for k, v in pairs}


def decode(client: FlaskClient, token: str) -> dict[str, Any]:
    """Verify an id_token with PyJWT against the platform's published JWKS."""
    keys = client.get("/jwks").json["keys"]
    kid = pyjwt.get_unverified_header(token)["kid"]
    jwk = next(k for k in keys if k["kid"] == kid)
    key = pyjwt.algorithms.RSAAlgorithm.from_jwk(jwk)
    return pyjwt.decode(token, key, algorithms=["RS256"], audience=CLIENT_ID, issuer=ISSUER)


def test_jwks_has_public_members_only(client: FlaskClient, platform: Platform) -> None:
    keys = client.get("/jwks").json["keys"]
    assert keys and all(not PRIVATE_MEMBERS & k.keys() for k in keys)
    assert keys[0]["kid"] == platform.kid and keys[0]["alg"] == "RS256" and keys[0]["use"] == "sig"


def test_rotation_keeps_previous_key(client: FlaskClient, platform: Platform) -> None:
    old = platform.kid
    new = platform.rotate_key()
    kids = [k["kid"] for k in client.get("/jwks").json["keys"]]
    assert new != old and kids == [new, old]


def test_openid_configuration(client: FlaskClient) -> None:
    conf = client.get("/.well-known/openid-configuration").json
    assert conf["issuer"] == ISSUER and conf["token_endpoint"] == f"{ISSUER}/token"
    assert conf["token_endpoint_auth_methods_supported"] == ["private_key_jwt"]
    lti = conf["https://purl.imsglobal.org/spec/lti-platform-configuration"]
    assert {"type": "LtiResourceLinkRequest"} in lti["messages_supported"]


def test_sign_negative_variants(platform: Platform) -> None:
    assert platform.sign({"a": 1}, alg="none").endswith(".")
    hs = platform.sign({"a": 1}, alg="HS256", key=b"secret-secret-secret-secret-32b!")
    assert pyjwt.get_unverified_header(hs)["alg"] == "HS256"
    other = platform.sign({"a": 1}, key=platform.new_key())
    assert pyjwt.get_unverified_header(other)["kid"] == platform.kid


def test_resource_link_launch(client: FlaskClient, platform: Platform,
                              fake_tool: FakeTool) -> None:
    resp = client.post("/auth", data=auth_params(platform, fake_tool))
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert f'action="{fake_tool.url}/lti/launch"' in html and "<noscript>" in html
    fields = form_fields(html)
    assert fields["state"] == "st-1"
    claims = decode(client, fields["id_token"])
    assert claims["nonce"] == "n-1" and claims["sub"] == "201" and claims["azp"] == CLIENT_ID
    assert claims["exp"] - claims["iat"] == 60
    assert claims[Claim.ROLES] == [Role.LEARNER, Role.INSTITUTION_STUDENT]
    assert claims[Claim.RESOURCE_LINK]["id"] == "501"
    assert claims[Claim.CONTEXT]["id"] == "algebra-1-p3"
    assert claims[Claim.NRPS]["service_versions"] == ["2.0"]
    assert claims[Claim.AGS_ENDPOINT]["lineitems"].endswith("/algebra-1-p3/line_items")


def test_a_person_chooses_their_language_and_their_launches_say_it(
        client: FlaskClient, platform: Platform, fake_tool: FakeTool) -> None:
    page = client.get("/").get_data(as_text=True)
    assert 'action="/people/201/locale"' in page and '<option value="es">Español' in page
    assert client.post("/people/201/locale", data={"locale": "es"}).status_code == 303
    claims = decode(client, form_fields(client.post(
        "/auth", data=auth_params(platform, fake_tool)).get_data(as_text=True))["id_token"])
    assert claims["locale"] == "es" and claims[Claim.LAUNCH_PRESENTATION]["locale"] == "es"
    assert client.post("/people/201/locale", data={"locale": "xx"}).status_code == 400
    assert client.post("/people/nobody/locale", data={"locale": "es"}).status_code == 400


def test_deep_linking_launch(client: FlaskClient, platform: Platform,
                             fake_tool: FakeTool) -> None:
    params = auth_params(platform, fake_tool, "101", message_type=MessageType.DEEP_LINKING)
    claims = decode(client, form_fields(client.get("/auth", query_string=params)
                                        .get_data(as_text=True))["id_token"])
    assert claims[Claim.MESSAGE_TYPE] == "LtiDeepLinkingRequest"
    assert Claim.RESOURCE_LINK not in claims
    settings = claims[Claim.DL_SETTINGS]
    assert settings["deep_link_return_url"] == f"{ISSUER}/deep_linking/return"
    assert settings["accept_types"] == ["ltiResourceLink"] and settings["data"]


def test_mentor_claims(platform: Platform) -> None:
    claims = platform.launch_claims("301", "algebra-1-p3", nonce="n")
    assert claims[Claim.ROLES] == [Role.MENTOR]
    assert claims[Claim.ROLE_SCOPE_MENTOR] == ["201"]


@pytest.mark.parametrize("change", [
    {"redirect_uri": "http://evil.example/lti/launch"},
    {"client_id": "someone-else"},
    {"login_hint": "202"},
    {"login_hint": "999999"},
    {"nonce": ""},
    {"state": ""},
    {"prompt": "login"},
    {"response_mode": "query"},
    {"lti_message_hint": "forged.0000"},
])
def test_auth_rejects(client: FlaskClient, platform: Platform, fake_tool: FakeTool,
                      change: dict[str, str]) -> None:
    resp = client.post("/auth", data=auth_params(platform, fake_tool, **change))
    assert resp.status_code == 400
    assert "id_token" not in resp.get_data(as_text=True)


def test_storage_target_only_when_asked(platform: Platform) -> None:
    _, params = platform.login_initiation("201", "algebra-1-p3")
    assert "lti_storage_target" not in params
    _, params = platform.login_initiation("201", "algebra-1-p3", storage_target=True)
    assert params["lti_storage_target"] == "_parent"


def test_signing_key_is_loaded_once_and_follows_rotation(
    client: FlaskClient, platform: Platform
) -> None:
    """The kid-less signing key is imported once per key (not per token: ~40 ms each), and a
    rotation signs with the new key at once."""
    ring = platform.keys
    assert ring._signer(ring.current) is ring._signer(ring.current)
    before = platform.sign({"iss": ISSUER, "aud": CLIENT_ID, "n": 1})
    platform.rotate_key()
    after = platform.sign({"iss": ISSUER, "aud": CLIENT_ID, "n": 2})
    keys = {k["kid"]: k for k in client.get("/jwks").json["keys"]}
    for token, kid in ((before, list(keys)[1]), (after, platform.kid)):
        assert pyjwt.get_unverified_header(token)["kid"] == kid
        key = pyjwt.algorithms.RSAAlgorithm.from_jwk(keys[kid])
        pyjwt.decode(token, key, algorithms=["RS256"], audience=CLIENT_ID, issuer=ISSUER)
    other = list(keys.values())[1]
    with pytest.raises(pyjwt.InvalidSignatureError):
        pyjwt.decode(after, pyjwt.algorithms.RSAAlgorithm.from_jwk(other),
                     algorithms=["RS256"], audience=CLIENT_ID)
