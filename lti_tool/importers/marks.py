"""The mark → level table of an evidence import: proposals for the teacher, and their answers.

A gradebook holds symbolic marks ("M", "NY", "P+", "3", "Proficient", "e"). The importer
never guesses: it proposes a level for each distinct mark, shows how it read it, and the
teacher confirms or changes the table. Only the scale's own labels and points are taken
without confirmation (they are not a reading, they are the scale). EXCUSED marks a mark as
"excused": recorded as exempt evidence, which no calculation counts.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from lti_tool.importers.errors import Problem, fail, raise_if_any
from lti_tool.importers.table import finite_number
from lti_tool.translatable import N_

EXCUSED = "excused"
_EXCUSED_MARKS = frozenset({"e", "ex", "exc", "excused", "exempt", "x"})
_SIGNS = re.compile(r"[+\-−]+$")

LevelChoice = tuple[str, float]  # (label, points) of one level of the course scale
Mapped = float | str  # points, or EXCUSED


@dataclass(frozen=True)
class MarkProposal:
    """One distinct mark, how often it occurs, and what it is proposed to mean (or not)."""

    mark: str
    count: int
    proposed: Mapped | None
    reason: str  # how it was read, e.g. "initials of Not yet"; "" when nothing is proposed

    @property
    def is_exact(self) -> bool:
        """A level's own label or points: taken without confirmation."""
        return self.reason in ("level label", "level points")


def is_excused(mark: str) -> bool:
    """Whether a cell says "excused" (`EX` in Canvas, `e` in teachers' gradebooks)."""
    return mark_key(mark) in _EXCUSED_MARKS


def mark_key(mark: str) -> str:
    """Marks compare without case or surrounding spaces."""
    return " ".join(mark.split()).casefold()


def propose(mark: str, count: int, levels: Sequence[LevelChoice]) -> MarkProposal:
    """The level `mark` most plainly stands for, if any, and how it was read."""
    key = mark_key(mark)
    for label, points in levels:
        if mark_key(label) == key:
            return MarkProposal(mark, count, points, N_("level label"))
    number = finite_number(key)
    for _, points in levels:
        if number is not None and number == points:
            return MarkProposal(mark, count, points, N_("level points"))
    if key in _EXCUSED_MARKS:
        return MarkProposal(mark, count, EXCUSED, N_("excused"))
    bare = _SIGNS.sub("", key).strip()
    if bare and bare != key:
        inner = propose(bare, count, levels)
        if inner.proposed is not None and inner.proposed != EXCUSED:
            return MarkProposal(
                mark,
                count,
                inner.proposed,
                N_("'%(mark)s' read as '%(bare)s'", mark=mark, bare=bare),
            )
    return _by_words(mark, count, bare or key, levels)


def _by_words(mark: str, count: int, key: str, levels: Sequence[LevelChoice]) -> MarkProposal:
    """Initials ("NY" → Not Yet) or the start of one label ("prof" → Proficient), if unique."""
    letters = key.replace(" ", "")
    for reading, test in (
        (_initials_of, lambda label: _initials(label) == letters),
        (_start_of, lambda label: len(letters) >= 2 and mark_key(label).startswith(key)),
        (_first_letter_of, lambda label: len(letters) == 1 and _initials(label)[:1] == letters),
    ):
        found = [(label, points) for label, points in levels if letters and test(label)]
        if len(found) == 1:
            label, points = found[0]
            return MarkProposal(mark, count, points, reading(label))
    return MarkProposal(mark, count, None, "")


def _initials_of(label: str) -> str:
    return N_("initials of %(label)s", label=label)


def _start_of(label: str) -> str:
    return N_("start of %(label)s", label=label)


def _first_letter_of(label: str) -> str:
    return N_("first letter of %(label)s", label=label)


def _initials(label: str) -> str:
    return "".join(word[0] for word in mark_key(label).replace("-", " ").split())


def proposals(
    marks: Iterable[tuple[str, int]], levels: Sequence[LevelChoice]
) -> list[MarkProposal]:
    """A proposal for each (mark, count), in the order given."""
    return [propose(mark, count, levels) for mark, count in marks]


def parse_mark_table(text: str, levels: Sequence[LevelChoice]) -> dict[str, Mapped]:
    """A typed table such as "M=3, NY=1, P+=Advanced, e=excused" → {mark key: points}.

    The right side is a level's points or label, or "excused"; every problem is raised
    together as ImportFailed.
    """
    table: dict[str, Mapped] = {}
    problems: list[Problem] = []
    for entry in (part.strip() for part in text.split(",")):
        if not entry:
            continue
        mark, sep, value = entry.rpartition("=")
        if not sep or not mark.strip():
            problems.append(Problem("--marks", entry, "expected MARK=LEVEL"))
            continue
        meaning = level_meaning(value, levels)
        if meaning is None:
            names = ", ".join(f"{label} ({points:g})" for label, points in levels)
            problems.append(
                Problem("--marks", mark.strip(), f"'{value.strip()}' is not a level: {names}")
            )
        else:
            table[mark_key(mark)] = meaning
    raise_if_any(problems)
    if not table and text.strip():
        raise fail("--marks", "table", "no MARK=LEVEL entry")
    return table


def level_meaning(value: str, levels: Sequence[LevelChoice]) -> Mapped | None:
    """A level's points named by its label or points, EXCUSED, or None."""
    key = mark_key(value)
    if key == EXCUSED:
        return EXCUSED
    number = finite_number(key)
    for label, points in levels:
        if mark_key(label) == key or (number is not None and number == points):
            return points
    return None


def exact_table(levels: Sequence[LevelChoice]) -> dict[str, Mapped]:
    """The marks every import reads without confirmation: each level's label and points."""
    table: dict[str, Mapped] = {}
    for label, points in levels:
        table[mark_key(label)] = points
        table[f"{points:g}"] = points
        table[str(points)] = points
    return table


def unmapped(marks: Iterable[str], table: Mapping[str, Mapped]) -> list[str]:
    """The marks the table does not map, each once, in order of first appearance."""
    return list(dict.fromkeys(mark for mark in marks if mark_key(mark) not in table))
