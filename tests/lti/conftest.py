"""Launch fixtures: the embedded platform served for real on `localhost`, the tool on 127.0.0.1.

Everything crosses real HTTP where a real platform would: the tool fetches the platform's JWKS
and configuration; the platform fetches the tool's JWKS to check deep-linking responses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

import devplatform
from devplatform.platform import Platform as LmsPlatform
from devplatform.server import ServerHandle, serve_in_thread
from lti_tool import create_app
from lti_tool.extensions import db
from lti_tool.services import platforms

CLIENT_ID = "mastery-tool-demo"
DEPLOYMENT_ID = "1"
COURSE = "algebra-1-p3"
OTHER_COURSE = "biology-2-p5"
TEACHER, TA, STUDENT, OTHER_STUDENT, MENTOR, ADMIN = "101", "102", "201", "202", "301", "2"
INPUT = re.compile(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"')


@pytest.fixture(scope="session")
def tool_server(base_config: dict, migrated: None) -> Iterator[ServerHandle]:
    """The tool served for real, so the platform can fetch its JWKS."""
    app = create_app(base_config)
    handle = serve_in_thread(app, host="127.0.0.1")
    app.config["TOOL_BASE_URL"] = handle.url
    yield handle
    handle.shutdown()
    with app.app_context():
        db.engine.dispose()


@dataclass
class Lms:
    """The embedded platform, live on `localhost`, with its Python API and a test client."""

    app: Flask
    handle: ServerHandle

    @property
    def platform(self) -> LmsPlatform:
        return self.app.extensions["devplatform"]

    @property
    def issuer(self) -> str:
        return self.platform.issuer

    def client(self) -> FlaskClient:
        return self.app.test_client()


@pytest.fixture
def lms(tool_server: ServerHandle) -> Iterator[Lms]:
    app = devplatform.create_app({"TESTING": True, "TOOL_BASE_URL": tool_server.url})
    handle = serve_in_thread(app, host="localhost")
    app.config["PLATFORM_ISSUER"] = handle.url
    yield Lms(app, handle)
    handle.shutdown()


def register_lms(lms: Lms, **overrides: Any) -> None:
    fields = dict(
        name="Demo LMS",
        issuer=lms.issuer,
        client_id=CLIENT_ID,
        auth_login_url=f"{lms.issuer}/auth",
        auth_token_url=f"{lms.issuer}/token",
        keyset_url=f"{lms.issuer}/jwks",
    )
    fields.update(overrides)
    platform = platforms.add_platform(**fields)
    platforms.add_deployment(platform, DEPLOYMENT_ID)
    db.session.commit()


@pytest.fixture
def tool(make_app, tool_server: ServerHandle, lms: Lms) -> Flask:
    """The tool app under test, with the embedded platform registered."""
    app = make_app(TOOL_BASE_URL=tool_server.url)
    with app.app_context():
        register_lms(lms)
    return app


@dataclass
class Login:
    """A login the tool has started: what it sent to the platform's auth endpoint."""

    state: str
    nonce: str
    auth_url: str


class Browser:
    """One browser talking to the tool (cookies kept) and to the platform."""

    def __init__(self, tool: Flask, lms: Lms):
        self.tool = tool.test_client()
        self.lms = lms

    def login(self, user: str, course: str | None = COURSE, **kwargs: Any) -> Login:
        url, params = self.lms.platform.login_initiation(user, course, **kwargs)
        response = self.tool.post(urlsplit(url).path, data=params)
        assert response.status_code in (200, 302), response.get_data(as_text=True)
        auth_url = response.headers.get("Location") or _auth_url_from_page(response)
        query = parse_qs(urlsplit(auth_url).query)
        return Login(query["state"][0], query["nonce"][0], auth_url)

    def authorize(self, login: Login) -> dict[str, str]:
        """The platform's answer: the form it auto-submits to the tool."""
        parts = urlsplit(login.auth_url)
        page = self.lms.client().get(f"{parts.path}?{parts.query}")
        assert page.status_code == 200, page.get_data(as_text=True)
        return dict(INPUT.findall(page.get_data(as_text=True)))

    def post_launch(self, form: dict[str, str]):
        return self.tool.post("/lti/launch", data=form)

    def launch(self, user: str, course: str | None = COURSE, **kwargs: Any):
        login = self.login(user, course, **kwargs)
        return self.post_launch(self.authorize(login))

    def page(self, response) -> str:
        """Follow the launch's redirect to the page it lands on."""
        assert response.status_code == 303, response.get_data(as_text=True)
        return self.tool.get(response.headers["Location"]).get_data(as_text=True)


def _auth_url_from_page(response) -> str:
    match = re.search(r'id="continue" href="([^"]+)"', response.get_data(as_text=True))
    assert match, "no auth URL on the page"
    return unescape(match.group(1))


@pytest.fixture
def browser(tool: Flask, lms: Lms) -> Browser:
    return Browser(tool, lms)
