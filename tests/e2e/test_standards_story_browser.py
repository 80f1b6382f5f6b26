"""Issue 5's teacher story in a real browser inside the LMS's cross-site iframe: import Common
Core Math (CASE JSON) with a preview, adopt one cluster, create an assessment aligned to two of
its standards, score it; the student then sees their levels, the teacher's feedback and what to
do next, and rates themself; the registration's administrator sees the platform."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import AFTER_SUBMIT, follow, settle
from tests.live import ADMIN, COURSE, STUDENT, TEACHER

pytestmark = pytest.mark.browser

CCSS = Path(__file__).resolve().parents[3] / "shared" / "data" / "standards" / "case"
CCSS = CCSS / "ccss-math-2010.json"


@pytest.mark.skipif(not CCSS.exists(), reason="../shared/data is not beside the repo")
def test_teacher_imports_ccss_adopts_scores_and_the_student_sees_it(live, page, screenshot):
    from playwright.sync_api import expect

    lms, _ids = live
    page.goto(f"{lms.issuer}/courses/{COURSE}?as={TEACHER}")
    frame = page.frame_locator("iframe[name=tool-frame]")

    follow(
        frame.get_by_role("link", name="Standards", exact=True),
        frame.get_by_label("Standards file"),
    )
    frame.get_by_label("Standards file").set_input_files(str(CCSS))
    checked = frame.get_by_role("heading", name="Check the framework before saving")
    follow(frame.get_by_role("button", name="Preview"), checked)
    expect(frame.get_by_text("746 in")).to_be_visible()
    screenshot("standards-import-preview")
    radicals = frame.get_by_role("checkbox", name="8.EE.A Work with radicals")
    follow(frame.get_by_role("button", name="Save the framework"), radicals)
    settle(page)
    radicals.check()
    follow(
        frame.get_by_role("button", name="Adopt the ticked standards").first,
        frame.get_by_text("5 standards adopted."),
    )
    screenshot("standards-adopted")

    score_link = frame.get_by_role("link", name="Score an assessment")
    follow(frame.get_by_role("link", name="← Back to the gradebook"), score_link)
    follow(score_link, frame.get_by_label("Title"))
    frame.get_by_label("Title").fill("Exponents check")
    frame.get_by_role("checkbox", name="8.EE.A.1 Know and apply").check()
    frame.get_by_role("checkbox", name="8.EE.A.2 Use square root").check()
    follow(
        frame.get_by_role("button", name="Create and score"),
        frame.get_by_role("heading", name="Score: Exponents check"),
    )
    settle(page)
    mateo = frame.get_by_role("group", name="Level for Mateo Hernández on 8.EE.A.1")
    mateo.get_by_role("radio", name="Developing").check()
    frame.get_by_label("Comment for Mateo Hernández on 8.EE.A.1").fill(
        "Check the sign when the exponent is negative."
    )
    frame.get_by_role("group", name="Level for Mateo Hernández on 8.EE.A.2").get_by_role(
        "radio", name="Advanced"
    ).check()
    follow(frame.get_by_role("button", name="Save all marks").first, frame.get_by_text("Saved"))
    screenshot("standards-scored")

    page.goto(f"{lms.issuer}/courses/{COURSE}?as={STUDENT}")
    student = page.frame_locator("iframe[name=tool-frame]")
    expect(student.get_by_role("heading", name="My mastery")).to_be_visible(timeout=AFTER_SUBMIT)
    todo = student.locator("section.todo")
    expect(todo).to_contain_text("8.EE.A.1")
    feedback = todo.locator("p.feedback", has_text="Check the sign when the exponent")
    expect(feedback).to_contain_text("Teacher's feedback on Exponents check, ")
    expect(student.locator("p.comment", has_text="Check the sign when")).to_be_visible()
    screenshot("standards-student-profile")

    rate = student.locator("details.self-assess").filter(has_text="Rate myself on 8.EE.A.1")
    follow(rate.locator("summary"), rate.get_by_role("radio", name="Proficient"))
    rate.get_by_role("radio", name="Proficient").check()
    rate.get_by_label("What I did, and what I will try next").fill("I redid the negative ones.")
    saved = student.get_by_text("Your self-assessment on 8.EE.A.1 is saved.")
    follow(rate.get_by_role("button", name="Save my self-assessment"), saved)
    screenshot("standards-self-assessed")

    page.goto(f"{lms.issuer}/courses/{COURSE}?as={ADMIN}")
    admin = page.frame_locator("iframe[name=tool-frame]")
    expect(admin.get_by_role("heading", name="Administration")).to_be_visible(timeout=AFTER_SUBMIT)
    expect(admin.locator("#registration")).to_contain_text(lms.issuer)
    screenshot("admin-console")
