"""Launch helpers: a browser-like client that logs in through the embedded platform."""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

from tests.live import (  # noqa: F401 (constants re-exported for the tests here)
    ADMIN,
    CLIENT_ID,
    COURSE,
    DEPLOYMENT_ID,
    MENTOR,
    OTHER_COURSE,
    OTHER_STUDENT,
    STUDENT,
    TA,
    TEACHER,
    Lms,
    register_lms,
)

INPUT = re.compile(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"')


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
        """The page a launch lands on: its own answer (a resource link launch), or where it
        redirects (deep linking, an assessment's sheet)."""
        if response.status_code == 303:
            return self.tool.get(response.headers["Location"]).get_data(as_text=True)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_data(as_text=True)


def landed_at(response) -> str:
    """The address of the page a launch answered with (or redirected to), with its token."""
    return response.headers.get("Content-Location") or response.headers["Location"]


def _auth_url_from_page(response) -> str:
    match = re.search(r'id="continue" href="([^"]+)"', response.get_data(as_text=True))
    assert match, "no auth URL on the page"
    return unescape(match.group(1))


@pytest.fixture
def browser(tool: Flask, lms: Lms) -> Browser:
    return Browser(tool, lms)
