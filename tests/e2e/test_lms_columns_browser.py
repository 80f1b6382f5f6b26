"""An LMS assignment as evidence, in a real browser: the teacher aligns the column in the tool
(inside the LMS's cross-site iframe), grades it in the embedded LMS's own gradebook, presses
"Sync from LMS", and the worker's sync puts the level on the aligned standard."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import follow
from tests.live import CLIENT_ID, COURSE, STUDENT, TEACHER

pytestmark = pytest.mark.browser


def test_an_lms_grade_reaches_the_aligned_standard_in_the_gradebook(live, worker, page, screenshot):
    from playwright.sync_api import expect

    lms, ids = live
    # A column the tool published into the LMS (a deep-linked assessment's line item).
    quiz = lms.platform.add_line_item(
        COURSE, "Unit 2 quiz", 20, client_id=CLIENT_ID, tag="quiz-2", resourceId="quiz-2"
    )
    mateo, target = ids.users[STUDENT], ids.standards["F-IF.6"]
    course_page = f"{lms.issuer}/courses/{COURSE}?as={TEACHER}"
    page.goto(course_page)
    frame = page.frame_locator("iframe[name=tool-frame]")
    cell = frame.locator(f'#grid a[href^="/students/{mateo}/standards/{target}?"]')
    expect(cell).to_contain_text("Not yet assessed")

    # 1. Align the column to F-IF.6 on the tool's page, with the cuts prefilled from the scale.
    row = frame.get_by_role("row").filter(has_text="Unit 2 quiz")
    follow(frame.get_by_role("link", name="LMS columns and standards"), row)
    expect(row).to_contain_text("Not aligned")
    follow(
        frame.get_by_role("link", name="Align to standards for Unit 2 quiz"),
        frame.get_by_role("heading", name="Align “Unit 2 quiz” to standards"),
    )
    expect(frame.get_by_label("Minimum percent for Advanced on F-IF.6")).to_have_value("90")
    expect(frame.get_by_label("Minimum percent for Proficient on F-IF.6")).to_have_value("75")
    tick = frame.get_by_label("Align to F-IF.6")
    tick.check()
    expect(tick).to_be_checked()
    follow(
        frame.get_by_role("button", name="Save alignment"), frame.get_by_text("Alignment saved.")
    )
    expect(row).to_contain_text("F-IF.6: ≥ 90% Advanced, ≥ 75% Proficient")
    screenshot("lms-column-aligned")

    # 2. The teacher grades the assignment in the LMS's own gradebook: 19/20 = 95%.
    page.goto(f"{lms.issuer}/courses/{COURSE}/gradebook?as={TEACHER}")
    page.get_by_label("Column").select_option(value=quiz.id)
    page.get_by_label("Student").select_option(label="Mateo Hernández")
    page.get_by_label("Score").fill("19")
    mateo_row = page.get_by_role("row").filter(has_text="Mateo Hernández")
    follow(page.get_by_role("button", name="Save grade"), mateo_row.get_by_text("19.0"))

    # 3. Back in the tool: "Sync from LMS"; the worker reads the result.
    page.goto(course_page)
    sync = frame.get_by_role("button", name="Sync from LMS")
    follow(frame.get_by_role("link", name="Grades in the LMS and sync from the LMS"), sync)
    follow(sync, frame.get_by_text("Reading grades from the LMS"))
    follow(frame.get_by_role("link", name="Back to the gradebook"), cell)
    tool_frame = page.frame(name="tool-frame")
    tool_frame.wait_for_url("**/gradebook?**")
    grid = tool_frame.url
    for _ in range(100):  # the worker polls every 0.1 s
        if "Advanced" in (cell.text_content() or ""):
            break
        page.wait_for_timeout(100)
        tool_frame.goto(grid)
        frame.get_by_role("heading", name="Gradebook").wait_for()
    expect(cell).to_contain_text("Advanced")
    follow(cell, frame.locator("dd.comment"))
    expect(frame.locator("dd.comment")).to_have_text("Unit 2 quiz: 19/20 (95%) in the LMS")
    screenshot("lms-grade-as-evidence")
