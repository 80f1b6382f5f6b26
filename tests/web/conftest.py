"""Page tests through real launches: the embedded LMS signs the id_tokens, the demo data seeds
standards and evidence through the services, and each visit carries its launch token."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from lti_tool import create_app
from lti_tool.demo_data import seed_demo_course
from lti_tool.extensions import db
from lti_tool.models import Course, User
from lti_tool.services import frameworks, platforms
from tests.live import CLIENT_ID, COURSE, Lms
from tests.lti.conftest import Browser


@dataclass
class Visit:
    """One launched person's pages: every request carries their launch token."""

    browser: Browser
    token: str
    landing: str

    def get(self, path: str, **params: Any):
        return self.browser.tool.get(path, query_string={"launch": self.token, **params})

    def post(self, path: str, data: dict[str, str], *, with_token: bool = True):
        form = {"launch": self.token, **data} if with_token else data
        return self.browser.tool.post(path, data=form)


@dataclass(frozen=True)
class Ids:
    """Database ids of the seeded course's people (by LMS sub) and standards (by code)."""

    course: int
    users: dict[str, int]
    standards: dict[str, int]


def launch_as(browser: Browser, user: str, course: str = COURSE) -> Visit:
    """Launch from the LMS as `user`; return the visit and the landing page's HTML."""
    response = browser.launch(user, course)
    assert response.status_code == 200, response.get_data(as_text=True)  # the first page
    token = re.search(r"launch=([^&]+)", response.headers["Content-Location"]).group(1)
    return Visit(browser, token, response.get_data(as_text=True))


def seed(tool: Flask, lms: Lms, student_count: int = 8) -> Ids:
    """The demo course with its roster, framework and a term of evidence."""
    with tool.app_context():
        platform = platforms.find_platform(lms.issuer, CLIENT_ID)
        course = seed_demo_course(platform.deployments[0], student_count=student_count)
        db.session.commit()
        return ids_of(course)


def ids_of(course: Course) -> Ids:
    tree = frameworks.course_tree(course)
    users = db.session.execute(
        select(User.sub, User.id).where(User.platform_id == course.platform_id)
    )
    return Ids(
        course=course.id,
        users=dict(users.all()),
        standards={s.code: s.id for s in tree.standards.values()},
    )


def cell_path(ids: Ids, sub: str, code: str) -> str:
    return f"/students/{ids.users[sub]}/standards/{ids.standards[code]}"


@pytest.fixture
def standalone(base_config):
    """Apps on databases of their own (not the migrated test database), disposed after."""
    apps = []

    def factory(**overrides):
        app = create_app({**base_config, **overrides})
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def browser(tool: Flask, lms: Lms) -> Browser:
    return Browser(tool, lms)


@pytest.fixture
def ids(tool: Flask, lms: Lms) -> Ids:
    return seed(tool, lms)
