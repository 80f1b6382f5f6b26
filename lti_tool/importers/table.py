"""CSV text read into header-keyed records that remember their line numbers."""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass

from lti_tool.importers.errors import fail
from lti_tool.translatable import N_

_NOT_WORD_RE = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class Record:
    """One CSV record: the line it starts on and its cells."""

    line: int
    cells: tuple[str, ...]

    @property
    def where(self) -> str:
        return f"line {self.line}"

    def get(self, columns: Mapping[str, int], name: str) -> str:
        """The stripped cell of a named column, '' when absent or short."""
        index = columns.get(name)
        if index is None or index >= len(self.cells):
            return ""
        return self.cells[index].strip()

    def is_blank(self) -> bool:
        return not any(cell.strip() for cell in self.cells)


def finite_number(text: str) -> float | None:
    """The text as a finite number, or None (not a number, NaN or infinite)."""
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def header_key(cell: str) -> str:
    """A header cell reduced to lowercase letters and digits: 'Id number' -> 'idnumber'."""
    return _NOT_WORD_RE.sub("", cell.strip().lower().removesuffix("(optional)"))


def pick_delimiter(first_line: str) -> str:
    """Comma, unless the header is plainly separated by semicolons or tabs (European Excel)."""
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > counts[","] else ","


def read_records(text: str, *, where: str = "file") -> list[Record]:
    """All non-blank records of a CSV text, with the line each record starts on."""
    first_line = text.split("\n", 1)[0]
    # newline="" keeps line breaks inside quoted cells (multi-line HTML in Moodle files).
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=pick_delimiter(first_line))
    records: list[Record] = []
    start = 1
    try:
        for cells in reader:
            record = Record(start, tuple(cells))
            if not record.is_blank():
                records.append(record)
            start = reader.line_num + 1
    except csv.Error as error:
        raise fail(
            f"line {start}", "csv", N_("unreadable CSV (%(error)s)", error=str(error))
        ) from None
    if not records:
        raise fail(where, "file", N_("nothing to import: the file is empty"))
    return records


def column_index(header: Record, aliases: Mapping[str, str]) -> dict[str, int]:
    """Map our field names to column positions, via normalised header spellings."""
    columns: dict[str, int] = {}
    for index, cell in enumerate(header.cells):
        name = aliases.get(header_key(cell))
        if name is not None and name not in columns:
            columns[name] = index
    return columns
