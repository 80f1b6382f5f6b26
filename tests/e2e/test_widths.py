"""Inside an LMS frame from 320 px (a phone) to 1,600 px wide, no page scrolls sideways: only
the gradebook grid and wide tables scroll, each in its own container."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import launch_in_lms, teacher_pages
from tests.live import ADMIN, MENTOR, STUDENT, TEACHER

pytestmark = pytest.mark.browser

WIDTHS = (320, 768, 1600)
# How far the page's content reaches past the frame's right edge, in CSS pixels.
OVERFLOW = """() => {
  const root = document.documentElement;
  return Math.max(root.scrollWidth, document.body.scrollWidth) - root.clientWidth;
}"""


def _overflows(page, urls: dict[str, str]) -> dict[str, int]:
    """Each page's overflow at each width; only those that overflow."""
    found = {}
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 800})
        for name, url in urls.items():
            page.goto(url)
            page.locator("h1").first.wait_for()
            overflow = page.evaluate(OVERFLOW)
            if overflow > 0:
                found[f"{name} at {width}px"] = overflow
    return found


def test_no_page_scrolls_sideways_at_any_width(live, tool_server, page):
    lms, ids = live
    base = tool_server.url
    student = ids.users[STUDENT]
    teacher = launch_in_lms(page, lms, TEACHER)
    urls = {path: f"{base}{path}?launch={teacher}" for path in teacher_pages(ids)}
    page.goto(urls[f"/students/{student}/share"])
    page.get_by_role("button", name="Create a share link").click()
    urls["family view"] = page.get_by_label("Share link").input_value()
    for who in (STUDENT, MENTOR, ADMIN):
        urls[f"{who} home"] = f"{base}/home?launch={launch_in_lms(page, lms, who)}"
    admin = urls[f"{ADMIN} home"].split("launch=")[1]
    for path in ("/admin/data", "/admin/scales"):
        urls[path] = f"{base}{path}?launch={admin}"
    assert _overflows(page, urls) == {}


def test_a_scales_levels_fit_a_laptop_screen(live, tool_server, page):
    """Every column of the levels table is in view at 1,280 px: its box does not scroll."""
    lms, _ids = live
    base = tool_server.url
    teacher = launch_in_lms(page, lms, TEACHER)
    admin = launch_in_lms(page, lms, ADMIN)
    page.set_viewport_size({"width": 1280, "height": 800})
    for url in (f"{base}/settings/scale?launch={teacher}", f"{base}/admin/scales?launch={admin}"):
        page.goto(url)
        box = page.locator(".table-scroll:has(#levels)")
        assert box.evaluate("box => box.scrollWidth - box.clientWidth") <= 0, url
        assert page.locator("#level-0-not-score").is_visible()


def test_on_a_phone_the_gradebooks_names_leave_room_for_levels(live, tool_server, page):
    """In a 360 px frame the pinned student column takes at most a third of the width."""
    lms, _ids = live
    teacher = launch_in_lms(page, lms, TEACHER)
    page.set_viewport_size({"width": 360, "height": 800})
    page.goto(f"{tool_server.url}/gradebook?launch={teacher}")
    name = page.locator("#grid tbody th.student-col").first
    assert name.bounding_box()["width"] <= 120
