"""Cut scores of an aligned LMS column, changed after creation through real launches: the
preview lists the evidence already read whose level would change and what re-mapping it would
do to those students' levels and summary grades (what the sync then does), saving queues the
sync that re-maps it (dates kept), bad tables are refused with nothing saved."""

from __future__ import annotations

import logging
import re

import pytest
from flask import Flask
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import Course, Evidence, Job
from lti_tool.services import lms_results, mastery
from lti_tool.worker import Worker
from tests.live import CLIENT_ID, COURSE, OTHER_COURSE, OTHER_STUDENT, STUDENT, TEACHER, Lms
from tests.lti.conftest import Browser
from tests.web.conftest import Ids, Visit, launch_as, seed
from tests.web.test_alignments import stored
from tests.web.test_settings import fields

CODES = ("A-REI.3", "F-IF.6")
OLD = [[0, 1], [60, 2], [75, 3], [90, 4]]
OTHER_TEACHER = "103"


@pytest.fixture
def column(tool: Flask, lms: Lms) -> tuple[Visit, Ids, str]:
    """A column graded in the LMS, aligned to two standards, its grades read as evidence:
    the student at 80% (Proficient), the other student at 65% (Developing)."""
    teacher = launch_as(Browser(tool, lms), TEACHER)
    ids = seed(tool, lms, student_count=3)
    item = lms.platform.add_line_item(
        COURSE, "Unit 2 quiz", 20, client_id=CLIENT_ID, tag="quiz-2", resourceId="quiz-2"
    )
    with tool.app_context():
        course = db.session.get(Course, ids.course)
        [line] = [i for i in lms_results.lms_line_items(course) if i.label == "Unit 2 quiz"]
        aligned = {ids.standards[code]: OLD for code in CODES}
        lms_results.align_line_item(course, line, aligned, actor=None)
        db.session.commit()
    lms.platform.grade(item.id, STUDENT, 16)
    lms.platform.grade(item.id, OTHER_STUDENT, 13)
    assert teacher.post("/sync/lms", {}).status_code == 303
    Worker(tool).drain()
    return teacher, ids, f"{lms.issuer}/api/lti/courses/{COURSE}/line_items/{item.id}"


def cut_form(page: str) -> dict[str, str]:
    return fields(page.replace('id="cut-form"', 'id="settings-form"'))


def live_lms_evidence(tool: Flask) -> dict[tuple[int, int], tuple[float, object]]:
    with tool.app_context():
        rows = db.session.scalars(
            select(Evidence).where(Evidence.source == "lms", Evidence.superseded_by_id.is_(None))
        )
        return {(e.student_id, e.standard_id): (e.points, e.demonstrated_at) for e in rows}


def proficient_from(ids: Ids, percent: str) -> dict[str, str]:
    """Every aligned standard: Developing 60, Proficient `percent`, Advanced 90."""
    found = {}
    for code in CODES:
        sid = ids.standards[code]
        found |= {f"std-{sid}": "1", f"cut-{sid}-1": "60", f"cut-{sid}-2": percent}
        found[f"cut-{sid}-3"] = "90"
    return found


def test_new_cut_scores_are_previewed_then_saved_and_the_evidence_re_mapped(column, tool):
    teacher, ids, item = column
    before = live_lms_evidence(tool)
    student, other = ids.users[STUDENT], ids.users[OTHER_STUDENT]
    assert {key: points for key, (points, _) in before.items()} == {
        (student, ids.standards["A-REI.3"]): 3.0,
        (student, ids.standards["F-IF.6"]): 3.0,
        (other, ids.standards["A-REI.3"]): 2.0,
        (other, ids.standards["F-IF.6"]): 2.0,
    }
    listing = teacher.get("/lms-columns").get_data(as_text=True)
    assert "/lms-columns/cut-scores?launch=" in listing  # linked from the LMS columns page
    page = teacher.get("/lms-columns/cut-scores", item=item)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Cut scores of “Unit 2 quiz”" in text
    assert '<th scope="col">Proficient from (%)</th>' in text
    current = cut_form(text)
    assert current[f"cut-{ids.standards['A-REI.3']}-2"] == "75"

    proposal = {**current, **proficient_from(ids, "85")}
    preview = teacher.post("/lms-columns/cut-scores/preview", proposal)
    shown = preview.get_data(as_text=True)
    assert preview.status_code == 200, shown
    assert "2 pieces of evidence already read would change level." in shown
    remaps = shown[shown.index('id="remaps"') : shown.index("</table>", shown.index('id="remaps"'))]
    assert remaps.count('<th scope="row">') == 2 and "80%" in remaps
    assert re.search(r"Proficient <span aria-hidden=\"true\">→</span>.*<strong>Developing", remaps)
    consequences = shown[shown.index("What re-mapping it would change") :]
    consequences = consequences[: consequences.index("</table>")]
    assert consequences.count('<th scope="row">') == 1  # only the student at 80% moves
    levels = re.findall(r'class="code">([^<]+)</span>: (\w+) <span aria-hidden', consequences)
    assert levels == [("A-REI.3", "Proficient"), ("F-IF.6", "Proficient")]
    assert consequences.count("becomes </span> Developing") == 2
    grade = re.search(r"([\d.]+) / 100 <span[^>]*>→</span>.*?<strong>([\d.]+) / 100", consequences)
    assert grade is not None and float(grade[2]) < float(grade[1])
    assert stored(tool)[ids.standards["A-REI.3"]] == OLD  # a preview saves nothing

    assert teacher.post("/lms-columns/cut-scores/save", proposal).status_code == 409
    saved = teacher.post("/lms-columns/cut-scores/save", cut_form(shown))
    assert saved.status_code == 303, saved.get_data(as_text=True)
    assert stored(tool)[ids.standards["A-REI.3"]] == [[0, 1], [60, 2], [85, 3], [90, 4]]
    with tool.app_context():
        queued = db.session.scalars(select(Job.state).where(Job.kind == "lms_results")).all()
    assert "queued" in queued  # the sync that re-maps the evidence
    Worker(tool).drain()
    after = live_lms_evidence(tool)
    for standard in (ids.standards[code] for code in CODES):
        assert after[(student, standard)] == (2.0, before[(student, standard)][1])  # date kept
        assert after[(other, standard)] == before[(other, standard)]
    with tool.app_context():  # the sync did what the preview said
        course = db.session.get(Course, ids.course)
        levels_now = mastery.stored_levels(course, student_ids=[student])
        for code in CODES:
            assert levels_now[(student, ids.standards[code])].level.label == "Developing"
        assert mastery.compute_course_mastery(course).summaries[student].score == float(grade[2])
    done = teacher.browser.tool.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Cut scores saved." in done

    again = teacher.post("/lms-columns/cut-scores/preview", cut_form(done))
    assert "there is nothing to save" in again.get_data(as_text=True)


def test_cut_scores_changing_no_evidence_say_only_future_reads_change(column, tool):
    teacher, ids, item = column
    page = teacher.get("/lms-columns/cut-scores", item=item).get_data(as_text=True)
    proposal = {**cut_form(page), **proficient_from(ids, "70")}  # 65% and 80% keep their level
    shown = teacher.post("/lms-columns/cut-scores/preview", proposal).get_data(as_text=True)
    assert "0 pieces of evidence already read would change level." in shown
    assert "Only grades read from now on use the new cut scores." in shown


def test_bad_cut_scores_are_refused_and_nothing_saved(column, tool):
    teacher, ids, item = column
    page = teacher.get("/lms-columns/cut-scores", item=item).get_data(as_text=True)
    sid = ids.standards["A-REI.3"]
    cases = [
        ({f"cut-{sid}-2": "95"}, "must start above Proficient"),  # above Advanced's 90
        ({f"cut-{sid}-3": "120"}, "at most 100"),
        ({f"cut-{sid}-1": "0"}, "above 0"),
        ({f"cut-{sid}-1": "lots"}, "as a number"),
        ({f"std-{sid}": ""}, "every standard the column is aligned to"),
    ]
    for change, message in cases:
        proposal = {**cut_form(page), **change, "previewed": "x"}
        for path in ("/lms-columns/cut-scores/preview", "/lms-columns/cut-scores/save"):
            answer = teacher.post(path, proposal)
            text = answer.get_data(as_text=True)
            assert answer.status_code == 400, (change, answer.status_code)
            assert "Nothing was saved" in text and message in text, (message, text)
    assert all(cuts == OLD for cuts in stored(tool).values())


def test_students_other_courses_and_unlaunched_posts_are_refused(column, tool, lms: Lms):
    teacher, ids, item = column
    page = teacher.get("/lms-columns/cut-scores", item=item).get_data(as_text=True)
    proposal = {**cut_form(page), **proficient_from(ids, "85")}
    unlaunched = {k: v for k, v in proposal.items() if k != "launch"}
    assert (
        teacher.post("/lms-columns/cut-scores/save", unlaunched, with_token=False).status_code
        == 401
    )
    student = launch_as(Browser(tool, lms), STUDENT)
    assert student.get("/lms-columns/cut-scores", item=item).status_code == 403
    assert student.post("/lms-columns/cut-scores/save", unlaunched).status_code == 403
    elsewhere = launch_as(Browser(tool, lms), OTHER_TEACHER, OTHER_COURSE)
    assert elsewhere.get("/lms-columns/cut-scores", item=item).status_code == 404
    assert elsewhere.post("/lms-columns/cut-scores/preview", unlaunched).status_code == 404
    assert elsewhere.post("/lms-columns/cut-scores/save", unlaunched).status_code == 404
    assert all(cuts == OLD for cuts in stored(tool).values())


def test_an_unreachable_lms_is_said_plainly_and_nothing_is_saved(column, tool, lms: Lms, caplog):
    teacher, ids, item = column
    page = teacher.get("/lms-columns/cut-scores", item=item).get_data(as_text=True)
    proposal = {**cut_form(page), **proficient_from(ids, "85")}
    lms.platform.faults.inject(r"/results$", status=503, count=10)
    with caplog.at_level(logging.WARNING, logger="lti_tool.web.cut_scores"):
        answer = teacher.post("/lms-columns/cut-scores/preview", proposal)
    text = answer.get_data(as_text=True)
    assert answer.status_code == 502
    assert "The LMS grades could not be read for the preview" in text and "503" in text
    assert "Save these cut scores" not in text
    assert any("503" in record.getMessage() for record in caplog.records)
    assert all(cuts == OLD for cuts in stored(tool).values())
