"""LTI Dynamic Registration against the embedded platform, end to end over HTTP."""

from __future__ import annotations

from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import Deployment, Platform, User

from .conftest import COURSE, TEACHER, Browser

CLOSE = '"subject": "org.imsglobal.lti.close"'


def add_activity(lms, client_id: str) -> None:
    """What a teacher does after the admin registers the tool: put it in the course."""
    lms.platform.add_resource_link(COURSE, "Mastery (registered)", client_id=client_id)


def register(client, lms, token: str | None = None):
    token = token or lms.platform.issue_registration_token()
    config_url = f"{lms.issuer}/.well-known/openid-configuration"
    query = {"openid_configuration": config_url, "registration_token": token}
    return client.get("/lti/register", query_string=query)


def test_registration_stores_platform_and_deployment_and_closes(make_app, tool_server, lms):
    app = make_app(TOOL_BASE_URL=tool_server.url)
    response = register(app.test_client(), lms)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "is registered" in page and CLOSE in page
    with app.app_context():
        platform = db.session.scalars(select(Platform)).one()
        assert platform.issuer == lms.issuer and platform.registered_via == "dynamic"
        assert platform.auth_login_url == f"{lms.issuer}/auth"
        assert platform.keyset_url.startswith(lms.issuer)
        assert db.session.scalar(select(func.count()).select_from(Deployment)) == 1
    # What the platform received: our URLs, scopes, claims, and host:port as the domain.
    registration = lms.platform.registrations[platform.client_id]
    assert registration.login_url.endswith("/lti/login")
    assert registration.jwks_url.endswith("/.well-known/jwks.json")
    # Moodle compares the domain with the launch URL's host *and port*.
    assert registration.domain == tool_server.url.split("://")[1]
    body = registration.config
    assert body["token_endpoint_auth_method"] == "private_key_jwt"
    assert set(body["scope"].split()) >= {
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
    }
    tool_config = body["https://purl.imsglobal.org/spec/lti-tool-configuration"]
    assert {m["type"] for m in tool_config["messages"]} == {
        "LtiResourceLinkRequest",
        "LtiDeepLinkingRequest",
    }
    assert "custom" not in str(tool_config["messages"])  # nothing empty for Moodle to choke on
    assert tool_config["https://canvas.instructure.com/lti/privacy_level"] == "public"
    # DESIGN.md correction 11: a course copy is recognised by the course's id history.
    assert tool_config["custom_parameters"]["ctx_history"] == "$Context.id.history"


def test_registered_tool_launches(make_app, tool_server, lms):
    app = make_app(TOOL_BASE_URL=tool_server.url)
    assert register(app.test_client(), lms).status_code == 200
    with app.app_context():
        client_id = db.session.scalars(select(Platform)).one().client_id
    add_activity(lms, client_id)
    browser = Browser(app, lms)
    page = browser.page(browser.launch(TEACHER, client_id=client_id))
    assert "Teacher dashboard" in page and "Amara Okafor" in page


def test_two_registrations_on_one_issuer_are_two_tenants(tool, lms, browser):
    """Canvas: one issuer for every customer. Same sub, two client ids: two people."""
    assert register(tool.test_client(), lms).status_code == 200
    with tool.app_context():
        second = db.session.scalar(select(Platform).where(Platform.registered_via == "dynamic"))
        client_id = second.client_id
    add_activity(lms, client_id)
    browser.page(browser.launch(TEACHER))
    browser.page(browser.launch(TEACHER, client_id=client_id))
    with tool.app_context():
        owners = db.session.scalars(select(User.platform_id).where(User.sub == TEACHER)).all()
        assert len(owners) == 2 and len(set(owners)) == 2


def test_token_is_single_use_and_refusal_is_explained(make_app, tool_server, lms):
    app = make_app(TOOL_BASE_URL=tool_server.url)
    token = lms.platform.issue_registration_token()
    assert register(app.test_client(), lms, token).status_code == 200
    again = register(app.test_client(), lms, token)
    assert again.status_code == 400
    assert "refused the registration" in again.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Platform)) == 1


def test_configuration_missing_endpoints_is_refused(make_app, tool_server):
    from flask import Flask, jsonify

    from devplatform.server import serve_in_thread

    fake = Flask("fake-platform")

    @fake.get("/.well-known/openid-configuration")
    def configuration():
        return jsonify(issuer="https://lms.example", authorization_endpoint="https://lms.example/a")

    with serve_in_thread(fake) as handle:
        app = make_app(TOOL_BASE_URL=tool_server.url)
        response = app.test_client().get(
            "/lti/register",
            query_string={"openid_configuration": f"{handle.url}/.well-known/openid-configuration"},
        )
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "token_endpoint" in page and "jwks_uri" in page and "registration_endpoint" in page


def test_issuer_host_may_differ_from_configuration_host(make_app, tool_server, lms):
    """Canvas serves the configuration from the school's domain under a shared issuer."""
    import requests
    from flask import Flask, jsonify

    from devplatform.server import serve_in_thread

    school = Flask("school-domain")

    @school.get("/.well-known/openid-configuration")
    def configuration():
        document = requests.get(f"{lms.issuer}/.well-known/openid-configuration", timeout=5).json()
        return jsonify({**document, "issuer": "https://canvas.instructure.com"})

    app = make_app(TOOL_BASE_URL=tool_server.url)
    with serve_in_thread(school) as handle:
        response = app.test_client().get(
            "/lti/register",
            query_string={
                "openid_configuration": f"{handle.url}/.well-known/openid-configuration",
                "registration_token": lms.platform.issue_registration_token(),
            },
        )
    assert response.status_code == 200, response.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalars(select(Platform)).one().issuer == "https://canvas.instructure.com"


def test_private_addresses_refused_unless_allowed(make_app, tool_server, lms):
    app = make_app(TOOL_BASE_URL=tool_server.url, LTI_TOOL_ALLOW_PRIVATE_NETWORK=False)
    response = register(app.test_client(), lms)
    assert response.status_code == 400
    assert "private network" in response.get_data(as_text=True)


def test_without_parameters_explains_what_to_paste(client):
    page = client.get("/lti/register").get_data(as_text=True)
    assert "Dynamic Registration" in page and "/lti/register" in page


def test_registration_page_may_be_framed_by_the_registering_platform(make_app, tool_server, lms):
    """Before registration no list of known platforms can name it (found in the browser)."""
    app = make_app(TOOL_BASE_URL=tool_server.url)
    client = app.test_client()
    client.get("/lti/setup")  # a long-running worker has its list of known platforms cached
    response = register(client, lms)
    ancestors = response.headers["Content-Security-Policy"].split("frame-ancestors ")[1].split()
    assert lms.issuer in ancestors


def test_a_registration_answering_an_existing_client_id_overwrites_nothing(
    make_app, tool_server, lms, monkeypatch
):
    """DESIGN.md correction 14: never overwrite an existing registration."""
    import devplatform.registration
    from lti_tool.services.platforms import add_platform

    app = make_app(TOOL_BASE_URL=tool_server.url)
    with app.app_context():
        add_platform(
            name="District Moodle",
            issuer=lms.issuer,
            client_id="feedface00000000",
            auth_login_url="https://moodle.district.example/auth",
            auth_token_url="https://moodle.district.example/token",
            keyset_url="https://moodle.district.example/jwks",
        )
        db.session.commit()
    monkeypatch.setattr(devplatform.registration.secrets, "token_hex", lambda n: "feedface00000000")
    response = register(app.test_client(), lms)
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    assert "already exists" in page and CLOSE not in page
    with app.app_context():
        platform = db.session.scalars(select(Platform)).one()
        assert platform.name == "District Moodle" and platform.registered_via == "manual"
        assert platform.keyset_url == "https://moodle.district.example/jwks"
        assert db.session.scalar(select(func.count()).select_from(Deployment)) == 0
