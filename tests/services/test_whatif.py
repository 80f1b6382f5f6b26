"""Previewing a settings change: what would move for students, with nothing written."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lti_tool.errors import MasteryRejected, PermissionDenied
from lti_tool.extensions import db
from lti_tool.mastery.whatif import is_shown_change
from lti_tool.models import CurrentLevel, Evidence, StandardOverride
from lti_tool.services import course_settings, evidence, mastery
from lti_tool.services.whatif import preview_evidence_change, preview_settings_change

from .conftest import standard_ids

DAY = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)

# Each student's scores per standard, oldest first. D1 rolls up S1 and S2; D2 rolls up S3.
HISTORIES = {
    "ann": {"S1": [4, 2], "S2": [3], "S3": [3, 3]},
    "bob": {"S1": [1, 3], "S2": [2, 4], "S3": [4]},
    "cy": {"S1": [3], "S2": [3]},
    "dee": {},
}


@pytest.fixture
def course_with(make_course, make_framework, make_student):
    """A course whose students have HISTORIES, stored levels written as the app writes them."""
    course = make_course()
    make_framework(course)
    teacher = make_student(course, role="teacher")
    ids = standard_ids(course)
    students = {}
    for name, history in HISTORIES.items():
        students[name] = make_student(course, name=name)
        for code, points in history.items():
            for day, value in enumerate(points):
                evidence.record_evidence(
                    course,
                    students[name],
                    ids[code],
                    float(value),
                    actor=teacher,
                    source="teacher",
                    demonstrated_at=DAY + timedelta(days=day),
                )
    return course, {name: user.id for name, user in students.items()}, ids


def stored(course) -> dict:
    rows = db.session.execute(
        select(CurrentLevel.student_id, CurrentLevel.standard_id, CurrentLevel.points)
    ).all()
    return {(student, standard): points for student, standard, points in rows}


def test_a_method_change_names_the_cells_and_grades_that_move(course_with):
    course, who, ids = course_with
    levels_before = stored(course)
    preview = preview_settings_change(course, method="highest")
    # Highest moves ann's S1 from 2 to 4, and so her D1 (mean of S1 and S2) from 2.5 to 3.5;
    # bob's highest scores are his latest ones.
    changed = {
        (change.student_id, level.standard_id)
        for change in preview.students
        for level in change.levels
    }
    assert changed == {(who["ann"], ids["S1"]), (who["ann"], ids["D1"])}
    assert (preview.levels_changed, preview.cells_changed, preview.grades_changed) == (1, 2, 1)
    assert preview.summary == "1 student's level changes; 1 summary grade changes"
    (ann,) = preview.students
    s1 = next(level for level in ann.levels if level.standard_id == ids["S1"])
    assert (s1.before.level.label, s1.after.level.label) == ("Developing", "Advanced")
    # Average of 2, 3, 3 = 2.67 -> 80%; of 4, 3, 3 = 3.33 -> 90%.
    assert (ann.before.score, ann.after.score) == (80.0, 90.0)
    assert ann.before.explanation.startswith("Average level 2.67 across 3 assessed")
    assert ann.after.explanation.startswith("Average level 3.33 across 3 assessed")
    assert ann.has_grade_change and ann.has_level_change
    assert course_settings.settings_for(course).method == "most_recent"
    assert stored(course) == levels_before and not db.session.dirty and not db.session.new


def test_a_rollup_change_moves_parents_only(course_with):
    course, who, ids = course_with
    # The minimum keeps every shown level here: ann's D1 is Developing either way (2.5 or 2),
    # bob's Proficient (3.5 or 3), cy's Proficient (3).
    assert preview_settings_change(course, rollup="minimum_of_children").students == ()
    # All at mastery gives the lowest mastery level: bob's D2 (S3 at 4) drops to Proficient.
    preview = preview_settings_change(course, rollup="all_children_at_mastery")
    changed = {(c.student_id, lv.standard_id) for c in preview.students for lv in c.levels}
    assert changed == {(who["bob"], ids["D2"])}
    assert preview.grades_changed == 0  # summary grades read the standards, not the parents
    (bob,) = preview.students
    assert bob.has_level_change and not bob.has_grade_change


def test_policy_and_maximum_change_grades_not_levels(course_with):
    course, who, _ = course_with
    preview = preview_settings_change(course, policy="share_at_mastery", maximum=10)
    assert preview.levels_changed == 0 and preview.cells_changed == 0
    assert preview.grades_changed == 3  # dee has nothing assessed: no grade either way
    ann = next(c for c in preview.students if c.student_id == who["ann"])
    assert (ann.before.score, ann.after.score, ann.after.maximum) == (80.0, 6.67, 10)
    assert ann.after.explanation == "2 of 3 assessed standards at Proficient or above → 67%"
    assert who["dee"] not in {c.student_id for c in preview.students}


def test_nothing_proposed_changes_nothing(course_with):
    course, _, _ = course_with
    preview = preview_settings_change(course)
    assert preview.students == () and preview.current == preview.proposed
    assert preview.summary == "0 students' levels change; 0 summary grades change"


CHANGES = [
    {"method": "highest"},
    {"method": "mean", "min_evidence": 2},
    {"method": "n_mastery", "params": {"n": 1}},
    {"rollup": "share_at_mastery", "policy": "credit_no_credit"},
    {"policy_params": {"table": {"1": 50, "4": 100}}},
    {"scale": "two_level"},
    {"scale": "marzano", "method": "mean"},
]


@pytest.mark.parametrize("changes", CHANGES)
def test_the_preview_is_what_saving_would_compute(course_with, changes):
    course, _, _ = course_with
    changes = _with_scale(course, changes)
    before = mastery.compute_course_mastery(course)
    preview = preview_settings_change(course, **changes)
    with db.session.begin_nested() as savepoint:
        scale = changes.pop("scale", None)
        if scale is not None:
            course_settings.change_scale(course, scale)
        course_settings.change_settings(course, **changes)
        after = mastery.compute_course_mastery(course)
        savepoint.rollback()
    assert preview.proposed == after.settings and preview.current == before.settings
    found = {change.student_id: change for change in preview.students}
    for student in after.students:
        moved = (
            {lv.standard_id: (lv.before, lv.after) for lv in found[student].levels}
            if (student in found)
            else {}
        )
        for standard in after.tree.standards:
            old, new = before.result(student, standard), after.result(student, standard)
            assert moved.get(standard) == ((old, new) if is_shown_change(old, new) else None)
        grades = (before.summaries[student], after.summaries[student])
        if student in found:
            assert (found[student].before, found[student].after) == grades
        else:  # nothing the student or the LMS sees: same sentence, same score if any
            assert grades[0].explanation == grades[1].explanation
            assert grades[0].score == grades[1].score
            assert grades[0].score is None or grades[0].maximum == grades[1].maximum
    assert preview.levels_changed == sum(bool(change.levels) for change in found.values())


def _with_scale(course, changes: dict) -> dict:
    if "scale" in changes:
        presets = course_settings.ensure_presets(course.platform)
        changes = {**changes, "scale": presets[changes["scale"]]}
    return changes


def test_per_standard_overrides_still_apply(course_with):
    course, who, ids = course_with
    db.session.add(
        StandardOverride(course_id=course.id, standard_id=ids["S1"], method="most_recent")
    )
    db.session.flush()
    preview = preview_settings_change(course, method="highest")
    assert preview.students == ()  # only S1 would have moved, and S1 keeps its own method


@pytest.mark.parametrize(
    "changes",
    [
        {"method": "vibes"},
        {"method": "n_mastery", "params": {"n": 0}},
        {"min_evidence": 0},
        {"rollup": "max"},
        {"policy": "curve"},
        {"policy_params": {"table": {"1": 10}}},
        {"maximum": 0},
        {"maximum": "100"},
    ],
)
def test_invalid_proposals_are_refused_as_saving_them_would_be(course_with, changes):
    course, _, _ = course_with
    with pytest.raises(MasteryRejected) as previewed:
        preview_settings_change(course, **changes)
    with db.session.begin_nested() as savepoint:
        with pytest.raises(MasteryRejected) as saved:
            course_settings.change_settings(course, **changes)
        savepoint.rollback()
    assert str(previewed.value) == str(saved.value)


def test_stale_params_are_refused_like_change_settings_refuses_them(course_with):
    course, _, _ = course_with
    course_settings.change_settings(course, method="mean_last_n", params={"n": 3})
    with pytest.raises(MasteryRejected, match="no parameter 'n'"):
        preview_settings_change(course, method="highest")
    assert preview_settings_change(course, method="highest", params={}).proposed.method == (
        "highest"
    )


def test_unknown_settings_and_foreign_scales_are_refused(course_with, make_course):
    course, _, _ = course_with
    with pytest.raises(TypeError, match="colour"):
        preview_settings_change(course, colour="red")
    other = make_course()
    foreign = course_settings.ensure_presets(other.platform)["two_level"]
    with pytest.raises(PermissionDenied):
        preview_settings_change(course, scale=foreign)


def test_a_scale_preview_writes_nothing(course_with):
    course, _, _ = course_with
    two_level = course_settings.ensure_presets(course.platform)["two_level"]
    db.session.commit()
    levels, scale_id = stored(course), course_settings.settings_for(course).scale_id
    preview = preview_settings_change(course, scale=two_level)
    assert preview.levels_changed == 3 and preview.proposed.scale.key == "two_level"
    assert not db.session.dirty and not db.session.new and not db.session.deleted
    db.session.rollback()  # anything flushed but not committed would be lost here
    assert stored(course) == levels
    assert course_settings.settings_for(course).scale_id == scale_id


def test_re_mapped_evidence_is_previewed_as_correcting_it_would_compute(course_with, make_course):
    """The cut score editor's preview (preview_evidence_change) against the correction the
    sync then records: the same levels and summary grades move, for the same students."""
    course, students, ids = course_with
    rows = db.session.scalars(select(Evidence).where(Evidence.course_id == course.id)).all()
    newest = {}  # each cell's latest evidence (most_recent: its points are the level)
    for row in sorted(rows, key=lambda r: (r.demonstrated_at, r.id)):
        newest[(row.student_id, row.standard_id)] = row
    changes = {
        newest[(students["ann"], ids["S1"])].id: 4.0,  # 2 -> 4: ann's S1 and D1 move
        newest[(students["bob"], ids["S3"])].id: 4.0,  # already 4: nothing moves for bob
    }
    before = mastery.compute_course_mastery(course)
    preview = preview_evidence_change(course, changes)
    with db.session.begin_nested() as savepoint:
        for row_id, points in changes.items():
            evidence.correct_evidence(db.session.get(Evidence, row_id), actor=None, points=points)
        after = mastery.compute_course_mastery(course)
        savepoint.rollback()
    assert [change.student_id for change in preview.students] == [students["ann"]]
    [ann] = preview.students
    expected = [
        (standard, before.result(ann.student_id, standard), after.result(ann.student_id, standard))
        for standard in before.tree.preorder()
        if is_shown_change(
            before.result(ann.student_id, standard), after.result(ann.student_id, standard)
        )
    ]
    assert [(lv.standard_id, lv.before, lv.after) for lv in ann.levels] == expected
    assert {standard for standard, _, _ in expected} >= {ids["S1"]}
    assert (ann.before, ann.after) == (
        before.summaries[ann.student_id],
        after.summaries[ann.student_id],
    )
    # Evidence of another course, or none at all: nothing to preview.
    assert preview_evidence_change(make_course(), changes).students == ()
    assert preview_evidence_change(course, {}).students == ()
