"""Importing an evidence CSV into a course: preview, the teacher's mark table, then save all.

Two shapes (see importers/evidence_csv.py): long, our template, one row per attempt; wide, a
gradebook export, one row per student and one column per standard, all shown on one date the
teacher gives. Marks are read through a table: the scale's own labels and points, plus what
the teacher confirmed; a mark the table does not map is an error, never a guess.
`preview_import` reports everything before anything is saved; `import_evidence` saves all
rows in the caller's transaction, through the evidence service (levels refreshed, grades
queued), or nothing.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select

from ..extensions import db
from ..importers import ImportFailed, Problem
from ..importers.errors import fail
from ..importers.evidence_csv import (
    EvidenceRow,
    distinct_marks,
    evidence_format,
    parse_evidence_long,
    parse_evidence_wide,
)
from ..importers.marks import (
    EXCUSED,
    LevelChoice,
    Mapped,
    MarkProposal,
    exact_table,
    mark_key,
    proposals,
)
from ..importers.table import read_records
from ..importers.text import decode_text
from ..mastery.periods import local_noon
from ..models import Course, Evidence, User
from ..translatable import N_
from .course_settings import settings_for
from .evidence import EvidenceInput, record_many
from .evidence_names import Lookup, adopted_standards, assessments_by_name, roster
from .periods import course_zone
from .rejections import rejected, reported

MAX_UPLOAD_BYTES = 2_000_000
FORMATS = ("long", "wide")


SAMPLE_ROWS = 10  # rows the preview shows as they will be saved


@dataclass(frozen=True)
class ImportSummary:
    """What an import saved: new evidence rows, distinct students and standards, skipped rows."""

    evidence: int
    students: int
    standards: int
    skipped: int


@dataclass(frozen=True)
class Named:
    """A student or standard as the file writes it, what it matched (None: nothing), how often."""

    written: str
    matched: str | None
    count: int


@dataclass(frozen=True)
class ImportPreview:
    """Everything the teacher confirms before saving; `problems` names line and column."""

    format: str
    students: tuple[Named, ...]
    standards: tuple[Named, ...]
    marks: tuple[MarkProposal, ...]
    problems: tuple[Problem, ...]
    marks_given: int  # cells with a mark
    duplicate_lines: tuple[int, ...] = ()
    sample: tuple[EvidenceRow, ...] = ()  # the first rows as read: dates, assessments, comments

    @property
    def needs_confirmation(self) -> tuple[MarkProposal, ...]:
        """Marks that are not a level's own label or points."""
        return tuple(mark for mark in self.marks if not mark.is_exact)


@dataclass(frozen=True)
class _Parsed:
    format: str
    rows: tuple[EvidenceRow, ...]
    duplicate_lines: tuple[int, ...]
    student_column: str
    problems: tuple[Problem, ...] = ()  # rows that could not be read (left out of `rows`)


def check_size(data: bytes | str, limit: int | None = None) -> None:
    """Refuse a file over `limit` bytes with a message naming both sizes (ImportFailed)."""
    limit = limit or MAX_UPLOAD_BYTES
    size = len(data.encode() if isinstance(data, str) else data)
    if size > limit:
        raise fail(
            "file",
            "size",
            f"the file is {readable_size(size)}; the limit is {readable_size(limit)} "
            "(split it, e.g. by class period)",
        )


def readable_size(size: int) -> str:
    """Bytes as a person reads them: "840 KB", "2.0 MB"."""
    return f"{size / 1e6:.1f} MB" if size >= 1_000_000 else f"{max(size // 1000, 1)} KB"


def _parse(data: bytes | str, filename: str | None, format: str | None) -> _Parsed:
    """Rows of either shape; raises ImportFailed on a file that cannot be read."""
    check_size(data)
    found = format or evidence_format(data, filename=filename)
    if found not in FORMATS:
        raise ValueError(f"format must be one of {FORMATS}, got {found!r}")
    if found == "long":
        batch = parse_evidence_long(data, filename=filename, keep_going=True)
        return _Parsed(found, batch.rows, batch.duplicate_lines, "student", batch.problems)
    # Marks such as "e" go through the teacher's table too, not a fixed list.
    batch = parse_evidence_wide(data, exempt_marks=(), filename=filename)
    header = read_records(decode_text(data, filename=filename))[0]
    return _Parsed(found, batch.rows, (), header.cells[0].strip() or "student")


def preview_import(
    course: Course,
    data: bytes | str,
    *,
    filename: str | None = None,
    format: str | None = None,
    marks: Mapping[str, Mapped] | None = None,
) -> ImportPreview:
    """Students, standards, the marks with a proposed level each, and every problem found.

    Writes nothing. A file that cannot be read gives a preview holding only its problems.
    Marks the table (scale's own + `marks`) does not map are listed with a proposal, not
    reported as problems: the teacher's confirmation settles them.
    """
    try:
        parsed = _parse(data, filename, format)
    except ImportFailed as error:
        return ImportPreview(format or "unknown", (), (), (), tuple(error.problems), 0)
    students, standards = roster(course), adopted_standards(course)
    # Every problem at once: the rows that could not be read, then the names of the others.
    problems = list(parsed.problems)
    _names_problems(parsed, students, standards, problems)
    levels = _levels(course)
    table = {**exact_table(levels), **{mark_key(k): v for k, v in (marks or {}).items()}}
    found = proposals(distinct_marks(parsed.rows), levels)
    marks_shown = tuple(_confirmed(proposal, table) for proposal in found)
    return ImportPreview(
        parsed.format,
        _named(parsed, students, "student"),
        _named(parsed, standards, "standard"),
        marks_shown,
        tuple(problems),
        len(parsed.rows),
        parsed.duplicate_lines,
        parsed.rows[:SAMPLE_ROWS],
    )


def _confirmed(proposal: MarkProposal, table: Mapping[str, Mapped]) -> MarkProposal:
    """A proposal showing the table's answer where the table already has one."""
    key = mark_key(proposal.mark)
    if key in table and not proposal.is_exact:
        return replace(proposal, proposed=table[key], reason=N_("as confirmed"))
    return proposal


def import_evidence(
    course: Course,
    data: bytes | str,
    *,
    filename: str | None = None,
    actor: User | None,
    marks: Mapping[str, Mapped] | None = None,
    shown_on: date | None = None,
    assessment: str | None = None,
    format: str | None = None,
) -> ImportSummary:
    """All or nothing: every unresolvable row or unmapped mark is reported; repeats skipped.

    `marks` is the teacher's confirmed table (mark → points or EXCUSED); `shown_on` dates a
    wide file's marks (required for it); `assessment` names the assessment of a wide file.
    """
    with reported():
        parsed = _parse(data, filename, format)
    rows = parsed.rows
    problems = list(parsed.problems)
    if parsed.format == "wide":
        if shown_on is None:
            problems.append(Problem(filename or "file", "date", _NO_DATE))
        named = (assessment or "").strip() or None
        rows = tuple(replace(row, date=shown_on, assessment=named) for row in rows)
    students, standards = roster(course), adopted_standards(course)
    _names_problems(parsed, students, standards, problems)
    levels = _levels(course)
    table = {**exact_table(levels), **{mark_key(k): v for k, v in (marks or {}).items()}}
    lowest = min(points for _, points in levels)
    # A day without a time is stored at midday in the course's time zone, so it reads as
    # that day wherever the course's dates are shown.
    zone = course_zone(course)
    resolved = []
    for row in rows:
        item = _resolve(row, parsed, students, standards, table, lowest, zone, problems)
        if item is not None:
            resolved.append(item)
    problems.extend(_unmapped_problems(parsed, rows, table, levels))
    if problems:
        raise rejected(_unique(problems))
    if not resolved:
        raise rejected([Problem(filename or "file", "rows", N_("nothing to import"))])
    return _save(course, resolved, actor)


_NO_DATE = N_("a gradebook export has no dates: give the date the marks were shown")


def _save(
    course: Course, resolved: list[tuple[EvidenceInput, str | None]], actor: User | None
) -> ImportSummary:
    seen = set(
        db.session.scalars(
            select(Evidence.import_key).where(
                Evidence.course_id == course.id,
                Evidence.import_key.in_([item.import_key for item, _ in resolved]),
            )
        )
    )
    fresh = [(item, name) for item, name in resolved if item.import_key not in seen]
    assessment_ids = assessments_by_name(course, {name for _, name in fresh if name})
    inputs = [
        replace(item, assessment_id=assessment_ids[name.casefold()]) if name else item
        for item, name in fresh
    ]
    if inputs:
        record_many(course, inputs, actor=actor, source="import")
    return ImportSummary(
        evidence=len(inputs),
        students=len({item.student_id for item in inputs}),
        standards=len({item.standard_id for item in inputs}),
        skipped=len(resolved) - len(inputs),
    )


def _names_problems(
    parsed: _Parsed, students: Lookup, standards: Lookup, problems: list[Problem]
) -> None:
    """Unknown or ambiguous students and standards: once per line (wide: once per column)."""
    is_wide = parsed.format == "wide"
    reported_standards: set[str] = set()
    reported_lines: set[int] = set()
    for row in parsed.rows:
        _, why = students.find(row.student)
        if why and row.line not in reported_lines:
            reported_lines.add(row.line)
            field = parsed.student_column if is_wide else "student"
            problems.append(Problem(f"line {row.line}", field, _not_in_roster(row.student, why)))
        _, why = standards.find(row.standard)
        if why and not (is_wide and row.standard in reported_standards):
            reported_standards.add(row.standard)
            where, field = ("line 1", row.standard) if is_wide else (f"line {row.line}", "standard")
            problems.append(Problem(where, field, _not_adopted(row.standard, why)))


def _resolve(
    row: EvidenceRow,
    parsed: _Parsed,
    students: Lookup,
    standards: Lookup,
    table: Mapping[str, Mapped],
    lowest: float,
    zone: ZoneInfo,
    problems: list[Problem],
) -> tuple[EvidenceInput, str | None] | None:
    """The row as an input plus its assessment name, or None (its problems reported)."""
    where = f"line {row.line}"
    student, _ = students.find(row.student)
    standard, _ = standards.find(row.standard)
    meaning = table.get(mark_key(row.mark))
    if row.date is None and parsed.format == "long":
        problems.append(Problem(where, "date", N_("missing")))
    if student is None or standard is None or meaning is None or row.date is None:
        return None
    is_exempt = meaning == EXCUSED
    points = lowest if is_exempt else float(meaning)
    assessment = (row.assessment or "").strip() or None
    identity = "|".join(
        map(str, (student, standard, points, row.date, assessment or "", row.comment or ""))
    ) + ("|excused" if is_exempt else "")
    item = EvidenceInput(
        student_id=student,
        standard_id=standard,
        points=points,
        demonstrated_at=local_noon(row.date, zone),
        comment=row.comment,
        is_exempt=is_exempt,
        import_key=hashlib.sha256(identity.encode()).hexdigest(),
    )
    return item, assessment


def _unmapped_problems(
    parsed: _Parsed,
    rows: Sequence[EvidenceRow],
    table: Mapping[str, Mapped],
    levels: Sequence[LevelChoice],
) -> list[Problem]:
    """One problem per mark the table does not map, naming where it first occurs."""
    first: dict[str, EvidenceRow] = {}
    counts: Counter[str] = Counter()
    for row in rows:
        if mark_key(row.mark) not in table:
            first.setdefault(row.mark, row)
            counts[row.mark] += 1
    problems = []
    for proposal in proposals(counts.items(), levels):
        row = first[proposal.mark]
        field = row.standard if parsed.format == "wide" else "level"
        problems.append(Problem(f"line {row.line}", field, _unmapped(proposal)))
    return problems


def _not_in_roster(name: str, why: str) -> str:
    if why == "matches several":
        return N_("'%(name)s' matches several in the roster", name=name)
    return N_("'%(name)s' not found in the roster", name=name)


def _not_adopted(name: str, why: str) -> str:
    if why == "matches several":
        return N_(
            "'%(name)s' matches several among adopted standards (code, identifier or key)",
            name=name,
        )
    return N_("'%(name)s' not found among adopted standards (code, identifier or key)", name=name)


def _unmapped(proposal: MarkProposal) -> str:
    """Why a mark cannot be saved, with the proposal when there is one."""
    mark, count = proposal.mark, proposal.count
    if proposal.proposed is None:
        if count == 1:
            return N_(
                "mark '%(mark)s' (1 cell) is not mapped to a level of the course scale",
                mark=mark,
            )
        return N_(
            "mark '%(mark)s' (%(count)s cells) is not mapped to a level of the course scale",
            mark=mark,
            count=count,
        )
    proposed = _shown(proposal.proposed)
    if count == 1:
        return N_(
            "mark '%(mark)s' (1 cell) is not mapped to a level of the course scale; "
            "proposed: %(mark)s=%(level)s (%(reading)s)",
            mark=mark,
            level=proposed,
            reading=proposal.reason,
        )
    return N_(
        "mark '%(mark)s' (%(count)s cells) is not mapped to a level of the course scale; "
        "proposed: %(mark)s=%(level)s (%(reading)s)",
        mark=mark,
        count=count,
        level=proposed,
        reading=proposal.reason,
    )


def _shown(meaning: Mapped | None) -> str:
    return meaning if isinstance(meaning, str) or meaning is None else f"{meaning:g}"


def _unique(problems: Sequence[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def _named(parsed: _Parsed, lookup: Lookup, what: str) -> tuple[Named, ...]:
    counts = Counter(getattr(row, what) for row in parsed.rows)
    found = []
    for written, count in counts.items():
        match, _ = lookup.find(written)
        found.append(Named(written, lookup.names.get(match) if match else None, count))
    return tuple(found)


def _levels(course: Course) -> list[LevelChoice]:
    """The course scale's levels as (label, points)."""
    return [(level.label, level.points) for level in settings_for(course).scale.levels]
