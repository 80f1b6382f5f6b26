"""The one exception importers raise, carrying every problem found."""

from __future__ import annotations

from collections.abc import Sequence

from lti_tool.mastery.framework import Problem

__all__ = ["ImportFailed", "Problem", "raise_if_any"]

_SHOWN = 20  # a page can list the rest; the message stays readable


class ImportFailed(Exception):
    """A file could not be imported; `problems` lists every reason found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        # Line order reads like the file; problems without a line keep their order.
        self.problems: list[Problem] = sorted(problems, key=_line_number)
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        shown = "; ".join(str(problem) for problem in self.problems[:_SHOWN])
        more = f"; and {count - _SHOWN} more" if count > _SHOWN else ""
        return f"{count} {noun}: {shown}{more}"


def _line_number(problem: Problem) -> int:
    prefix, _, number = problem.line_or_id.partition(" ")
    return int(number) if prefix == "line" and number.isdigit() else 0


def fail(line_or_id: str, field: str, reason: str) -> ImportFailed:
    """An ImportFailed with a single problem, ready to raise."""
    return ImportFailed([Problem(line_or_id, field, reason)])


def raise_if_any(problems: Sequence[Problem]) -> None:
    """Raise ImportFailed when any problem was collected."""
    if problems:
        raise ImportFailed(problems)
