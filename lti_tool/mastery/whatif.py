"""What would change for students if the course switched to other settings."""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass

from lti_tool.mastery.errors import MasteryError
from lti_tool.mastery.evidence import Score
from lti_tool.mastery.gradebook import Standard, Student, compute_course, summarise_course
from lti_tool.mastery.results import MasteryResult
from lti_tool.mastery.settings import MasterySettings


@dataclass(frozen=True, slots=True)
class WhatIfExample:
    """One cell whose shown level would change."""

    student: Hashable
    standard: Hashable
    before: MasteryResult
    after: MasteryResult


@dataclass(frozen=True, slots=True)
class WhatIf:
    """Counts of what a settings change would change, with a few examples."""

    levels_changed: int
    cells_changed: int
    grades_changed: int
    examples: tuple[WhatIfExample, ...]

    @property
    def summary(self) -> str:
        """A sentence for the teacher, e.g. "7 students' levels change; 3 summary grades change"."""
        return describe_changes(self.levels_changed, self.grades_changed)


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


def compare_settings(
    cells: Mapping[tuple[Student, Standard], Sequence[Score]],
    current: MasterySettings,
    proposed: MasterySettings,
    *,
    priority: Collection[Standard] = frozenset(),
    exempt: Mapping[Student, Collection[Standard]] | None = None,
    example_limit: int = 5,
) -> WhatIf:
    """Compare levels and summary grades under `current` and `proposed` settings.

    Scores are points on the course scale, so a scale change needs the
    evidence mapped to the new scale first; comparing across scales raises.
    """
    if current.scale != proposed.scale:
        raise MasteryError(
            "What-if compares settings on the same scale; map the evidence to "
            f"{proposed.scale.name!r} before comparing"
        )
    before = compute_course(cells, current)
    after = compute_course(cells, proposed)
    changed = [key for key in before if is_shown_change(before[key], after[key])]
    grades_before = summarise_course(before, current, priority=priority, exempt=exempt)
    grades_after = summarise_course(after, proposed, priority=priority, exempt=exempt)
    grades_changed = sum(
        grades_before[student].score != grades_after[student].score for student in grades_before
    )
    examples = tuple(
        WhatIfExample(student, standard, before[(student, standard)], after[(student, standard)])
        for student, standard in changed[:example_limit]
    )
    return WhatIf(
        levels_changed=len({student for student, _ in changed}),
        cells_changed=len(changed),
        grades_changed=grades_changed,
        examples=examples,
    )
