"""The outcome of a mastery calculation for one student on one standard."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from lti_tool.mastery.scales import Level


class Status(StrEnum):
    """Why a result does or does not carry a level."""

    NOT_ASSESSED = "not_assessed"
    INSUFFICIENT = "insufficient"
    ASSESSED = "assessed"
    EXEMPT = "exempt"  # excused (IEP, 504 plan...): out of every calculation and denominator


@dataclass(frozen=True, slots=True)
class MasteryResult:
    """A student's current mastery of one standard.

    `not_assessed` (no evidence) and `insufficient` (fewer scores than the
    minimum) carry no points and no level, so neither reads as a low level.
    For a roll-up, `evidence_count` counts the assessed children used, and
    `share` is set by the share-at-mastery roll-up only.
    """

    status: Status
    points: float | None
    level: Level | None
    evidence_count: int
    share: float | None = None

    @property
    def is_assessed(self) -> bool:
        """Whether the result carries a level."""
        return self.status is Status.ASSESSED

    @property
    def is_mastery(self) -> bool:
        """Whether the result's level is a mastery level."""
        return self.level is not None and self.level.is_mastery


NOT_ASSESSED = MasteryResult(Status.NOT_ASSESSED, None, None, 0)
EXEMPT = MasteryResult(Status.EXEMPT, None, None, 0)
