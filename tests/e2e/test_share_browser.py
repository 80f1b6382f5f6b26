"""A family opens a share link in a real browser (no LMS account, no launch) and sees the
student's progress; once the teacher turns the link off, the same address says it no longer
works."""

from __future__ import annotations

import re

import pytest

from tests.e2e.conftest import ARTIFACTS
from tests.live import COURSE, STUDENT, TEACHER

pytestmark = pytest.mark.browser


def test_a_family_opens_the_link_and_it_stops_working_once_revoked(
    live, tool_server, page, chromium, screenshot
):
    from playwright.sync_api import expect

    lms, ids = live
    page.goto(f"{lms.issuer}/courses/{COURSE}?as={TEACHER}")
    page.frame_locator("iframe[name=tool-frame]").locator("h1").first.wait_for()
    token = re.search(r"launch=([^&]+)", page.frame(name="tool-frame").url).group(1)
    page.goto(f"{tool_server.url}/students/{ids.users[STUDENT]}?launch={token}")
    page.get_by_role("link", name="Share Mateo Hernández's progress with family").click()
    page.get_by_role("radio", name="90 days").check()
    page.get_by_role("button", name="Create a share link").click()
    link = page.get_by_label("Share link").input_value()
    assert link.startswith(f"{tool_server.url}/shared/")
    # One press copies the whole link, which is shown only this once.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=tool_server.url)
    page.get_by_role("button", name="Copy the link").click()
    expect(page.get_by_text("Copied: paste it in a message to the family.")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == link
    screenshot("share-link-created")

    family = chromium.new_context(viewport={"width": 390, "height": 844})  # a phone, no cookies
    try:
        home = family.new_page()
        home.goto(link)
        expect(home.get_by_role("heading", level=1)).to_have_text(
            re.compile(r"^Mateo's progress in Algebra I")
        )
        expect(home.get_by_role("heading", name="What to work on next")).to_be_visible()
        assert home.locator("form").count() == 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        home.screenshot(path=str(ARTIFACTS / "share-link-family.png"), full_page=True)

        page.goto(f"{tool_server.url}/students/{ids.users[STUDENT]}/share?launch={token}")
        page.get_by_role("button", name=re.compile("^Turn off")).click()
        expect(page.get_by_role("status")).to_contain_text("The link is turned off")

        response = home.reload()
        assert response.status == 410
        expect(home.get_by_role("heading", level=1)).to_have_text("This link no longer works")
        expect(home.get_by_text("Ask the teacher for a new link.")).to_be_visible()
        assert "Mateo" not in home.content()
        home.screenshot(path=str(ARTIFACTS / "share-link-revoked.png"), full_page=True)
    finally:
        family.close()
