"""Assessments the tool publishes as LMS columns, through real launches and the embedded LMS:
graded in the tool (its score and comment reach the column) or in the LMS (read back through
cut scores), deep-linked as activities, and the summary sent to every summary-tagged column."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import jwt
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.lti.vocab import Claim
from lti_tool.models import SUMMARY_TAG, Assessment, Course, Evidence, GradeColumn
from lti_tool.services import lms_results
from lti_tool.services.lms_columns import aligned_columns
from lti_tool.worker import Worker
from tests.live import CLIENT_ID, COURSE, OTHER_STUDENT, STUDENT, TEACHER, Lms
from tests.lti.test_deep_linking import choose, open_picker

from .conftest import launch_as, seed
from .test_scoring import TODAY, cell, create, sheet_form

CODES = ("A-REI.3", "F-IF.6")


def publish(visit, assessment_id: int, grading: str) -> None:
    response = visit.post(f"/assessments/{assessment_id}/publish", {"grading": grading})
    assert response.status_code == 303, response.get_data(as_text=True)
    listing = visit.browser.tool.get(response.headers["Location"]).get_data(as_text=True)
    notice = unescape(
        re.search(r'<p class="notice success" role="status">(.*?)</p>', listing).group(1)
    )
    # It names the assessment, and says what happens next for this kind of grading.
    assert re.match(r"“[^”]+” is published: the tool adds its column to the LMS gradebook", notice)
    assert ("Grade it there" in notice) == (grading == "lms")
    assert ("when you save marks" in notice) == (grading == "tool")


def tag_of(tool, assessment_id: int) -> str:
    with tool.app_context():
        return "assessment:" + db.session.get(Assessment, assessment_id).tag


def columns(lms: Lms, tag: str):
    return [i for i in lms.platform.line_items(COURSE) if i.tag == tag]


def score(visit, ids, assessment_id: int, marks: dict[tuple[str, str], str]) -> None:
    """Save marks on the scoring page, as the teacher does."""
    page = visit.get(f"/assessments/{assessment_id}/score").get_data(as_text=True)
    fields = {f"level-{cell(ids, sub, code)}": level for (sub, code), level in marks.items()}
    data = {**sheet_form(page), **fields, "date": TODAY, "action": "save"}
    response = visit.post(f"/assessments/{assessment_id}/score", data)
    assert response.status_code == 303, response.get_data(as_text=True)


def lms_evidence(tool, assessment_id: int) -> list[tuple[int, int, float]]:
    with tool.app_context():
        rows = db.session.execute(
            select(Evidence.student_id, Evidence.standard_id, Evidence.points).where(
                Evidence.assessment_id == assessment_id,
                Evidence.source == "lms",
                Evidence.superseded_by_id.is_(None),
            )
        )
        return sorted(tuple(row) for row in rows)


def test_graded_in_the_tool_the_column_gets_the_mean_level_as_a_percent(browser, ids, tool, lms):
    visit = launch_as(browser, TEACHER)
    assessment_id, _ = create(visit, ids, "Unit 3 test", CODES)
    publish(visit, assessment_id, "tool")
    tag = tag_of(tool, assessment_id)
    assert columns(lms, tag) == []  # never created inside the request
    Worker(tool).drain()
    [item] = columns(lms, tag)  # the worker created it
    assert (item.label, item.score_maximum, item.resource_id) == ("Unit 3 test", 100, tag)
    recent = visit.get("/sync").get_data(as_text=True)
    assert "<li>LMS columns:\n    done" in recent  # each kind of sync in words
    assert item.client_id == CLIENT_ID

    score(
        visit,
        ids,
        assessment_id,
        {(STUDENT, "A-REI.3"): "3", (STUDENT, "F-IF.6"): "4", (OTHER_STUDENT, "A-REI.3"): "2"},
    )
    assert Worker(tool).drain().grades.dead == 0
    book = lms.platform.gradebook(COURSE)[item.id]
    assert book[STUDENT]["score_given"] == 87.5
    assert book[STUDENT]["comment"] == (
        "Unit 3 test: average level 3.5 of 4 across 2 standards "
        "(A-REI.3 Proficient, F-IF.6 Advanced) = 87.5%"
    )
    assert book[OTHER_STUDENT]["score_given"] == 50
    assert book[OTHER_STUDENT]["comment"] == "Unit 3 test: Developing on A-REI.3 → 2 of 4 = 50%"
    assert len(book) == 2  # students without a mark get nothing

    # Its own output is never read back as evidence.
    with tool.app_context():
        course = db.session.get(Course, ids.course)
        assert item.id not in [i.id for i in lms_results.lms_line_items(course)]
        assert assessment_id not in [a.id for a in aligned_columns(course).values()]
    lms.platform.grade(item.id, STUDENT, 10)  # even if someone edits it in the LMS
    assert visit.post("/sync/lms", {}).status_code == 303
    Worker(tool).drain()
    assert lms_evidence(tool, assessment_id) == []


def test_graded_in_the_lms_the_results_become_evidence_through_cut_scores(browser, ids, tool, lms):
    visit = launch_as(browser, TEACHER)
    assessment_id, _ = create(visit, ids, "Unit 4 test", CODES)
    publish(visit, assessment_id, "lms")
    Worker(tool).drain()
    [item] = columns(lms, tag_of(tool, assessment_id))
    lms.platform.grade(item.id, STUDENT, 80)  # 80%: Proficient (3) by the default cuts
    lms.platform.grade(item.id, OTHER_STUDENT, 59)  # 59%: Beginning (1)
    assert visit.post("/sync/lms", {}).status_code == 303
    assert Worker(tool).drain().jobs_done >= 1
    student, other = ids.users[STUDENT], ids.users[OTHER_STUDENT]
    a, f = ids.standards["A-REI.3"], ids.standards["F-IF.6"]
    expected = sorted([(student, a, 3.0), (student, f, 3.0), (other, a, 1.0), (other, f, 1.0)])
    assert lms_evidence(tool, assessment_id) == expected
    with tool.app_context():
        total = db.session.scalar(select(func.count()).select_from(Evidence))
    # Syncing again adds nothing, and nothing is ever sent to the column from the tool.
    assert visit.post("/sync/lms", {}).status_code == 303
    Worker(tool).drain()
    with tool.app_context():
        assert db.session.scalar(select(func.count()).select_from(Evidence)) == total
    assert lms.platform.scores(item.id) == []
    # Its cut scores are one link away on the assessments page, and open as they apply.
    listing = visit.get("/assessments").get_data(as_text=True)
    link = re.search(
        r'<a href="(/lms-columns/cut-scores\?[^"]+)">Cut scores of “Unit 4 test”', listing
    )
    assert link, "the published assessment links to its cut scores"
    cuts = browser.tool.get(unescape(link[1])).get_data(as_text=True)
    assert "“Unit 4 test” is graded in the LMS" in cuts
    assert 'value="75"' in cuts  # the scale's default cut for Proficient
    # Its activity in the LMS opens on them too (a sheet would score it in the tool instead).
    tag = tag_of(tool, assessment_id).removeprefix("assessment:")
    link = lms.platform.add_resource_link(COURSE, "Unit 4 test", custom={"assessment": tag})
    opened = browser.launch(TEACHER, resource_link_id=link.id)
    assert opened.status_code == 303 and "/lms-columns/cut-scores?" in opened.location


def deep_link_assessment(browser, assessment_id: int, grading: str) -> tuple[str, str]:
    picker = open_picker(browser)
    token = picker.split("launch=")[1]
    page = browser.tool.get(picker).get_data(as_text=True)
    assert 'value="assessment"' in page and "Unit 5 test" in page
    form = {"launch": token, "kind": "assessment", "assessment": str(assessment_id)}
    response = browser.tool.post("/lti/deep-link", data={**form, "grading": grading})
    assert response.status_code == 200, response.get_data(as_text=True)
    html = response.get_data(as_text=True)
    action = unescape(re.search(r'action="([^"]+)"', html).group(1))
    return action, re.search(r'name="JWT" value="([^"]+)"', html).group(1)


def test_a_deep_linked_assessment_asks_the_platform_for_its_column_and_opens_it(
    browser, ids, tool, lms
):
    visit = launch_as(browser, TEACHER)
    assessment_id, _ = create(visit, ids, "Unit 5 test", CODES)
    tag = tag_of(tool, assessment_id)
    action, response_jwt = deep_link_assessment(browser, assessment_id, "tool")
    claims = jwt.decode(response_jwt, options={"verify_signature": False})
    (item,) = claims[Claim.DL_CONTENT_ITEMS]
    assert item["type"] == "ltiResourceLink" and item["title"] == "Unit 5 test"
    assert item["lineItem"] == {
        "label": "Unit 5 test",
        "scoreMaximum": 100,
        "resourceId": tag,
        "tag": tag,
    }
    assert item["custom"] == {"assessment": tag.removeprefix("assessment:")}
    returned = lms.client().post(urlsplit(action).path, data={"JWT": response_jwt})
    assert returned.status_code == 200, returned.get_data(as_text=True)
    [column] = columns(lms, tag)  # the platform made it
    link = column.resource_link_id

    # Opening the activity: the teacher lands on its scoring sheet, a student on the profile.
    opened = browser.launch(TEACHER, resource_link_id=link)  # the launch redirects to the sheet
    assert opened.status_code == 303 and f"/assessments/{assessment_id}/score" in opened.location
    assert "Score: Unit 5 test" in browser.tool.get(opened.location).get_data(as_text=True)
    student = browser.page(browser.launch(STUDENT, resource_link_id=link))
    assert "<h1>My mastery</h1>" in student

    score(visit, ids, assessment_id, {(STUDENT, "A-REI.3"): "4", (STUDENT, "F-IF.6"): "4"})
    Worker(tool).drain()
    assert [c.id for c in columns(lms, tag)] == [column.id]  # found by tag, not duplicated
    assert lms.platform.gradebook(COURSE)[column.id][STUDENT]["score_given"] == 100


def add_tracker(browser, lms: Lms, title: str) -> None:
    action, response_jwt = choose(browser, open_picker(browser), title)
    returned = lms.client().post(urlsplit(action).path, data={"JWT": response_jwt})
    assert returned.status_code == 200, returned.get_data(as_text=True)


def test_every_summary_tagged_column_gets_the_summary(browser, tool, lms):
    launch_as(browser, TEACHER)
    already = "This course already has a “Mastery summary” column in the LMS gradebook"
    assert already not in browser.tool.get(open_picker(browser)).get_data(as_text=True)
    add_tracker(browser, lms, "Mastery (unit page)")
    add_tracker(browser, lms, "Mastery (home page)")
    assert len(columns(lms, SUMMARY_TAG)) == 2
    seed(tool, lms)
    assert Worker(tool).drain().grades.dead == 0
    # Adding it once more is still possible, and the picker says what it would do.
    assert already in browser.tool.get(open_picker(browser)).get_data(as_text=True)
    first, second = columns(lms, SUMMARY_TAG)
    book = lms.platform.gradebook(COURSE)
    assert book[first.id][STUDENT]["score_given"] > 0
    assert book[first.id][STUDENT]["comment"].startswith("Average level ")
    assert {u: r["score_given"] for u, r in book[second.id].items()} == {
        u: r["score_given"] for u, r in book[first.id].items()
    }

    # A third placement, deep linked later: its first launch makes the worker look again.
    add_tracker(browser, lms, "Mastery (week 9)")
    third = columns(lms, SUMMARY_TAG)[2]
    browser.page(browser.launch(TEACHER, resource_link_id=third.resource_link_id))
    Worker(tool).drain()
    book = lms.platform.gradebook(COURSE)
    assert book[third.id]
    assert {u: r["score_given"] for u, r in book[third.id].items()} == {
        u: r["score_given"] for u, r in book[first.id].items()
    }
    with tool.app_context():
        summary_columns = db.session.scalars(
            select(GradeColumn).where(GradeColumn.tag == SUMMARY_TAG)
        ).all()
        assert len({c.line_item_url for c in summary_columns}) == 3
