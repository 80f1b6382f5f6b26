"""The course settings page through real launches: every change previewed, then saved."""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import CourseSettings, Job, Scale
from lti_tool.worker import Worker
from tests.live import STUDENT, TEACHER

from .conftest import launch_as


def fields(page: str) -> dict[str, str]:
    """The settings form as the browser would submit it (checked radios, selected options)."""
    form = page[page.index('<form method="post" id="settings-form"') :]
    form = form[: form.index("</form>")]
    found: dict[str, str] = {}
    for tag in re.findall(r"<input [^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if not name:
            continue
        kind = re.search(r'type="(\w+)"', tag)
        if kind and kind[1] in ("radio", "checkbox") and " checked" not in tag:
            continue
        found[name[1]] = unescape(value[1]) if value else ""
    for name, body in re.findall(
        r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', form, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', body)
        found[name] = chosen[1] if chosen else ""
    return found


def stored(tool) -> CourseSettings:
    with tool.app_context():
        row = db.session.scalar(select(CourseSettings))
        db.session.expunge(row)
        return row


def test_a_change_is_previewed_with_who_then_saved_and_recomputed(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    assert 'href="/settings?launch=' in visit.landing  # linked from the gradebook
    page = visit.get("/settings").get_data(as_text=True)
    assert "<h1>Course settings</h1>" in page
    current = fields(page)
    assert current["method"] == "most_recent" and current["min_evidence"] == "1"
    assert current["policy"] == "level_conversion" and current["table-percent-2"] == "85"

    proposal = {**current, "method": "mean"}
    preview = visit.post("/settings/preview", proposal)
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200
    # The demo's seven students with more than one score move (the domain counts them).
    assert "<strong>7 students' levels change; 7 summary grades change.</strong>" in text
    who = re.findall(r'<tr>\s*<th scope="row">([^<]+)</th>', text)
    assert len(who) == 7, who  # each by name, with the levels that move and the grade
    assert re.search(r"[A-Z]-[A-Z]+\.\d</span>: \w+ <span aria-hidden=\"true\">→", text)
    assert re.search(r"\d+(\.\d+)? / 100 <span aria-hidden=\"true\">→</span>", text)
    assert "Save these settings" in text
    assert stored(tool).method == "most_recent"  # nothing saved by a preview

    previewed = fields(text)
    assert previewed["previewed"]
    saved = visit.post("/settings/save", previewed)
    assert saved.status_code == 303
    assert f"launch={visit.token}" in saved.headers["Location"]
    assert stored(tool).method == "mean"
    with tool.app_context():
        job = db.session.scalar(select(Job).where(Job.kind == "recompute"))
        assert job.state == "queued"  # the worker recomputes, not the request
    after = browser.tool.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Settings saved." in after and "will be recomputed" in after
    assert Worker(tool).drain().jobs_done >= 1
    done = visit.get("/settings").get_data(as_text=True)
    assert "Levels and grades were last recomputed" in done


def test_saving_without_the_matching_preview_previews_again(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    current = fields(visit.get("/settings").get_data(as_text=True))
    preview = visit.post("/settings/preview", {**current, "method": "mean"})
    previewed = fields(preview.get_data(as_text=True))
    # The teacher edits a field after the preview and presses Save: the new change is shown.
    edited = {**previewed, "min_evidence": "2"}
    response = visit.post("/settings/save", edited)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Check this preview of what you are about to save" in page
    assert stored(tool).method == "most_recent" and stored(tool).min_evidence == 1
    # No preview at all: the same.
    bare = {k: v for k, v in previewed.items() if k != "previewed"}
    assert visit.post("/settings/save", bare).status_code == 409
    assert stored(tool).method == "most_recent"


def test_invalid_parameters_are_reported_next_to_the_field_and_nothing_is_saved(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    current = fields(visit.get("/settings").get_data(as_text=True))
    cases = [
        (
            {"method": "mean_last_n", "param-mean_last_n-n": "0"},
            "param-mean_last_n-n",
            "Number of latest scores: enter a whole number from 1 to 50.",
        ),
        (
            {"method": "decaying_average", "param-decaying_average-w": "1.5"},
            "param-decaying_average-w",
            "Weight of the latest score: enter a number from 0.01 to 1.",
        ),
        ({"min_evidence": "2.5"}, "min_evidence", "Minimum evidence: enter a whole number"),
        ({"maximum": "-5"}, "maximum", "Grade out of: enter a positive number"),
        ({"table-percent-1": "40"}, "table", "percents must not fall as the level rises"),
        ({"method": "nonsense"}, "method", "Choose one of the calculation methods."),
        ({"scale": "999999"}, "scale", "Choose one of the scales."),
    ]
    for change, field, message in cases:
        for action in ("/settings/preview", "/settings/save"):
            response = visit.post(action, {**current, **change})
            page = unescape(response.get_data(as_text=True))
            assert response.status_code == 400, (change, action, response.status_code)
            assert f'<p class="field-error" id="f-{field}-error">' in page, change
            assert message in page, (change, page[:2000])
            assert "Nothing was saved." in page
            for name, value in change.items():
                if name not in ("method", "scale"):
                    assert f'value="{value}"' in page  # what was typed is kept
    row = stored(tool)
    assert (row.method, row.min_evidence, row.maximum) == ("most_recent", 1, 100.0)
    with tool.app_context():
        assert db.session.scalar(select(Job).where(Job.kind == "recompute")) is None


def test_scale_and_policy_change_with_options(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    page = visit.get("/settings").get_data(as_text=True)
    current = fields(page)
    with tool.app_context():
        canvas = db.session.scalar(select(Scale).where(Scale.key == "canvas_default"))
        canvas_id = canvas.id
    assert f'id="scale-{canvas_id}"' in page and "Exceeds Mastery" in page
    proposal = {
        **current,
        "scale": str(canvas_id),
        "policy": "share_at_mastery",
        "priority_only-share_at_mastery": "1",
    }
    preview = visit.post("/settings/preview", proposal).get_data(as_text=True)
    assert "summary grade" in preview and "Save these settings" in preview
    assert visit.post("/settings/save", fields(preview)).status_code == 303
    row = stored(tool)
    assert row.scale_id == canvas_id and row.policy == "share_at_mastery"
    assert row.policy_params == {"priority_only": True}
    again = fields(visit.get("/settings").get_data(as_text=True))
    assert again["scale"] == str(canvas_id) and again["priority_only-share_at_mastery"] == "1"
    # The same settings previewed again: nothing to save.
    same = visit.post("/settings/preview", again).get_data(as_text=True)
    assert "there is nothing to save" in same and "Save these settings" not in same


def test_only_teachers_see_settings(browser, ids):
    student = launch_as(browser, STUDENT)
    assert student.get("/settings").status_code == 403
    assert student.post("/settings/preview", {"method": "highest"}).status_code == 403
    assert student.post("/settings/save", {"method": "highest"}).status_code == 403
