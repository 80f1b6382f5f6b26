"""The demo path in a real browser: the LMS on `localhost`, the tool in a cross-site iframe."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import follow
from tests.live import COURSE, STUDENT, TEACHER, register_lms

pytestmark = pytest.mark.browser


@pytest.fixture
def live(make_app, tool_server, lms):
    app = make_app(TOOL_BASE_URL=tool_server.url)
    with app.app_context():
        register_lms(lms)
    return lms


def tool_frame(page):
    return page.frame_locator("iframe[name=tool-frame]")


def test_teacher_adds_the_tool_and_the_column_appears(live, page, screenshot):
    course = f"{live.issuer}/courses/{COURSE}"
    page.goto(f"{course}?as={TEACHER}")
    frame = tool_frame(page)
    assert frame.locator("h1").first.inner_text() == "Teacher dashboard"
    assert "Amara Okafor" in frame.locator("main").inner_text()
    screenshot("teacher-launch")

    follow(page.get_by_text("Add activity"), frame.get_by_label("Title in the course"))
    frame.get_by_label("Title in the course").fill("Unit 1 mastery")
    follow(frame.get_by_role("button", name="Add to course"), frame.get_by_text("Activity added"))
    screenshot("deep-linking-done")

    page.goto(f"{course}/gradebook?as={TEACHER}")
    gradebook = page.locator("main").inner_text()
    assert "Mastery summary" in gradebook
    screenshot("lms-gradebook-column")


def test_student_lands_on_their_page(live, page, screenshot):
    page.goto(f"{live.issuer}/courses/{COURSE}?as={STUDENT}")
    frame = tool_frame(page)
    assert frame.locator("h1").first.inner_text() == "My mastery"
    assert "Mateo Hernández" in frame.locator("main").inner_text()
    # The launch answered with the page; the page gave the frame its own address.
    assert page.frame(name="tool-frame").url.split("?")[0].endswith("/home")
    screenshot("student-launch")


def test_the_frame_fits_the_tool_page(live, page):
    """lti.frameResize: the platform sizes its iframe to the tool's page, whatever its length."""
    page.goto(f"{live.issuer}/courses/{COURSE}?as={STUDENT}")
    frame = tool_frame(page)
    frame.locator("h1").first.wait_for()
    iframe = page.locator("iframe[name=tool-frame]")
    tool_page = page.frame(name="tool-frame")

    def fits() -> bool:
        inner = tool_page.evaluate(
            "Math.ceil(document.documentElement.getBoundingClientRect().height)"
        )
        return abs(iframe.bounding_box()["height"] - inner) <= 2

    page.wait_for_function("() => document.querySelector('iframe[name=tool-frame]').style.height")
    assert fits()
    tool_page.evaluate("document.querySelector('main').style.paddingBottom = '1500px'")
    page.wait_for_timeout(300)
    assert fits() and iframe.bounding_box()["height"] > 1500
