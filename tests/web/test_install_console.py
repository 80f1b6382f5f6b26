"""The installation console (/install): its own accounts made by the CLI, sign-in with a signed
first-party cookie, and the whole installation's registrations, keys, failed grades, usage and
scales. LTI launches, whoever makes them, never open it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import func, select

from lti_tool.demo_data import seed_demo_course
from lti_tool.extensions import db
from lti_tool.models import (
    AuditEvent,
    Course,
    Enrollment,
    Evidence,
    GradeColumn,
    GradeOutbox,
    LocalAdmin,
    OutboxState,
    Platform,
)
from lti_tool.models.types import utcnow
from lti_tool.services import platforms

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


ERROR = "The email or password is wrong."
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(page) -> str:
    return CSRF.search(page.get_data(as_text=True)).group(1)


def sign_in(client, email: str = EMAIL, password: str = PASSWORD):
    token = csrf_of(client.get("/install/login"))
    return client.post(
        "/install/login", data={"email": email, "password": password, "csrf_token": token}
    )


def post(client, path: str, data: dict[str, str] | None = None):
    """A console form sent as its page would send it, with the CSRF token of the session."""
    token = csrf_of(client.get("/install/scales"))
    return client.post(path, data={"csrf_token": token, **(data or {})})


def signed_in(app: Flask):
    assert create_user(app).exit_code == 0
    client = app.test_client()
    assert sign_in(client).status_code == 303
    return client


def audit_actions(app: Flask) -> list[tuple[str, str]]:
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.action, AuditEvent.actor).order_by(AuditEvent.id)
        ).all()
        return [tuple(row) for row in rows]


def test_sign_in_takes_the_right_password_and_says_the_same_for_every_refusal(
    app: Flask, caplog
) -> None:
    caplog.set_level("DEBUG")
    assert create_user(app).exit_code == 0
    client = app.test_client()
    assert client.get("/install/").headers["Location"].endswith("/install/login")

    wrong = sign_in(client, EMAIL, "wrong password, long enough")
    unknown = sign_in(client, "nobody@district.example", PASSWORD)
    for refused in (wrong, unknown):
        assert refused.status_code == 401
        assert ERROR in refused.get_data(as_text=True)
    assert client.get("/install/").status_code == 303  # still signed out

    answer = sign_in(client, "  OPS@District.example ")
    assert answer.status_code == 303 and answer.headers["Location"].endswith("/install/")
    cookie = answer.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/install" in cookie
    assert "Secure" not in cookie  # TOOL_BASE_URL is not https here
    page = client.get("/install/")
    assert page.status_code == 200 and EMAIL in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert audit_actions(app)[-1][0] == "local_admin.signed_in"
    assert "refused: wrong password (local admin" in caplog.text
    assert PASSWORD not in caplog.text and "wrong password, long enough" not in caplog.text
    spanish = client.get("/install/keys?lang=es").get_data(as_text=True)
    assert "Rotar claves" in spanish and "Cerrar sesión" in spanish


def test_the_cookie_is_secure_when_the_tool_is_served_over_https(make_app) -> None:
    app = make_app(TOOL_BASE_URL="https://mastery.district.example")
    assert "Secure" in app.test_client().get("/install/login").headers["Set-Cookie"]


def test_a_disabled_account_cannot_sign_in_and_its_open_session_ends(app: Flask) -> None:
    client = signed_in(app)
    assert client.get("/install/").status_code == 200
    result = app.test_cli_runner().invoke(args=["admin", "disable-user", EMAIL])
    assert result.exit_code == 0
    assert client.get("/install/").status_code == 303
    refused = sign_in(client)
    assert refused.status_code == 401 and ERROR in refused.get_data(as_text=True)


def test_every_post_needs_the_sessions_csrf_token(app: Flask) -> None:
    assert create_user(app).exit_code == 0
    client = app.test_client()
    client.get("/install/login")
    no_token = client.post("/install/login", data={"email": EMAIL, "password": PASSWORD})
    assert no_token.status_code == 400
    assert sign_in(client).status_code == 303
    assert client.post("/install/keys/rotate").status_code == 400
    assert client.post("/install/keys/rotate", data={"csrf_token": "forged"}).status_code == 400
    assert client.post("/install/logout").status_code == 400
    assert client.get("/install/").status_code == 200  # still signed in: nothing happened
    assert [a for a, _ in audit_actions(app)] == ["local_admin.created", "local_admin.signed_in"]


def test_logout_ends_the_session_even_for_a_copy_of_its_cookie(app: Flask) -> None:
    client = signed_in(app)
    copied = client.get_cookie("mt_install", path="/install").value
    answer = post(client, "/install/logout")
    assert answer.status_code == 303 and "signed_out=1" in answer.headers["Location"]
    assert client.get("/install/").status_code == 303
    replay = app.test_client()
    replay.set_cookie("mt_install", copied, path="/install")
    assert replay.get("/install/").status_code == 303
    assert replay.post("/install/keys/rotate", data={}).status_code == 401


def test_a_session_ends_after_its_idle_time(app: Flask) -> None:
    client = signed_in(app)
    assert client.get("/install/").status_code == 200
    app.config["INSTALL_SESSION_IDLE_SECONDS"] = -1
    assert client.get("/install/").status_code == 303


def test_sign_in_attempts_are_rate_limited(make_app) -> None:
    app = make_app(RATE_LIMIT_INSTALL_LOGIN=[2, 60])
    assert create_user(app).exit_code == 0
    client = app.test_client()
    assert sign_in(client, EMAIL, "wrong password, long enough").status_code == 401
    assert sign_in(client, EMAIL, "wrong password, long enough").status_code == 401
    limited = sign_in(client)  # even the right password, once the window is spent
    assert limited.status_code == 429 and limited.headers["Retry-After"]


def test_rotate_keys_makes_a_new_current_key_and_keeps_the_previous_published(
    make_app, tmp_path
) -> None:
    app = make_app(KEY_DIR=str(tmp_path / "keys"))
    assert app.test_cli_runner().invoke(args=["keys", "generate"]).exit_code == 0
    client = signed_in(app)
    before = [key["kid"] for key in client.get("/.well-known/jwks.json").get_json()["keys"]]
    assert len(before) == 1

    answer = post(client, "/install/keys/rotate")
    assert answer.status_code == 303 and "rotated=1" in answer.headers["Location"]
    after = [key["kid"] for key in client.get("/.well-known/jwks.json").get_json()["keys"]]
    assert len(after) == 2 and after[1] == before[0] and after[0] != before[0]
    page = client.get("/install/keys").get_data(as_text=True)
    assert re.search(rf'<tr class="current">\s*<th scope="row"><code>{after[0]}</code>', page)
    assert re.search(rf'<tr class="previous">\s*<th scope="row"><code>{before[0]}</code>', page)
    with app.app_context():
        event = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
        admin_id = db.session.scalar(select(LocalAdmin.id))
    assert event.action == "keys.rotated" and event.target == f"signing key {after[0]}"
    assert event.actor == f"installation console (local admin {admin_id})"


@dataclass(frozen=True)
class Installation:
    school: int
    other: int
    dead_row: int


def _register(name: str, issuer: str) -> Platform:
    return platforms.add_platform(
        name=name,
        issuer=issuer,
        client_id="tool-1",
        auth_login_url=f"{issuer}/auth",
        auth_token_url=f"{issuer}/token",
        keyset_url=f"{issuer}/jwks",
        deployment_ids=["dep-1"],
    )


@pytest.fixture
def installation(app: Flask) -> Installation:
    """Two registrations: a school with 3 students (2 of them active lately), 2 grades sent and
    1 refused; another with 1 student who last opened the tool 40 days ago."""
    now = utcnow()
    with app.app_context():
        school = _register("Lakeside District", "https://lakeside.example")
        other = _register("Hillview Academy", "https://hillview.example")
        course = seed_demo_course(school.deployments[0], student_count=3)
        seed_demo_course(other.deployments[0], student_count=1)
        for platform, when in ((school, [1, 5, 40]), (other, [40])):
            enrollments = db.session.scalars(
                select(Enrollment)
                .join(Course)
                .where(Course.platform_id == platform.id, Enrollment.role == "student")
                .order_by(Enrollment.id)
            ).all()
            for enrollment, days in zip(enrollments, when, strict=True):
                enrollment.last_launch_at = now - timedelta(days=days)
        rows = db.session.scalars(
            select(GradeOutbox)
            .join(GradeColumn)
            .where(GradeColumn.course_id == course.id)
            .order_by(GradeOutbox.id)
        ).all()
        assert len(rows) >= 3
        rows[0].state = rows[1].state = OutboxState.SENT
        rows[2].state, rows[2].last_error = OutboxState.DEAD, "Grade column is locked"
        db.session.commit()
        return Installation(school.id, other.id, rows[2].id)


def _usage_row(page: str, platform_id: int) -> dict[str, str]:
    row = re.search(rf'<tr data-platform="{platform_id}">(.*?)</tr>', page, re.S).group(1)
    return dict(re.findall(r'<td class="([a-z-]+)">(\d+)</td>', row))


def test_usage_counts_each_registrations_own_rows(app: Flask, installation: Installation):
    client = signed_in(app)
    page = client.get("/install/").get_data(as_text=True)
    with app.app_context():
        evidence = dict(
            db.session.execute(
                select(Course.platform_id, func.count(Evidence.id))
                .join(Course)
                .group_by(Course.platform_id)
            ).all()
        )
    assert evidence[installation.school] > evidence[installation.other] > 0
    assert _usage_row(page, installation.school) == {
        "courses": "1",
        "active-students": "2",
        "evidence": str(evidence[installation.school]),
        "grades-sent": "2",
    }
    assert _usage_row(page, installation.other) == {
        "courses": "1",
        "active-students": "0",
        "evidence": str(evidence[installation.other]),
        "grades-sent": "0",
    }
    assert "Lakeside District" in page and "dep-1" in page and "enabled" in page


def test_retry_requeues_a_dead_lettered_grade_of_any_registration(
    app: Flask, installation: Installation
) -> None:
    client = signed_in(app)
    page = client.get("/install/grades").get_data(as_text=True)
    assert "Lakeside District" in page and "Grade column is locked" in page
    assert "Hillview Academy" not in page  # nothing of theirs failed
    # A row named with another registration is not reached through it.
    wrong = {"platform": str(installation.other), "scope": "row", "row": str(installation.dead_row)}
    assert post(client, "/install/grades/retry", wrong).status_code == 404

    data = {**wrong, "platform": str(installation.school)}
    answer = post(client, "/install/grades/retry", data)
    assert answer.status_code == 303 and "retried=1" in answer.headers["Location"]
    with app.app_context():
        assert db.session.get(GradeOutbox, installation.dead_row).state == OutboxState.PENDING
    action, actor = audit_actions(app)[-1]
    assert action == "grades.retried" and actor.startswith("installation console (local admin")
    assert "Every platform has accepted" in client.get("/install/grades").get_data(as_text=True)


def test_a_registration_is_disabled_and_enabled_again_audited(
    app: Flask, installation: Installation
) -> None:
    client = signed_in(app)
    path = f"/install/platforms/{installation.other}/status"
    # Disabling refuses every launch of a district: it must be confirmed.
    assert post(client, path, {"active": "0"}).status_code == 400
    with app.app_context():
        assert db.session.get(Platform, installation.other).is_active
    assert post(client, path, {"active": "0", "confirm": "yes"}).status_code == 303
    with app.app_context():
        assert db.session.get(Platform, installation.other).status == "disabled"
    assert "✗ disabled" in client.get("/install/").get_data(as_text=True)
    assert post(client, path, {"active": "maybe"}).status_code == 400
    assert post(client, path, {"active": "1"}).status_code == 303
    with app.app_context():
        assert db.session.get(Platform, installation.other).is_active
    actions = [action for action, _ in audit_actions(app)]
    assert actions[-2:] == ["registration.disabled", "registration.enabled"]
    gone = post(client, "/install/platforms/999999/status", {"active": "0", "confirm": "yes"})
    assert gone.status_code == 404


def test_the_scales_page_lists_the_built_in_scales(app: Flask) -> None:
    page = signed_in(app).get("/install/scales").get_data(as_text=True)
    for name in ("Four levels", "Canvas default", "Marzano 0-4", "Mastered / not yet"):
        assert f">{name}</h2>" in page
