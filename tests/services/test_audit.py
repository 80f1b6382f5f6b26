"""The audit log of registrations (dynamic and CLI) and key rotations: one event per action,
in the action's transaction, never a token, key or secret in it."""

from __future__ import annotations

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import AuditEvent, Platform
from tests.lti.test_dynamic_registration import register

ADD = [
    "platform",
    "add",
    "--name",
    "District",
    "--issuer",
    "https://lms.district.example",
    "--client-id",
    "abc",
    "--auth-login-url",
    "https://lms.district.example/auth",
    "--auth-token-url",
    "https://lms.district.example/token",
    "--keyset-url",
    "https://lms.district.example/jwks",
    "--deployment-id",
    "7",
]


def events() -> list[tuple]:
    rows = db.session.execute(
        select(AuditEvent.action, AuditEvent.actor, AuditEvent.platform_id, AuditEvent.details)
    )
    return [tuple(row) for row in rows]


def test_dynamic_registration_is_audited_once_without_its_token(make_app, tool_server, lms):
    app = make_app(TOOL_BASE_URL=tool_server.url)
    token = lms.platform.issue_registration_token()
    assert register(app.test_client(), lms, token).status_code == 200
    assert register(app.test_client(), lms, token).status_code != 200  # a spent token
    with app.app_context():
        platform = db.session.scalars(select(Platform)).one()
        [event] = db.session.scalars(select(AuditEvent)).all()
        assert (event.action, event.actor) == ("registration.created", "dynamic registration")
        assert event.platform_id == platform.id and event.details["via"] == "dynamic"
        assert token not in str(event.details) and token not in event.target


def test_cli_registration_and_key_rotation_are_audited(make_app, tmp_path):
    app = make_app(KEY_DIR=str(tmp_path))  # its own keys: the session's key stays the only one
    runner = app.test_cli_runner()
    assert runner.invoke(args=ADD).exit_code == 0
    assert runner.invoke(args=ADD).exit_code != 0  # never overwritten, and not audited
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        platform = db.session.scalars(select(Platform)).one()
        assert events()[0] == (
            "registration.created",
            "command line",
            platform.id,
            {"via": "manual", "deployments": ["7"]},
        )
        rotated = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "keys.rotated")
        ).one()
        assert rotated.platform_id is None and rotated.target.startswith("signing key ")
        assert rotated.target.split()[-1] in result.output  # the kid, never the key
        assert "PRIVATE" not in str(rotated.details) and len(events()) == 2
