"""Overrides on a department's branch: stored levels, summary grades and what-if agree."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lti_tool.errors import MasteryRejected, NotFound
from lti_tool.extensions import db
from lti_tool.mastery import Calculation
from lti_tool.models import CurrentLevel, Job, User
from lti_tool.services import evidence, mastery, overrides
from lti_tool.services.course_settings import mastery_settings
from lti_tool.services.whatif import preview_settings_change

from .conftest import standard_ids

DAY = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
# ELA > {E1, E2, SHARED}; MATH > {M1, SHARED}: SHARED sits under both departments.
SPEC = {"ELA": ["E1", "E2", "SHARED"], "MATH": ["M1", "SHARED"]}
HISTORY = {"E1": [4, 2], "E2": [3, 1], "SHARED": [4, 1], "M1": [1, 3, 2]}


@pytest.fixture
def course_with(make_course, make_framework, make_student):
    course = make_course()
    make_framework(course, SPEC)
    teacher = make_student(course, role="teacher")
    ann = make_student(course, name="ann")
    ids = standard_ids(course)
    for code, points in HISTORY.items():
        for day, value in enumerate(points):
            evidence.record_evidence(
                course,
                ann,
                ids[code],
                float(value),
                actor=teacher,
                source="teacher",
                demonstrated_at=DAY + timedelta(days=day),
            )
    return course, ann.id, ids


def stored(course, student) -> dict[int, float]:
    rows = db.session.execute(
        select(CurrentLevel.standard_id, CurrentLevel.points).where(
            CurrentLevel.course_id == course.id, CurrentLevel.student_id == student
        )
    )
    return dict(rows.all())


def test_a_branch_override_covers_its_standards_nearest_wins(course_with):
    course, ann, ids = course_with
    overrides.set_override(course, ids["ELA"], "highest")
    overrides.set_override(course, ids["MATH"], "mean_last_n", {"n": 2})
    overrides.set_override(course, ids["E2"], "mean")
    mastery.recompute_course(course)
    levels = stored(course, ann)
    assert levels[ids["E1"]] == 4.0  # highest, from ELA
    assert levels[ids["E2"]] == 2.0  # its own override: mean of 3 and 1
    assert levels[ids["M1"]] == 2.5  # mean of the last 2, from MATH
    # SHARED is one step under ELA and one under MATH: ELA comes first in the tree.
    assert levels[ids["SHARED"]] == 4.0
    found = overrides.effective_overrides(course)
    assert found.conflicts == {ids["SHARED"]: (ids["ELA"], ids["MATH"])}
    # Its own override settles the tie.
    overrides.set_override(course, ids["SHARED"], "most_recent")
    mastery.recompute_course(course)
    assert stored(course, ann)[ids["SHARED"]] == 1.0
    assert overrides.effective_overrides(course).conflicts == {}


def test_new_evidence_uses_the_branch_method_and_the_summary_follows(course_with):
    course, ann, ids = course_with
    overrides.set_override(course, ids["ELA"], "highest")
    mastery.recompute_course(course)
    student = db.session.get(User, ann)
    evidence.record_evidence(
        course,
        student,
        ids["E1"],
        1.0,
        actor=None,
        source="teacher",
        demonstrated_at=DAY + timedelta(days=10),
    )
    assert stored(course, ann)[ids["E1"]] == 4.0  # the one-cell refresh resolves it too
    computed = mastery.compute_course_mastery(course)
    assert computed.cells[(ann, ids["E1"])].points == 4.0
    # The summary grade is made from the same levels the gradebook stores.
    assert computed.summaries[ann] == mastery.student_mastery(course, ann).summaries[ann]


def test_clearing_falls_back_to_the_next_override_up(course_with):
    course, ann, ids = course_with
    overrides.set_override(course, ids["ELA"], "highest")
    overrides.set_override(course, ids["E1"], "most_recent")
    assert overrides.clear_override(course, ids["E1"]) is True
    assert overrides.clear_override(course, ids["E1"]) is False
    settings = mastery_settings(course)
    assert settings.calculation_for(ids["E1"]) == Calculation("highest")
    assert settings.calculation_for(ids["M1"]) == settings.calculation


def test_setting_queues_a_recompute_and_refuses_bad_input(course_with, make_course):
    course, _, ids = course_with
    overrides.set_override(course, ids["MATH"], "highest")
    assert db.session.scalar(select(Job.kind).where(Job.course_id == course.id)) == "recompute"
    with pytest.raises(MasteryRejected):
        overrides.set_override(course, ids["MATH"], "mean_last_n", {"n": 0})
    with pytest.raises(MasteryRejected):
        overrides.set_override(course, ids["MATH"], "highest", min_evidence=0)
    with pytest.raises(NotFound):
        overrides.set_override(make_course(), ids["MATH"], "highest")


def test_whatif_of_a_branch_override_matches_what_saving_it_gives(course_with):
    course, ann, ids = course_with
    mastery.recompute_course(course)
    before = stored(course, ann)
    preview = preview_settings_change(course, overrides={ids["ELA"]: Calculation("highest")})
    (student,) = preview.students
    moved = {change.standard_id: change.after.points for change in student.levels}
    # E1 2→4, SHARED 1→4 (and the ELA roll-up); E2 and M1 keep theirs.
    assert moved[ids["E1"]] == 4.0 and moved[ids["SHARED"]] == 4.0
    assert ids["E2"] in moved and moved[ids["E2"]] == 3.0
    assert ids["M1"] not in moved
    assert student.has_grade_change
    overrides.set_override(course, ids["ELA"], "highest")
    mastery.recompute_course(course)
    after = stored(course, ann)
    for standard, points in after.items():
        expected = moved.get(standard, before[standard])
        assert points == expected
    saved = mastery.compute_course_mastery(course).summaries[ann]
    assert saved == student.after
    # Previewing the removal shows the way back.
    back = preview_settings_change(course, overrides={ids["ELA"]: None})
    assert back.students[0].after == student.before


def test_whatif_refuses_an_override_on_a_standard_not_adopted(course_with, make_course):
    course, _, ids = course_with
    with pytest.raises(NotFound):
        preview_settings_change(make_course(), overrides={ids["E1"]: Calculation("highest")})
    with pytest.raises(TypeError):
        preview_settings_change(course, overrides={ids["E1"]: "highest"})
