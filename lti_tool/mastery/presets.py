"""The scales a course can pick without defining its own."""

from __future__ import annotations

from collections.abc import Iterable
from types import MappingProxyType

from lti_tool.mastery.scales import Level, Scale

# Colours follow the ColorBrewer PuOr ramp (orange below mastery, purple at
# mastery), which stays distinguishable under the common colour-vision
# deficiencies; the label is always shown too, so colour is never the only cue.
FOUR_LEVEL = Scale(
    key="four_level",
    name="Four levels",
    levels=(
        Level("Beginning", 1.0, "#B35806", "Starting to show the skill with help.", False),
        Level("Developing", 2.0, "#F1A340", "Shows parts of the skill, not yet alone.", False),
        Level("Proficient", 3.0, "#998EC3", "Shows the skill independently.", True),
        Level("Advanced", 4.0, "#542788", "Applies the skill in new situations.", True),
    ),
)

CANVAS_DEFAULT = Scale(
    key="canvas_default",
    name="Canvas default",
    levels=(
        Level("No Evidence", 0.0, "#767676", "No evidence yet; not a score.", False, False),
        Level("Below Mastery", 1.0, "#B35806", "Below the expected level.", False),
        Level("Near Mastery", 2.0, "#F1A340", "Close to the expected level.", False),
        Level("Mastery", 3.0, "#998EC3", "At the expected level.", True),
        Level("Exceeds Mastery", 4.0, "#542788", "Beyond the expected level.", True),
    ),
)

MARZANO = Scale(
    key="marzano",
    name="Marzano 0-4",
    levels=(
        Level("No understanding", 0.0, "#7F3B08", "Even with help, no understanding shown.", False),
        Level("Partial with help", 0.5, "#B35806", "With help, partial understanding.", False),
        Level("With help", 1.0, "#E08214", "With help, understands simpler content.", False),
        Level("Partial simpler", 1.5, "#FDB863", "Understands some simpler content.", False),
        Level("Simpler content", 2.0, "#FEE0B6", "Understands simpler content alone.", False),
        Level("Partial target", 2.5, "#D8DAEB", "Simpler content and part of the target.", False),
        Level("Target", 3.0, "#B2ABD2", "Understands the target content.", True),
        Level("Partial beyond", 3.5, "#8073AC", "Target plus part of more complex content.", True),
        Level("Beyond target", 4.0, "#542788", "Goes beyond the target content.", True),
    ),
)

TWO_LEVEL = Scale(
    key="two_level",
    name="Mastered / not yet",
    levels=(
        Level("Not yet", 0.0, "#B35806", "Not yet shown.", False),
        Level("Mastered", 1.0, "#542788", "Shown independently.", True),
    ),
)

DEFAULT_SCALE = FOUR_LEVEL

PRESETS: MappingProxyType[str, Scale] = MappingProxyType(
    {scale.key: scale for scale in (FOUR_LEVEL, CANVAS_DEFAULT, MARZANO, TWO_LEVEL)}
)


# Imported scales get colours from the same ramp: orange below mastery, purple at mastery.
_BELOW = ("#7F3B08", "#B35806", "#E08214", "#FDB863", "#FEE0B6")
_AT = ("#B2ABD2", "#8073AC", "#542788", "#2D004B")
NOT_A_SCORE_COLOUR = "#767676"
# Labels that record an absence, not a score (DESIGN correction 8: Canvas's "No Evidence").
NON_SCORE_LABELS = frozenset({"no evidence", "not assessed", "no evidence yet"})


def imported_scale(key: str, name: str, levels: Iterable[tuple[str, float, bool]]) -> Scale:
    """A scale from a file's (label, points, is mastery) levels, coloured and validated.

    A level labelled "No Evidence" (or alike) is kept as a label that is not a score.
    Raises MasteryError when the levels do not make a usable scale (e.g. no mastery level).
    """
    ordered = sorted(levels, key=lambda level: level[1])
    non_score = {i for i, (label, _, _) in enumerate(ordered) if _is_absence(label)}
    below = [i for i, (_, _, mastery) in enumerate(ordered) if not mastery and i not in non_score]
    above = [i for i, (_, _, mastery) in enumerate(ordered) if mastery and i not in non_score]
    colours = {i: NOT_A_SCORE_COLOUR for i in non_score}
    colours.update(zip(below, _ramp(_BELOW, len(below)), strict=True))
    colours.update(zip(above, _ramp(_AT, len(above)), strict=True))
    return Scale(
        key=key,
        name=name,
        levels=tuple(
            Level(
                label,
                float(points),
                colours[i],
                "",
                bool(mastery) and i not in non_score,
                i not in non_score,
            )
            for i, (label, points, mastery) in enumerate(ordered)
        ),
    )


def _is_absence(label: str) -> bool:
    return " ".join(label.casefold().split()) in NON_SCORE_LABELS


def _ramp(colours: tuple[str, ...], count: int) -> list[str]:
    """`count` colours spread over the ramp, darkest first; ends kept when there are more."""
    if count <= len(colours):
        step = len(colours) / max(count, 1)
        return [colours[int(i * step)] for i in range(count)]
    return [colours[min(i, len(colours) - 1)] for i in range(count)]
