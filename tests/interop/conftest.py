"""Fixtures: lti1p3platform live on `localhost`, our tool registered with it, and a browser."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from devplatform.server import ServerHandle, serve_in_thread
from lti_tool.extensions import db
from lti_tool.services import platforms

from .flask_platform import (
    CLIENT_ID,
    DEPLOYMENT_ID,
    PlatformState,
    create_platform_app,
    platform_state,
)

INPUT = re.compile(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"')
ACTION = re.compile(r'<form[^>]*action="([^"]+)"')


@dataclass
class Foreign:
    """lti1p3platform's platform: its Flask app, live server and recorded state."""

    app: Flask
    handle: ServerHandle

    @property
    def issuer(self) -> str:
        return self.handle.url

    @property
    def state(self) -> PlatformState:
        return platform_state(self.app)

    def client(self) -> FlaskClient:
        return self.app.test_client()


@pytest.fixture
def foreign(tool_server: ServerHandle) -> Iterator[Foreign]:
    app = create_platform_app(tool_server.url)
    with serve_in_thread(app, host="localhost") as handle:
        platform_state(app).issuer = handle.url
        yield Foreign(app, handle)


@pytest.fixture
def tool(make_app, tool_server: ServerHandle, foreign: Foreign) -> Flask:
    """Our tool, with lti1p3platform's platform registered as an admin would register it."""
    app = make_app(TOOL_BASE_URL=tool_server.url)
    with app.app_context():
        platforms.add_platform(
            name="lti1p3platform",
            issuer=foreign.issuer,
            client_id=CLIENT_ID,
            auth_login_url=f"{foreign.issuer}/authorize",
            auth_token_url=f"{foreign.issuer}/token",
            keyset_url=f"{foreign.issuer}/jwks",
            deployment_ids=[DEPLOYMENT_ID],
        )
        db.session.commit()
    return app


class Browser:
    """One browser: cookies kept on the tool's side, the platform reached through its client."""

    def __init__(self, tool: Flask, foreign: Foreign):
        self.tool = tool.test_client()
        self.foreign = foreign

    def launch_form(self, user: str, message: str = "resource_link") -> tuple[str, dict[str, str]]:
        """Run login initiation and authorization; return the auto-submit form (action, fields)."""
        platform = self.foreign.client()
        initiation = platform.get("/initiate", query_string={"user": user, "message": message})
        assert initiation.status_code == 302, initiation.get_data(as_text=True)
        login_url = urlsplit(initiation.headers["Location"])
        login = self.tool.get(f"{login_url.path}?{login_url.query}")
        assert login.status_code == 302, login.get_data(as_text=True)
        auth = urlsplit(login.headers["Location"])
        assert f"{auth.scheme}://{auth.netloc}" == self.foreign.issuer
        page = platform.get(f"{auth.path}?{auth.query}")
        assert page.status_code == 200, page.get_data(as_text=True)
        html = page.get_data(as_text=True)
        action = ACTION.search(html)
        assert action, html
        return action.group(1), dict(INPUT.findall(html))

    def launch(self, user: str, message: str = "resource_link") -> TestResponse:
        action, form = self.launch_form(user, message)
        assert urlsplit(action).path == "/lti/launch"
        return self.tool.post("/lti/launch", data=form)

    def page(self, response: TestResponse) -> str:
        if response.status_code == 303:
            return self.tool.get(response.headers["Location"]).get_data(as_text=True)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_data(as_text=True)


@pytest.fixture
def browser(tool: Flask, foreign: Foreign) -> Browser:
    return Browser(tool, foreign)
