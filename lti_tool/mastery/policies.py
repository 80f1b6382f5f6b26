"""Summary-grade policies: what goes to the LMS gradebook, and why, in one sentence.

Exempt and unassessed standards are left out of every denominator. With
nothing assessed the score is None and the caller sends nothing, because any
`gradingProgress` but FullyGraded clears the LMS grade (DESIGN correction 6).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Collection, Hashable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar

from lti_tool.mastery.errors import MasteryError
from lti_tool.mastery.results import MasteryResult, Status
from lti_tool.mastery.scales import Scale
from lti_tool.translatable import N_, Number, Text

DEFAULT_TABLE: Mapping[float, float] = MappingProxyType(
    {1.0: 55.0, 2.0: 70.0, 3.0: 85.0, 4.0: 100.0}
)


@dataclass(frozen=True, slots=True)
class SummaryGrade:
    """The score to send (None: send nothing), its maximum and a sentence for the student.

    `is_complete` says every standard in scope has a level; a score is still
    final for what is assessed and is sent as FullyGraded.
    """

    score: float | None
    maximum: float
    explanation: Text  # English (the LMS comment, exports), translated on pages
    is_complete: bool


@dataclass(frozen=True, slots=True)
class _Scope:
    """The results a policy looks at, after exemptions and the priority filter."""

    results: tuple[MasteryResult, ...]
    noun: str  # "assessed" or "priority", as the sentence names the standards
    assessed: list[MasteryResult]  # the results with a level


StandardId = TypeVar("StandardId", bound=Hashable)

PolicyFunction = Callable[[_Scope, Scale, float, dict[str, Any]], SummaryGrade]


def _number(value: float) -> Number:
    """A number for a sentence: at most two decimals, no trailing zeros."""
    return Number(round(value, 2))


# The policies' sentences, by (scope noun, one standard or more): whole sentences, so each
# language words them its own way.
_AVERAGE = {
    ("assessed", True): N_(
        "Average level %(mean)s across %(count)s assessed standard → %(percent)s%%"
    ),
    ("assessed", False): N_(
        "Average level %(mean)s across %(count)s assessed standards → %(percent)s%%"
    ),
    ("priority", True): N_(
        "Average level %(mean)s across %(count)s priority standard → %(percent)s%%"
    ),
    ("priority", False): N_(
        "Average level %(mean)s across %(count)s priority standards → %(percent)s%%"
    ),
}
_SHARE = {
    ("assessed", True): N_(
        "%(mastered)s of %(count)s assessed standard at %(level)s or above → %(percent)s%%"
    ),
    ("assessed", False): N_(
        "%(mastered)s of %(count)s assessed standards at %(level)s or above → %(percent)s%%"
    ),
    ("priority", True): N_(
        "%(mastered)s of %(count)s priority standard at %(level)s or above → %(percent)s%%"
    ),
    ("priority", False): N_(
        "%(mastered)s of %(count)s priority standards at %(level)s or above → %(percent)s%%"
    ),
}
_CREDIT = {
    ("assessed", True): N_("Credit: all %(count)s assessed standard at %(level)s or above"),
    ("assessed", False): N_("Credit: all %(count)s assessed standards at %(level)s or above"),
    ("priority", True): N_("Credit: all %(count)s priority standard at %(level)s or above"),
    ("priority", False): N_("Credit: all %(count)s priority standards at %(level)s or above"),
}
_NO_CREDIT = {
    ("assessed", True): N_(
        "No credit yet: %(mastered)s of %(count)s assessed standard at %(level)s or above"
    ),
    ("assessed", False): N_(
        "No credit yet: %(mastered)s of %(count)s assessed standards at %(level)s or above"
    ),
    ("priority", True): N_(
        "No credit yet: %(mastered)s of %(count)s priority standard at %(level)s or above"
    ),
    ("priority", False): N_(
        "No credit yet: %(mastered)s of %(count)s priority standards at %(level)s or above"
    ),
}


def _scaled(percent: float, maximum: float) -> float:
    # Rounded so that recomputing never produces a "new" score that differs
    # by float noise: Canvas notifies students of every score sent.
    return round(percent / 100 * maximum, 2)


def validate_table(table: object) -> tuple[tuple[float, float], ...]:
    """The conversion table as sorted (level points, percent) pairs, or MasteryError.

    Keys and values may be numeric strings, as a table read back from JSON is.
    """
    if not isinstance(table, Mapping) or len(table) < 2:
        raise MasteryError("The conversion table needs at least two rows (level -> percent)")
    try:
        pairs = sorted((float(level), float(percent)) for level, percent in table.items())
    except (TypeError, ValueError):
        raise MasteryError("Every row of the conversion table must be two numbers") from None
    if len({level for level, _ in pairs}) != len(pairs):
        raise MasteryError("The conversion table has the same level twice")
    if not all(math.isfinite(a) and math.isfinite(b) and b >= 0 for a, b in pairs):
        raise MasteryError("Conversion table percents must be finite and not negative")
    if any(later[1] < earlier[1] for earlier, later in zip(pairs, pairs[1:], strict=False)):
        raise MasteryError("Conversion table percents must not fall as the level rises")
    return tuple(pairs)


def convert_level(mean_level: float, table: tuple[tuple[float, float], ...]) -> float:
    """The percent for `mean_level`: linear between rows, clamped at the ends.

    With the default table, 2.5 -> 77.5.
    """
    if mean_level <= table[0][0]:
        return table[0][1]
    for (low, low_pct), (high, high_pct) in zip(table, table[1:], strict=False):
        if mean_level <= high:
            return low_pct + (mean_level - low) / (high - low) * (high_pct - low_pct)
    return table[-1][1]


def level_conversion(
    scope: _Scope, scale: Scale, maximum: float, params: dict[str, Any]
) -> SummaryGrade:
    """The mean of current levels on assessed standards, converted through the table."""
    assessed = scope.assessed
    mean_level = sum(result.level.points for result in assessed if result.level) / len(assessed)
    percent = convert_level(mean_level, params["table"])
    sentence = Text(
        _AVERAGE[scope.noun, len(assessed) == 1],
        mean=_number(mean_level),
        count=len(assessed),
        percent=_number(round(percent, 1)),
    )
    return SummaryGrade(
        _scaled(percent, maximum), maximum, sentence, len(assessed) == len(scope.results)
    )


def share_at_mastery(
    scope: _Scope, scale: Scale, maximum: float, params: dict[str, Any]
) -> SummaryGrade:
    """The share of assessed standards at mastery, as a percent."""
    assessed = scope.assessed
    mastered = sum(result.is_mastery for result in assessed)
    percent = 100 * mastered / len(assessed)
    sentence = Text(
        _SHARE[scope.noun, len(assessed) == 1],
        mastered=mastered,
        count=len(assessed),
        level=scale.mastery_level.label,
        percent=round(percent),
    )
    return SummaryGrade(
        _scaled(percent, maximum), maximum, sentence, len(assessed) == len(scope.results)
    )


def credit_no_credit(
    scope: _Scope, scale: Scale, maximum: float, params: dict[str, Any]
) -> SummaryGrade:
    """Full marks when every assessed standard is at mastery, else zero."""
    assessed = scope.assessed
    mastered = sum(result.is_mastery for result in assessed)
    count = len(assessed)
    level = scale.mastery_level.label
    if mastered == count:
        sentence = Text(_CREDIT[scope.noun, count == 1], count=count, level=level)
    else:
        sentence = Text(
            _NO_CREDIT[scope.noun, count == 1], mastered=mastered, count=count, level=level
        )
    score = maximum if mastered == count else 0.0
    return SummaryGrade(score, maximum, sentence, count == len(scope.results))


@dataclass(frozen=True, slots=True)
class Policy:
    """A summary-grade policy as the registry and the settings page see it."""

    name: str
    function: PolicyFunction
    label: str
    defaults: Mapping[str, Any]

    def resolve(self, params: Mapping[str, Any] | None) -> dict[str, Any]:
        """Defaults overlaid with validated `params`; unknown names raise."""
        params = params or {}
        unknown = sorted(set(params) - set(self.defaults))
        if unknown:
            raise MasteryError(
                f"Policy {self.name!r} has no parameter {unknown[0]!r}; "
                f"it takes: {', '.join(self.defaults)}"
            )
        merged = {**self.defaults, **params}
        if "table" in merged:
            merged["table"] = validate_table(merged["table"])
        if not isinstance(merged.get("priority_only", False), bool):
            raise MasteryError(f"Policy {self.name!r}: priority_only must be true or false")
        return merged


POLICIES: MappingProxyType[str, Policy] = MappingProxyType(
    {
        policy.name: policy
        for policy in (
            Policy(
                "level_conversion",
                level_conversion,
                "Average level, converted",
                {"table": DEFAULT_TABLE},
            ),
            Policy(
                "share_at_mastery", share_at_mastery, "Share at mastery", {"priority_only": False}
            ),
            Policy(
                "credit_no_credit", credit_no_credit, "Credit / no credit", {"priority_only": False}
            ),
        )
    }
)


def get_policy(name: str) -> Policy:
    """The policy called `name`, or MasteryError listing the choices."""
    try:
        return POLICIES[name]
    except (KeyError, TypeError):
        raise MasteryError(
            f"Unknown grade policy {name!r}; choose one of: {', '.join(POLICIES)}"
        ) from None


def apply_policy(
    name: str,
    results: Mapping[StandardId, MasteryResult],
    scale: Scale,
    *,
    maximum: float = 100.0,
    priority: Collection[StandardId] = frozenset(),
    exempt: Collection[StandardId] = frozenset(),
    params: Mapping[str, Any] | None = None,
) -> SummaryGrade:
    """One student's summary grade from their results per standard."""
    policy = get_policy(name)
    resolved = policy.resolve(params)
    if not (isinstance(maximum, int | float) and math.isfinite(maximum) and maximum > 0):
        raise MasteryError(f"The grade maximum must be a positive number, got {maximum!r}")
    return apply_resolved(policy, resolved, results, scale, maximum, priority, exempt)


def apply_resolved(
    policy: Policy,
    resolved: dict[str, Any],
    results: Mapping[StandardId, MasteryResult],
    scale: Scale,
    maximum: float,
    priority: Collection[StandardId],
    exempt: Collection[StandardId],
) -> SummaryGrade:
    """`apply_policy` with params already resolved and the maximum checked (once per course)."""
    priority_only = resolved.get("priority_only", False)
    # An exempt result (Status.EXEMPT) is out of scope like a standard listed in `exempt`.
    if exempt or priority_only:
        chosen = tuple(
            result
            for standard, result in results.items()
            if standard not in exempt
            and result.status is not Status.EXEMPT
            and (not priority_only or standard in priority)
        )
    else:
        chosen = tuple(r for r in results.values() if r.status is not Status.EXEMPT)
    assessed = [result for result in chosen if result.status is Status.ASSESSED]
    if not assessed:
        nothing = Text(
            N_("No priority standards assessed yet")
            if priority_only
            else N_("No standards assessed yet")
        )
        return SummaryGrade(None, maximum, nothing, False)
    scope = _Scope(chosen, "priority" if priority_only else "assessed", assessed)
    return policy.function(scope, scale, maximum, resolved)
