"""Evidence (scores) CSV -> neutral EvidenceRow list, all or nothing.

Strings stay unresolved: the service matches students, standards and marks
against the database and a teacher-confirmed mark -> level table (see
`distinct_marks`). Two shapes:

- long: one row per attempt; the caller names the columns with `LongColumns`
  (defaults are our template `student,standard,level,date,assessment,comment`).
  Lines starting with `comment_prefix` are skipped; exact repeats are dropped
  and reported in `EvidenceBatch.duplicate_lines`.
- wide: a gradebook export, one row per student and one column per assessment;
  a blank first header cell, an optional points-possible row, blank = not
  assessed (no row), `e` = excused (a row flagged `is_exempt`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from lti_tool.importers.errors import Problem, fail, raise_if_any
from lti_tool.importers.table import Record, read_records
from lti_tool.importers.text import decode_text
from lti_tool.translatable import N_

# Our long template, as offered for download: student (LMS user id, email or full name),
# standard (code or identifier), level (label or points), date; assessment and comment optional.
TEMPLATE_LONG = (
    "student,standard,level,date,assessment,comment\n"
    "ada@example.edu,A-CED.1,Proficient,2025-09-15,Quiz 1,Clear steps\n"
    "ada@example.edu,A-CED.1,4,2025-10-02,Unit test,\n"
)


@dataclass(frozen=True)
class EvidenceRow:
    """One mark for one student on one standard (or gradebook column), as written."""

    line: int
    student: str
    standard: str
    mark: str
    date: date | None
    assessment: str | None
    comment: str | None
    is_exempt: bool = False


@dataclass(frozen=True)
class LongColumns:
    """Which header names hold which field; None for absent optional fields.

    `date_format` is a strptime format; one without a year (e.g. "%m%d") needs `year`.
    """

    student: str = "student"
    standard: str = "standard"
    mark: str = "level"
    date: str | None = "date"
    assessment: str | None = "assessment"
    comment: str | None = "comment"
    date_format: str = "%Y-%m-%d"
    year: int | None = None


@dataclass(frozen=True)
class EvidenceBatch:
    """Parsed rows plus what the teacher should be told about."""

    rows: tuple[EvidenceRow, ...]
    duplicate_lines: tuple[int, ...] = ()
    points_possible: dict[str, str] = field(default_factory=dict)
    # With keep_going: the rows' problems, their rows left out (else they are raised).
    problems: tuple[Problem, ...] = ()


def parse_evidence_long(
    data: bytes | str,
    *,
    columns: LongColumns = LongColumns(),
    comment_prefix: str = "%",
    filename: str | None = None,
    keep_going: bool = False,
) -> EvidenceBatch:
    """One row per attempt; every problem is raised together as ImportFailed, or with
    `keep_going` returned with the rows that have none (a preview reports all at once). A file
    that cannot be read (no header, a missing column) raises either way."""
    text = decode_text(data, filename=filename)
    kept = [line if not line.startswith(comment_prefix) else "" for line in text.split("\n")]
    header, *body = read_records("\n".join(kept), where=filename or "file")
    index = {cell.strip().lower(): i for i, cell in enumerate(header.cells)}
    wanted = {
        "student": columns.student,
        "standard": columns.standard,
        "mark": columns.mark,
        "date": columns.date,
        "assessment": columns.assessment,
        "comment": columns.comment,
    }
    required = ("student", "standard", "mark")
    missing = [
        name
        for key, name in wanted.items()
        if name and name.lower() not in index and key in required
    ]
    if missing:
        raise fail(
            header.where, "header", N_("missing column(s): %(columns)s", columns=", ".join(missing))
        )
    positions = {
        key: index[name.lower()] for key, name in wanted.items() if name and name.lower() in index
    }
    problems: list[Problem] = []
    rows = [_long_row(record, positions, columns, problems) for record in body]
    if not keep_going:
        raise_if_any(problems)
    batch = _deduplicated([row for row in rows if row is not None])
    return replace(batch, problems=tuple(problems))


def _long_row(
    record: Record, positions: dict[str, int], columns: LongColumns, problems: list[Problem]
) -> EvidenceRow | None:
    cells = {key: record.get(positions, key) for key in positions}
    before = len(problems)
    for key in ("student", "standard", "mark"):
        if not cells.get(key):
            problems.append(Problem(record.where, getattr(columns, key), N_("missing")))
    when = _parse_date(cells.get("date", ""), columns, record, problems)
    if len(problems) > before:
        return None
    return EvidenceRow(
        line=record.line,
        student=cells["student"],
        standard=cells["standard"],
        mark=cells["mark"],
        date=when,
        assessment=cells.get("assessment") or None,
        comment=cells.get("comment") or None,
    )


def _parse_date(
    value: str, columns: LongColumns, record: Record, problems: list[Problem]
) -> date | None:
    if not value:
        return None
    fmt = columns.date_format
    has_year = "%Y" in fmt or "%y" in fmt
    if not has_year and columns.year is None:
        raise fail(
            record.where,
            str(columns.date),
            N_("date format %(format)s has no year: pass year", format=fmt),
        )
    # Put the year in front ourselves: strptime without a year is ambiguous (29 Feb).
    full, full_fmt = (value, fmt) if has_year else (f"{columns.year}-{value}", f"%Y-{fmt}")
    try:
        parsed = datetime.strptime(full, full_fmt).date()
    except ValueError:
        parsed = None
    # strptime accepts '116' for %m%d (as 11/6); only a round trip is unambiguous.
    if parsed is None or parsed.strftime(full_fmt) != full:
        example = date(2024, 9, 3).strftime(fmt)
        problems.append(
            Problem(
                record.where,
                str(columns.date),
                N_("'%(value)s' is not a date like %(example)s", value=value, example=example),
            )
        )
        return None
    return parsed


def _deduplicated(rows: list[EvidenceRow]) -> EvidenceBatch:
    seen: set[tuple[object, ...]] = set()
    kept: list[EvidenceRow] = []
    duplicates: list[int] = []
    for row in rows:
        identity = (row.student, row.standard, row.mark, row.date, row.assessment, row.comment)
        if identity in seen:
            duplicates.append(row.line)
        else:
            seen.add(identity)
            kept.append(row)
    return EvidenceBatch(tuple(kept), tuple(duplicates))


def parse_evidence_wide(
    data: bytes | str,
    *,
    exempt_marks: Iterable[str] = ("e",),
    filename: str | None = None,
) -> EvidenceBatch:
    """Gradebook export: a row per student, a column per assessment; blank cells skipped."""
    header, *body = read_records(decode_text(data, filename=filename), where=filename or "file")
    titles = [cell.strip() for cell in header.cells]
    if len(titles) < 2 or not all(titles[1:]):
        raise fail(
            header.where,
            "header",
            N_("expected a student column then one named column per assessment"),
        )
    exempt = {mark.lower() for mark in exempt_marks}
    points: dict[str, str] = {}
    if body and not body[0].cells[0].strip():
        points = dict(zip(titles[1:], (c.strip() for c in body[0].cells[1:]), strict=False))
        body = body[1:]
    problems: list[Problem] = []
    rows: list[EvidenceRow] = []
    for record in body:
        student = record.cells[0].strip()
        if not student:
            problems.append(Problem(record.where, titles[0] or "student", N_("missing student")))
        if len(record.cells) > len(titles) and any(c.strip() for c in record.cells[len(titles) :]):
            problems.append(Problem(record.where, "row", N_("more cells than header columns")))
        for title, cell in zip(titles[1:], record.cells[1:], strict=False):
            mark = cell.strip()
            if mark and student:
                rows.append(
                    EvidenceRow(
                        record.line,
                        student,
                        title,
                        mark,
                        None,
                        title,
                        None,
                        is_exempt=mark.lower() in exempt,
                    )
                )
    raise_if_any(problems)
    return EvidenceBatch(tuple(rows), (), points)


def distinct_marks(rows: Iterable[EvidenceRow]) -> list[tuple[str, int]]:
    """Each distinct non-exempt mark with how often it occurs, for the mark -> level table."""
    counts = Counter(row.mark for row in rows if not row.is_exempt)
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


def evidence_format(data: bytes | str, *, filename: str | None = None) -> str:
    """ "long" when the header names student, standard and level columns, else "wide"."""
    text = decode_text(data, filename=filename)
    header = read_records(text, where=filename or "file")[0]
    names = {cell.strip().lower() for cell in header.cells}
    template = LongColumns()
    return "long" if {template.student, template.standard, template.mark} <= names else "wide"
