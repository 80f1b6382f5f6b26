"""The override editor through real launches: an override on a branch previewed with its
figures, saved with that preview only, and the levels recomputed; removing one; refusals."""

from __future__ import annotations

import re

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import Course, CurrentLevel, Standard, StandardEdge, StandardOverride
from lti_tool.services import overrides as override_service
from lti_tool.worker import Worker
from tests.live import OTHER_COURSE, STUDENT, TEACHER
from tests.web.test_settings import fields

from .conftest import Ids, launch_as

BRANCH = "A-REI"
OTHER_TEACHER = "103"


def override_form(page: str) -> dict[str, str]:
    return fields(page.replace('id="override-form"', 'id="settings-form"'))


def levels(tool, ids: Ids, codes: list[str]) -> dict[tuple[int, int], str | None]:
    wanted = [ids.standards[code] for code in codes]
    with tool.app_context():
        rows = db.session.execute(
            select(
                CurrentLevel.student_id, CurrentLevel.standard_id, CurrentLevel.level_label
            ).where(CurrentLevel.standard_id.in_(wanted))
        ).all()
    return {(student, standard): label for student, standard, label in rows}


def overrides(tool) -> dict[int, tuple[str, dict]]:
    with tool.app_context():
        rows = db.session.scalars(select(StandardOverride)).all()
        return {row.standard_id: (row.method, dict(row.params)) for row in rows}


def test_an_override_on_a_branch_is_previewed_saved_and_recomputed(browser, ids: Ids, tool):
    Worker(tool).drain()  # the stored levels as the course's settings give them
    under = [code for code in ids.standards if code.startswith(BRANCH + ".")]
    before = levels(tool, ids, under)
    visit = launch_as(browser, TEACHER)
    settings = visit.get("/settings").get_data(as_text=True)
    assert 'href="/settings/overrides?launch=' in settings  # linked from the settings page
    page = visit.get("/settings/overrides").get_data(as_text=True)
    assert "<h1>Calculation overrides</h1>" in page
    assert "there is no override" in page
    spanish = visit.get("/settings/overrides", lang="es").get_data(as_text=True)
    assert "<h1>Excepciones de cálculo</h1>" in spanish

    proposal = {**override_form(page), "node": str(ids.standards[BRANCH]), "method": "mean"}
    preview = visit.post("/settings/overrides/preview", proposal)
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200, text
    figures = re.search(
        r"<strong>(\d+) students?'s? levels? changes?; (\d+) summary grades? changes?\.</strong>",
        text,
    )
    assert figures, text
    moved_students = int(figures[1])
    assert moved_students > 0
    assert "Save this override" in text
    assert overrides(tool) == {}  # a preview saves nothing

    unpreviewed = visit.post("/settings/overrides/save", proposal)  # no fingerprint
    assert unpreviewed.status_code == 409 and overrides(tool) == {}

    saved = visit.post("/settings/overrides/save", override_form(text))
    assert saved.status_code == 303, saved.get_data(as_text=True)
    assert overrides(tool) == {ids.standards[BRANCH]: ("mean", {})}
    Worker(tool).drain()
    after = levels(tool, ids, under)
    moved = {key[0] for key, label in after.items() if before.get(key) != label}
    assert len(moved) == moved_students  # the preview said who would move; they did

    page = browser.tool.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Override saved." in page
    listing = page[page.index('id="overrides"') :]
    listing = listing[: listing.index("</table>")]
    for code in [BRANCH, *under]:  # the branch and every standard beneath it
        assert f'<span class="code">{code}</span>' in listing


def test_removing_an_override_is_previewed_then_saved(browser, ids: Ids, tool):
    visit = launch_as(browser, TEACHER)
    node = str(ids.standards["A-REI.3"])
    page = visit.get("/settings/overrides").get_data(as_text=True)
    first = visit.post(
        "/settings/overrides/preview", {**override_form(page), "node": node, "method": "highest"}
    )
    assert visit.post("/settings/overrides/save", override_form(first.get_data(as_text=True)))
    assert overrides(tool) == {int(node): ("highest", {})}

    removal = visit.post("/settings/overrides/preview", {"node": node, "action": "clear"})
    text = removal.get_data(as_text=True)
    assert removal.status_code == 200 and "Remove this override" in text
    assert overrides(tool) != {}
    done = visit.post("/settings/overrides/save", override_form(text))
    assert done.status_code == 303 and overrides(tool) == {}


def test_bad_choices_are_refused_with_reasons_and_nothing_saved(browser, ids: Ids, tool):
    visit = launch_as(browser, TEACHER)
    page = visit.get("/settings/overrides").get_data(as_text=True)
    base = {**override_form(page), "node": str(ids.standards[BRANCH])}
    cases = [
        ({"node": "999999"}, "Choose one of the course&#39;s standards or branches."),
        ({"method": "median-ish"}, "Choose one of the calculation methods."),
        ({"min_evidence": "0"}, "enter a whole number from 1 to"),
        ({"method": "mean_last_n", "param-mean_last_n-n": "-2"}, "enter a whole number"),
        ({"action": "clear"}, "has no override of its own to remove"),
    ]
    for change, message in cases:
        answer = visit.post("/settings/overrides/preview", {**base, **change})
        text = answer.get_data(as_text=True)
        assert answer.status_code == 400, change
        assert "Nothing was saved." in text and message in text, (change, text)
        saved = visit.post("/settings/overrides/save", {**base, **change, "previewed": "x"})
        assert saved.status_code == 400
    assert overrides(tool) == {}


def test_the_form_needs_the_launch_and_students_are_refused(browser, ids: Ids, tool):
    teacher = launch_as(browser, TEACHER)
    page = teacher.get("/settings/overrides").get_data(as_text=True)
    proposal = {**override_form(page), "node": str(ids.standards[BRANCH])}
    proposal.pop("launch")
    unlaunched = teacher.post("/settings/overrides/save", proposal, with_token=False)
    assert unlaunched.status_code == 401
    student = launch_as(browser, STUDENT)
    assert student.get("/settings/overrides").status_code == 403
    assert student.post("/settings/overrides/preview", proposal).status_code == 403
    assert overrides(tool) == {}


def test_conflicting_parent_overrides_are_listed_for_the_teacher(browser, ids: Ids, tool):
    """A-REI.3 also sits under A-CED: both branches' overrides are equally near and differ."""
    shared, first, second = (ids.standards[c] for c in ("A-REI.3", "A-CED", "A-REI"))
    with tool.app_context():
        framework = db.session.get(Standard, shared).framework_id
        db.session.add(
            StandardEdge(framework_id=framework, parent_id=first, child_id=shared, position=99)
        )
        course = db.session.get(Course, ids.course)
        override_service.set_override(course, first, "highest")
        override_service.set_override(course, second, "mean")
        db.session.commit()
    page = launch_as(browser, TEACHER).get("/settings/overrides").get_data(as_text=True)
    conflicts = page[page.index('id="conflicts"') :]
    assert "A-REI.3: uses A-CED's override, not A-REI's" in conflicts


def test_a_teacher_of_another_course_cannot_set_an_override_here(browser, ids: Ids, tool):
    elsewhere = launch_as(browser, OTHER_TEACHER, OTHER_COURSE)
    page = elsewhere.get("/settings/overrides").get_data(as_text=True)
    proposal = {**override_form(page), "node": str(ids.standards[BRANCH]), "method": "mean"}
    answer = elsewhere.post("/settings/overrides/preview", proposal)
    assert answer.status_code == 400
    assert "Choose one of the course&#39;s standards or branches." in answer.get_data(as_text=True)
    assert elsewhere.post("/settings/overrides/save", proposal).status_code == 400
    assert overrides(tool) == {}
