"""An imported framework keeps its ratings and methods; adopting offers them, never forces."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from lti_tool.errors import ImportRejected, MasteryRejected, PermissionDenied
from lti_tool.extensions import db
from lti_tool.importers import parse_any
from lti_tool.mastery import Calculation, Level
from lti_tool.mastery.framework import CalculationDraft
from lti_tool.models import Evidence, Framework, Scale, Standard, StandardOverride
from lti_tool.services import (
    course_settings,
    evidence,
    framework_rules,
    frameworks,
    mastery,
    overrides,
)
from tests.importers.conftest import STANDARDS

from .conftest import standard_ids

WWCC = STANDARDS / "canvas/wwcc-javascript-beginner-outcomes_import.csv"
OUTCOMES_1 = STANDARDS / "canvas/test_outcomes_1.csv"
HEADER = (
    "vendor_guid,object_type,title,description,display_name,calculation_method,"
    "calculation_int,workflow_state,parent_guids,mastery_points,ratings,,,,,,,,\n"
)
RATINGS = "4,Exceeds,3,Meets,2,Approaching,1,Beginning"
# Two departments: ELA's outcomes take the highest; MATH is the file's usual n_mastery 2,
# and M2 says its own: latest.
HAND_MADE = HEADER + (
    "ELA,group,ELA,,,,,active,,,\n"
    "MATH,group,Math,,,,,active,,,\n"
    f"E1,outcome,Essays,,E1,highest,,active,ELA,3,{RATINGS}\n"
    f"M1,outcome,Algebra,,M1,n_mastery,2,active,MATH,3,{RATINGS}\n"
    f"M2,outcome,Geometry,,M2,latest,,active,MATH,3,{RATINGS}\n"
    f"M3,outcome,Number,,M3,n_mastery,2,active,MATH,3,{RATINGS}\n"
)


def saved(data, make_platform, course=None, name="file.csv"):
    platform = course.platform if course else make_platform()
    framework = frameworks.save_framework(parse_any(data, filename=name), platform=platform)
    if course is not None:
        frameworks.adopt(course, framework)
    db.session.flush()
    return framework


def override_rows(course) -> dict[str, tuple]:
    rows = db.session.execute(
        select(Standard.key, StandardOverride.method, StandardOverride.params)
        .join(Standard, Standard.id == StandardOverride.standard_id)
        .where(StandardOverride.course_id == course.id)
    )
    return {code: (method, params) for code, method, params in rows}


def test_real_canvas_file_keeps_its_five_level_scale(make_platform):
    framework = saved(WWCC.read_bytes(), make_platform, name=WWCC.name)
    assert framework.ratings == [
        ["Excelling", 5.0, True],
        ["Achieving", 4.0, True],
        ["Developing", 3.0, False],
        ["Beginning", 2.0, False],
        ["No Evidence", 0.0, False],
    ]
    scale = db.session.get(Scale, framework.scale_id)
    levels = [(lv.label, lv.points, lv.is_mastery, lv.counts_as_score) for lv in scale.levels]
    # Mastery from mastery_points 4; "No Evidence" is kept as a label but is not a score.
    assert levels == [
        ("No Evidence", 0.0, False, False),
        ("Beginning", 2.0, False, True),
        ("Developing", 3.0, False, True),
        ("Achieving", 4.0, True, True),
        ("Excelling", 5.0, True, True),
    ]
    assert scale.course_id is None and scale.platform_id == framework.platform_id
    assert framework.method is None  # the file leaves the method to the course


def test_real_canvas_file_method_becomes_a_branch_override(make_course):
    course = make_course()
    framework = saved(OUTCOMES_1.read_bytes(), None, course=course)
    # decaying_average 40 -> Canvas's weighted average, latest weight 0.4.
    assert (framework.method, framework.params) == ("decaying_average", {"w": 0.4})
    # Ratings 3/2/1 with no mastery_points: kept, but not a usable course scale.
    assert framework.ratings == [
        ["Betterest", 3.0, False],
        ["Better", 2.0, False],
        ["Good", 1.0, False],
    ]
    assert framework.scale_id is None
    assert "needs at least one mastery level" in framework_rules.why_not_a_scale(framework)
    # One override, on the root group 'a'; outcome 'c' (under a and b) takes it.
    assert override_rows(course) == {"a": ("decaying_average", {"w": 0.4})}
    ids = {s.key: s.id for s in frameworks.course_tree(course).standards.values()}
    settings = course_settings.mastery_settings(course)
    assert settings.calculation_for(ids["c"]) == Calculation("decaying_average", {"w": 0.4})
    with pytest.raises(MasteryRejected, match="no level is mastery"):
        course_settings.use_framework_scale(course, framework)


def test_hand_made_file_per_outcome_methods(make_course):
    course = make_course()
    framework = saved(HAND_MADE, None, course=course)
    assert (framework.method, framework.params) == ("n_mastery", {"n": 2})
    own = dict(
        db.session.execute(
            select(Standard.code, Standard.method).where(
                Standard.framework_id == framework.id, Standard.method.is_not(None)
            )
        ).all()
    )
    assert own == {"E1": "highest", "M2": "most_recent"}
    # The framework's method on each root group; the outcomes' own on themselves.
    assert override_rows(course) == {
        "ELA": ("n_mastery", {"n": 2}),
        "MATH": ("n_mastery", {"n": 2}),
        "E1": ("highest", {}),
        "M2": ("most_recent", {}),
    }
    ids = standard_ids(course)
    settings = course_settings.mastery_settings(course)
    assert settings.calculation_for(ids["E1"]) == Calculation("highest")
    assert settings.calculation_for(ids["M1"]) == Calculation("n_mastery", {"n": 2})
    assert settings.calculation_for(ids["M3"]) == Calculation("n_mastery", {"n": 2})
    assert settings.calculation_for(ids["M2"]) == Calculation("most_recent")


def test_adopting_never_replaces_the_course_scale_or_its_own_overrides(make_course, make_student):
    course = make_course()
    before = course_settings.settings_for(course).scale
    first = saved(HAND_MADE, None, course=course)
    assert course_settings.settings_for(course).scale.id == before.id
    ids = standard_ids(course)
    overrides.set_override(course, ids["M1"], "mean")
    # The same file adopted again (say into the library and then this course): M1 keeps the
    # teacher's override, and nothing is duplicated.
    again = frameworks.save_framework(parse_any(HAND_MADE), platform=course.platform)
    frameworks.adopt(course, again)
    m1 = db.session.scalars(
        select(StandardOverride.method).where(
            StandardOverride.course_id == course.id, StandardOverride.standard_id == ids["M1"]
        )
    ).one()
    assert m1 == "mean"
    assert first.scale_id is not None and again.scale_id not in (None, first.scale_id)


def test_switching_to_the_framework_scale_keeps_evidence_as_given(make_course, make_student):
    course = make_course()
    framework = saved(WWCC.read_bytes(), None, course=course, name=WWCC.name)
    ids = {s.key: s.id for s in frameworks.course_tree(course).standards.values()}
    student = make_student(course)
    given = evidence.record_evidence(
        course,
        student,
        ids["14440177-01-CODE"],
        3.0,  # Proficient on the course's 4-level scale
        actor=None,
        source="teacher",
        demonstrated_at=datetime(2025, 9, 1, tzinfo=UTC),
    )
    old_scale = given.scale_id
    course_settings.use_framework_scale(course, framework)
    mastery.recompute_course(course)
    row = db.session.get(Evidence, given.id)
    assert (row.points, row.scale_id) == (3.0, old_scale)  # history never rewritten
    result = mastery.compute_course_mastery(course).cells[(student.id, ids["14440177-01-CODE"])]
    # 3 of 1..4 is two thirds up the scoring range; on Beginning 2..Excelling 5 that is 4.
    assert result.points == pytest.approx(4.0) and result.level.label == "Achieving"


def test_an_unusable_method_rejects_the_whole_draft(make_platform):
    edge = HEADER + f"X,outcome,X,,X,standard_decaying_average,50,active,,3,{RATINGS}\n"
    platform = make_platform()
    framework = frameworks.save_framework(parse_any(edge), platform=platform)
    assert (framework.method, framework.params) == ("standard_decaying_average", {"w": 0.5})
    bad = replace(parse_any(edge), calculation=CalculationDraft("vibes"))
    with pytest.raises(ImportRejected, match="vibes"):
        frameworks.save_framework(bad, platform=platform)


def test_cli_keeps_ratings_and_switches_only_when_asked(runner, make_course):
    course = make_course(context_id="js101")
    db.session.commit()
    args = ["framework", "import", str(WWCC), "--platform", course.platform.issuer]
    args += ["--course", "js101"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Ratings kept as a scale of 5 levels" in result.stdout
    assert "keeps its own (use --use-scale to switch)" in result.stdout
    assert course_settings.settings_for(course).scale.key == "four_level"
    result = runner.invoke(args=[*args, "--use-scale"])
    assert result.exit_code == 0, result.output
    assert "now uses it" in result.stdout
    db.session.expire_all()
    newest = db.session.scalars(select(Framework).order_by(Framework.id.desc())).first()
    assert course_settings.settings_for(course).scale_id == newest.scale_id


def test_a_course_defines_its_own_scale(make_course):
    course, other = make_course(), make_course()
    levels = [
        Level("Not yet", 1.0, "#B35806", "", False),
        Level("Almost", 2.0, "#F1A340", "", False),
        Level("Got it", 3.0, "#542788", "", True),
    ]
    scale = course_settings.define_scale(course, "ours", "Our scale", levels)
    assert [lv.label for lv in scale.levels] == ["Not yet", "Almost", "Got it"]
    course_settings.change_scale(course, scale)
    assert course_settings.mastery_settings(course).scale.mastery_threshold == 3.0
    with pytest.raises(MasteryRejected, match="already exists"):
        course_settings.define_scale(course, "ours", "Again", levels)
    with pytest.raises(MasteryRejected, match="mastery level"):
        course_settings.define_scale(
            course, "flat", "Flat", [replace(lv, is_mastery=False) for lv in levels]
        )
    with pytest.raises(PermissionDenied):  # another course never sees it
        course_settings.change_scale(other, scale)
