"""Settings, whole-course computation and what-if comparisons."""

from __future__ import annotations

import pytest

from lti_tool.mastery import (
    Calculation,
    MasteryError,
    MasterySettings,
    Status,
    compute,
    compute_course,
    summarise_course,
)
from lti_tool.mastery.presets import FOUR_LEVEL
from lti_tool.mastery.whatif import describe_changes
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


def test_what_if_sentence_pluralises() -> None:
    assert describe_changes(7, 3) == "7 students' levels change; 3 summary grades change"
    assert describe_changes(1, 1) == "1 student's level changes; 1 summary grade changes"
