"""Settings, whole-course computation and what-if comparisons."""

from __future__ import annotations

import pytest

from lti_tool.mastery import (
    Calculation,
    MasteryError,
    MasterySettings,
    Status,
    compare_settings,
    compute,
    compute_course,
    summarise_course,
)
from lti_tool.mastery.presets import FOUR_LEVEL, TWO_LEVEL
from lti_tool.mastery.whatif import WhatIf
from tests.mastery.factories import scores_from


def test_default_settings() -> None:
    settings = MasterySettings()
    assert settings.scale is FOUR_LEVEL
    assert (settings.method, dict(settings.params), settings.min_evidence) == ("most_recent", {}, 1)
    assert (settings.rollup, settings.policy, settings.maximum) == (
        "mean_of_children",
        "level_conversion",
        100.0,
    )
    assert dict(settings.policy_params["table"]) == {1: 55, 2: 70, 3: 85, 4: 100}


def test_params_are_stored_with_defaults_filled_in() -> None:
    assert dict(MasterySettings(method="n_mastery").params) == {"n": 3}


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "median"}, "Unknown calculation method"),
        ({"method": "mean_last_n", "params": {"n": 0}}, "'n'"),
        ({"min_evidence": 0}, "Minimum evidence"),
        ({"rollup": "max"}, "Unknown roll-up"),
        ({"policy": "raw_average"}, "Unknown grade policy"),
        ({"policy_params": {"table": {1: 2}}}, "two rows"),
        ({"maximum": 0}, "positive"),
        ({"maximum": "100"}, "must be a number"),
        ({"overrides": {"s1": "mean"}}, "not a Calculation"),
    ],
)
def test_invalid_settings_are_refused(kwargs: dict, message: str) -> None:
    with pytest.raises(MasteryError, match=message):
        MasterySettings(**kwargs)


def test_settings_are_hashable_and_compare_by_value() -> None:
    assert MasterySettings(method="mean") == MasterySettings(method="mean")
    assert hash(MasterySettings(method="mean")) == hash(MasterySettings(method="mean"))
    assert MasterySettings(method="n_mastery", params={"n": 2}) != MasterySettings(
        method="n_mastery"
    )


CELLS = {
    ("ann", "s1"): scores_from([1, 4]),
    ("ann", "s2"): scores_from([3]),
    ("bob", "s1"): scores_from([4, 2]),
    ("bob", "s2"): [],
    ("cy", "s1"): scores_from([2, 2]),
    ("cy", "s2"): scores_from([2]),
}


def test_compute_course_honours_per_standard_overrides() -> None:
    settings = MasterySettings(overrides={"s1": Calculation("highest")})
    results = compute_course(CELLS, settings)
    assert results[("bob", "s1")].points == 4  # highest on s1
    assert results[("ann", "s2")].points == 3  # default most recent on s2
    assert results[("bob", "s2")].status is Status.NOT_ASSESSED
    assert settings.calculation_for("s9") == settings.calculation


def test_compute_course_matches_compute() -> None:
    settings = MasterySettings(method="mean", min_evidence=2)
    results = compute_course(CELLS, settings)
    for key, scores in CELLS.items():
        assert results[key] == compute("mean", scores, FOUR_LEVEL, min_evidence=2)


def test_summarise_course_gives_one_grade_per_student() -> None:
    grades = summarise_course(compute_course(CELLS, MasterySettings()), MasterySettings())
    assert grades["ann"].explanation == "Average level 3.5 across 2 assessed standards → 92.5%"
    assert grades["bob"].explanation == "Average level 2 across 1 assessed standard → 70%"
    assert not grades["bob"].is_complete


def test_summarise_course_leaves_out_each_student_s_exempt_standards() -> None:
    grades = summarise_course(
        compute_course(CELLS, MasterySettings()), MasterySettings(), exempt={"ann": {"s2"}}
    )
    assert grades["ann"].score == 100


@pytest.mark.parametrize(
    ("proposed", "levels", "cells", "grades", "summary"),
    [
        (MasterySettings(), 0, 0, 0, "0 students' levels change; 0 summary grades change"),
        # highest: ann s1 4 (was 4), bob s1 4 (was 2): one cell, one student
        (
            MasterySettings(method="highest"),
            1,
            1,
            1,
            "1 student's level changes; 1 summary grade changes",
        ),
        # mean: ann s1 2.5 (was 4), bob s1 3 (was 2)
        (
            MasterySettings(method="mean"),
            2,
            2,
            2,
            "2 students' levels change; 2 summary grades change",
        ),
        # min 2: ann s2 and cy s2 become insufficient; cy's average stays 2
        (
            MasterySettings(min_evidence=2),
            2,
            2,
            1,
            "2 students' levels change; 1 summary grade changes",
        ),
        # policy only: no level changes, every assessed student's grade changes
        (
            MasterySettings(policy="credit_no_credit"),
            0,
            0,
            3,
            "0 students' levels change; 3 summary grades change",
        ),
    ],
)
def test_what_if(
    proposed: MasterySettings, levels: int, cells: int, grades: int, summary: str
) -> None:
    what_if = compare_settings(CELLS, MasterySettings(), proposed)
    assert (what_if.levels_changed, what_if.cells_changed, what_if.grades_changed) == (
        levels,
        cells,
        grades,
    )
    assert what_if.summary == summary
    assert len(what_if.examples) == cells


def test_what_if_examples_show_before_and_after_and_are_capped() -> None:
    what_if = compare_settings(
        CELLS, MasterySettings(), MasterySettings(method="n_mastery"), example_limit=2
    )
    assert len(what_if.examples) == 2
    first = what_if.examples[0]
    assert (first.student, first.standard) == ("ann", "s1")
    assert first.before.level != first.after.level


def test_what_if_refuses_a_scale_change() -> None:
    with pytest.raises(MasteryError, match="same scale"):
        compare_settings(CELLS, MasterySettings(), MasterySettings(scale=TWO_LEVEL))


def test_what_if_sentence_pluralises() -> None:
    assert WhatIf(7, 9, 3, ()).summary == "7 students' levels change; 3 summary grades change"
