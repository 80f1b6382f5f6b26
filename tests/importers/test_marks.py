"""The mark → level table: proposals (never guesses taken as answers), the typed table, fuzz."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lti_tool.importers import ImportFailed
from lti_tool.importers.evidence_csv import evidence_format, parse_evidence_wide
from lti_tool.importers.marks import EXCUSED, parse_mark_table, propose

FOUR = [("Beginning", 1.0), ("Developing", 2.0), ("Proficient", 3.0), ("Advanced", 4.0)]
CANVAS = [("No Evidence", 0.0), ("Below Mastery", 1.0), ("Near Mastery", 2.0), ("Mastery", 3.0)]
CANVAS += [("Exceeds Mastery", 4.0)]
TWO = [("Not yet", 0.0), ("Mastered", 1.0)]


@pytest.mark.parametrize(
    ("levels", "mark", "proposed", "reason"),
    [
        (FOUR, "Proficient", 3.0, "level label"),
        (FOUR, " proficient ", 3.0, "level label"),
        (FOUR, "3", 3.0, "level points"),
        (FOUR, "3.0", 3.0, "level points"),
        (FOUR, "P", 3.0, "initials of Proficient"),
        (FOUR, "P+", 3.0, "'P+' read as 'p'"),
        (FOUR, "3-", 3.0, "'3-' read as '3'"),
        (FOUR, "prof", 3.0, "start of Proficient"),
        (FOUR, "e", EXCUSED, "excused"),
        (FOUR, "Excused", EXCUSED, "excused"),
        (FOUR, "M", None, ""),  # no level starts with M: no proposal at all
        (FOUR, "NY", None, ""),
        (FOUR, "5", None, ""),
        (TWO, "NY", 0.0, "initials of Not yet"),
        (TWO, "M", 1.0, "initials of Mastered"),
        (CANVAS, "M", 3.0, "initials of Mastery"),
        (CANVAS, "B", 1.0, "first letter of Below Mastery"),
        (CANVAS, "NM", 2.0, "initials of Near Mastery"),
        (CANVAS, "EM", 4.0, "initials of Exceeds Mastery"),
        (CANVAS, "ne", 0.0, "initials of No Evidence"),
        (CANVAS, "N", None, ""),  # two labels start with N: ambiguous, no proposal
    ],
)
def test_proposals(levels, mark, proposed, reason) -> None:
    found = propose(mark, 1, levels)
    assert (found.proposed, found.reason) == (proposed, reason)
    assert found.is_exact == (reason in ("level label", "level points"))


def test_typed_table() -> None:
    table = parse_mark_table("M=3, NY=Beginning, P+ = advanced,e=excused,,", FOUR)
    assert table == {"m": 3.0, "ny": 1.0, "p+": 4.0, "e": EXCUSED}
    assert parse_mark_table("", FOUR) == {}
    with pytest.raises(ImportFailed) as caught:
        parse_mark_table("M=Great, NY, =3", FOUR)
    assert len(caught.value.problems) == 3
    assert "'Great' is not a level: Beginning (1), Developing (2)" in str(caught.value)


def test_format_detection() -> None:
    assert evidence_format("student,standard,level,date\nann,S1,3,2025-09-01\n") == "long"
    assert evidence_format("Student,S1,S2\nann,3,4\n") == "wide"
    with pytest.raises(ImportFailed):
        evidence_format("")


FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
CELL = st.text(alphabet=st.sampled_from('aPMNY+-e 3,"\n\r\t;'), max_size=5)


@FUZZ
@given(mark=st.text(max_size=12), table=st.text(max_size=40))
def test_proposals_and_tables_never_raise_anything_else(mark: str, table: str) -> None:
    for levels in (FOUR, CANVAS, TWO):
        found = propose(mark, 1, levels)
        assert found.proposed is None or found.proposed == EXCUSED or found.reason
        try:
            parse_mark_table(table, levels)
        except ImportFailed as error:
            assert error.problems


@FUZZ
@given(
    codes=st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=5),
    grid=st.lists(st.tuples(st.text(max_size=6), st.lists(CELL, max_size=6)), max_size=8),
)
def test_wide_parser_on_random_gradebooks(codes: list[str], grid: list) -> None:
    """Any grid: ImportFailed or one row per filled cell under a named column, never more."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["Student", *codes])
    for student, cells in grid:
        writer.writerow([student, *cells])
    text = out.getvalue()
    try:
        batch = parse_evidence_wide(text)
    except ImportFailed as error:
        assert error.problems and str(error)
        return
    filled = sum(
        1
        for student, cells in grid
        for cell in cells[: len(codes)]
        if cell.strip() and student.strip()
    )
    assert len(batch.rows) <= filled
    assert all(row.mark == row.mark.strip() and row.mark for row in batch.rows)
    assert {row.standard for row in batch.rows} <= {code.strip() for code in codes}
