"""A whole course at once: every student's levels and summary grades."""

from __future__ import annotations

from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from typing import TypeVar

from lti_tool.mastery.calculation import Calculation, Calculator
from lti_tool.mastery.evidence import Score
from lti_tool.mastery.policies import SummaryGrade
from lti_tool.mastery.results import MasteryResult
from lti_tool.mastery.settings import MasterySettings

Student = TypeVar("Student", bound=Hashable)
Standard = TypeVar("Standard", bound=Hashable)


def calculators(settings: MasterySettings) -> Callable[[Hashable], Calculator]:
    """A lookup standard -> calculator; standards sharing a calculation share its cache."""
    shared: dict[Calculation, Calculator] = {}
    by_standard: dict[Hashable, Calculator] = {}

    def calculator_for(standard: Hashable) -> Calculator:
        found = by_standard.get(standard)
        if found is None:
            calculation = settings.calculation_for(standard)
            found = shared.get(calculation)
            if found is None:
                found = shared[calculation] = Calculator(calculation, settings.scale)
            by_standard[standard] = found
        return found

    return calculator_for


def compute_course(
    cells: Mapping[tuple[Student, Standard], Sequence[Score]],
    settings: MasterySettings,
) -> dict[tuple[Student, Standard], MasteryResult]:
    """Results for every (student, standard) cell, honouring per-standard overrides."""
    calculator_for = calculators(settings)
    return {key: calculator_for(key[1]).result(scores) for key, scores in cells.items()}


def compute_points(
    cells: Mapping[tuple[Student, Standard], Sequence[float]],
    settings: MasterySettings,
) -> dict[tuple[Student, Standard], MasteryResult]:
    """Like `compute_course`, from each cell's counting points, oldest first.

    See `Calculator.of_points`: exempt scores and non-score levels are already left out.
    """
    if not settings.overrides:
        # One calculator for the whole course: no per-cell lookup in the hot loop.
        of_points = Calculator(settings.calculation, settings.scale).of_points
        return {key: of_points(points) for key, points in cells.items()}
    calculator_for = calculators(settings)
    return {key: calculator_for(key[1]).of_points(points) for key, points in cells.items()}


def results_by_student(
    results: Mapping[tuple[Student, Standard], MasteryResult],
) -> dict[Student, dict[Standard, MasteryResult]]:
    """Cell results regrouped as student -> standard -> result."""
    grouped: dict[Student, dict[Standard, MasteryResult]] = {}
    for (student, standard), result in results.items():
        grouped.setdefault(student, {})[standard] = result
    return grouped


def summarise_course(
    results: Mapping[tuple[Student, Standard], MasteryResult],
    settings: MasterySettings,
    *,
    priority: Collection[Standard] = frozenset(),
    exempt: Mapping[Student, Collection[Standard]] | None = None,
) -> dict[Student, SummaryGrade]:
    """Every student's summary grade; `exempt` lists each student's exempt standards."""
    exempt = exempt or {}
    return {
        student: settings.summarise(
            by_standard, priority=priority, exempt=exempt.get(student, frozenset())
        )
        for student, by_standard in results_by_student(results).items()
    }
