"""The LMS columns page through real launches: list the tool's LMS columns, align one to
standards with cut scores (prefilled from the scale), change and remove it; invalid cut scores
named next to their field with nothing saved; an unreachable platform and a course without
grade services said plainly."""

from __future__ import annotations

import logging
import re
from html import unescape

import pytest
from flask import Flask
from sqlalchemy import select

from devplatform.vocab import Scope as LmsScope
from lti_tool.extensions import db
from lti_tool.models import Alignment, Assessment, GradeOutbox
from lti_tool.worker import Worker
from tests.live import CLIENT_ID, COURSE, STUDENT, TEACHER, Lms
from tests.lti.conftest import Browser
from tests.web.conftest import Ids, Visit, launch_as, seed

DEFAULT = {3: "90", 2: "75", 1: "60"}  # Advanced, Proficient, Developing; Beginning below


@pytest.fixture
def course(tool: Flask, lms: Lms) -> tuple[Visit, Ids, str]:
    """The demo course after a teacher launch, its summary column in the LMS, and one column
    the tool published there (as a deep-linked assessment would); that column's URL."""
    teacher = launch_as(Browser(tool, lms), TEACHER)
    ids = seed(tool, lms, student_count=3)
    Worker(tool).drain()  # the summary column now exists in the LMS too
    item = lms.platform.add_line_item(
        COURSE, "Unit 2 quiz", 20, client_id=CLIENT_ID, tag="quiz", resourceId="unit-2"
    )
    lms.platform.add_line_item(COURSE, "Another tool's quiz", 10, client_id="another-tool")
    return teacher, ids, f"{lms.issuer}/api/lti/courses/{COURSE}/line_items/{item.id}"


def form_for(ids: Ids, item: str, cuts: dict[str, dict[int, str]]) -> dict[str, str]:
    fields = {"item": item}
    for code, minimums in cuts.items():
        sid = ids.standards[code]
        fields[f"std-{sid}"] = "1"
        fields.update({f"cut-{sid}-{n}": value for n, value in minimums.items()})
    return fields


def stored(tool: Flask) -> dict[int, list[list[float]]]:
    """The alignments of the LMS's columns (the demo's own assessments have theirs too)."""
    with tool.app_context():
        rows = db.session.scalars(
            select(Alignment).join(Assessment).where(Assessment.kind != "tool")
        ).all()
        return {row.standard_id: row.cut_scores for row in rows}


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


def test_the_page_lists_the_tools_lms_columns_only(course, lms: Lms) -> None:
    teacher, _ids, _item = course
    page = teacher.get("/lms-columns")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    table = re.search(r'<table class="sync" id="columns">.*?</table>', html, re.S)
    rows = re.findall(r'<th scope="row">(.*?)</th>', table.group(0))
    # Not the summary column (the tool's own grades), another tool's, or the teacher's quizzes.
    assert rows == ["Unit 2 quiz"]
    assert "Not aligned" in table.group(0)


def test_the_page_is_linked_from_the_gradebook_and_the_sync_page(course) -> None:
    teacher, _ids, _item = course
    link = f'href="/lms-columns?launch={teacher.token}"'
    assert link in teacher.landing  # the gradebook
    assert link in teacher.get("/sync").get_data(as_text=True)


def test_the_form_is_prefilled_from_the_course_scale(course) -> None:
    teacher, ids, item = course
    page = teacher.get("/lms-columns/align", item=item).get_data(as_text=True)
    sid = ids.standards["F-IF.6"]
    for position, value in DEFAULT.items():
        assert re.search(rf'name="cut-{sid}-{position}" value="{value}"', page), position
    assert f'id="std-{sid}" name="std-{sid}" value="1">' in page  # not ticked yet
    assert "Advanced from (%)" in page and "Minimum percent for Proficient on F-IF.6" in page
    # Rolled-up domains are not offered: evidence goes on the standards under them.
    assert f'name="std-{ids.standards["F-IF"]}"' not in page


def test_align_change_and_remove(course, tool: Flask) -> None:
    teacher, ids, item = course
    form = form_for(ids, item, {"F-IF.6": DEFAULT, "A-CED.1": {3: "85", 2: "70", 1: ""}})
    response = teacher.post("/lms-columns/align", form)
    assert response.status_code == 303, response.get_data(as_text=True)
    assert stored(tool) == {
        ids.standards["F-IF.6"]: [[0, 1], [60, 2], [75, 3], [90, 4]],
        ids.standards["A-CED.1"]: [[0, 1], [70, 3], [85, 4]],  # Developing left out
    }
    listing = teacher.browser.tool.get(response.headers["Location"]).get_data(as_text=True)
    assert "Alignment saved" in listing
    words = text_of(listing)
    assert "F-IF.6 : ≥ 90% Advanced, ≥ 75% Proficient, ≥ 60% Developing, else Beginning" in words
    assert "A-CED.1 : ≥ 85% Advanced, ≥ 70% Proficient, else Beginning" in words

    # The editor shows the stored alignment; untick one standard and raise a cut.
    page = teacher.get("/lms-columns/align", item=item).get_data(as_text=True)
    assert f'name="cut-{ids.standards["A-CED.1"]}-1" value=""' in page
    ticked = ids.standards["A-CED.1"]
    assert f'id="std-{ticked}" name="std-{ticked}" value="1" checked' in page
    form = form_for(ids, item, {"F-IF.6": {3: "95", 2: "75", 1: "60"}})
    assert teacher.post("/lms-columns/align", form).status_code == 303
    assert stored(tool) == {ids.standards["F-IF.6"]: [[0, 1], [60, 2], [75, 3], [95, 4]]}

    response = teacher.post("/lms-columns/remove", {"item": item})
    assert response.status_code == 303 and stored(tool) == {}
    listing = teacher.get("/lms-columns").get_data(as_text=True)
    assert "Not aligned" in listing
    with tool.app_context():  # the column keeps its assessment (and any evidence it gave)
        kept = select(Assessment.title).where(Assessment.kind == "lms_line_item")
        assert db.session.scalars(kept).all() == ["Unit 2 quiz"]


@pytest.mark.parametrize(
    ("minimums", "field", "message"),
    [
        ({3: "ninety", 2: "75", 1: "60"}, 3, "Enter the minimum percent for Advanced as a number."),
        ({3: "90", 2: "150", 1: "60"}, 2, "Enter a percent above 0 and at most 100"),
        ({3: "90", 2: "75", 1: "0"}, 1, "Enter a percent above 0 and at most 100"),
        ({3: "70", 2: "75", 1: "60"}, 3, "Advanced must start above Proficient (75%)."),
        ({3: "90", 2: "60", 1: "60"}, 2, "Proficient must start above Developing (60%)."),
    ],
)
def test_invalid_cut_scores_are_named_next_to_the_field_and_nothing_is_saved(
    course, tool: Flask, minimums, field, message
) -> None:
    teacher, ids, item = course
    first = teacher.post("/lms-columns/align", form_for(ids, item, {"F-IF.6": DEFAULT}))
    assert first.status_code == 303
    before = stored(tool)
    form = form_for(ids, item, {"A-CED.1": DEFAULT, "F-IF.6": minimums})
    response = teacher.post("/lms-columns/align", form)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    name = f"cut-{ids.standards['F-IF.6']}-{field}"
    error = re.search(rf'<p class="field-error" id="err-{name}">(.*?)</p>', page)
    assert error and unescape(error.group(1)).startswith(message)
    assert f'aria-describedby="err-{name}"' in page
    assert f'name="{name}" value="{minimums[field]}"' in page  # what was typed, shown again
    assert "Nothing was saved" in page
    assert stored(tool) == before  # A-CED.1, valid, was not saved either


def test_saving_with_no_standard_ticked_is_refused(course, tool: Flask) -> None:
    teacher, _ids, item = course
    response = teacher.post("/lms-columns/align", {"item": item})
    assert response.status_code == 400
    assert "Tick at least one standard" in response.get_data(as_text=True)
    with tool.app_context():
        lms_kind = select(Assessment).where(Assessment.kind == "lms_line_item")
        assert db.session.scalars(lms_kind).all() == []


def test_a_column_of_another_course_cannot_be_aligned(course, lms: Lms, tool: Flask) -> None:
    teacher, ids, _item = course
    other = lms.platform.add_line_item("biology-2-p5", "Lab", 10, client_id=CLIENT_ID)
    url = f"{lms.issuer}/api/lti/courses/biology-2-p5/line_items/{other.id}"
    response = teacher.post("/lms-columns/align", form_for(ids, url, {"F-IF.6": DEFAULT}))
    assert response.status_code == 404
    assert teacher.get("/lms-columns/align", item=url).status_code == 404
    assert stored(tool) == {}


def test_an_unreachable_platform_is_said_plainly_and_logged(
    course, lms: Lms, tool: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    teacher, ids, item = course
    lms.platform.faults.inject(r"/line_items$", status=503, count=2)
    with caplog.at_level(logging.WARNING, logger="lti_tool.web.alignments"):
        page = teacher.get("/lms-columns")
        response = teacher.post("/lms-columns/align", form_for(ids, item, {"F-IF.6": DEFAULT}))
    assert page.status_code == 502 and response.status_code == 502
    words = text_of(page.get_data(as_text=True))
    assert "The LMS could not be reached" in words
    failed = "gradebook columns of Algebra I — Period 3 failed (the platform answered 503)"
    assert failed in words
    assert "What to check: the LMS may be busy or down. Nothing was changed here" in words
    assert stored(tool) == {}
    logged = [r.getMessage() for r in caplog.records if r.name == "lti_tool.web.alignments"]
    assert len(logged) == 2 and all("platform failed" in line and "503" in line for line in logged)
    assert teacher.get("/lms-columns").status_code == 200  # the platform is back


@pytest.mark.parametrize(
    ("scopes", "says"),
    [
        ([LmsScope.NRPS_READONLY], "has no gradebook service address yet"),
        ([LmsScope.SCORE, LmsScope.NRPS_READONLY], "has not granted the tool the grade scopes"),
    ],
)
def test_a_course_without_grade_services_is_said_plainly_and_logged(
    tool: Flask, lms: Lms, caplog: pytest.LogCaptureFixture, scopes, says
) -> None:
    lms.platform.registrations[CLIENT_ID].scopes = [str(scope) for scope in scopes]
    teacher = launch_as(Browser(tool, lms), TEACHER)
    with caplog.at_level(logging.WARNING, logger="lti_tool.web.alignments"):
        page = teacher.get("/lms-columns")
    assert page.status_code == 200
    words = text_of(page.get_data(as_text=True))
    assert "The LMS gradebook is not open to the tool in this course" in words and says in words
    assert "What to check:" in words
    assert any("no grade services" in r.getMessage() for r in caplog.records)


def test_students_cannot_see_or_change_alignments(course, lms: Lms, tool: Flask) -> None:
    _teacher, ids, item = course
    student = launch_as(Browser(tool, lms), STUDENT)
    assert student.get("/lms-columns").status_code == 403
    assert student.get("/lms-columns/align", item=item).status_code == 403
    form = form_for(ids, item, {"F-IF.6": DEFAULT})
    assert student.post("/lms-columns/align", form).status_code == 403
    assert student.post("/lms-columns/remove", {"item": item}).status_code == 403
    assert stored(tool) == {}
    with tool.app_context():
        assert db.session.scalars(select(GradeOutbox.id)).all()  # the course is otherwise live
