"""How a settings preview speaks of what would change (services/whatif.py computes it)."""

from __future__ import annotations

from lti_tool.mastery.results import MasteryResult


def describe_changes(levels_changed: int, grades_changed: int) -> str:
    """The teacher's sentence: "7 students' levels change; 3 summary grades change"."""
    levels = (
        "1 student's level changes"
        if levels_changed == 1
        else f"{levels_changed} students' levels change"
    )
    grades = (
        "1 summary grade changes"
        if grades_changed == 1
        else f"{grades_changed} summary grades change"
    )
    return f"{levels}; {grades}"


def _shown(result: MasteryResult) -> tuple[str, str | None]:
    # What the student sees: the status and the level's label, not float noise.
    return result.status.value, result.level.label if result.level else None


def is_shown_change(before: MasteryResult, after: MasteryResult) -> bool:
    """Whether a student would see another level: status or label, not float noise."""
    return _shown(before) != _shown(after)
