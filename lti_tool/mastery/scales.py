"""Proficiency scales: ordered levels with points, colours and a mastery cut."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from lti_tool.mastery.errors import MasteryError

# Calculated values such as 0.65 * 3 + 0.35 * 3 land a hair below 3.0; without
# this tolerance a student at Proficient every time would show as Developing.
EPSILON = 1e-9

_HEX_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True, slots=True)
class Level:
    """One rating on a scale.

    `counts_as_score=False` marks a label such as Canvas's "No Evidence": it
    may be recorded but is not a score and never enters a calculation.
    """

    label: str
    points: float
    colour: str
    description: str
    is_mastery: bool
    counts_as_score: bool = True


@dataclass(frozen=True)
class Scale:
    """Levels ordered low to high by points; the top levels are mastery.

    The constructor sorts the levels and validates the scale. Bounds and
    lookups (`min_points`, `max_points`, `level_for`) use scoring levels only.
    """

    key: str
    name: str
    levels: tuple[Level, ...]
    scoring_levels: tuple[Level, ...] = field(init=False, repr=False, compare=False)
    non_score_points: frozenset[float] = field(init=False, repr=False, compare=False)
    _points: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        levels = tuple(sorted(self.levels, key=lambda level: level.points))
        _validate_levels(self.key, levels)
        scoring = tuple(level for level in levels if level.counts_as_score)
        object.__setattr__(self, "levels", levels)
        object.__setattr__(self, "scoring_levels", scoring)
        object.__setattr__(
            self,
            "non_score_points",
            frozenset(level.points for level in levels if not level.counts_as_score),
        )
        object.__setattr__(self, "_points", tuple(level.points for level in scoring))

    @property
    def min_points(self) -> float:
        """Points of the lowest scoring level."""
        return self._points[0]

    @property
    def max_points(self) -> float:
        """Points of the highest scoring level."""
        return self._points[-1]

    @property
    def mastery_level(self) -> Level:
        """The lowest level that counts as mastery."""
        return next(level for level in self.scoring_levels if level.is_mastery)

    @property
    def mastery_threshold(self) -> float:
        """Points of the lowest mastery level."""
        return self.mastery_level.points

    @property
    def highest_below_mastery(self) -> Level:
        """The highest scoring level that is not mastery."""
        return [level for level in self.scoring_levels if not level.is_mastery][-1]

    def level_for(self, points: float) -> Level:
        """The highest scoring level whose points are at or below `points`.

        Values between levels go down to the lower level; values outside the
        scale are clamped to its ends.
        """
        index = bisect_right(self._points, points + EPSILON) - 1
        return self.scoring_levels[max(index, 0)]

    def is_mastery(self, points: float) -> bool:
        """Whether `points` reaches the mastery threshold."""
        return points + EPSILON >= self.mastery_threshold

    def level_named(self, label: str) -> Level:
        """The level with this label (case-insensitive)."""
        wanted = label.strip().casefold()
        for level in self.levels:
            if level.label.casefold() == wanted:
                return level
        raise MasteryError(f"Scale {self.key!r} has no level named {label!r}")


def rescale(points: float, old: Scale, new: Scale) -> float | None:
    """Points given on `old` as points on `new`; None for a non-score level of `old`.

    Points map linearly between the two scoring ranges, clamped to them: evidence keeps the
    scale it was given on, and the maths adapts when a course changes scale.
    """
    if points in old.non_score_points:
        return None
    share = (points - old.min_points) / (old.max_points - old.min_points)
    return new.min_points + min(max(share, 0.0), 1.0) * (new.max_points - new.min_points)


def _validate_levels(key: str, levels: tuple[Level, ...]) -> None:
    """Raise MasteryError unless `levels` (sorted by points) make a usable scale."""
    scoring = [level for level in levels if level.counts_as_score]
    if len(scoring) < 2:
        raise MasteryError(f"Scale {key!r} needs at least 2 scoring levels")
    if len({level.points for level in levels}) != len(levels):
        raise MasteryError(f"Scale {key!r} has two levels with the same points")
    if len({level.label.casefold() for level in levels}) != len(levels):
        raise MasteryError(f"Scale {key!r} has two levels with the same label")
    for level in levels:
        if not level.label.strip():
            raise MasteryError(f"Scale {key!r} has a level without a label")
        if not _HEX_COLOUR.match(level.colour):
            raise MasteryError(
                f"Level {level.label!r} colour {level.colour!r} is not a hex colour like #1A2B3C"
            )
        if level.is_mastery and not level.counts_as_score:
            raise MasteryError(f"Level {level.label!r} cannot be mastery without being a score")
    flags = [level.is_mastery for level in scoring]
    if not any(flags):
        raise MasteryError(f"Scale {key!r} needs at least one mastery level")
    first = flags.index(True)
    if first == 0:
        raise MasteryError(f"Scale {key!r} needs at least one level below mastery")
    if not all(flags[first:]):
        raise MasteryError(f"Scale {key!r}: mastery levels must be the top levels, without gaps")
