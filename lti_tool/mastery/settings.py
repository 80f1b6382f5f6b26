"""A course's mastery settings: scale, calculation, roll-up and grade policy."""

from __future__ import annotations

import math
from collections.abc import Collection, Hashable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from lti_tool.mastery.calculation import Calculation
from lti_tool.mastery.errors import MasteryError
from lti_tool.mastery.policies import (
    Policy,
    StandardId,
    SummaryGrade,
    apply_resolved,
    get_policy,
)
from lti_tool.mastery.presets import DEFAULT_SCALE
from lti_tool.mastery.results import MasteryResult
from lti_tool.mastery.rollup import get_rollup
from lti_tool.mastery.scales import Scale


@dataclass(frozen=True)
class MasterySettings:
    """The course defaults; a standard may override method, params and minimum.

    `params` and `policy_params` are stored with the defaults filled in (the
    default policy's table is 4 -> 100, 3 -> 85, 2 -> 70, 1 -> 55).

    Validated on construction, so a saved settings row is always usable.
    """

    scale: Scale = DEFAULT_SCALE
    method: str = "most_recent"
    params: Mapping[str, float] = field(default_factory=dict, hash=False)
    min_evidence: int = 1
    rollup: str = "mean_of_children"
    policy: str = "level_conversion"
    policy_params: Mapping[str, Any] = field(default_factory=dict, hash=False)
    maximum: float = 100.0
    overrides: Mapping[Hashable, Calculation] = field(default_factory=dict, hash=False)
    calculation: Calculation = field(init=False, repr=False, compare=False)
    _policy: tuple[Policy, dict[str, Any]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        calculation = Calculation(self.method, self.params, self.min_evidence)
        object.__setattr__(self, "calculation", calculation)
        object.__setattr__(self, "params", calculation.params)
        get_rollup(self.rollup)
        policy = get_policy(self.policy)
        # Resolved once here, not once per student: the table is validated on resolving.
        object.__setattr__(self, "_policy", (policy, policy.resolve(self.policy_params)))
        # Kept as given over the defaults (a table stays a mapping) for storage.
        policy_params = {**policy.defaults, **self.policy_params}
        object.__setattr__(self, "policy_params", MappingProxyType(policy_params))
        maximum = self.maximum
        if isinstance(maximum, bool) or not isinstance(maximum, int | float):
            raise MasteryError(f"The grade maximum must be a number, got {maximum!r}")
        if not (math.isfinite(maximum) and maximum > 0):
            raise MasteryError(f"The grade maximum must be a positive number, got {maximum!r}")
        for standard, override in self.overrides.items():
            if not isinstance(override, Calculation):
                raise MasteryError(f"The override for standard {standard!r} is not a Calculation")
        object.__setattr__(self, "overrides", MappingProxyType(dict(self.overrides)))

    def calculation_for(self, standard: Hashable) -> Calculation:
        """The calculation that applies to `standard`: its override or the default."""
        return self.overrides.get(standard, self.calculation)

    def summarise(
        self,
        results: Mapping[StandardId, MasteryResult],
        *,
        priority: Collection[StandardId] = frozenset(),
        exempt: Collection[StandardId] = frozenset(),
    ) -> SummaryGrade:
        """One student's summary grade under this course's policy."""
        policy, resolved = self._policy
        return apply_resolved(policy, resolved, results, self.scale, self.maximum, priority, exempt)
