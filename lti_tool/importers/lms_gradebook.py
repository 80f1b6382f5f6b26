"""An LMS's own gradebook export (Canvas, Moodle grader report) → columns and student rows.

AGS never shows a tool the teacher's native LMS assignments (DESIGN.md correction 1), so
teachers bring the LMS's export. Canvas: `Student,ID,SIS User ID,SIS Login ID,Section,
<Assignment (id)>,...` then totals; a `Points Possible` row, sometimes a `Muted` or
`Manual Posting` row, the course's "Student, Test". Moodle: `First name,Last name,ID number,
Institution,Department,Email address,<Quiz: Name (Real)>,...,Course total (Real),Last
downloaded from this course`, `-` for no grade, Real or Percentage (or both) per item,
semicolons and decimal commas in some locales. Totals and letter columns are ignored.

Cells stay raw here; `read_cell` turns one into a percent, EXCUSED or a skip reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lti_tool.importers.errors import fail
from lti_tool.importers.marks import EXCUSED, is_excused
from lti_tool.importers.table import Record, header_key, read_records
from lti_tool.importers.text import decode_text
from lti_tool.translatable import N_

CANVAS, MOODLE = "canvas", "moodle"
# Canvas writes every assignment as "<name> (<assignment id>)"; totals carry no id.
_CANVAS_ITEM = re.compile(r"^(?P<name>.*\S)\s*\((?P<id>\d+)\)$")
_MOODLE_ITEM = re.compile(r"^(?P<name>.*\S)\s*\((?P<type>Real|Percentage|Letter)\)$", re.I)
_MOODLE_TOTAL = re.compile(r"(^course total$|\btotal$)", re.I)
_CANVAS_META = {"student", "id", "sisuserid", "sisloginid", "integrationid", "section"}
_CANVAS_TEST_STUDENT = {"student, test", "test student"}
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)$")
SKIP_BLANK, SKIP_DASH, SKIP_TEXT = N_("blank"), N_("no grade (-)"), N_("not a number")


@dataclass(frozen=True)
class Column:
    """A gradable column: a stable key (Canvas assignment id, else the name), its points."""

    key: str
    title: str
    index: int
    points_possible: float | None  # None: the file does not say (Moodle, display type Real)
    is_percent: bool = False


@dataclass(frozen=True)
class StudentRow:
    """One student as the export writes them, with the identifiers it gives."""

    line: int
    name: str
    lms_id: str
    sis_id: str
    login: str
    email: str
    cells: tuple[str, ...]

    def cell(self, column: Column) -> str:
        return self.cells[column.index].strip() if column.index < len(self.cells) else ""


@dataclass(frozen=True)
class Gradebook:
    lms: str  # CANVAS | MOODLE
    columns: tuple[Column, ...]
    students: tuple[StudentRow, ...]
    test_students: int = 0  # Canvas's "Student, Test" rows, left out


@dataclass(frozen=True)
class Score:
    percent: float
    shown: str  # as the teacher reads it: "17/20 (85%)"


Cell = Score | str  # a Score, EXCUSED, or a SKIP_* reason


def parse_gradebook(data: bytes | str, *, filename: str | None = None) -> Gradebook:
    """The export's gradable columns and student rows; ImportFailed when it is neither LMS's."""
    where = filename or "file"
    records = read_records(decode_text(data, filename=filename), where=where)
    header = records[0]
    keys = {header_key(cell) for cell in header.cells}
    if {"student", "id", "sisuserid"} <= keys:
        return _canvas(header, records[1:], where)
    if {"firstname", "emailaddress"} <= keys and ({"lastname", "surname"} & keys):
        return _moodle(header, records[1:], where)
    raise fail(
        where,
        "header",
        N_(
            "not a Canvas gradebook export (Student, ID, SIS User ID, ...) or a Moodle grader "
            "report export (First name, Last name, ..., Email address, ...)"
        ),
    )


def read_cell(column: Column, raw: str) -> Cell:
    """A cell as a percent of the column, EXCUSED, or why it is skipped."""
    text = raw.strip()
    if not text:
        return SKIP_BLANK
    if text == "-":
        return SKIP_DASH
    if is_excused(text):
        return EXCUSED
    is_percent = column.is_percent or text.endswith("%")
    value = _number(text.removesuffix("%").strip())
    if value is None or value < 0:
        return SKIP_TEXT
    if is_percent:
        return Score(value, f"{value:g}%")
    if not column.points_possible:
        return SKIP_TEXT  # no maximum known: the mapping must give one (checked by the service)
    percent = value * 100 / column.points_possible
    return Score(percent, f"{value:g}/{column.points_possible:g} ({round(percent, 1):g}%)")


def _number(text: str) -> float | None:
    if not _NUMBER.match(text):
        return None
    return float(text.replace(",", "."))


def _canvas(header: Record, body: list[Record], where: str) -> Gradebook:
    index = {header_key(cell): n for n, cell in enumerate(header.cells)}
    items = [
        (n, match)
        for n, cell in enumerate(header.cells)
        if header_key(cell) not in _CANVAS_META and (match := _CANVAS_ITEM.match(cell.strip()))
    ]
    possible: dict[int, str] = {}
    students, tests = [], 0
    for record in body:
        first = record.cells[0].strip() if record.cells else ""
        if first.casefold() == "points possible":
            possible = {n: record.cells[n] for n, _ in items if n < len(record.cells)}
            continue
        if not first and not record.get(index, "id"):
            continue  # the "Muted" / "Manual Posting" row
        if first.casefold() in _CANVAS_TEST_STUDENT:
            tests += 1
            continue
        students.append(
            StudentRow(
                record.line,
                first,
                record.get(index, "id"),
                record.get(index, "sisuserid"),
                record.get(index, "sisloginid"),
                "",
                record.cells,
            )
        )
    columns = tuple(
        Column(f"canvas:{m['id']}", m["name"], n, _number(possible.get(n, "").strip()))
        for n, m in items
    )
    return _checked(Gradebook(CANVAS, columns, tuple(students), tests), where)


def _moodle(header: Record, body: list[Record], where: str) -> Gradebook:
    index = {header_key(cell): n for n, cell in enumerate(header.cells)}
    by_name: dict[str, Column] = {}
    for n, cell in enumerate(header.cells):
        match = _MOODLE_ITEM.match(cell.strip())
        if not match or _MOODLE_TOTAL.search(match["name"]):
            continue
        kind = match["type"].casefold()
        if kind == "letter":
            continue
        name = match["name"]
        is_percent = kind == "percentage"
        column = Column(f"moodle:{name}", name, n, 100.0 if is_percent else None, is_percent)
        # Exported both ways: the percentage needs no maximum, so it wins.
        if name not in by_name or column.is_percent:
            by_name[name] = column
    surname = "lastname" if "lastname" in index else "surname"
    students = tuple(
        StudentRow(
            record.line,
            " ".join(p for p in (record.get(index, "firstname"), record.get(index, surname)) if p),
            "",
            record.get(index, "idnumber"),
            record.get(index, "username"),
            record.get(index, "emailaddress"),
            record.cells,
        )
        for record in body
    )
    return _checked(Gradebook(MOODLE, tuple(by_name.values()), students), where)


def _checked(gradebook: Gradebook, where: str) -> Gradebook:
    if not gradebook.columns:
        raise fail(
            where,
            "header",
            N_("no graded %(lms)s columns in the export", lms=gradebook.lms.title()),
        )
    if not gradebook.students:
        raise fail(where, "rows", N_("nothing to import: the export lists no students"))
    return gradebook


__all__ = ["CANVAS", "MOODLE", "Column", "Gradebook", "Score", "parse_gradebook", "read_cell"]
