"""Factories for service tests: platforms, courses, students and small frameworks as rows."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.mastery.framework import FrameworkDraft, StandardDraft
from lti_tool.models import Course, Deployment, Enrollment, Framework, Platform, User
from lti_tool.services import frameworks, outbox
from lti_tool.worker import Worker
from tests.live import COURSE, TEACHER, Lms
from tests.lti.conftest import Browser
from tests.services.grading import STUDENTS

_serial = itertools.count(1)


@pytest.fixture
def ctx(app) -> Iterator[None]:
    """An app context, for tests that call services directly."""
    with app.app_context():
        yield


@pytest.fixture
def make_platform(ctx):
    def factory(issuer: str = "https://lms.example.edu", client_id: str | None = None) -> Platform:
        n = next(_serial)
        platform = Platform(
            name=f"LMS {n}",
            issuer=issuer,
            client_id=client_id or f"client-{n}",
            auth_login_url=f"{issuer}/auth",
            auth_token_url=f"{issuer}/token",
            keyset_url=f"{issuer}/jwks",
        )
        platform.deployments = [Deployment(deployment_id=f"dep-{n}")]
        db.session.add(platform)
        db.session.flush()
        return platform

    return factory


@pytest.fixture
def make_course(make_platform):
    def factory(platform: Platform | None = None, context_id: str | None = None) -> Course:
        platform = platform or make_platform()
        course = Course(
            platform_id=platform.id,
            deployment_id=platform.deployments[0].id,
            context_id=context_id or f"ctx-{next(_serial)}",
            title="Algebra 1",
        )
        course.platform = platform
        db.session.add(course)
        db.session.flush()
        return course

    return factory


@pytest.fixture
def make_student(ctx):
    def factory(course: Course, name: str | None = None, role: str = "student", **fields) -> User:
        n = next(_serial)
        user = User(
            platform_id=course.platform_id,
            sub=fields.pop("sub", f"sub-{n}"),
            name=name or f"Student {n}",
            email=fields.pop("email", f"s{n}@example.edu"),
            **fields,
        )
        db.session.add(user)
        db.session.flush()
        db.session.add(Enrollment(course_id=course.id, user_id=user.id, role=role))
        db.session.flush()
        return user

    return factory


def draft(spec: dict[str, list[str]], name: str = "Test framework") -> FrameworkDraft:
    """A draft from {parent code: [child codes]}; every code becomes a node keyed by itself."""
    codes = list(dict.fromkeys([*spec, *(c for kids in spec.values() for c in kids)]))
    items = tuple(
        StandardDraft(key=c, code=c, title=f"Title {c}", statement=f"I do {c}") for c in codes
    )
    edges = tuple((parent, child) for parent, kids in spec.items() for child in kids)
    return FrameworkDraft(name=name, source_format="csv", identifier=None, items=items, edges=edges)


@pytest.fixture
def make_framework(ctx):
    """A library framework on the course's platform, adopted whole by the course."""

    def factory(course: Course, spec: dict[str, list[str]] | None = None) -> Framework:
        spec = spec or {"D1": ["S1", "S2"], "D2": ["S3"]}
        framework = frameworks.save_framework(draft(spec), platform=course.platform)
        frameworks.adopt(course, framework)
        return framework

    return factory


def standard_ids(course: Course) -> dict[str, int]:
    """The course's adopted standards by code."""
    tree = frameworks.course_tree(course)
    return {standard.code: standard.id for standard in tree.standards.values()}


@pytest.fixture
def no_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """Retries are due at once unless the platform asks for a wait (Retry-After)."""
    monkeypatch.setattr(outbox, "BACKOFF_BASE_SECONDS", 0.0)


@pytest.fixture
def course_id(tool: Flask, lms: Lms) -> int:
    """The demo course after a teacher launch and the roster sync it queues; S1-S3 adopted."""
    browser = Browser(tool, lms)
    browser.page(browser.launch(TEACHER))
    report = Worker(tool).drain()  # the first launch queued a roster sync (NRPS)
    assert report.jobs_done == 1
    lms.platform.token_requests = 0  # tests count the token requests of grading only
    with tool.app_context():
        course = db.session.scalars(select(Course).where(Course.context_id == COURSE)).one()
        enrolled = db.session.scalars(
            select(User.sub)
            .join(Enrollment, Enrollment.user_id == User.id)
            .where(Enrollment.course_id == course.id, Enrollment.status == "active")
            .where(Enrollment.role == "student")
        ).all()
        assert set(STUDENTS) <= set(enrolled)
        spec = {"D1": ["S1", "S2"], "D2": ["S3"]}
        framework = frameworks.save_framework(draft(spec), platform=course.platform)
        frameworks.adopt(course, framework)
        db.session.commit()
        return course.id
