"""Scoring an assessment through real launches: create it, score every row, save once."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

from sqlalchemy import func, select, update
from werkzeug.datastructures import MultiDict

from lti_tool.extensions import db
from lti_tool.models import (
    Assessment,
    CurrentLevel,
    Evidence,
    EvidenceAudit,
    GradeOutbox,
    Launch,
)
from lti_tool.models.types import utcnow
from lti_tool.services.launches import token_hash
from tests.live import OTHER_STUDENT, STUDENT, TEACHER

from .conftest import launch_as

TODAY = date.today().isoformat()


def count(tool, model, *where) -> int:
    with tool.app_context():
        return db.session.scalar(select(func.count()).select_from(model).where(*where))


def outbox(tool) -> dict[int, int]:
    """Each student's summary-grade version in the outbox (bumped by every queued change)."""
    with tool.app_context():
        rows = db.session.execute(select(GradeOutbox.student_id, GradeOutbox.version))
        return {student: version for student, version in rows}


def create(visit, ids, title="Quiz 4: systems", codes=("A-REI.3", "F-IF.6")):
    data = {"title": title}
    response = visit.browser.tool.post(
        "/assessments",
        data=MultiDict(
            [("launch", visit.token), ("title", title)]
            + [("standard", str(ids.standards[code])) for code in codes]
        ),
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    assert f"launch={visit.token}" in response.headers["Location"]
    assessment_id = int(re.search(r"/assessments/(\d+)/score", response.headers["Location"])[1])
    return assessment_id, data


def sheet_form(page: str) -> dict[str, str]:
    """The hidden fields of the sheet (launch token, snapshot) as the browser would send them."""
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page))
    return {name: unescape(value) for name, value in fields.items()}


def cell(ids, sub: str, code: str) -> str:
    return f"{ids.users[sub]}-{ids.standards[code]}"


def test_teacher_creates_an_assessment_and_gets_a_row_per_student_and_standard(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    assert 'href="/assessments?launch=' in visit.landing  # linked from the gradebook
    assessment_id, _ = create(visit, ids)
    with tool.app_context():
        assessment = db.session.get(Assessment, assessment_id)
        assert assessment.kind == "tool" and assessment.title == "Quiz 4: systems"
        aligned = {a.standard_id for a in assessment.alignments}
        assert aligned == {ids.standards["A-REI.3"], ids.standards["F-IF.6"]}
    page = visit.get(f"/assessments/{assessment_id}/score").get_data(as_text=True)
    assert "<h1>Score: Quiz 4: systems</h1>" in page
    assert page.count('<th scope="rowgroup"') == 8  # every student
    assert page.count('<fieldset class="levels"') == 16  # × 2 aligned standards
    # Radio groups named for screen readers; a comment field per cell, labelled.
    assert '<legend class="vh">Level for Mateo Hernández on A-REI.3</legend>' in page
    mateo = cell(ids, STUDENT, "A-REI.3")
    assert f'<label class="vh" for="comment-{mateo}">Comment for Mateo Hernández on A-REI.3' in page
    assert page.count(f'name="level-{mateo}"') == 5  # four levels and "No mark"
    listing = visit.get("/assessments").get_data(as_text=True)
    assert "Quiz 4: systems" in listing and "2 standards" in listing
    # The demo's own assessments can be scored at once: none is a dead end without standards.
    assert "nothing to score" not in listing
    assert re.search(r'<a href="/assessments/\d+/score\?launch=[^"]+">Unit 1 quiz', listing)


def test_save_records_everything_once_with_grades_queued_and_resaving_adds_nothing(
    browser, ids, tool
):
    visit = launch_as(browser, TEACHER)
    assessment_id, _ = create(visit, ids)
    page = visit.get(f"/assessments/{assessment_id}/score").get_data(as_text=True)
    form = sheet_form(page)
    marks = {
        f"level-{cell(ids, sub, code)}": "3"
        for sub in ids.users
        if f"level-{cell(ids, sub, 'A-REI.3')}" in page
        for code in ("A-REI.3", "F-IF.6")
    }
    assert len(marks) == 16
    marks[f"level-{cell(ids, STUDENT, 'F-IF.6')}"] = "4"
    marks[f"comment-{cell(ids, STUDENT, 'F-IF.6')}"] = "Clear rate of change."
    evidence_before = count(tool, Evidence)
    outbox_before = outbox(tool)
    response = visit.post(
        f"/assessments/{assessment_id}/score", {**form, **marks, "date": TODAY, "action": "save"}
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    done = browser.tool.get(response.headers["Location"]).get_data(as_text=True)
    assert "16 marks recorded." in done
    assert count(tool, Evidence) == evidence_before + 16
    assert count(tool, Evidence, Evidence.assessment_id == assessment_id) == 16
    # Mateo's summary grade changed (Advanced on F-IF.6): queued in the same transaction.
    after = outbox(tool)
    assert after[ids.users[STUDENT]] > outbox_before.get(ids.users[STUDENT], 0)
    with tool.app_context():
        level = db.session.scalar(
            select(CurrentLevel).where(
                CurrentLevel.student_id == ids.users[STUDENT],
                CurrentLevel.standard_id == ids.standards["F-IF.6"],
            )
        )
        assert level.level_label == "Advanced"
    # The saved marks come back on the sheet, with the comment.
    assert re.search(rf'name="level-{cell(ids, STUDENT, "F-IF.6")}" value="4" checked', done)
    assert ">Clear rate of change.</textarea>" in done

    # Saving the same marks again adds nothing.
    again = visit.post(
        f"/assessments/{assessment_id}/score", {**form, **marks, "date": TODAY, "action": "save"}
    )
    assert again.status_code == 303
    page = browser.tool.get(again.headers["Location"]).get_data(as_text=True)
    assert "Nothing new to save" in page
    assert count(tool, Evidence) == evidence_before + 16

    # A changed mark supersedes the earlier one, which is kept.
    marks[f"level-{cell(ids, OTHER_STUDENT, 'A-REI.3')}"] = "2"
    changed = visit.post(
        f"/assessments/{assessment_id}/score", {**form, **marks, "date": TODAY, "action": "save"}
    )
    page = browser.tool.get(changed.headers["Location"]).get_data(as_text=True)
    assert "0 marks recorded; 1 corrected (the earlier entries are kept); 15 unchanged." in page
    assert count(tool, Evidence) == evidence_before + 17
    assert count(tool, Evidence, Evidence.superseded_by_id.is_not(None)) >= 1
    assert count(tool, EvidenceAudit, EvidenceAudit.action == "supersede") >= 1

    # A comment cleared is a change once; saving the cleared sheet again adds nothing.
    marks[f"comment-{cell(ids, STUDENT, 'F-IF.6')}"] = ""
    for expected in ("1 corrected", "Nothing new to save"):
        response = visit.post(
            f"/assessments/{assessment_id}/score",
            {**form, **marks, "date": TODAY, "action": "save"},
        )
        assert expected in browser.tool.get(response.headers["Location"]).get_data(as_text=True)
    assert count(tool, Evidence) == evidence_before + 18


def test_bad_marks_are_named_next_to_the_cell_and_nothing_is_saved(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    assessment_id, _ = create(visit, ids)
    form = sheet_form(visit.get(f"/assessments/{assessment_id}/score").get_data(as_text=True))
    before = count(tool, Evidence)
    good = {f"level-{cell(ids, STUDENT, 'A-REI.3')}": "3"}
    future = (date.today() + timedelta(days=3)).isoformat()
    cases = [
        ({f"level-{cell(ids, STUDENT, 'F-IF.6')}": "7"}, "choose one of the levels of the"),
        ({f"comment-{cell(ids, STUDENT, 'F-IF.6')}": "Kept"}, "choose a level for this comment"),
        ({"date": future}, "The date cannot be in the future."),
        ({"date": "soon"}, "Enter the date as YYYY-MM-DD"),
        ({f"comment-{cell(ids, STUDENT, 'A-REI.3')}": "x" * 2001}, "under 2000 characters"),
    ]
    for data, message in cases:
        typed = {**form, **good, "date": TODAY, "action": "save", **data}
        response = visit.post(f"/assessments/{assessment_id}/score", typed)
        page = unescape(response.get_data(as_text=True))
        assert response.status_code == 400, data
        assert "Nothing was saved." in page and message in page, (data, page[-3000:])
        # What was typed is shown again.
        assert re.search(rf'name="level-{cell(ids, STUDENT, "A-REI.3")}" value="3" checked', page)
    nothing = visit.post(
        f"/assessments/{assessment_id}/score", {**form, "date": TODAY, "action": "save"}
    )
    assert "Choose a level for at least one student" in nothing.get_data(as_text=True)
    assert count(tool, Evidence) == before


def test_a_level_fills_the_rows_with_no_mark_without_saving(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    assessment_id, _ = create(visit, ids)
    page = visit.get(f"/assessments/{assessment_id}/score").get_data(as_text=True)
    assert '<option value="3" selected>Proficient</option>' in page  # the mastery level
    before = count(tool, Evidence)
    comment = f"comment-{cell(ids, STUDENT, 'A-REI.3')}"
    response = visit.post(
        f"/assessments/{assessment_id}/score",
        {**sheet_form(page), "date": TODAY, "action": "fill", "fill": "3", comment: "Kept"},
    )
    filled = response.get_data(as_text=True)
    assert response.status_code == 200
    assert len(re.findall(r'value="3" checked', filled)) == 16
    assert ">Kept</textarea>" in filled
    assert count(tool, Evidence) == before
    # A level already chosen (or saved) is kept: the fill never overwrites a mark.
    mateo = f"level-{cell(ids, STUDENT, 'A-REI.3')}"
    again = visit.post(
        f"/assessments/{assessment_id}/score",
        {**sheet_form(page), "date": TODAY, "action": "fill", "fill": "3", mateo: "1"},
    ).get_data(as_text=True)
    assert len(re.findall(r'value="3" checked', again)) == 15
    assert re.search(rf'name="{mateo}" value="1" checked', again)


def test_an_expired_launch_loses_nothing_typed_and_asks_to_relaunch(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    assessment_id, _ = create(visit, ids)
    form = sheet_form(visit.get(f"/assessments/{assessment_id}/score").get_data(as_text=True))
    with tool.app_context():
        db.session.execute(
            update(Launch)
            .where(Launch.token_hash == token_hash(visit.token))
            .values(expires_at=utcnow() - timedelta(minutes=1))
        )
        db.session.commit()
    before = count(tool, Evidence)
    typed = {
        **form,
        "date": TODAY,
        "action": "save",
        f"level-{cell(ids, STUDENT, 'F-IF.6')}": "4",
        f"comment-{cell(ids, STUDENT, 'F-IF.6')}": "Typed <before> expiry & kept",
    }
    response = visit.post(f"/assessments/{assessment_id}/score", typed)
    page = response.get_data(as_text=True)
    assert response.status_code == 401
    assert "Your session with the tool has ended, so nothing was saved." in page
    assert "Open the tool again from your course" in page
    assert re.search(rf'name="level-{cell(ids, STUDENT, "F-IF.6")}" value="4" checked', page)
    assert ">Typed &lt;before&gt; expiry &amp; kept</textarea>" in page
    assert 'data-expired="1"' in page and "Mateo Hernández" in page
    assert "Save all marks" not in page  # the expired token cannot save
    assert count(tool, Evidence) == before
    # Without the page's snapshot there is nothing to show: the usual expired page.
    bare = visit.post(f"/assessments/{assessment_id}/score", {"action": "save"})
    assert bare.status_code == 401 and "Open the tool again" in bare.get_data(as_text=True)


def test_only_the_course_teacher_scores_and_titles_are_escaped(browser, ids, tool, lms):
    teacher = launch_as(browser, TEACHER)
    assessment_id, _ = create(teacher, ids, title='<script>alert("x")</script> Quiz')
    page = teacher.get(f"/assessments/{assessment_id}/score").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert(" in page
    student = launch_as(browser, STUDENT)
    assert student.get("/assessments").status_code == 403
    assert student.get(f"/assessments/{assessment_id}/score").status_code == 403
    posted = student.post(
        f"/assessments/{assessment_id}/score",
        {"date": TODAY, f"level-{cell(ids, STUDENT, 'A-REI.3')}": "4"},
    )
    assert posted.status_code == 403
    assert teacher.get("/assessments/999999/score").status_code == 404


def test_creating_needs_a_title_and_the_course_standards(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    before = count(tool, Assessment)
    blank = visit.post("/assessments", {"title": ""})
    page = blank.get_data(as_text=True)
    assert blank.status_code == 400
    assert "Give the assessment a title." in page and "Choose at least one" in page
    foreign = visit.post("/assessments", {"title": "Kept title", "standard": "999999"})
    assert foreign.status_code == 400
    assert 'value="Kept title"' in foreign.get_data(as_text=True)
    assert count(tool, Assessment) == before
