"""Importing a gradebook export in a real browser, inside the LMS's cross-site iframe."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import follow
from tests.live import COURSE, STUDENT, TEACHER

pytestmark = pytest.mark.browser

WIDE = "Student,A-CED.1,A-REI.3\n201,M,NY\n202,P+,3\n"


def test_teacher_previews_confirms_marks_and_saves(live, page, screenshot, tmp_path):
    from playwright.sync_api import expect

    lms, ids = live
    path = tmp_path / "gradebook.csv"
    path.write_text(WIDE)
    page.goto(f"{lms.issuer}/courses/{COURSE}?as={TEACHER}")
    frame = page.frame_locator("iframe[name=tool-frame]")
    follow(
        frame.get_by_role("link", name="Import evidence from a file"),
        frame.get_by_role("heading", name="Import evidence"),
    )
    frame.get_by_label("CSV file").set_input_files(str(path))
    # The date defaults to today, so these marks are each student's most recent.
    expect(frame.get_by_label("Date the marks were shown (gradebook exports)")).not_to_be_empty()
    follow(
        frame.get_by_role("button", name="Preview"),
        frame.get_by_role("heading", name="What each mark means"),
    )
    # Taken before any choice: a click right after a full-page screenshot was seen lost.
    screenshot("evidence-import-preview")
    expect(frame.get_by_label("Level for the mark P+")).to_have_value("3")  # proposed
    expect(frame.get_by_label("Level for the mark M", exact=True)).to_have_value("")  # no guess
    frame.get_by_label("Level for the mark M", exact=True).select_option(
        label="Proficient (3) — mastery"
    )
    frame.get_by_label("Level for the mark NY").select_option(label="Beginning (1)")
    saved = frame.get_by_text("Saved 4 pieces of evidence.")
    follow(frame.get_by_role("button", name="Save 4 marks"), saved)
    screenshot("evidence-import-saved")

    mateo, target = ids.users[STUDENT], ids.standards["A-REI.3"]
    cell = frame.locator(f'#grid a[href^="/students/{mateo}/standards/{target}?"]')
    follow(frame.get_by_role("link", name="Back to the gradebook"), cell)
    expect(cell).to_contain_text("Beginning")
