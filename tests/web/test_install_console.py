"""The installation console (/install): its own accounts made by the CLI, sign-in with a signed
first-party cookie, and the whole installation's registrations, keys, failed grades, usage and
scales. LTI launches, whoever makes them, never open it."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import AuditEvent, LocalAdmin

EMAIL = "ops@district.example"
PASSWORD = "correct horse battery staple"


def create_user(app: Flask, email: str = EMAIL, password: str = PASSWORD, *args: str):
    return app.test_cli_runner().invoke(
        args=["admin", "create-user", email, "--password-stdin", *args], input=password + "\n"
    )


def test_the_cli_creates_lists_and_disables_accounts_with_a_hash_only(app: Flask) -> None:
    result = create_user(app)
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output
    runner = app.test_cli_runner()
    prompted = runner.invoke(
        args=["admin", "create-user", "second@district.example"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert prompted.exit_code == 0, prompted.output
    assert create_user(app, "OPS@district.example").exit_code == 1  # the same email, any case
    short = create_user(app, "third@district.example", "short")
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    assert create_user(app, "not an email").exit_code == 1

    listing = runner.invoke(args=["admin", "list-users"])
    assert re.search(rf"{EMAIL}\s+active", listing.output)
    assert runner.invoke(args=["admin", "disable-user", EMAIL]).exit_code == 0
    assert runner.invoke(args=["admin", "disable-user", "nobody@x.example"]).exit_code == 1
    listing = runner.invoke(args=["admin", "list-users"])
    assert re.search(rf"{EMAIL}\s+disabled", listing.output)
    assert "second@district.example  active" in listing.output

    with app.app_context():
        admin = db.session.scalar(select(LocalAdmin).where(LocalAdmin.email == EMAIL))
        assert admin.password_hash.startswith("scrypt:") and PASSWORD not in admin.password_hash
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        assert actions == ["local_admin.created", "local_admin.created", "local_admin.disabled"]
        events = db.session.scalars(select(AuditEvent)).all()
        assert all(PASSWORD not in repr(e.details) + e.target for e in events)
