"""Share links through real launches: a teacher creates, lists and revokes; a student only when
the registration's admin allows it; the link opens with no session at all, shows that student's
profile read-only, and stops working once revoked. Every action lands in the audit log."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from sqlalchemy import select, update

from lti_tool.extensions import db
from lti_tool.models import AuditEvent, Course, Evidence, ShareLink, User
from lti_tool.services import audit
from lti_tool.web import limits
from tests.live import ADMIN, MENTOR, OTHER_STUDENT, STUDENT, TEACHER, Lms
from tests.lti.conftest import Browser
from tests.web.conftest import Ids, Visit, launch_as

LINK = re.compile(r'id="new-link"[^>]*value="([^"]+)"')


def create_link(visit: Visit, student: int, **form: str) -> str:
    response = visit.post(f"/students/{student}/share", form)
    page = response.get_data(as_text=True)
    assert response.status_code == 201, page
    assert response.headers["Cache-Control"] == "no-store"
    return html.unescape(LINK.search(page).group(1))


def open_outside_the_lms(tool: Flask, url: str, address: str = "192.0.2.10"):
    """A family's browser: no launch, no cookie, no session of any kind."""
    path = url.split("://", 1)[1].split("/", 1)[1]
    return tool.test_client().get("/" + path, environ_base={"REMOTE_ADDR": address})


def actions(tool: Flask) -> list[str]:
    with tool.app_context():
        return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_teacher_creates_a_link_the_family_opens_it_and_it_stops_once_revoked(
    tool: Flask, browser: Browser, ids: Ids
) -> None:
    teacher = launch_as(browser, TEACHER)
    mateo = ids.users[STUDENT]
    profile = teacher.get(f"/students/{mateo}").get_data(as_text=True)
    assert profile.count(f"/students/{mateo}/share?launch=") == 1
    assert "<title>Mateo Hernández — mastery — Mastery Tracker</title>" in profile
    form = teacher.get(f"/students/{mateo}/share").get_data(as_text=True)
    assert "No share link yet" in form and 'value="30" checked' in form

    url = create_link(teacher, mateo, days="7")
    token = url.rsplit("/", 1)[1]
    with tool.app_context():
        row = db.session.scalars(select(ShareLink)).one()
        assert row.token_hash != token and (row.expires_at - row.created_at).days == 7
        course = db.session.get(Course, ids.course).display_name
    # Shown once: the list afterwards has the dates, never the link.
    listing = teacher.get(f"/students/{mateo}/share").get_data(as_text=True)
    assert token not in listing and "✓ works" in listing
    assert [cell.strip() for cell in re.findall(r"<td>(.*?)</td>", listing, re.S)][2] == "never"

    shared = open_outside_the_lms(tool, url)
    page = shared.get_data(as_text=True)
    assert shared.status_code == 200
    assert f"<h1>Mateo's progress in {html.escape(course, quote=False)}</h1>" in page
    assert "What to work on next" in page and "Summary grade" in page
    # The steps speak of the student to the family, not to the student.
    assert "Not yet assessed: the teacher decides when it will be." in page
    assert "ask your teacher" not in page and "Your " not in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert shared.headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'none'" in shared.headers["Content-Security-Policy"]
    assert "<form" not in page and "launch=" not in page and "Full history" not in page
    for other in ("Aiyana Whitehorse", "Jamal Carter", "Sofia Rossi"):
        assert other not in page
    css = tool.test_client().get(f"/shared/{token}/levels.css")
    assert css.status_code == 200 and ".lv-0" in css.get_data(as_text=True)
    listing = teacher.get(f"/students/{mateo}/share").get_data(as_text=True)
    assert [c.strip() for c in re.findall(r"<td>(.*?)</td>", listing, re.S)][2].endswith(
        "UTC</time>"
    )

    with tool.app_context():
        link_id = db.session.scalars(select(ShareLink.id)).one()
    revoked = teacher.post(f"/students/{mateo}/share/{link_id}/revoke", {})
    assert revoked.status_code == 303 and f"launch={teacher.token}" in revoked.headers["Location"]
    gone = open_outside_the_lms(tool, url)
    text = gone.get_data(as_text=True)
    assert gone.status_code == 410 and "no longer works" in text and "Ask the teacher" in text
    assert "Mateo" not in text and gone.headers["Referrer-Policy"] == "no-referrer"
    assert open_outside_the_lms(tool, url[:-3] + "xyz").status_code == 404
    assert "turned off" in teacher.get(f"/students/{mateo}/share").get_data(as_text=True)
    assert actions(tool)[-2:] == ["share_link.created", "share_link.revoked"]


def test_a_bad_duration_saves_nothing(tool: Flask, browser: Browser, ids: Ids) -> None:
    teacher = launch_as(browser, TEACHER)
    for days in ("365", "x"):
        response = teacher.post(f"/students/{ids.users[STUDENT]}/share", {"days": days})
        assert response.status_code == 400
        assert "7, 30 or 90" in response.get_data(as_text=True)
    with tool.app_context():
        assert db.session.scalars(select(ShareLink)).all() == []
    assert "share_link.created" not in actions(tool)


def test_students_create_links_only_once_the_admin_allows_it(
    tool: Flask, lms: Lms, browser: Browser, ids: Ids
) -> None:
    mateo = ids.users[STUDENT]
    student = launch_as(browser, STUDENT)
    assert "/share?" not in student.landing  # no "Share my progress" while it is off
    page = student.get(f"/students/{mateo}/share").get_data(as_text=True)
    assert "not turned on share links made by students" in page and "<button" not in page
    assert student.post(f"/students/{mateo}/share", {"days": "30"}).status_code == 403

    admin = launch_as(Browser(tool, lms), ADMIN)
    assert 'name="allow_student_share_links">' in admin.landing  # unchecked by default
    saved = admin.post("/admin/settings", {"allow_student_share_links": "on"})
    assert saved.status_code == 303 and "saved=1" in saved.headers["Location"]
    console = admin.get("/admin").get_data(as_text=True)
    assert 'name="allow_student_share_links" checked>' in console
    assert "registration.settings_changed" in console

    student = launch_as(browser, STUDENT)
    assert f"/students/{mateo}/share?launch=" in student.landing
    url = create_link(student, mateo)
    assert open_outside_the_lms(tool, url).status_code == 200
    # Their own only, and always 30 days; a mentor manages no links.
    other = ids.users[OTHER_STUDENT]
    assert student.post(f"/students/{other}/share", {}).status_code == 403
    assert student.post(f"/students/{mateo}/share", {"days": "90"}).status_code == 403
    mentor = launch_as(Browser(tool, lms), MENTOR)
    assert mentor.get(f"/students/{mateo}/share").status_code == 403

    admin.post("/admin/settings", {})
    assert student.post(f"/students/{mateo}/share", {"days": "30"}).status_code == 403
    console = admin.get("/admin").get_data(as_text=True)
    assert console.count("registration.settings_changed") == 2
    assert "share_link.created" in console and "allow_student_share_links: False" in console
    # Each action in words, its code beside it.
    assert 'Share link created <code class="meta">share_link.created</code>' in console
    assert 'Registration settings changed <code class="meta">' in console


def test_hostile_names_and_comments_are_escaped_on_the_shared_page(
    tool: Flask, browser: Browser, ids: Ids
) -> None:
    teacher = launch_as(browser, TEACHER)
    mateo = ids.users[STUDENT]
    url = create_link(teacher, mateo)
    hostile = '<script>alert("x")</script>'
    with tool.app_context():
        db.session.execute(update(User).where(User.id == mateo).values(given_name=hostile))
        db.session.execute(
            update(Evidence).where(Evidence.student_id == mateo).values(comment=hostile)
        )
        db.session.commit()
    page = open_outside_the_lms(tool, url).get_data(as_text=True)
    assert "<script>" not in page
    assert "<h1>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;'s progress in" in page
    assert '<p class="comment">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</p>' in page


def test_the_share_page_is_limited_per_address_with_retry_after(
    tool: Flask, browser: Browser, ids: Ids, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "clock", lambda: 1_800_000_030.0)  # mid-window, whatever the time
    tool.config["RATE_LIMIT_SHARE_PER_ADDRESS"] = [2, 60]
    url = create_link(launch_as(browser, TEACHER), ids.users[STUDENT])
    assert [open_outside_the_lms(tool, url).status_code for _ in range(2)] == [200, 200]
    refused = open_outside_the_lms(tool, url)
    assert refused.status_code == 429 and 1 <= int(refused.headers["Retry-After"]) <= 60
    # Another address (another family) is not held back.
    assert open_outside_the_lms(tool, url, address="198.51.100.7").status_code == 200


def test_the_console_shows_its_own_registrations_events_only(
    tool: Flask, lms: Lms, browser: Browser, ids: Ids
) -> None:
    from lti_tool.demo import register_embedded_lms

    with tool.app_context():
        register_embedded_lms("https://elsewhere.example.org", client_id="x", deployment_id="9")
        other = db.session.scalar(select(Course.platform_id).where(Course.id == ids.course))
        audit.record("secret.thing", actor="test", target="other district's event")
        db.session.commit()
        assert other is not None
    console = launch_as(Browser(tool, lms), ADMIN).landing
    section = console[console.index('id="audit"') :]
    assert "registration.created" in section  # the embedded LMS's own registration
    assert "elsewhere.example.org" not in section and "other district" not in section


def test_the_token_never_reaches_the_request_log(
    tool: Flask, browser: Browser, ids: Ids, caplog: pytest.LogCaptureFixture
) -> None:
    url = create_link(launch_as(browser, TEACHER), ids.users[STUDENT])
    token = url.rsplit("/", 1)[1]
    with caplog.at_level("INFO", logger="lti_tool.request"):
        assert open_outside_the_lms(tool, url).status_code == 200
        tool.test_client().get(f"/shared/{token}/levels.css")
    lines = [r.getMessage() for r in caplog.records if r.name == "lti_tool.request"]
    assert "GET /shared/<token> 200" in " ".join(lines)
    assert "GET /shared/<token>/levels.css 200" in " ".join(lines)
    assert token not in caplog.text
