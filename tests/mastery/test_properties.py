"""Hypothesis properties of the calculation methods and the default policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from lti_tool.mastery import (
    METHODS,
    PRESETS,
    ROLLUPS,
    MasteryResult,
    Scale,
    Score,
    Status,
    apply_policy,
    compute,
    compute_many,
    ordered,
)
from lti_tool.mastery.presets import FOUR_LEVEL
from lti_tool.mastery.results import NOT_ASSESSED

PROPERTY = settings(max_examples=200, deadline=None)
START = datetime(2025, 9, 1, tzinfo=UTC)


@st.composite
def histories(draw: st.DrawFn, scale: Scale | None = None) -> tuple[Scale, list[Score]]:
    """A scale (any preset unless given) and scores on it; equal dates are common."""
    scale = scale or draw(st.sampled_from(list(PRESETS.values())))
    count = draw(st.integers(0, 8))
    level_points = [level.points for level in scale.levels]
    on_scale = st.floats(scale.min_points, scale.max_points, allow_nan=False)
    points = draw(
        st.lists(st.sampled_from(level_points) | on_scale, min_size=count, max_size=count)
    )
    days = draw(st.lists(st.integers(0, 4), min_size=count, max_size=count))
    ids = draw(st.permutations(range(1, count + 1)))
    exempt = draw(st.lists(st.booleans(), min_size=count, max_size=count))
    scores = [
        Score(p, START + timedelta(days=d), i, e)
        for p, d, i, e in zip(points, days, ids, exempt, strict=True)
    ]
    return scale, scores


def _counted(scale: Scale, scores: list[Score]) -> list[float]:
    return [score.points for score in ordered(scores, scale)]


@PROPERTY
@given(histories())
def test_highest_is_at_least_every_score(history: tuple[Scale, list[Score]]) -> None:
    scale, scores = history
    result = compute("highest", scores, scale)
    assert all(result.points >= p for p in _counted(scale, scores))  # type: ignore[operator]


@PROPERTY
@given(histories())
def test_mean_lies_between_min_and_max(history: tuple[Scale, list[Score]]) -> None:
    scale, scores = history
    counted = _counted(scale, scores)
    result = compute("mean", scores, scale)
    if counted:
        assert min(counted) - 1e-9 <= result.points <= max(counted) + 1e-9  # type: ignore[operator]


@PROPERTY
@given(histories(), st.sampled_from(list(METHODS)), st.integers(1, 3))
def test_every_result_lies_within_the_scale(
    history: tuple[Scale, list[Score]], method: str, min_evidence: int
) -> None:
    scale, scores = history
    result = compute(method, scores, scale, min_evidence=min_evidence)
    if result.status is Status.ASSESSED:
        assert scale.min_points - 1e-9 <= result.points <= scale.max_points + 1e-9  # type: ignore[operator]
        assert result.level in scale.scoring_levels
    else:
        assert result.points is None and result.level is None


@PROPERTY
@given(histories(), st.randoms(use_true_random=False))
def test_most_recent_follows_date_not_input_order(
    history: tuple[Scale, list[Score]], random: object
) -> None:
    scale, scores = history
    shuffled = list(scores)
    random.shuffle(shuffled)  # type: ignore[attr-defined]
    result = compute("most_recent", scores, scale)
    assert compute("most_recent", shuffled, scale) == result
    counted = [s for s in scores if s.points not in scale.non_score_points and not s.is_exempt]
    if counted:
        latest = max(counted, key=lambda s: (s.demonstrated_at, s.entry_id))
        assert result.points == latest.points


@PROPERTY
@given(histories(), st.sampled_from(list(METHODS)))
def test_every_method_ignores_input_order(history: tuple[Scale, list[Score]], method: str) -> None:
    scale, scores = history
    assert compute(method, scores, scale) == compute(method, scores[::-1], scale)


@PROPERTY
@given(histories())
def test_standard_decaying_average_with_full_weight_is_most_recent(
    history: tuple[Scale, list[Score]],
) -> None:
    scale, scores = history
    decayed = compute("standard_decaying_average", scores, scale, params={"w": 1})
    assert decayed == compute("most_recent", scores, scale)


@PROPERTY
@given(histories(), st.integers(8, 50))
def test_mean_last_n_covering_every_score_is_the_mean(
    history: tuple[Scale, list[Score]], n: int
) -> None:
    scale, scores = history
    assert compute("mean_last_n", scores, scale, params={"n": n}) == compute("mean", scores, scale)


@PROPERTY
@given(histories(), st.sampled_from(list(METHODS)), st.integers(0, 6), st.floats(1, 4))
def test_an_exempt_score_never_changes_a_result(
    history: tuple[Scale, list[Score]], method: str, day: int, points: float
) -> None:
    scale, scores = history
    points = min(max(points, scale.min_points), scale.max_points)
    exempt = Score(points, START + timedelta(days=day), 10_000, is_exempt=True)
    assert compute(method, [*scores, exempt], scale) == compute(method, scores, scale)


def _results(levels: list[float]) -> dict[int, MasteryResult]:
    return {
        i: MasteryResult(Status.ASSESSED, p, FOUR_LEVEL.level_for(p), 1)
        for i, p in enumerate(levels)
    }


@PROPERTY
@given(
    st.lists(st.sampled_from([1.0, 2.0, 3.0, 4.0]), min_size=1, max_size=12),
    st.data(),
)
def test_level_conversion_never_falls_when_a_level_rises(
    levels: list[float], data: st.DataObject
) -> None:
    index = data.draw(st.integers(0, len(levels) - 1))
    raised = list(levels)
    raised[index] = data.draw(
        st.sampled_from([p for p in (1.0, 2.0, 3.0, 4.0) if p >= levels[index]])
    )
    before = apply_policy("level_conversion", _results(levels), FOUR_LEVEL).score
    after = apply_policy("level_conversion", _results(raised), FOUR_LEVEL).score
    assert after >= before  # type: ignore[operator]
    assert 55 <= before <= 100  # type: ignore[operator]


@PROPERTY
@given(
    st.lists(st.sampled_from([1.0, 2.0, 3.0, 4.0]), min_size=1, max_size=8),
    st.sampled_from(
        ["mean_of_children", "minimum_of_children", "all_children_at_mastery", "share_at_mastery"]
    ),
)
def test_unassessed_children_never_change_a_rollup(levels: list[float], method: str) -> None:
    children = list(_results(levels).values())
    rolled = ROLLUPS[method](children, FOUR_LEVEL)
    assert ROLLUPS[method]([*children, NOT_ASSESSED], FOUR_LEVEL) == rolled
    if method in ("mean_of_children", "minimum_of_children"):
        assert min(levels) <= rolled.points <= max(levels)  # type: ignore[operator]


@PROPERTY
@given(st.lists(histories(FOUR_LEVEL), max_size=6), st.sampled_from(list(METHODS)))
def test_compute_many_agrees_with_compute(
    histories_: list[tuple[Scale, list[Score]]], method: str
) -> None:
    cells = {i: scores for i, (_, scores) in enumerate(histories_)}
    many = compute_many(cells, FOUR_LEVEL, method)
    assert many == {i: compute(method, scores, FOUR_LEVEL) for i, scores in cells.items()}
