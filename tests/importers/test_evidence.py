"""Evidence CSV: both real gradebook shapes, problems, marks table."""

from __future__ import annotations

from datetime import date

import pytest

from lti_tool.importers import ImportFailed
from lti_tool.importers.evidence_csv import (
    EvidenceRow,
    LongColumns,
    distinct_marks,
    parse_evidence_long,
    parse_evidence_wide,
)
from tests.importers.conftest import GRADEBOOKS

# mastery-attempts-sample.csv: MMDD dates of a fall 2020 section (M150F20).
ATTEMPTS = LongColumns(
    student="lname",
    standard="assID",
    mark="grade",
    date="date",
    assessment=None,
    comment=None,
    date_format="%m%d",
    year=2020,
)


def _attempts() -> str:
    return (GRADEBOOKS / "mastery-attempts-sample.csv").read_text(encoding="utf-8")


def test_long_sample_reports_the_one_malformed_date() -> None:
    with pytest.raises(ImportFailed) as caught:
        parse_evidence_long(_attempts(), columns=ATTEMPTS)
    (problem,) = caught.value.problems
    assert (problem.line_or_id, problem.field) == ("line 121", "date")
    assert "'116'" in problem.reason


def test_long_sample_once_fixed_drops_the_eight_duplicates() -> None:
    # 420 data rows; the teacher fixes '116' (Nov 6); 8 exact repeats are dropped.
    batch = parse_evidence_long(_attempts().replace("\n116,", "\n1106,"), columns=ATTEMPTS)
    assert len(batch.duplicate_lines) == 8
    assert len(batch.rows) == 412
    assert batch.rows[0] == EvidenceRow(7, "simpson", "L2a", "S", date(2020, 10, 8), None, None)
    assert distinct_marks(batch.rows) == [("S", 194), ("I", 183), ("N", 32), ("E", 3)]


def test_long_template_defaults() -> None:
    text = "student,standard,level,date,assessment,comment\nann,M.1,3,2024-09-03,Quiz 1,good\n"
    (row,) = parse_evidence_long(text).rows
    assert row == EvidenceRow(2, "ann", "M.1", "3", date(2024, 9, 3), "Quiz 1", "good")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("student,level\nann,3\n", "missing column(s): standard"),
        ("student,standard,level\nann,,3\n", "line 2, field 'standard': missing"),
        # A teacher is shown an example, not a strptime format such as %Y-%m-%d.
        (
            "student,standard,level,date\nann,M,3,2024-13-01\n",
            "field 'date': '2024-13-01' is not a date like 2024-09-03",
        ),
        ("", "nothing to import"),
    ],
)
def test_long_problems(text: str, message: str) -> None:
    with pytest.raises(ImportFailed) as caught:
        parse_evidence_long(text)
    assert message in str(caught.value)
    assert "%" not in str(caught.value)  # no format code reaches a teacher


def test_wide_gradebook_rows_only_for_filled_cells() -> None:
    batch = parse_evidence_wide((GRADEBOOKS / "eld-gradebook-extract.csv").read_bytes())
    students = {row.student for row in batch.rows}
    assert students == {"RG", "FK", "EL", "AM", "JP", "JR", "JRG"}
    assert len(batch.points_possible) == 31
    assert set(batch.points_possible.values()) == {"100"}
    # 7 x 31 cells: 175 filled, of which 13 are 'e' (excused).
    assert len(batch.rows) == 175
    assert sum(row.is_exempt for row in batch.rows) == 13
    first = batch.rows[0]
    assert (first.student, first.standard, first.mark) == (
        "RG",
        "Unit1 Wk 2 Family Memory -- Data",
        "1",
    )
    marks = dict(distinct_marks(batch.rows))
    assert "e" not in marks
    assert {"2+", "3-", "u", "pp", "p"} <= set(marks)
