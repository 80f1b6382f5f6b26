"""Structured logs: one JSON object per line with the request's ids, never a token or a name."""

from __future__ import annotations

import io
import json
import logging

import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.logs import log_format, redact
from lti_tool.models import Launch
from tests.live import register_lms
from tests.lti.conftest import TEACHER, Browser, landed_at


@pytest.fixture
def json_tool(make_app, tool_server, lms):
    app = make_app(TOOL_BASE_URL=tool_server.url, LOG_FORMAT="json")
    with app.app_context():
        register_lms(lms)
    return app


@pytest.fixture
def log_output(json_tool):
    """What the tool's log handler writes, as text."""
    stream = io.StringIO()
    handler = logging.getLogger("lti_tool").handlers[0]
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def by_path(entries: list[dict], path: str) -> dict:
    return next(entry for entry in entries if entry.get("path") == path)


def test_a_launch_logs_json_lines_with_ids_and_no_secret(json_tool, lms, log_output):
    browser = Browser(json_tool, lms)
    login = browser.login(TEACHER)
    form = browser.authorize(login)
    response = browser.post_launch(form)
    token = landed_at(response).split("launch=")[1]
    browser.tool.get(landed_at(response))
    replayed = browser.post_launch(form)  # refused: a warning line with the reason
    assert replayed.status_code == 401

    entries = lines(log_output)  # every line is one JSON object
    with json_tool.app_context():
        row = db.session.scalars(select(Launch)).one()
        ids = {"platform_id": row.platform_id, "course_id": row.course_id, "user_id": row.user_id}
    assert None not in ids.values()
    assert by_path(entries, "/lti/login")["platform_id"] == ids["platform_id"]
    for path in ("/lti/launch", "/home"):
        entry = by_path(entries, path)
        assert {key: entry.get(key) for key in ids} == ids
        assert entry["request_id"] and entry["level"] == "INFO" and entry["time"]
        assert entry["logger"] == "lti_tool.request" and entry["method"] and entry["duration_ms"]
    assert by_path(entries, "/lti/launch")["status"] == 200
    warning = next(entry for entry in entries if entry["level"] == "WARNING")
    assert warning["request_id"] == replayed.headers["X-Request-ID"]
    assert warning["platform_id"] == ids["platform_id"]

    text = log_output.getvalue()
    secrets = [form["id_token"], token, login.state, login.nonce, form["id_token"][:40]]
    names = ["Amara", "Okafor", "amara.okafor"]
    assert not [value for value in secrets + names if value in text]


def test_text_in_development_json_in_production():
    assert log_format({"ENV": "development"}) == "text"
    assert log_format({"ENV": "production"}) == "json"
    assert log_format({"ENV": "production", "LOG_FORMAT": "text"}) == "text"


def test_tokens_are_masked_whatever_the_message():
    jwt_like = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxMDEifQ.c2lnbmF0dXJl"
    line = redact(f'"GET /home?launch=abc123&x=1 HTTP/1.1" token {jwt_like} id_token=zzz')
    assert "abc123" not in line and "eyJ" not in line and "zzz" not in line
    assert "launch=[redacted]&x=1" in line


def test_health_probes_stay_out_of_the_log(json_tool, log_output):
    json_tool.test_client().get("/healthz")
    json_tool.test_client().get("/readyz")
    assert log_output.getvalue() == ""
