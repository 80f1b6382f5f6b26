"""The course's own scale through real launches: levels typed, checked, previewed with the
what-if, then the course switched to them; evidence keeps the scale it was recorded on."""

from __future__ import annotations

import re

from sqlalchemy import func, select, update

from lti_tool.extensions import db
from lti_tool.models import CourseSettings, CurrentLevel, Evidence, Scale
from lti_tool.worker import Worker
from tests.live import STUDENT, TEACHER
from tests.web.test_settings import fields

from .conftest import Ids, launch_as

HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def scale_form(page: str) -> dict[str, str]:
    return fields(page.replace('id="scale-form"', 'id="settings-form"'))


def levels(*rows: tuple[str, str, str], mastery: int, name: str = "Our three") -> dict[str, str]:
    found = {"name": name, "mastery": str(mastery)}
    for n, (points, label, description) in enumerate(rows):
        found |= {
            f"level-{n}-points": points,
            f"level-{n}-label": label,
            f"level-{n}-description": description,
        }
    return found


def state(tool) -> tuple[int, int, set[int]]:
    """The course's scale, how many scales the course owns, the scales evidence is on."""
    with tool.app_context():
        scale_id = db.session.scalar(select(CourseSettings.scale_id))
        own = db.session.scalar(select(func.count(Scale.id)).where(Scale.course_id.is_not(None)))
        recorded = set(db.session.scalars(select(Evidence.scale_id).distinct()))
    return scale_id, own, recorded


THREE = levels(
    ("0", "Not yet", "Not shown yet."),
    ("1", "Almost", "Shown with help."),
    ("2", "Got it", "Shown alone."),
    mastery=2,
)


def test_a_scale_is_previewed_then_the_course_switches_to_it(browser, ids: Ids, tool):
    before = state(tool)
    visit = launch_as(browser, TEACHER)
    settings = visit.get("/settings").get_data(as_text=True)
    assert 'href="/settings/scale?launch=' in settings  # linked from the settings page
    page = visit.get("/settings/scale").get_data(as_text=True)
    assert "<h1>This course's own scale</h1>" in page
    start = scale_form(page)  # the current scale as the starting point
    assert start["level-0-label"] == "Beginning" and start["mastery"] == "2"

    preview = visit.post("/settings/scale/preview", {"launch": visit.token, **THREE})
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200, text
    figures = re.search(r"<strong>(\d+) students?'s? levels? changes?; (\d+) summary", text)
    assert figures and int(figures[1]) > 0, text
    assert "Switch the course to this scale" in text
    assert state(tool) == before  # the preview stored nothing

    saved = visit.post("/settings/scale/save", scale_form(text))
    assert saved.status_code == 303, saved.get_data(as_text=True)
    scale_id, own, recorded = state(tool)
    assert scale_id != before[0] and own == before[1] + 1
    assert recorded == before[2]  # evidence keeps the scale it was recorded on
    Worker(tool).drain()
    with tool.app_context():
        labels = set(db.session.scalars(select(CurrentLevel.level_label).distinct()))
    assert labels - {None} <= {"Not yet", "Almost", "Got it"} and "Got it" in labels

    again = browser.tool.get(saved.headers["Location"]).get_data(as_text=True)
    assert "The course now uses this scale." in again
    assert scale_form(again)["level-2-label"] == "Got it"  # the form starts from it now
    # Previewing and saving the same levels again reuses the scale: nothing new is stored.
    same = visit.post("/settings/scale/preview", {"launch": visit.token, **THREE})
    assert "there is nothing to save" in same.get_data(as_text=True)


def test_a_broken_scale_is_refused_with_clear_messages_and_nothing_saved(browser, ids, tool):
    before = state(tool)
    visit = launch_as(browser, TEACHER)
    cases = [
        (levels(("1", "Only", ""), mastery=0), "A scale needs at least two levels."),
        (
            levels(("1", "Low", ""), ("1", "High", ""), mastery=1),
            "Another level already has 1 points",
        ),
        (levels(("1", "Low", ""), ("2", "", "x"), mastery=1), "Give the level a label."),
        (levels(("1", "Low", ""), ("2", "low", ""), mastery=1), "already called this"),
        (levels(("1", "Low", ""), ("two", "High", ""), mastery=1), "points as a number"),
        (levels(("1", "Low", ""), ("2", "High", ""), mastery=0), "cannot start at the lowest"),
        (levels(("1", "Low", ""), ("2", "High", ""), mastery=7), "Choose the level from which"),
        (levels(("1", "Low", ""), ("2", "High", ""), mastery=1, name=""), "Give the scale a name"),
    ]
    for proposal, message in cases:
        for path in ("/settings/scale/preview", "/settings/scale/save"):
            answer = visit.post(path, {"launch": visit.token, **proposal, "previewed": "x"})
            text = answer.get_data(as_text=True)
            assert answer.status_code == 400, (proposal, answer.status_code)
            assert "Nothing was saved." in text and message in text, (message, text)
    assert state(tool) == before


def test_hostile_labels_are_escaped(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    proposal = levels(("1", HOSTILE, HOSTILE), ("2", "Fine", ""), mastery=1, name=HOSTILE)
    preview = visit.post("/settings/scale/preview", {"launch": visit.token, **proposal})
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)" in text
    saved = visit.post("/settings/scale/save", scale_form(text))
    assert saved.status_code == 303
    settings = visit.get("/settings").get_data(as_text=True)
    assert "<script>alert(1)" not in settings and "&lt;script&gt;alert(1)" in settings
    assert 'onerror="alert(2)"' not in settings


def test_the_form_needs_the_launch_and_students_are_refused(browser, ids: Ids, tool):
    before = state(tool)
    teacher = launch_as(browser, TEACHER)
    assert teacher.post("/settings/scale/save", THREE, with_token=False).status_code == 401
    student = launch_as(browser, STUDENT)
    assert student.get("/settings/scale").status_code == 403
    assert student.post("/settings/scale/preview", THREE).status_code == 403
    assert student.post("/settings/scale/save", THREE).status_code == 403
    assert state(tool) == before


def test_the_settings_offer_the_course_s_newest_own_scale_not_every_older_one(browser, ids, tool):
    """Each edit of the course's scale stores a new one (evidence keeps its own); the settings
    list the presets, the newest own scale and the one in use, not the whole history."""
    visit = launch_as(browser, TEACHER)
    for name in ("Version one", "Version two", "Version three"):
        form = {**THREE, "name": name}
        preview = visit.post("/settings/scale/preview", {"launch": visit.token, **form})
        saved = visit.post("/settings/scale/save", scale_form(preview.get_data(as_text=True)))
        assert saved.status_code == 303, saved.get_data(as_text=True)
    assert state(tool)[1] == 3  # all three are kept
    page = visit.get("/settings").get_data(as_text=True)
    assert "<strong>Version three</strong>" in page
    assert "Version one" not in page and "Version two" not in page
    assert "<strong>Four levels</strong>" in page and "<strong>Marzano 0-4</strong>" in page
    # An older own scale is no longer a choice: picking it is refused, nothing saved.
    with tool.app_context():
        oldest = db.session.scalar(select(Scale.id).where(Scale.name == "Version one"))
    refused = visit.post("/settings/preview", {**fields(page), "scale": str(oldest)})
    assert refused.status_code == 400
    assert "Choose one of the scales." in refused.get_data(as_text=True)
    assert state(tool)[0] != oldest


def test_a_level_that_is_not_a_score_is_kept_and_never_mastery(browser, ids, tool):
    """Starting from a scale with "No Evidence" (Canvas's default), the form keeps that level
    ticked as not a score; the saved scale keeps it so; mastery cannot start there."""
    from lti_tool.models import Course
    from lti_tool.services.course_settings import ensure_presets

    with tool.app_context():
        course = db.session.get(Course, ids.course)
        canvas = ensure_presets(course.platform)["canvas_default"]
        db.session.execute(update(CourseSettings).values(scale_id=canvas.id))
        db.session.commit()
    visit = launch_as(browser, TEACHER)
    start = scale_form(visit.get("/settings/scale").get_data(as_text=True))
    assert start["level-0-label"] == "No Evidence" and start["level-0-not-score"] == "1"
    assert "level-1-not-score" not in start and start["mastery"] == "3"

    wrong = visit.post("/settings/scale/preview", {**start, "name": "Ours", "mastery": "0"})
    assert wrong.status_code == 400
    assert "Mastery must start at a level that counts as a score." in wrong.get_data(as_text=True)
    few = {k: v for k, v in start.items() if not k.startswith(("level-2", "level-3", "level-4"))}
    refused = visit.post("/settings/scale/preview", {**few, "name": "Ours", "mastery": "1"})
    assert "at least two levels that count as scores" in refused.get_data(as_text=True)

    preview = visit.post("/settings/scale/preview", {**start, "name": "Ours"})
    assert preview.status_code == 200, preview.get_data(as_text=True)
    saved = visit.post("/settings/scale/save", scale_form(preview.get_data(as_text=True)))
    assert saved.status_code == 303, saved.get_data(as_text=True)
    with tool.app_context():
        ours = db.session.scalars(select(Scale).where(Scale.name == "Ours")).one()
        shown = [(lv.label, lv.counts_as_score, lv.is_mastery) for lv in ours.levels]
    assert shown == [
        ("No Evidence", False, False),
        ("Below Mastery", True, False),
        ("Near Mastery", True, False),
        ("Mastery", True, True),
        ("Exceeds Mastery", True, True),
    ]
