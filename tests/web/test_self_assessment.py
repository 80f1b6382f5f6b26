"""A student rates themself on a standard and says what they did: stored as self-assessment
evidence, shown to the teacher in the standard's history, never counted; only the student
themself may do it. Through real launches."""

from __future__ import annotations

import re

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import CurrentLevel, Evidence, GradeOutbox
from tests.live import MENTOR, OTHER_STUDENT, STUDENT, TEACHER
from tests.web.conftest import Ids, cell_path, launch_as


def state(tool, ids: Ids, code: str):
    with tool.app_context():
        level = db.session.scalar(
            select(CurrentLevel).where(
                CurrentLevel.student_id == ids.users[STUDENT],
                CurrentLevel.standard_id == ids.standards[code],
            )
        )
        grades = db.session.scalars(
            select(GradeOutbox.score).where(GradeOutbox.student_id == ids.users[STUDENT])
        ).all()
        return (level.status, level.points, level.evidence_count) if level else None, grades


def test_a_student_rates_themself_and_nothing_counts_it(browser, ids: Ids, tool):
    student = launch_as(browser, STUDENT)
    path = f"/students/{ids.users[STUDENT]}/standards/{ids.standards['A-REI.3']}/self-assessment"
    assert "Rate myself on A-REI.3" in student.landing
    before = state(tool, ids, "A-REI.3")

    saved = student.post(path, {"level": "4", "reflection": "I solved <all> ten equations."})
    assert saved.status_code == 303
    page = browser.tool.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Self-rated: Advanced" in page and "(not counted)" in page
    # The outcome opens the page (where the LMS shows the frame's top after the save), and
    # says truthfully who reads it: the teacher, and family who follow the student.
    notice = page.index("Your self-assessment on A-REI.3 is saved.")
    assert notice < page.index("What do I do now?")
    assert "for your teacher and for family who follow your progress" in page
    assert "I solved &lt;all&gt; ten equations." in page
    assert state(tool, ids, "A-REI.3") == before  # no level, no grade moved
    with tool.app_context():
        row = db.session.scalars(select(Evidence).where(Evidence.source == "self")).one()
        assert row.entered_by_id == ids.users[STUDENT] and row.points == 4.0

    history = launch_as(browser, TEACHER).get(cell_path(ids, STUDENT, "A-REI.3"))
    text = history.get_data(as_text=True)
    assert "Self-rated: Advanced" in text and "I solved &lt;all&gt; ten equations." in text


def test_a_rating_without_a_level_or_words_is_refused_and_nothing_saved(browser, ids, tool):
    student = launch_as(browser, STUDENT)
    path = f"/students/{ids.users[STUDENT]}/standards/{ids.standards['A-REI.3']}/self-assessment"
    standard = str(ids.standards["A-REI.3"])
    refused = student.post(path, {"level": "", "reflection": " ", "standard": standard})
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Choose the level you think you are at." in page and 'role="alert"' in page
    alert = page.index("Your self-assessment on A-REI.3 was not saved: Choose the level")
    assert alert < page.index("What do I do now?")
    assert student.post(path, {"level": "9", "reflection": "x"}).status_code == 400
    # The browser asks for both before sending (the server still checks).
    form = re.search(r'<form method="post" action="[^"]*self-assessment.*?</form>', page, re.S)
    assert 'name="reflection" rows="3" maxlength="2000" required' in form.group(0)
    assert re.search(r'name="level" value="\d+" required', form.group(0))
    with tool.app_context():
        assert db.session.scalars(select(Evidence).where(Evidence.source == "self")).all() == []


def test_only_the_student_themself_rates(browser, ids: Ids):
    path = f"/students/{ids.users[STUDENT]}/standards/{ids.standards['A-REI.3']}/self-assessment"
    form = {"level": "3", "reflection": "Done."}
    for who in (TEACHER, MENTOR, OTHER_STUDENT):
        assert launch_as(browser, who).post(path, form).status_code == 403
    teacher_view = launch_as(browser, TEACHER).get(f"/students/{ids.users[STUDENT]}")
    assert "Rate myself" not in teacher_view.get_data(as_text=True)
