"""The gradebook in a real browser, inside the LMS's cross-site iframe: grid, drill-down, entry."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import follow
from tests.live import COURSE, STUDENT, TEACHER

pytestmark = pytest.mark.browser


def test_teacher_adds_evidence_from_a_cell_and_sees_the_cell_change(live, page, screenshot):
    from playwright.sync_api import expect

    lms, ids = live
    page.goto(f"{lms.issuer}/courses/{COURSE}?as={TEACHER}")
    frame = page.frame_locator("iframe[name=tool-frame]")
    frame.get_by_role("heading", name="Gradebook").wait_for()
    mateo, target = ids.users[STUDENT], ids.standards["F-IF.6"]
    cell = frame.locator(f'#grid a[href^="/students/{mateo}/standards/{target}?"]')
    expect(cell).to_contain_text("Not yet assessed")
    expect(frame.get_by_role("rowheader")).to_have_count(8)

    # Branches collapse and expand from the keyboard, and say so.
    toggle = frame.get_by_role("button", name="Standards under A-CED")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(frame.locator(f"#col-{ids.standards['A-CED.1']}")).to_be_hidden()
    page.keyboard.press("Enter")
    expect(frame.locator(f"#col-{ids.standards['A-CED.1']}")).to_be_visible()
    screenshot("gradebook-in-lms")

    # A laptop with the LMS's chrome, scrolled down to the cell: the new page opens at its top,
    # with the focus on its heading (static/frame.js asks the LMS for lti.scrollToTop).
    page.set_viewport_size({"width": 1200, "height": 500})
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    follow(cell, frame.get_by_role("heading", name="Add evidence"))
    expect(frame.locator("main h1")).to_be_in_viewport()
    expect(frame.locator("main h1")).to_be_focused()
    frame.get_by_label("Level", exact=True).select_option(label="Advanced (mastery)")
    frame.get_by_label("Comment for the student (optional)").fill("Clear rate of change.")
    follow(frame.get_by_role("button", name="Add evidence"), frame.get_by_text("Evidence added."))
    # The button is far down the page; the notice is at its top. The LMS brings the frame's
    # top into view (lti.scrollToTop, as Canvas does), so the teacher sees it was saved.
    expect(frame.get_by_text("Evidence added.")).to_be_in_viewport()
    page.set_viewport_size({"width": 1200, "height": 850})
    expect(frame.locator(".current .badge")).to_contain_text("Advanced")
    drilldown = page.frame(name="tool-frame").url

    follow(frame.get_by_role("link", name="Back to the gradebook"), cell)
    expect(cell).to_contain_text("Advanced")
    # Back where the teacher was: the focus on the cell just changed, in view.
    expect(cell).to_be_focused()
    expect(cell).to_be_in_viewport()
    screenshot("gradebook-after-evidence-in-lms")

    # The same pages opened on their own (the LMS frame is 640 px high), for the README.
    grid = page.frame(name="tool-frame").url
    page.goto(grid)
    expect(page.locator(f'#grid a[href^="/students/{mateo}/standards/{target}?"]')).to_be_visible()
    screenshot("gradebook-grid")
    page.goto(drilldown)
    page.get_by_role("heading", name="Add evidence").wait_for()
    screenshot("gradebook-cell-drilldown")


def test_student_profile_in_the_iframe(live, page, screenshot):
    from playwright.sync_api import expect

    lms, _ids = live
    page.goto(f"{lms.issuer}/courses/{COURSE}?as={STUDENT}")
    frame = page.frame_locator("iframe[name=tool-frame]")
    expect(frame.locator("h1").first).to_have_text("My mastery")
    expect(frame.get_by_role("heading", name="What do I do now?")).to_be_visible()
    expect(frame.locator(".todo-item").first).to_be_visible()
    page.goto(page.frame(name="tool-frame").url)
    expect(page.locator("h1").first).to_have_text("My mastery")
    screenshot("student-profile")


def test_a_score_entered_in_the_tool_reaches_the_lms_gradebook_within_seconds(
    live, worker, page, screenshot
):
    from playwright.sync_api import expect

    lms, ids = live
    page.goto(f"{lms.issuer}/courses/{COURSE}?as={TEACHER}")
    frame = page.frame_locator("iframe[name=tool-frame]")
    mateo, target = ids.users[STUDENT], ids.standards["F-IF.6"]
    level = frame.get_by_label("Level", exact=True)
    follow(frame.locator(f'#grid a[href^="/students/{mateo}/standards/{target}?"]'), level)
    level.select_option(label="Advanced (mastery)")
    follow(frame.get_by_role("button", name="Add evidence"), frame.get_by_text("Evidence added."))

    expected = lms.platform.store.state.users[STUDENT]
    page.goto(f"{lms.issuer}/courses/{COURSE}/gradebook?as={TEACHER}")
    row = page.get_by_role("row").filter(has_text=expected.family_name)
    for _ in range(50):  # the worker polls every 0.1 s; the page is the LMS's own
        if "Average level" in (row.text_content() or ""):
            break
        page.wait_for_timeout(100)
        page.reload()
    expect(row).to_contain_text("Average level")
    screenshot("lms-gradebook-with-summary")
