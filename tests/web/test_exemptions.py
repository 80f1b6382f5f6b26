"""Exemptions through real launches: set and lifted by a teacher from the cell page, shown
as Exempt (never as missing) on the grid, the cell page and the student's own profile."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import CurrentLevel, Evidence, Exemption
from tests.live import MENTOR, OTHER_STUDENT, STUDENT, TEACHER

from .conftest import cell_path, launch_as
from .test_cells import TODAY
from .test_scoring import cell, create, sheet_form


def stored_status(tool, ids, code: str) -> str | None:
    with tool.app_context():
        return db.session.scalar(
            select(CurrentLevel.status).where(
                CurrentLevel.student_id == ids.users[STUDENT],
                CurrentLevel.standard_id == ids.standards[code],
            )
        )


def exemption_count(tool) -> int:
    with tool.app_context():
        return db.session.scalar(select(func.count()).select_from(Exemption))


def grid_cell(grid: str, path: str) -> str:
    found = re.search(
        r'<td class="cell ([^"]+)"><a href="' + re.escape(path) + r'[^"]*">(.*?)</a>', grid
    )
    assert found, path
    return found.group(1) + " " + found.group(2)


def summary_line(page: str) -> str:
    return re.search(r'<p class="explanation">(.*?)</p>', page).group(1)


def test_teacher_exempts_and_lifts_from_the_cell_page(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    path = cell_path(ids, STUDENT, "A-REI.3")
    page = visit.get(path).get_data(as_text=True)
    assert "Exempt Mateo Hernández from A-REI.3" in page and 'name="reason"' in page
    before = summary_line(visit.get(f"/students/{ids.users[STUDENT]}").get_data(as_text=True))
    response = visit.post(path + "/exempt", {"reason": "504", "note": "Reading accommodation"})
    assert response.status_code == 303
    assert f"launch={visit.token}" in response.headers["Location"]
    page = browser.tool.get(response.headers["Location"]).get_data(as_text=True)
    assert "Exemption saved" in page
    assert '<span class="badge exempt">Exempt</span>' in page
    assert "504 plan — Reading accommodation" in page and "set by Amara Okafor" in page
    assert stored_status(tool, ids, "A-REI.3") == "exempt"
    # The grid says Exempt in words and with a symbol, not "Not yet assessed".
    cell = grid_cell(visit.get("/gradebook").get_data(as_text=True), path)
    assert cell.startswith("exempt ") and ">Ex<" in cell and "Exempt" in cell
    assert "Not yet assessed" not in cell
    after = summary_line(visit.get(f"/students/{ids.users[STUDENT]}").get_data(as_text=True))
    assert after != before
    # Lifting puts everything back.
    [exemption_id] = re.findall(r"/exemptions/(\d+)/lift", page)
    response = visit.post(f"{path}/exemptions/{exemption_id}/lift", {})
    assert response.status_code == 303
    page = browser.tool.get(response.headers["Location"]).get_data(as_text=True)
    assert "Exemption lifted" in page and exemption_count(tool) == 0
    assert stored_status(tool, ids, "A-REI.3") == "assessed"
    profile = visit.get(f"/students/{ids.users[STUDENT]}").get_data(as_text=True)
    assert summary_line(profile) == before


def test_a_bad_reason_is_named_and_nothing_is_saved(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    path = cell_path(ids, STUDENT, "A-REI.3")
    response = visit.post(path + "/exempt", {"reason": "other", "note": ""})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Nothing was saved." in page and "Say in the note" in page
    response = visit.post(path + "/exempt-assessment", {"assessment": "", "reason": "iep"})
    assert response.status_code == 400
    assert "Choose the assessment" in response.get_data(as_text=True)
    assert exemption_count(tool) == 0


def test_a_student_cannot_exempt_or_lift_and_sees_exempt_in_plain_words(browser, ids, tool):
    teacher = launch_as(browser, TEACHER)
    path = cell_path(ids, STUDENT, "F-IF.6")
    assert teacher.post(path + "/exempt", {"reason": "newcomer_el"}).status_code == 303
    student = launch_as(browser, STUDENT)
    response = student.post(path + "/exempt", {"reason": "iep"})
    assert response.status_code == 403
    with tool.app_context():
        exemption_id = db.session.scalar(select(Exemption.id))
    assert student.post(f"{path}/exemptions/{exemption_id}/lift", {}).status_code == 403
    assert exemption_count(tool) == 1
    profile = student.get(f"/students/{ids.users[STUDENT]}").get_data(as_text=True)
    assert '<span class="badge exempt">Exempt</span>' in profile
    assert "Newcomer English learner" not in profile  # the reason is for teachers only
    page = student.get(path).get_data(as_text=True)
    assert "is exempt from F-IF.6" in page and "Lift" not in page and 'name="reason"' not in page
    assert "Newcomer English learner" not in page
    mentor = launch_as(browser, MENTOR)
    seen = mentor.get(f"/students/{ids.users[STUDENT]}").get_data(as_text=True)
    assert '<span class="badge exempt">Exempt</span>' in seen


def test_a_teacher_exempts_a_student_from_an_assessment(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    path = cell_path(ids, STUDENT, "A-REI.3")
    page = visit.get(path).get_data(as_text=True)
    entries = re.findall(r"<dt>Assessment</dt><dd>([^<]+)</dd>", page)
    title = entries[-1]
    options = dict(
        (label, value)
        for value, label in re.findall(r'<option value="(\d+)">([^<]+)</option>', page)
    )
    response = visit.post(
        path + "/exempt-assessment", {"assessment": options[title], "reason": "iep"}
    )
    assert response.status_code == 303
    page = browser.tool.get(response.headers["Location"]).get_data(as_text=True)
    assert "Exempt from assessments" in page and title in page
    assert '<span class="tag">Exempt</span>' in page  # its evidence shows exempt


def test_the_scoring_sheet_shows_an_exempt_student_as_exempt_with_no_marks(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    assessment_id, _ = create(visit, ids, title="Quiz 9")
    path = cell_path(ids, STUDENT, "A-REI.3")
    response = visit.post(
        path + "/exempt-assessment", {"assessment": str(assessment_id), "reason": "iep"}
    )
    assert response.status_code == 303
    page = visit.get(f"/assessments/{assessment_id}/score").get_data(as_text=True)
    assert "Mateo Hernández is exempt from this assessment" in page
    assert f'name="level-{cell(ids, STUDENT, "A-REI.3")}"' not in page
    assert f'name="level-{cell(ids, OTHER_STUDENT, "A-REI.3")}"' in page
    # A mark posted for the exempt student anyway is not read.
    form = sheet_form(page) | {"date": TODAY, "action": "save"}
    form[f"level-{cell(ids, STUDENT, 'A-REI.3')}"] = "1"
    form[f"level-{cell(ids, OTHER_STUDENT, 'A-REI.3')}"] = "3"
    response = browser.tool.post(f"/assessments/{assessment_id}/score", data=form)
    assert response.status_code == 303, response.get_data(as_text=True)
    with tool.app_context():
        students = set(
            db.session.scalars(
                select(Evidence.student_id).where(Evidence.assessment_id == assessment_id)
            )
        )
    assert students == {ids.users[OTHER_STUDENT]}
