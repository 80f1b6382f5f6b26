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


def compute_course(
    cells: Mapping[tuple[Student, Standard], Sequence[Score]],
    settings: MasterySettings,
) -> dict[tuple[Student, Standard], MasteryResult]:
    """Results for every (student, standard) cell, honouring per-standard overrides."""
    calculators: dict[Calculation, Calculator] = {}
    per_standard: dict[Standard, Callable[[Sequence[Score]], MasteryResult]] = {}
    results: dict[tuple[Student, Standard], MasteryResult] = {}
    for key, scores in cells.items():
        standard = key[1]
        calculate = per_standard.get(standard)
        if calculate is None:
            calculation = settings.calculation_for(standard)
            calculator = calculators.get(calculation)
            if calculator is None:
                calculator = calculators[calculation] = Calculator(calculation, settings.scale)
            calculate = per_standard[standard] = calculator.result
        results[key] = calculate(scores)
    return results


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
