"""Scales: presets, validation and level lookup."""

from __future__ import annotations

import pytest

from lti_tool.mastery import DEFAULT_SCALE, PRESETS, Level, MasteryError, Scale
from lti_tool.mastery.presets import CANVAS_DEFAULT, FOUR_LEVEL, MARZANO, TWO_LEVEL, imported_scale


def _level(label: str, points: float, is_mastery: bool = False, **kw: object) -> Level:
    return Level(label, points, kw.pop("colour", "#123456"), "", is_mastery, **kw)  # type: ignore[arg-type]


def test_four_level_is_the_default() -> None:
    assert DEFAULT_SCALE is PRESETS["four_level"]


@pytest.mark.parametrize(
    ("scale", "labels", "threshold", "low", "high"),
    [
        (FOUR_LEVEL, ["Beginning", "Developing", "Proficient", "Advanced"], 3, 1, 4),
        (
            CANVAS_DEFAULT,
            ["No Evidence", "Below Mastery", "Near Mastery", "Mastery", "Exceeds Mastery"],
            3,
            1,
            4,
        ),
        (MARZANO, [level.label for level in MARZANO.levels], 3, 0, 4),
        (TWO_LEVEL, ["Not yet", "Mastered"], 1, 0, 1),
    ],
)
def test_presets(
    scale: Scale, labels: list[str], threshold: float, low: float, high: float
) -> None:
    assert [level.label for level in scale.levels] == labels
    assert scale.mastery_threshold == threshold
    assert (scale.min_points, scale.max_points) == (low, high)
    assert len({level.colour for level in scale.levels}) == len(scale.levels)
    assert PRESETS[scale.key] is scale


def test_marzano_has_half_point_steps_with_mastery_from_three() -> None:
    assert [level.points for level in MARZANO.levels] == [x / 2 for x in range(9)]
    assert [level.points for level in MARZANO.levels if level.is_mastery] == [3, 3.5, 4]


def test_canvas_no_evidence_is_not_a_score() -> None:
    no_evidence = CANVAS_DEFAULT.level_named("no evidence")
    assert not no_evidence.counts_as_score
    assert CANVAS_DEFAULT.non_score_points == {0.0}
    assert no_evidence not in CANVAS_DEFAULT.scoring_levels


@pytest.mark.parametrize(
    ("scale", "points", "label"),
    [
        (FOUR_LEVEL, 1, "Beginning"),
        (FOUR_LEVEL, 1.99, "Beginning"),
        (FOUR_LEVEL, 2, "Developing"),
        (FOUR_LEVEL, 2.999, "Developing"),
        (FOUR_LEVEL, 0.65 * 3 + 0.35 * 3, "Proficient"),  # float noise below 3.0
        (FOUR_LEVEL, 3.5, "Proficient"),
        (FOUR_LEVEL, 4, "Advanced"),
        (FOUR_LEVEL, 9, "Advanced"),
        (FOUR_LEVEL, -2, "Beginning"),
        (CANVAS_DEFAULT, 0, "Below Mastery"),  # never the No Evidence level
        (CANVAS_DEFAULT, 3.2, "Mastery"),
        (MARZANO, 2.75, "Partial target"),
        (MARZANO, 0.25, "No understanding"),
        (TWO_LEVEL, 0.99, "Not yet"),
        (TWO_LEVEL, 1, "Mastered"),
    ],
)
def test_level_for(scale: Scale, points: float, label: str) -> None:
    assert scale.level_for(points).label == label


@pytest.mark.parametrize(
    ("scale", "points", "expected"),
    [
        (FOUR_LEVEL, 2.99, False),
        (FOUR_LEVEL, 3, True),
        (FOUR_LEVEL, 4, True),
        (TWO_LEVEL, 0, False),
    ],
)
def test_is_mastery(scale: Scale, points: float, expected: bool) -> None:
    assert scale.is_mastery(points) is expected


def test_levels_are_sorted_whatever_order_given() -> None:
    scale = Scale("s", "S", (_level("High", 2, True, colour="#000000"), _level("Low", 1)))
    assert [level.label for level in scale.levels] == ["Low", "High"]


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        ((_level("Only", 1, True),), "at least 2 scoring levels"),
        ((_level("A", 1), _level("B", 1, True)), "same points"),
        ((_level("A", 1), _level("a", 2, True)), "same label"),
        ((_level("A", 1), _level("B", 2)), "at least one mastery level"),
        ((_level("A", 1, True), _level("B", 2, True)), "below mastery"),
        ((_level("A", 1), _level("B", 2, True), _level("C", 3)), "top levels"),
        ((_level("A", 1), _level("B", 2, True, colour="red")), "hex colour"),
        ((_level("", 1), _level("B", 2, True)), "without a label"),
        (
            (_level("A", 0, True, counts_as_score=False), _level("B", 1), _level("C", 2, True)),
            "score",
        ),
        ((_level("N", 0, counts_as_score=False), _level("B", 2, True)), "at least 2 scoring"),
    ],
)
def test_invalid_scales_are_refused(levels: tuple[Level, ...], message: str) -> None:
    with pytest.raises(MasteryError, match=message):
        Scale("custom", "Custom", levels)


def test_level_named_unknown_raises() -> None:
    with pytest.raises(MasteryError, match="no level named"):
        FOUR_LEVEL.level_named("Expert")


def test_imported_scale_colours_and_the_no_evidence_label() -> None:
    scale = imported_scale(
        "f",
        "File",
        [("Exceeds", 4, True), ("Meets", 3, True), ("Below", 1, False), ("No  evidence", 0, False)],
    )
    assert [level.label for level in scale.levels] == ["No  evidence", "Below", "Meets", "Exceeds"]
    assert scale.non_score_points == {0.0} and scale.min_points == 1.0
    assert scale.mastery_threshold == 3.0
    assert len({level.colour for level in scale.levels}) == 4  # label shown too: never colour only


@pytest.mark.parametrize(
    "levels",
    [
        [("Top", 3, False), ("Mid", 2, False), ("Low", 1, False)],  # no mastery point given
        [("Only", 1, True)],
        [("A", 2, True), ("a", 1, False)],
    ],
)
def test_imported_scale_refuses_unusable_levels(levels) -> None:
    with pytest.raises(MasteryError):
        imported_scale("f", "File", levels)
