"""Calculation methods: name -> pure function over a student's ordered scores.

Each function takes the points that count, oldest first, the course scale and
its parameters, and returns the current points (or None for no scores). The
names are stable identifiers stored in the database and used to map Canvas
imports, so never rename one.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from lti_tool.mastery.errors import MasteryError
from lti_tool.mastery.scales import Scale
from lti_tool.translatable import N_

MethodFunction = Callable[..., float | None]


def most_recent(points: Sequence[float], scale: Scale) -> float | None:
    """The latest score.

    Formula: s_k, the last of s_1..s_k in the order demonstrated.

    >>> most_recent([4, 2, 3], FOUR_LEVEL)
    3.0
    """
    return float(points[-1]) if points else None


def highest(points: Sequence[float], scale: Scale) -> float | None:
    """The best score ever shown.

    Formula: max(s_1..s_k).

    >>> highest([2, 4, 3], FOUR_LEVEL)
    4.0
    """
    return float(max(points)) if points else None


def mean(points: Sequence[float], scale: Scale) -> float | None:
    """The plain average of every score.

    Formula: (s_1 + ... + s_k) / k.

    >>> mean([1, 2, 4, 3], FOUR_LEVEL)
    2.5
    """
    return math.fsum(points) / len(points) if points else None


def mean_last_n(points: Sequence[float], scale: Scale, n: int = 2) -> float | None:
    """The average of the n latest scores (all of them when there are fewer).

    Formula: (s_{k-n+1} + ... + s_k) / min(n, k).

    >>> mean_last_n([1, 2, 4, 3], FOUR_LEVEL, n=2)
    3.5
    """
    return mean(points[-n:], scale)


def mean_top_n(points: Sequence[float], scale: Scale, n: int = 3) -> float | None:
    """The average of the n best scores (all of them when there are fewer).

    Formula: mean of the n largest of s_1..s_k.

    >>> mean_top_n([1, 2, 4, 3], FOUR_LEVEL, n=3)
    3.0
    """
    return mean(sorted(points, reverse=True)[:n], scale)


def standard_decaying_average(
    points: Sequence[float], scale: Scale, w: float = 0.65
) -> float | None:
    """The running decaying average: each new score takes weight w.

    Formula: v_1 = s_1; v_j = w * s_j + (1 - w) * v_{j-1}; result v_k.
    Example with w = 0.65: v = 1, then 0.65*2 + 0.35*1 = 1.65, then
    0.65*4 + 0.35*1.65 = 3.1775.

    >>> round(standard_decaying_average([1, 2, 4], FOUR_LEVEL, w=0.65), 4)
    3.1775
    """
    if not points:
        return None
    value = float(points[0])
    for score in points[1:]:
        value = w * score + (1 - w) * value
    return value


def decaying_average(points: Sequence[float], scale: Scale, w: float = 0.65) -> float | None:
    """Canvas's CSV "decaying_average" (its "weighted average").

    Formula: w * s_k + (1 - w) * mean(s_1..s_{k-1}); a single score is itself.
    Example with w = 0.65: 0.65*4 + 0.35*(1 + 2)/2 = 3.125.

    >>> round(decaying_average([1, 2, 4], FOUR_LEVEL, w=0.65), 4)
    3.125
    """
    if not points:
        return None
    if len(points) == 1:
        return float(points[0])
    return w * points[-1] + (1 - w) * (math.fsum(points[:-1]) / (len(points) - 1))


def n_mastery(points: Sequence[float], scale: Scale, n: int = 3) -> float | None:
    """Mastered once n scores reach the scale's mastery threshold.

    Formula: if at least n scores are >= the threshold t, the mean of those
    scores (as Canvas does); otherwise the latest score capped at the highest
    level below mastery, so a single good day never shows as mastery.
    Examples with n = 3 on the four-level scale (t = 3): [3, 4, 2, 3] has
    three scores >= 3, mean (3+4+3)/3 = 3.3333; [2, 3, 4] has only two, so
    the latest score 4 is capped at Developing, 2.

    >>> round(n_mastery([3, 4, 2, 3], FOUR_LEVEL, n=3), 4)
    3.3333
    >>> n_mastery([2, 3, 4], FOUR_LEVEL, n=3)
    2.0
    """
    if not points:
        return None
    at_mastery = [score for score in points if scale.is_mastery(score)]
    if len(at_mastery) >= n:
        return math.fsum(at_mastery) / len(at_mastery)
    return float(min(points[-1], scale.highest_below_mastery.points))


def power_law(points: Sequence[float], scale: Scale) -> float | None:
    """The trend of a power-law fit, read at the latest attempt.

    Formula: fit y = a * x^b by least squares on (ln x, ln y) for attempts
    x = 1..k, report a * k^b clamped to the scale. Fewer than 3 scores, or
    any zero score (ln 0 is undefined), fall back to the most recent score.
    Example: [1, 2, 2, 3] fits to 2.8656 at x = 4.

    >>> round(power_law([1, 2, 2, 3], FOUR_LEVEL), 4)
    2.8656
    >>> power_law([2, 0, 3], MARZANO)
    3.0
    """
    if len(points) < 3 or min(points) <= 0:
        return most_recent(points, scale)
    xs = [math.log(x) for x in range(1, len(points) + 1)]
    ys = [math.log(y) for y in points]
    mean_x, mean_y = math.fsum(xs) / len(xs), math.fsum(ys) / len(ys)
    slope = math.fsum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / (
        math.fsum((x - mean_x) ** 2 for x in xs)
    )
    fitted = math.exp(mean_y + slope * (xs[-1] - mean_x))
    return min(max(fitted, scale.min_points), scale.max_points)


def mode(points: Sequence[float], scale: Scale) -> float | None:
    """The most frequent score; a tie goes to the tied value seen most recently.

    Formula: argmax over values v of count(v), ties broken by the latest s_j.

    >>> mode([2, 3, 2, 3, 1], FOUR_LEVEL)
    3.0
    """
    if not points:
        return None
    counts = Counter(points)
    top = max(counts.values())
    return float(next(score for score in reversed(points) if counts[score] == top))


@dataclass(frozen=True, slots=True)
class Parameter:
    """A tunable number of a method, with its default and inclusive bounds."""

    name: str
    label: str
    default: float
    minimum: float
    maximum: float
    is_integer: bool = False

    def validate(self, method: str, value: object) -> float:
        """Return `value` if it is a number within bounds, else raise MasteryError."""
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not self._accepts(value)
        ):
            kind = "an integer" if self.is_integer else "a number"
            raise MasteryError(
                f"Parameter {self.name!r} of method {method!r} must be {kind} "
                f"from {self.minimum:g} to {self.maximum:g}, got {value!r}"
            )
        return int(value) if self.is_integer else float(value)

    def _accepts(self, value: float) -> bool:
        # NaN fails the bounds comparison; bounds go first so a huge int never
        # reaches float() and overflows.
        in_bounds = self.minimum <= value <= self.maximum
        return in_bounds and (not self.is_integer or float(value).is_integer())


@dataclass(frozen=True, slots=True)
class Method:
    """A calculation method as the registry and the settings page see it."""

    name: str
    function: MethodFunction
    label: str
    description: str
    parameters: tuple[Parameter, ...] = ()

    def resolve(self, params: Mapping[str, object] | None) -> dict[str, float]:
        """Defaults overlaid with validated `params`; unknown names raise."""
        params = params or {}
        known = {parameter.name: parameter for parameter in self.parameters}
        unknown = sorted(set(params) - set(known))
        if unknown:
            raise MasteryError(
                f"Method {self.name!r} has no parameter {unknown[0]!r}; "
                f"it takes: {', '.join(known) or 'no parameters'}"
            )
        return {
            name: parameter.validate(self.name, params.get(name, parameter.default))
            for name, parameter in known.items()
        }


_N_LAST = Parameter("n", N_("Number of latest scores"), 2, 1, 50, is_integer=True)
_N_TOP = Parameter("n", N_("Number of best scores"), 3, 1, 50, is_integer=True)
_N_MASTERY = Parameter("n", N_("Times at mastery needed"), 3, 1, 10, is_integer=True)
_WEIGHT = Parameter("w", N_("Weight of the latest score"), 0.65, 0.01, 1.0)

METHODS: MappingProxyType[str, Method] = MappingProxyType(
    {
        method.name: method
        for method in (
            Method("most_recent", most_recent, N_("Most recent"), N_("The latest score.")),
            Method("highest", highest, N_("Highest"), N_("The best score ever shown.")),
            Method("mean", mean, N_("Average"), N_("The average of every score.")),
            Method(
                "mean_last_n",
                mean_last_n,
                N_("Average of latest"),
                N_("The average of the n latest scores."),
                (_N_LAST,),
            ),
            Method(
                "mean_top_n",
                mean_top_n,
                N_("Average of best"),
                N_("The average of the n best scores."),
                (_N_TOP,),
            ),
            Method(
                "standard_decaying_average",
                standard_decaying_average,
                N_("Decaying average"),
                N_("Each new score takes weight w of the running average."),
                (_WEIGHT,),
            ),
            Method(
                "decaying_average",
                decaying_average,
                N_("Weighted average (Canvas)"),
                N_("Latest score weighted w, the mean of earlier scores 1 - w."),
                (_WEIGHT,),
            ),
            Method(
                "n_mastery",
                n_mastery,
                N_("n times at mastery"),
                N_("Mastered after n scores at mastery."),
                (_N_MASTERY,),
            ),
            Method("power_law", power_law, N_("Power law"), N_("The trend of a power-law fit.")),
            Method("mode", mode, N_("Most frequent"), N_("The most frequent score.")),
        )
    }
)


def get_method(name: str) -> Method:
    """The registered method called `name`, or MasteryError listing the choices."""
    try:
        return METHODS[name]
    except (KeyError, TypeError):
        raise MasteryError(
            f"Unknown calculation method {name!r}; choose one of: {', '.join(METHODS)}"
        ) from None
