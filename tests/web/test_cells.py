"""The cell drill-down: evidence timeline, chart, adding and correcting evidence."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import CurrentLevel, Evidence
from tests.live import MENTOR, OTHER_STUDENT, STUDENT, TEACHER

from .conftest import cell_path, launch_as

TODAY = date.today().isoformat()


def evidence_count(tool) -> int:
    with tool.app_context():
        return db.session.scalar(select(func.count()).select_from(Evidence))


def stored(tool, ids, sub: str, code: str) -> CurrentLevel | None:
    with tool.app_context():
        return db.session.scalar(
            select(CurrentLevel).where(
                CurrentLevel.student_id == ids.users[sub],
                CurrentLevel.standard_id == ids.standards[code],
            )
        )


def test_timeline_shows_every_fact_and_a_chart(browser, ids):
    visit = launch_as(browser, TEACHER)
    page = visit.get(cell_path(ids, STUDENT, "A-REI.3")).get_data(as_text=True)
    assert "Mateo Hernández" in page and "A-REI.3" in page
    assert "I can solve a linear equation or inequality in one variable." in page
    assert '<svg class="chart"' in page and 'role="img"' in page and "<title id=" in page
    entries = re.findall(r'<li class="entry[^"]*" id="evidence-\d+">(.*?)</li>', page, re.S)
    assert entries
    for entry in entries:
        assert re.search(r'<time datetime="\d{4}-\d{2}-\d{2}">', entry)  # date
        assert "<dt>Source</dt><dd>Teacher</dd>" in entry  # source
        assert re.search(r"<dt>Assessment</dt><dd>[^<—]+</dd>", entry)  # assessment
        assert "<dt>Entered by</dt><dd>Amara Okafor</dd>" in entry  # who
        assert 'class="badge lv-' in entry  # level, as text in a coloured badge
    assert "Add evidence" in page and 'name="launch"' in page
    # The new evidence's level is the teacher's to choose: nothing is chosen in advance.
    add = page[page.index('id="add-level"') :]
    add = add[: add.index("</select>")]
    assert " selected" not in add


def test_a_single_score_has_its_date_under_its_dot(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    path = cell_path(ids, STUDENT, "F-IF.6")  # Mateo: not yet assessed
    visit.post(path + "/evidence", {"level": "3", "date": TODAY, "comment": ""})
    page = visit.get(path).get_data(as_text=True)
    dot = re.search(r'<circle class="dot[^"]*" cx="([\d.]+)"', page).group(1)
    days = re.findall(r'<text class="axis" x="([\d.]+)" y="[\d.]+"( text-anchor="\w+")?>\d', page)
    assert days == [(dot, ' text-anchor="middle"')]


def test_teacher_adds_evidence_and_the_cell_changes(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    path = cell_path(ids, STUDENT, "F-IF.6")  # Mateo: not yet assessed
    assert stored(tool, ids, STUDENT, "F-IF.6") is None
    response = visit.post(
        path + "/evidence", {"level": "4", "date": TODAY, "comment": "Clear rate of change."}
    )
    assert response.status_code == 303
    assert f"launch={visit.token}" in response.headers["Location"]
    page = browser.tool.get(response.headers["Location"]).get_data(as_text=True)
    assert "Evidence added." in page and "Clear rate of change." in page
    level = stored(tool, ids, STUDENT, "F-IF.6")
    assert level.level_label == "Advanced" and level.evidence_count == 1
    grid = visit.get("/gradebook").get_data(as_text=True)
    cell = re.search(r'<td class="cell ([^"]+)"><a href="' + re.escape(path), grid)
    assert cell.group(1) == "lv-3"


def test_bad_input_is_named_and_nothing_is_saved(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    path = cell_path(ids, STUDENT, "A-REI.3") + "/evidence"
    before = evidence_count(tool)
    future = (date.today() + timedelta(days=3)).isoformat()
    cases = [
        ({"level": "", "date": TODAY}, "Choose a level."),
        ({"level": "7", "date": TODAY}, "Choose one of the levels of the course"),
        ({"level": "3", "date": "yesterday"}, "Enter the date as YYYY-MM-DD"),
        ({"level": "3", "date": future}, "The date cannot be in the future."),
        ({"level": "3", "date": TODAY, "assessment": "999999"}, "Choose one of the course"),
        ({"level": "3", "date": TODAY, "comment": "x" * 2001}, "under 2000 characters"),
    ]
    for data, message in cases:
        response = visit.post(path, {"comment": "Kept as typed", **data})
        page = response.get_data(as_text=True)
        assert response.status_code == 400, data
        assert "Nothing was saved." in page and message.replace("'", "&#39;") in page, data
        assert 'aria-invalid="true"' in page
        if "comment" not in data:
            assert ">Kept as typed</textarea>" in page
    assert evidence_count(tool) == before


def test_teacher_corrects_an_entry_and_the_original_is_kept(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    base = cell_path(ids, STUDENT, "A-REI.3")
    page = visit.get(base).get_data(as_text=True)
    newest = max(int(n) for n in re.findall(r'id="evidence-(\d+)"', page))
    response = visit.post(
        f"{base}/evidence/{newest}/correct", {"level": "1", "date": TODAY, "comment": "Recheck"}
    )
    assert response.status_code == 303
    page = browser.tool.get(response.headers["Location"]).get_data(as_text=True)
    assert "Correction saved" in page and "Corrected — replaced by a later entry" in page
    with tool.app_context():
        old = db.session.get(Evidence, newest)
        assert old.superseded_by_id is not None
    assert stored(tool, ids, STUDENT, "A-REI.3").level_label == "Beginning"
    # The superseded entry cannot be corrected again: a clear message, nothing saved.
    before = evidence_count(tool)
    again = visit.post(f"{base}/evidence/{newest}/correct", {"level": "2", "date": TODAY})
    assert again.status_code == 400
    assert "already corrected" in again.get_data(as_text=True)
    assert evidence_count(tool) == before


def test_evidence_of_another_cell_cannot_be_corrected_through_this_one(browser, ids):
    visit = launch_as(browser, TEACHER)
    page = visit.get(cell_path(ids, OTHER_STUDENT, "A-REI.3")).get_data(as_text=True)
    theirs = re.findall(r'id="evidence-(\d+)"', page)[0]
    mine = cell_path(ids, STUDENT, "A-REI.3")
    response = visit.post(f"{mine}/evidence/{theirs}/correct", {"level": "2", "date": TODAY})
    assert response.status_code == 404


def test_unknown_standard_or_student_is_not_found(browser, ids):
    visit = launch_as(browser, TEACHER)
    student = ids.users[STUDENT]
    assert visit.get(f"/students/{student}/standards/999999").status_code == 404
    assert visit.get(f"/students/999999/standards/{ids.standards['F-IF.6']}").status_code == 404
    assert visit.get(f"/students/{ids.users[TEACHER]}").status_code == 404  # not a learner


def test_student_reads_own_cell_but_cannot_post_or_see_others(browser, ids, tool):
    visit = launch_as(browser, STUDENT)
    own = visit.get(cell_path(ids, STUDENT, "A-REI.3"))
    page = own.get_data(as_text=True)
    assert own.status_code == 200 and "<form" not in page and "Back to your profile" in page
    assert visit.get(cell_path(ids, OTHER_STUDENT, "A-REI.3")).status_code == 403
    assert visit.get(f"/students/{ids.users[OTHER_STUDENT]}").status_code == 403
    before = evidence_count(tool)
    for target in (STUDENT, OTHER_STUDENT):
        response = visit.post(
            cell_path(ids, target, "F-IF.6") + "/evidence", {"level": "4", "date": TODAY}
        )
        assert response.status_code == 403
    page = visit.get(cell_path(ids, STUDENT, "A-REI.3")).get_data(as_text=True)
    newest = re.findall(r'id="evidence-(\d+)"', page)[0]
    response = visit.post(
        cell_path(ids, STUDENT, "A-REI.3") + f"/evidence/{newest}/correct",
        {"level": "4", "date": TODAY},
    )
    assert response.status_code == 403
    assert evidence_count(tool) == before


def test_mentor_cannot_post_evidence(browser, ids, tool):
    visit = launch_as(browser, MENTOR)
    before = evidence_count(tool)
    response = visit.post(
        cell_path(ids, STUDENT, "F-IF.6") + "/evidence", {"level": "4", "date": TODAY}
    )
    assert response.status_code == 403 and evidence_count(tool) == before


def test_posting_without_the_launch_token_is_refused(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    before = evidence_count(tool)
    response = visit.post(
        cell_path(ids, STUDENT, "F-IF.6") + "/evidence",
        {"level": "4", "date": TODAY},
        with_token=False,
    )
    assert response.status_code == 401 and evidence_count(tool) == before


def test_hostile_comments_are_escaped(browser, ids):
    visit = launch_as(browser, TEACHER)
    path = cell_path(ids, STUDENT, "F-IF.6")
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    response = visit.post(path + "/evidence", {"level": "2", "date": TODAY, "comment": hostile})
    assert response.status_code == 303
    for page in (
        visit.get(path).get_data(as_text=True),
        launch_as(browser, STUDENT).landing,
    ):
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_the_dates_sit_clear_of_the_lowest_dots(browser, ids, tool):
    """A score at the scale's bottom draws its dot just above the dates: they do not touch."""
    visit = launch_as(browser, TEACHER)
    path = cell_path(ids, STUDENT, "F-IF.6")
    for day in ("2025-10-01", TODAY):
        visit.post(path + "/evidence", {"level": "1", "date": day, "comment": ""})
    page = visit.get(path).get_data(as_text=True)
    lowest = max(
        float(y)
        for y in re.findall(r'<circle class="dot[^"]*" cx="[\d.]+" cy="([\d.]+)" r="6"', page)
    )
    dates = [
        float(y) for y in re.findall(r'<text class="axis" x="[\d.]+" y="([\d.]+)"[^>]*>\d', page)
    ]
    ascent = 14 * 0.75  # of the 14-unit axis text (static/mastery.css), above its baseline
    assert dates and all(y - ascent > lowest + 6 for y in dates), (lowest, dates)
