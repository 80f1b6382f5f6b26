"""Every page a teacher, student or parent sees, scanned with axe-core (WCAG 2.1 A and AA
rules) in Debian's chromium. A scanner cannot judge the grid's keyboard model: that has its own
test (test_grid_keyboard.py); docs/ACCESSIBILITY.md says what each criterion rests on."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import launch_in_lms, teacher_pages
from tests.live import ADMIN, MENTOR, STUDENT, TEACHER

pytestmark = pytest.mark.browser

WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


@pytest.fixture
def site(live, tool_server):
    lms, ids = live
    return tool_server.url, lms, ids


def _violations(page) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=WCAG_AA)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
    ]


def test_teacher_pages_pass_axe(site, page):
    base, lms, ids = site
    token = launch_in_lms(page, lms, TEACHER)
    found = {}
    for path in teacher_pages(ids):
        page.goto(f"{base}{path}?launch={token}")
        page.locator("h1").first.wait_for()
        found[path] = _violations(page)
    assert found == {path: [] for path in found}


def test_student_parent_and_admin_pages_pass_axe(site, page):
    base, lms, _ids = site
    found = {}
    for who in (STUDENT, MENTOR, ADMIN):
        token = launch_in_lms(page, lms, who)
        page.goto(f"{base}/home?launch={token}")
        page.locator("h1").first.wait_for()
        found[who] = _violations(page)
    for path in ("/admin/data", "/admin/scales"):  # with the admin's last launch
        page.goto(f"{base}{path}?launch={token}")
        page.locator("h1").first.wait_for()
        found[path] = _violations(page)
    # A scale no longer offered: its own table, with the button that offers it again.
    page.get_by_role("button", name="Stop offering — Marzano 0-4").click()
    page.locator("#retired-scales").wait_for()
    found["/admin/scales, one retired"] = _violations(page)
    assert found == {who: [] for who in found}


def test_share_link_pages_pass_axe(site, page):
    """The new link shown once, the list of links, and the page a family opens."""
    base, lms, ids = site
    token = launch_in_lms(page, lms, TEACHER)
    page.goto(f"{base}/students/{ids.users[STUDENT]}/share?launch={token}")
    page.get_by_role("button", name="Create a share link").click()
    link = page.get_by_label("Share link").input_value()
    found = {"created": _violations(page)}
    page.goto(link)
    page.locator("h1").first.wait_for()
    found["shared"] = _violations(page)
    assert found == {"created": [], "shared": []}


def test_the_scanner_reports_what_it_should(page):
    """The scan itself works here: a page with known faults is not passed."""
    page.set_content('<html><body><img src="x.png"><input type="text"></body></html>')
    found = " ".join(_violations(page))
    assert "image-alt" in found and "label" in found and "html-has-lang" in found


def test_installation_console_pages_pass_axe(site, make_app, page):
    """The console an installation's own administrators sign in to (outside any LMS)."""
    from lti_tool.extensions import db
    from lti_tool.services import local_admins

    base, _lms, _ids = site
    with make_app().app_context():
        local_admins.create("ops@district.example.org", "correct horse battery staple")
        db.session.commit()
    page.goto(f"{base}/install/login")
    found = {"/install/login": _violations(page)}
    page.get_by_label("Email").fill("ops@district.example.org")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/install/")
    for path in ("/install/", "/install/keys", "/install/grades", "/install/scales"):
        page.goto(f"{base}{path}")
        page.locator("h1").first.wait_for()
        found[path] = _violations(page)
    assert found == {path: [] for path in found}
