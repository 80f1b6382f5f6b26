"""Teacher pages in a real browser inside the LMS's cross-site iframe: scoring an assessment
by keyboard across an expired launch, and a settings change previewed before it is saved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lti_tool.extensions import db
from lti_tool.models import Assessment, CourseSettings, Evidence, Launch
from lti_tool.models.types import utcnow
from tests.e2e.conftest import AFTER_SUBMIT, follow
from tests.live import COURSE, TEACHER

pytestmark = pytest.mark.browser


def expire_every_launch(app) -> None:
    with app.app_context():
        db.session.execute(update(Launch).values(expires_at=utcnow() - timedelta(minutes=1)))
        db.session.commit()


def create_quiz(frame) -> None:
    follow(frame.get_by_role("link", name="Score an assessment"), frame.get_by_label("Title"))
    frame.get_by_label("Title").fill("Quiz 4: systems")
    frame.get_by_role("checkbox", name="A-REI.3").check()
    frame.get_by_role("checkbox", name="F-IF.6").check()
    follow(
        frame.get_by_role("button", name="Create and score"),
        frame.get_by_role("heading", name="Score: Quiz 4: systems"),
    )


def score_by_keyboard(page, frame) -> None:
    """Everyone at Proficient (the page's default choice), then one cell adjusted by keyboard."""
    from playwright.sync_api import expect

    expect(frame.get_by_role("heading", name="Score: Quiz 4: systems")).to_be_visible(
        timeout=AFTER_SUBMIT
    )
    # Each student's name spans their rows; every row's standard sits under "Standard" (a
    # page style once made the name cell a grid, and every second row slid one column left).
    lefts = frame.locator("table.score").evaluate(
        """table => [table.tHead.rows[0].cells[1],
                     ...Array.from(table.tBodies[0].rows, row => row.querySelector("td"))]
                    .map(cell => cell.getBoundingClientRect().left)"""
    )
    assert len(lefts) == 3 and max(lefts) - min(lefts) < 1, lefts
    proficient = frame.locator("input[type=radio][value='3']:checked")
    follow(frame.get_by_role("button", name="Fill the empty rows"), proficient.nth(15))
    expect(proficient).to_have_count(16)
    mateo = frame.get_by_role("group", name="Level for Mateo Hernández on F-IF.6")
    mateo.get_by_role("radio", name="Proficient").focus()
    page.keyboard.press("ArrowRight")  # radio groups move by arrow keys
    expect(mateo.get_by_role("radio", name="Advanced")).to_be_checked()
    # Filling again fills only rows with no mark: Mateo's Advanced stays.
    frame.get_by_role("button", name="Fill the empty rows").click()
    expect(mateo.get_by_role("radio", name="Advanced")).to_be_checked()
    mateo.get_by_role("radio", name="Advanced").focus()
    page.keyboard.press("Tab")  # on to this cell's comment
    page.keyboard.type("Clear rate of change.")


def expect_typed_values(frame) -> None:
    from playwright.sync_api import expect

    mateo = frame.get_by_role("group", name="Level for Mateo Hernández on F-IF.6")
    expect(mateo.get_by_role("radio", name="Advanced")).to_be_checked()
    expect(frame.locator("input[type=radio][value='3']:checked")).to_have_count(15)
    expect(frame.get_by_label("Comment for Mateo Hernández on F-IF.6")).to_have_value(
        "Clear rate of change."
    )


def saved_quiz_rows(app) -> list[Evidence]:
    with app.app_context():
        quiz = db.session.scalar(select(Assessment.id).where(Assessment.title == "Quiz 4: systems"))
        rows = db.session.scalars(select(Evidence).where(Evidence.assessment_id == quiz)).all()
        db.session.expunge_all()
        return list(rows)


def test_an_expired_launch_in_the_lms_frame_keeps_every_typed_score(
    live,
    make_app,
    page,
    screenshot,
):

    lms, _ids = live
    app = make_app()
    page.goto(f"{lms.issuer}/courses/{COURSE}?as={TEACHER}")
    frame = page.frame_locator("iframe[name=tool-frame]")
    create_quiz(frame)
    score_by_keyboard(page, frame)
    expect_typed_values(frame)
    # The launch ends while the teacher types; Save keeps everything and asks to relaunch.
    # (This context blocks third-party storage, as Incognito does: the server-side page alone
    # keeps the values here.)
    expire_every_launch(app)
    follow(
        frame.get_by_role("button", name="Save all marks").first,
        frame.get_by_text("Your session with the tool has ended"),
    )
    expect_typed_values(frame)
    screenshot("scoring-expired-in-lms")
    assert saved_quiz_rows(app) == []


def test_scores_typed_before_the_launch_expired_are_put_back_after_a_relaunch(
    live,
    make_app,
    page,
    screenshot,
):
    from playwright.sync_api import expect

    lms, ids = live
    app = make_app()
    # The LMS's "new window" launch: the tool is first-party, so sessionStorage is there.
    page.goto(f"{lms.issuer}/courses/{COURSE}?as={TEACHER}")
    new_window = page.get_by_role("link", name="(new window)").first.get_attribute("href")
    launch = f"{lms.issuer}{new_window}" if new_window.startswith("/") else new_window
    page.goto(launch)
    create_quiz(page)
    score_by_keyboard(page, page)
    expire_every_launch(app)
    follow(
        page.get_by_role("button", name="Save all marks").first,
        page.get_by_text("Your session with the tool has ended"),
    )
    assert saved_quiz_rows(app) == []

    # Relaunch from the course in the same tab: the values come back from the tab's storage.
    page.goto(launch)
    quiz = page.get_by_role("link", name="Quiz 4: systems")
    follow(page.get_by_role("link", name="Score an assessment"), quiz)
    follow(quiz, page.get_by_text("you typed before were put back"))
    expect_typed_values(page)
    screenshot("scoring-restored")
    follow(
        page.get_by_role("button", name="Save all marks").first,
        page.get_by_text("16 marks recorded."),
    )
    rows = saved_quiz_rows(app)
    assert len(rows) == 16
    [advanced] = [row for row in rows if row.points == 4.0]
    assert advanced.comment == "Clear rate of change."
    assert advanced.standard_id == ids.standards["F-IF.6"]
    # Saved: the tab forgets the kept values; a later visit shows the saved marks only.
    follow(page.get_by_role("link", name="All assessments"), quiz)
    follow(quiz, page.get_by_role("heading", name="Score: Quiz 4: systems"))
    expect_typed_values(page)
    expect(page.locator("[data-restored]")).to_be_hidden()


def test_a_settings_change_is_previewed_then_saved(live, make_app, page, screenshot):
    from playwright.sync_api import expect

    lms, _ids = live
    app = make_app()
    page.goto(f"{lms.issuer}/courses/{COURSE}?as={TEACHER}")
    frame = page.frame_locator("iframe[name=tool-frame]")
    follow(
        frame.get_by_role("link", name="Course settings"),
        frame.get_by_role("heading", name="Course settings", exact=True),
    )
    # Only the chosen method's parameters show.
    weight = frame.get_by_label("Weight of the latest score (Decaying average")
    expect(weight).to_be_hidden()
    frame.get_by_label("Calculation method").select_option("standard_decaying_average")
    expect(weight).to_be_visible(timeout=AFTER_SUBMIT)
    weight.fill("2")  # out of range: the browser says so before sending anything
    assert weight.evaluate("field => field.validity.rangeOverflow")
    weight.fill("0.5")
    # A table that falls passes the browser's checks; the server names it next to the table.
    frame.get_by_label("Percent").nth(1).fill("40")
    follow(frame.get_by_role("button", name="Preview the change"), frame.locator(".field-error"))
    expect(frame.locator(".field-error")).to_contain_text(
        "Conversion table: percents must not fall as the level rises.", timeout=AFTER_SUBMIT
    )
    expect(frame.get_by_label("Percent").nth(1)).to_have_attribute("aria-invalid", "true")
    expect(frame.get_by_label("Weight of the latest score (Decaying average")).to_have_value("0.5")
    frame.get_by_label("Percent").nth(1).fill("70")
    follow(
        frame.get_by_role("button", name="Preview the change"),
        frame.get_by_text("7 students' levels change; 7 summary grades change"),
    )
    # The preview is what the teacher reads next: in view, with the focus, before "Save".
    preview = frame.get_by_role("heading", name="What this change would do")
    expect(preview).to_be_focused()
    expect(preview).to_be_in_viewport()
    screenshot("settings-preview-in-lms")
    with app.app_context():
        assert db.session.scalar(select(CourseSettings.method)) == "most_recent"
    follow(
        frame.get_by_role("button", name="Save these settings"),
        frame.get_by_text("Settings saved."),
    )
    with app.app_context():
        row = db.session.scalar(select(CourseSettings))
        assert (row.method, row.params) == ("standard_decaying_average", {"w": 0.5})
