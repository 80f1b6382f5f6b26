"""Calculation methods: truth tables, docstring examples, statuses and errors."""

from __future__ import annotations

import doctest
import inspect
from datetime import UTC, datetime

import pytest

from lti_tool.mastery import METHODS, MasteryError, Score, Status, compute, compute_many
from lti_tool.mastery import methods as methods_module
from lti_tool.mastery.presets import CANVAS_DEFAULT, FOUR_LEVEL, MARZANO, TWO_LEVEL
from lti_tool.mastery.scales import Scale
from tests.mastery.factories import scores_from

TABLE: list[tuple[str, dict[str, float], list[float], float]] = [
    # method, params, points oldest first, expected points
    ("most_recent", {}, [4], 4),
    ("most_recent", {}, [1, 4, 2], 2),
    ("most_recent", {}, [4, 1], 1),
    ("most_recent", {}, [2, 2, 3], 3),
    ("most_recent", {}, [3, 1, 1, 1], 1),
    ("most_recent", {}, [1, 2, 3, 4], 4),
    ("most_recent", {}, [4, 3, 2, 1], 1),
    ("most_recent", {}, [2.5], 2.5),
    ("highest", {}, [1], 1),
    ("highest", {}, [1, 3, 2], 3),
    ("highest", {}, [4, 1], 4),
    ("highest", {}, [2, 2], 2),
    ("highest", {}, [1, 2, 3, 4], 4),
    ("highest", {}, [4, 3, 2, 1], 4),
    ("highest", {}, [3, 3, 1], 3),
    ("highest", {}, [2, 1], 2),
    ("mean", {}, [1], 1),
    ("mean", {}, [1, 3], 2),
    ("mean", {}, [1, 2, 4, 3], 2.5),
    ("mean", {}, [4, 4, 4], 4),
    ("mean", {}, [1, 1, 4], 2),
    ("mean", {}, [2, 3], 2.5),
    ("mean", {}, [3, 4], 3.5),
    ("mean", {}, [1, 2, 3, 4, 4, 4], 3),
    ("mean_last_n", {}, [1], 1),
    ("mean_last_n", {}, [1, 3], 2),
    ("mean_last_n", {}, [1, 2, 4, 3], 3.5),
    ("mean_last_n", {}, [4, 1, 1], 1),
    ("mean_last_n", {}, [1, 4, 4], 4),
    ("mean_last_n", {"n": 3}, [1, 2, 3, 4], 3),
    ("mean_last_n", {"n": 1}, [4, 2], 2),
    ("mean_last_n", {"n": 5}, [1, 2, 3], 2),
    ("mean_top_n", {}, [1], 1),
    ("mean_top_n", {}, [1, 2, 3, 4], 3),
    ("mean_top_n", {}, [4, 4, 1, 1], 3),
    ("mean_top_n", {}, [2, 1], 1.5),
    ("mean_top_n", {}, [3, 3, 3, 1], 3),
    ("mean_top_n", {"n": 1}, [1, 4, 2], 4),
    ("mean_top_n", {"n": 2}, [1, 4, 2, 3], 3.5),
    ("mean_top_n", {"n": 5}, [1, 2], 1.5),
    ("standard_decaying_average", {}, [3], 3),
    ("standard_decaying_average", {}, [1, 2, 4], 3.1775),
    ("standard_decaying_average", {}, [2, 3], 2.65),
    ("standard_decaying_average", {}, [4, 1], 2.05),
    ("standard_decaying_average", {}, [3, 3, 3], 3),
    ("standard_decaying_average", {"w": 1}, [1, 4, 2], 2),
    ("standard_decaying_average", {"w": 0.5}, [1, 3], 2),
    ("standard_decaying_average", {"w": 0.5}, [4, 2, 2], 2.5),
    ("decaying_average", {}, [3], 3),
    ("decaying_average", {}, [1, 2, 4], 3.125),
    ("decaying_average", {}, [2, 3], 2.65),
    ("decaying_average", {}, [4, 1], 2.05),
    ("decaying_average", {}, [1, 1, 4], 2.95),
    ("decaying_average", {"w": 1}, [1, 4, 2], 2),
    ("decaying_average", {"w": 0.5}, [1, 3, 4], 3),
    ("decaying_average", {}, [2, 2, 2, 2], 2),
    ("n_mastery", {}, [3, 4, 2, 3], 10 / 3),
    ("n_mastery", {}, [2, 3, 4], 2),  # two at mastery: latest 4 capped at Developing
    ("n_mastery", {}, [4], 2),
    ("n_mastery", {}, [1], 1),
    ("n_mastery", {}, [3, 3, 3], 3),
    ("n_mastery", {}, [4, 4, 4, 1], 4),  # mastered: mean of the mastery scores
    ("n_mastery", {}, [4, 4, 1], 1),
    ("n_mastery", {"n": 1}, [3], 3),
    ("n_mastery", {"n": 1}, [1, 4], 4),
    ("n_mastery", {"n": 2}, [3, 1, 3], 3),
    ("n_mastery", {"n": 2}, [1, 3], 2),
    ("power_law", {}, [3], 3),
    ("power_law", {}, [1, 2], 2),  # fewer than 3: most recent
    ("power_law", {}, [1, 2, 3], 3),
    ("power_law", {}, [1, 2, 2, 3], 2.865619),
    ("power_law", {}, [2, 2, 2], 2),
    ("power_law", {}, [4, 3, 3, 2], 2.255661),
    ("power_law", {}, [1, 1, 4, 4], 3.939401),
    ("power_law", {}, [1, 2, 4], 3.712312),
    ("power_law", {}, [1, 3, 2, 4, 4], 4),  # clamped to the scale
    ("mode", {}, [2], 2),
    ("mode", {}, [2, 2, 3], 2),
    ("mode", {}, [2, 3, 2, 3], 3),
    ("mode", {}, [3, 2, 3, 2], 2),
    ("mode", {}, [1, 2, 3], 3),
    ("mode", {}, [4, 4, 1, 1, 1], 1),
    ("mode", {}, [2, 3, 3, 2, 1], 2),
    ("mode", {}, [1, 1], 1),
]


@pytest.mark.parametrize(("method", "params", "points", "expected"), TABLE)
def test_truth_table(
    method: str, params: dict[str, float], points: list[float], expected: float
) -> None:
    result = compute(method, scores_from(points), FOUR_LEVEL, params=params)
    assert result.status is Status.ASSESSED
    assert result.points == pytest.approx(expected, abs=1e-6)
    assert result.level == FOUR_LEVEL.level_for(expected)
    assert result.evidence_count == len(points)


def test_every_method_has_a_truth_table() -> None:
    assert {row[0] for row in TABLE} == set(METHODS)


@pytest.mark.parametrize(
    ("scale", "points", "expected"),
    [
        (MARZANO, [2, 0, 3], 3),  # a zero score: most recent
        (MARZANO, [0.5, 1, 1.5], 1.5),
        (TWO_LEVEL, [0, 1, 1], 1),
        (CANVAS_DEFAULT, [1, 0, 2, 2, 3], 2.8656),  # No Evidence dropped, not a zero
    ],
)
def test_power_law_on_other_scales(scale: Scale, points: list[float], expected: float) -> None:
    assert compute("power_law", scores_from(points), scale).points == pytest.approx(
        expected, abs=1e-3
    )


def test_docstring_examples_hold_literally() -> None:
    outcome = doctest.testmod(
        methods_module, extraglobs={"FOUR_LEVEL": FOUR_LEVEL, "MARZANO": MARZANO}, report=False
    )
    assert outcome.failed == 0
    assert outcome.attempted >= len(METHODS)


@pytest.mark.parametrize("name", list(METHODS))
def test_every_method_documents_formula_and_example(name: str) -> None:
    doc = inspect.getdoc(METHODS[name].function) or ""
    assert "Formula:" in doc
    assert ">>> " in doc


DAY = datetime(2025, 9, 1, tzinfo=UTC)


@pytest.mark.parametrize("method", list(METHODS))
@pytest.mark.parametrize(
    ("scale", "scores", "min_evidence", "status", "count"),
    [
        (FOUR_LEVEL, [], 1, Status.NOT_ASSESSED, 0),
        (FOUR_LEVEL, [Score(3, DAY, 1, is_exempt=True)], 1, Status.NOT_ASSESSED, 0),
        (CANVAS_DEFAULT, [Score(0, DAY, 1), Score(0, DAY, 2)], 1, Status.NOT_ASSESSED, 0),
        (FOUR_LEVEL, [Score(3, DAY, 1)], 2, Status.INSUFFICIENT, 1),
        (CANVAS_DEFAULT, [Score(0, DAY, 1), Score(3, DAY, 2)], 2, Status.INSUFFICIENT, 1),
        (FOUR_LEVEL, [Score(3, DAY, 1), Score(2, DAY, 2)], 2, Status.ASSESSED, 2),
    ],
)
def test_statuses(
    method: str, scale: Scale, scores: list[Score], min_evidence: int, status: Status, count: int
) -> None:
    result = compute(method, scores, scale, min_evidence=min_evidence)
    assert (result.status, result.evidence_count) == (status, count)
    if status is not Status.ASSESSED:
        assert (result.points, result.level) == (None, None)


@pytest.mark.parametrize("method", list(METHODS))
def test_single_score_gives_that_score_except_capped_n_mastery(method: str) -> None:
    expected = 2 if method == "n_mastery" else 3
    assert compute(method, [Score(3, DAY, 1)], FOUR_LEVEL).points == expected


@pytest.mark.parametrize(
    ("method", "expected"),
    [("most_recent", 1), ("mode", 1), ("mean", 2.5), ("decaying_average", 0.65 + 0.35 * 4)],
)
def test_equal_dates_are_ordered_by_entry_id(method: str, expected: float) -> None:
    scores = [Score(1, DAY, 7), Score(4, DAY, 3)]
    assert compute(method, scores, FOUR_LEVEL).points == pytest.approx(expected)


def test_no_evidence_level_never_enters_a_calculation() -> None:
    with_no_evidence = scores_from([3, 0, 4, 0])
    assert compute("mean", with_no_evidence, CANVAS_DEFAULT).points == 3.5
    assert compute("most_recent", with_no_evidence, CANVAS_DEFAULT).points == 4


@pytest.mark.parametrize(
    ("method", "params", "message"),
    [
        ("median", None, "Unknown calculation method 'median'; choose one of: most_recent"),
        ("mean_last_n", {"n": 0}, "'n' of method 'mean_last_n' must be an integer from 1 to 50"),
        ("mean_last_n", {"n": 2.5}, "must be an integer"),
        ("mean_last_n", {"n": True}, "must be an integer"),
        ("mean_last_n", {"n": "2"}, "must be an integer"),
        ("decaying_average", {"w": 1.5}, "'w' of method 'decaying_average' must be a number"),
        ("decaying_average", {"w": float("nan")}, "must be a number"),
        ("n_mastery", {"n": 11}, "from 1 to 10"),
        ("n_mastery", {"n": 10**400}, "from 1 to 10"),
        ("mean", {"n": 2}, "Method 'mean' has no parameter 'n'; it takes: no parameters"),
        ("mean_top_n", {"k": 2}, "has no parameter 'k'; it takes: n"),
    ],
)
def test_bad_method_or_parameter_raises(method: str, params: dict | None, message: str) -> None:
    with pytest.raises(MasteryError, match=message.replace("(", r"\(")):
        compute(method, scores_from([3]), FOUR_LEVEL, params=params)


@pytest.mark.parametrize("min_evidence", [0, -1, 2.0, True, 101])
def test_bad_min_evidence_raises(min_evidence: object) -> None:
    with pytest.raises(MasteryError, match="Minimum evidence"):
        compute("mean", [], FOUR_LEVEL, min_evidence=min_evidence)  # type: ignore[arg-type]


def test_integral_float_parameter_is_accepted() -> None:
    assert compute("mean_last_n", scores_from([1, 2, 4]), FOUR_LEVEL, params={"n": 2.0}).points == 3


def test_compute_many_matches_compute_for_each_cell() -> None:
    cells = {
        ("ann", "s1"): scores_from([1, 2, 4]),
        ("ann", "s2"): [],
        ("bob", "s1"): scores_from([1, 2, 4]),
        ("bob", "s2"): scores_from([3], exempt={0}),
        ("cy", "s1"): scores_from([4, 1]),
    }
    many = compute_many(cells, FOUR_LEVEL, "decaying_average", params={"w": 0.5})
    assert many == {
        key: compute("decaying_average", scores, FOUR_LEVEL, params={"w": 0.5})
        for key, scores in cells.items()
    }
    assert many[("ann", "s1")].points == pytest.approx(2.75)
