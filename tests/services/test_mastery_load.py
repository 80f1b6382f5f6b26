"""The fast whole-course path (database order, driver rows, points only) changes no result."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from lti_tool.extensions import db
from lti_tool.mastery import compute_course
from lti_tool.models import CourseStandard, CurrentLevel, Evidence
from lti_tool.services import course_settings, mastery

from .conftest import standard_ids

START = datetime(2025, 9, 1, 9, 0, tzinfo=UTC)


def add(course, student, standard, points, scale_id, when, **fields) -> Evidence:
    row = Evidence(
        course_id=course.id,
        student_id=student,
        standard_id=standard,
        points=points,
        scale_id=scale_id,
        demonstrated_at=when,
        source="teacher",
        **fields,
    )
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def messy(make_course, make_framework, make_student):
    """A course on Canvas's scale whose evidence has every awkward case, entered out of order.

    Non-score levels, exempt and superseded rows, points given on another scale, instants a
    microsecond apart and shared instants (ties go to the entry id).
    """
    course = make_course()
    make_framework(course, {"D1": ["S1", "S2"], "D2": ["S3", "S4"]})
    presets = course_settings.ensure_presets(course.platform)
    canvas, four = presets["canvas_default"].id, presets["four_level"].id
    course_settings.change_scale(course, presets["canvas_default"])
    students = [make_student(course).id for _ in range(8)]
    ids = standard_ids(course)
    rng = random.Random(11)
    instants = [START + timedelta(days=d % 5, microseconds=d // 5) for d in range(15)]
    entries = [
        (student, ids[code], rng.choice(instants))
        for student in students
        for code in ("S1", "S2", "S3", "S4", "D1")
        for _ in range(rng.randint(0, 5))
    ]
    rng.shuffle(entries)
    for student, standard, when in entries:
        other = rng.random() < 0.15
        row = add(
            course,
            student,
            standard,
            float(rng.randint(1, 4) if other else rng.randint(0, 4)),
            four if other else canvas,
            when,
            is_exempt=rng.random() < 0.1,
        )
        if rng.random() < 0.1:  # corrected: the old row is superseded by a new one
            new = add(course, student, standard, float(rng.randint(0, 4)), canvas, when)
            row.superseded_by_id = new.id
    db.session.flush()
    return course


def reference(course):
    """Every cell's result the slow way: dated Scores, sorted in Python by the domain."""
    row = course_settings.settings_for(course)
    settings = course_settings.mastery_settings(course, row)
    scores = mastery.load_scores(course, row.scale_id, settings.scale)
    adopted = set(standard_ids(course).values())
    return compute_course({c: s for c, s in scores.items() if c[1] in adopted}, settings)


@pytest.mark.parametrize(
    "method",
    [
        {"method": "most_recent"},
        {"method": "mean", "min_evidence": 2},
        {"method": "decaying_average", "params": {"w": 0.7}},
        {"method": "standard_decaying_average"},
        {"method": "n_mastery", "params": {"n": 2}},
        {"method": "power_law"},
        {"method": "mode"},
    ],
)
def test_course_results_equal_the_score_by_score_reference(messy, method):
    course_settings.change_settings(messy, **{"params": {}, "min_evidence": 1, **method})
    fast = mastery.compute_course_mastery(messy)
    assert fast.cells == reference(messy)
    assert len(fast.cells) > 30
    mastery.recompute_course(messy)
    assert mastery.stored_levels(messy) == fast.cells


def test_points_counted_from_scores_equal_the_points_read(messy):
    """A profile reads a student's scores once and counts their points (counting_points);
    the whole-course path reads the points themselves (load_points): the same cells."""
    row = course_settings.settings_for(messy)
    scale = course_settings.mastery_settings(messy, row).scale
    adopted = set(standard_ids(messy).values()) - {standard_ids(messy)["S4"]}
    students = db.session.scalars(select(Evidence.student_id).distinct()).all()
    for among in [None, *([student] for student in students)]:
        read = mastery.load_points(messy, row.scale_id, scale, student_ids=among, keep=adopted)
        scores = mastery.load_scores(messy, row.scale_id, scale, student_ids=among)
        assert mastery.counting_points(scores, scale, adopted) == read
    whole = mastery.load_points(messy, row.scale_id, scale, keep=adopted)
    assert len(whole) > 20 and any(not points for points in whole.values())  # all exempt


def test_ties_and_microseconds_order_like_the_domain(make_course, make_framework, make_student):
    course = make_course()
    make_framework(course)
    student = make_student(course).id
    s1 = standard_ids(course)["S1"]
    scale = course_settings.settings_for(course).scale_id
    add(course, student, s1, 4.0, scale, START + timedelta(microseconds=1))
    add(course, student, s1, 1.0, scale, START)
    add(course, student, s1, 2.0, scale, START + timedelta(microseconds=1))  # a tie: entry id
    course_settings.change_settings(course, method="standard_decaying_average")
    # Oldest first is 1, 4, 2: v = 1, then 0.65*4 + 0.35*1 = 2.95, then 0.65*2 + 0.35*2.95.
    # By entry id alone (a lost microsecond) it would be 4, 1, 2 and end at 2.0175.
    result = mastery.compute_course_mastery(course).cells[(student, s1)]
    assert result.points == pytest.approx(2.3325)


def test_recompute_writes_only_what_differs(messy):
    assert mastery.recompute_course(messy) > 30
    before = {r.id: (r.student_id, r.standard_id, r.points, r.updated_at) for r in _levels()}
    assert mastery.recompute_course(messy) == len(before)
    assert {r.id: (r.student_id, r.standard_id, r.points, r.updated_at) for r in _levels()} == (
        before
    )
    course_settings.change_settings(messy, method="highest")
    mastery.recompute_course(messy)
    after = {r.id: r for r in _levels()}
    assert set(after) == set(before)  # changed in place, nothing re-inserted
    moved = [i for i in before if after[i].points != before[i][2]]
    assert moved and all(after[i].updated_at > before[i][3] for i in moved)
    kept = [i for i in before if after[i].points == before[i][2]]
    assert all(after[i].updated_at == before[i][3] for i in kept)


def test_recompute_inserts_new_cells_and_deletes_dropped_ones(messy):
    mastery.recompute_course(messy)
    ids = standard_ids(messy)
    db.session.execute(
        delete(CourseStandard).where(
            CourseStandard.course_id == messy.id, CourseStandard.standard_id == ids["S4"]
        )
    )
    student = db.session.scalar(select(Evidence.student_id).where(Evidence.course_id == messy.id))
    scale = course_settings.settings_for(messy).scale_id
    add(messy, student, ids["D2"], 3.0, scale, START + timedelta(days=30))
    count = mastery.recompute_course(messy)
    stored = {(r.student_id, r.standard_id) for r in _levels()}
    assert len(stored) == count and not any(standard == ids["S4"] for _, standard in stored)
    assert (student, ids["D2"]) in stored
    assert stored == set(mastery.compute_course_mastery(messy).cells)


def test_levels_the_session_holds_are_reloaded_after_a_recompute(messy):
    mastery.recompute_course(messy)
    held = _levels()  # loaded into the session's identity map
    course_settings.change_settings(messy, method="highest")
    mastery.recompute_course(messy)
    fresh = mastery.compute_course_mastery(messy).cells
    assert all(
        level.points == fresh[(level.student_id, level.standard_id)].points for level in held
    )


def _levels() -> list[CurrentLevel]:
    return list(db.session.scalars(select(CurrentLevel).order_by(CurrentLevel.id)))
