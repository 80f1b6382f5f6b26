"""Sections (Canvas's `$Canvas.course.sectionIds`, sent on each launch) filter the gradebook;
branches of the standards tree filter its columns; a course may keep teaching assistants to
reading. All through real launches from the embedded LMS."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from devplatform.vocab import Role
from lti_tool.extensions import db
from lti_tool.models import CourseSection, Enrollment, Evidence
from lti_tool.services.sections import from_custom
from tests.live import COURSE, OTHER_STUDENT, STUDENT, TA, TEACHER
from tests.web.conftest import Ids, cell_path, launch_as

PERIOD_1, PERIOD_3 = "9001", "9003"


def test_section_parameters_are_read_as_canvas_sends_them():
    assert from_custom({"canvas_course_section_ids": "$Canvas.course.sectionIds"}) is None
    assert from_custom({}) is None
    one = from_custom(
        {"canvas_course_section_ids": "12", "canvas_user_section_names": '["Period 1"]'}
    )
    assert one.ids == ("12",) and one.names == {"12": "Period 1"}
    # Two sections: Canvas orders ids and names differently, so names are not guessed.
    two = from_custom(
        {"canvas_course_section_ids": "7,12", "canvas_user_section_names": '["B", "A"]'}
    )
    assert two.ids == ("7", "12") and two.names == {}
    none = from_custom({"canvas_course_section_ids": "", "canvas_user_section_names": "[]"})
    assert none.ids == () and none.names == {}
    broken = from_custom({"canvas_course_section_ids": " 5 ,5,", "canvas_user_section_names": "["})
    assert broken.ids == ("5",) and broken.names == {}


@pytest.fixture
def sectioned(lms, ids: Ids):
    """Mateo in Period 1, the other student in Period 3, each after a launch of their own."""
    lms.platform.add_section(COURSE, PERIOD_1, "Period 1")
    lms.platform.add_section(COURSE, PERIOD_3, "Period 3 <b>")
    lms.platform.enroll(COURSE, STUDENT, [Role.LEARNER], sections=[PERIOD_1])
    lms.platform.enroll(COURSE, OTHER_STUDENT, [Role.LEARNER], sections=[PERIOD_3])
    return ids


def names_in_grid(page: str) -> set[str]:
    return set(re.findall(r'<th scope="row" class="student-col"><a [^>]*>([^<]+)</a>', page))


def test_gradebook_filters_by_the_sections_launches_reported(browser, sectioned, tool):
    first = launch_as(browser, STUDENT)
    assert first.landing
    launch_as(browser, OTHER_STUDENT)
    teacher = launch_as(browser, TEACHER)
    with tool.app_context():
        stored = dict(
            db.session.execute(select(CourseSection.section_id, CourseSection.name)).all()
        )
        by_user = dict(
            db.session.execute(
                select(Enrollment.user_id, Enrollment.section_ids).where(
                    Enrollment.user_id.in_(
                        [sectioned.users[STUDENT], sectioned.users[OTHER_STUDENT]]
                    )
                )
            ).all()
        )
    assert stored == {PERIOD_1: "Period 1", PERIOD_3: "Period 3 <b>"}
    assert sorted(by_user.values()) == [[PERIOD_1], [PERIOD_3]]

    everyone = teacher.get("/gradebook").get_data(as_text=True)
    assert '<option value="9001">Period 1</option>' in everyone
    assert "Period 3 &lt;b&gt;" in everyone and "Period 3 <b>" not in everyone
    all_names = names_in_grid(everyone)
    assert len(all_names) == 8

    period_1 = names_in_grid(teacher.get("/gradebook", section=PERIOD_1).get_data(as_text=True))
    period_3 = names_in_grid(teacher.get("/gradebook", section=PERIOD_3).get_data(as_text=True))
    unknown = names_in_grid(teacher.get("/gradebook", section="unknown").get_data(as_text=True))
    assert len(period_1) == len(period_3) == 1 and period_1 != period_3
    assert unknown == all_names - period_1 - period_3 and len(unknown) == 6

    empty = teacher.get("/gradebook", section="no-such").get_data(as_text=True)
    assert "No students in this section." in empty and not names_in_grid(empty)


def test_a_later_launch_moves_the_student_to_their_new_section(browser, sectioned, lms, tool):
    launch_as(browser, STUDENT)
    lms.platform.enroll(COURSE, STUDENT, [Role.LEARNER], sections=[PERIOD_3])
    launch_as(browser, STUDENT)
    teacher = launch_as(browser, TEACHER)
    assert not names_in_grid(teacher.get("/gradebook", section=PERIOD_1).get_data(as_text=True))


def test_a_course_without_sections_offers_no_section_filter(browser, ids):
    page = launch_as(browser, TEACHER).get("/gradebook").get_data(as_text=True)
    assert 'id="section"' not in page


def test_branch_filter_keeps_one_unit_of_the_tree(browser, ids: Ids):
    teacher = launch_as(browser, TEACHER)
    everything = teacher.get("/gradebook").get_data(as_text=True)
    unit = teacher.get("/gradebook", branch=ids.standards["A-CED"]).get_data(as_text=True)
    columns = set(re.findall(r'<span class="code">([^<]+)</span>', unit))
    assert columns == {"A-CED", "A-CED.1", "A-CED.2"}
    assert "A-REI.1" in everything
    assert f'<option value="{ids.standards["A-CED"]}" selected>' in unit


def test_assistants_may_edit_until_the_course_says_otherwise(browser, ids: Ids, tool):
    evidence = cell_path(ids, STUDENT, "F-IF.6") + "/evidence"
    entry = {"level": "3", "date": "2026-11-02", "comment": "Seen in class."}
    assistant = launch_as(browser, TA)
    assert assistant.post(evidence, entry).status_code == 303  # like a teacher, by default

    teacher = launch_as(browser, TEACHER)
    assert assistant.post("/settings/assistants", {"assistants": "view"}).status_code == 403
    saved = teacher.post("/settings/assistants", {"assistants": "view"})
    assert saved.status_code == 303
    assert teacher.post("/settings/assistants", {"assistants": "maybe"}).status_code == 400

    refused = assistant.post(evidence, {**entry, "comment": "Second try."})
    assert refused.status_code == 403
    assert "teaching assistants see the gradebook but do not change it" in refused.get_data(
        as_text=True
    )
    assert assistant.get("/gradebook").status_code == 200
    # The pages say so, and offer no form the server would refuse (the style hides them).
    cell = assistant.get(cell_path(ids, STUDENT, "F-IF.6")).get_data(as_text=True)
    assert '<body class="read-only">' in cell and "(teaching assistant, read-only)" in cell
    assert "You see this course read-only" in cell
    assert '<body class="read-only">' not in teacher.get(
        cell_path(ids, STUDENT, "F-IF.6")
    ).get_data(as_text=True)
    settings_page = assistant.get("/settings").get_data(as_text=True)
    assert "Only the course's teachers change this." in settings_page
    assert "You can read these settings but not change them" in settings_page
    with tool.app_context():
        comments = db.session.scalars(select(Evidence.comment)).all()
    assert "Seen in class." in comments and "Second try." not in comments

    assert teacher.post("/settings/assistants", {"assistants": "edit"}).status_code == 303
    assert assistant.post(evidence, {**entry, "comment": "Third."}).status_code == 303
    cell = assistant.get(cell_path(ids, STUDENT, "F-IF.6")).get_data(as_text=True)
    assert "<body>" in cell and "(teaching assistant)" in cell
