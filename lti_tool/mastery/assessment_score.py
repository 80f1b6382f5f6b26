"""An assessment's score for its LMS column, from the levels a teacher gave on its standards.

The score is the mean of the levels given on the assessment's aligned standards, as a percent
of the scale's maximum (a 4-point scale: Proficient everywhere is 75%, Proficient and Advanced
87.5%). Percent of the maximum, not the course's summary table: the score then reads back
through the default cut scores (>= 90% Advanced, >= 75% Proficient, ...) to the level it came
from, and it does not move when the teacher edits the summary table. Standards not marked
yet are left out; with no mark at all there is no score (nothing is sent).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from lti_tool.mastery.errors import MasteryError

Mark = tuple[str, str, float]  # (standard label, level label, points)


@dataclass(frozen=True)
class AssessmentScore:
    percent: float
    explanation: str


def assessment_score(title: str, marks: Sequence[Mark], maximum: float) -> AssessmentScore | None:
    """The percent (two decimals) and the sentence explaining it; None without marks."""
    if not (math.isfinite(maximum) and maximum > 0):
        raise MasteryError("The scale needs a positive maximum to turn levels into a percent.")
    if not marks:
        return None
    mean = sum(points for _, _, points in marks) / len(marks)
    percent = round(mean * 100 / maximum, 2)
    if len(marks) == 1:
        [(standard, level, points)] = marks
        return AssessmentScore(
            percent, f"{title}: {level} on {standard} → {points:g} of {maximum:g} = {percent:g}%"
        )
    given = ", ".join(f"{standard} {level}" for standard, level, _ in marks)
    return AssessmentScore(
        percent,
        f"{title}: average level {round(mean, 2):g} of {maximum:g} across {len(marks)} "
        f"standards ({given}) = {percent:g}%",
    )
