from lti_tool.lti.vocab import TOOL_SCOPES


def test_healthz(client):
    assert client.get("/healthz").json == {"status": "ok"}


def test_jwks_serves_the_current_key(client, app):
    keys = client.get("/.well-known/jwks.json").json["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and "d" not in keys[0]


def test_setup_page_lists_the_urls(client):
    page = client.get("/lti/setup").get_data(as_text=True)
    for path in ("/lti/login", "/lti/launch", "/.well-known/jwks.json", "/lti/register"):
        assert path in page


def test_canvas_json(client):
    config = client.get("/lti/canvas.json").json
    assert config["oidc_initiation_url"].endswith("/lti/login")
    assert set(config["scopes"]) == set(TOOL_SCOPES)
    extension = config["extensions"][0]
    assert extension["privacy_level"] == "public"  # else Canvas sends no names
    placements = {p["placement"]: p["message_type"] for p in extension["settings"]["placements"]}
    assert placements == {
        "course_navigation": "LtiResourceLinkRequest",
        "link_selection": "LtiDeepLinkingRequest",
        "assignment_selection": "LtiDeepLinkingRequest",
    }
    assert config["custom_fields"]["ctx_history"] == "$Context.id.history"


def test_the_tools_address_alone_leads_to_its_setup_page(client):
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"].endswith("/lti/setup")


def test_pages_without_launch_explain_and_never_500(client):
    response = client.get("/home")
    assert response.status_code == 401
    page = response.get_data(as_text=True)
    assert "launch from your LMS" in page and response.headers["X-Request-ID"] in page


def test_security_headers(client):
    headers = client.get("/lti/setup").headers
    assert "frame-ancestors 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"


def test_api_errors_are_json(client):
    response = client.get("/api/nothing-here")
    assert response.status_code == 404 and response.json["request_id"]


def test_cli_platform_add_list_and_deployment(runner):
    args = [
        "platform",
        "add",
        "--name",
        "District Moodle",
        "--issuer",
        "https://moodle.example.org",
        "--client-id",
        "abc",
        "--auth-login-url",
        "https://moodle.example.org/mod/lti/auth.php",
        "--auth-token-url",
        "https://moodle.example.org/mod/lti/token.php",
        "--keyset-url",
        "https://moodle.example.org/mod/lti/certs.php",
        "--deployment-id",
        "7",
    ]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code == 1 and "already exists" in again.output  # never overwritten
    result = runner.invoke(
        args=[
            "deployment",
            "add",
            "--issuer",
            "https://moodle.example.org",
            "--client-id",
            "abc",
            "--deployment-id",
            "8",
        ]
    )
    assert result.exit_code == 0
    listing = runner.invoke(args=["platform", "list"]).output
    assert "District Moodle" in listing and "deployments=7, 8" in listing


def test_cli_keys(runner):
    assert "current" in runner.invoke(args=["keys", "list"]).output
    output = runner.invoke(args=["keys", "generate"]).output
    assert "exists already" in output


def test_production_refuses_default_secret(make_app, tmp_path):
    import pytest

    from lti_tool.settings import ConfigurationError

    with pytest.raises(ConfigurationError, match="SECRET_KEY.*TOOL_BASE_URL.*no signing key"):
        make_app(ENV="production", SECRET_KEY="dev-only-not-secret", KEY_DIR=str(tmp_path))
