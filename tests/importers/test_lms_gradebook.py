"""Canvas and Moodle gradebook exports (tests/data/, written to each LMS's format) parsed."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lti_tool.importers import ImportFailed
from lti_tool.importers.lms_gradebook import (
    CANVAS,
    MOODLE,
    SKIP_BLANK,
    SKIP_DASH,
    SKIP_TEXT,
    Column,
    Score,
    parse_gradebook,
    read_cell,
)
from lti_tool.importers.marks import EXCUSED

DATA = Path(__file__).parent.parent / "data"


def load(name: str):
    return parse_gradebook((DATA / name).read_bytes(), filename=name)


def cells(book, sis: str) -> list:
    row = next(r for r in book.students if r.sis_id == sis)
    return [read_cell(column, row.cell(column)) for column in book.columns]


def test_canvas_export_columns_points_and_quirks():
    book = load("canvas_gradebook.csv")
    assert book.lms == CANVAS
    # Totals (Current/Unposted/Final Score, grades) are not columns; ids key the rest.
    assert [(c.key, c.title, c.points_possible) for c in book.columns] == [
        ("canvas:1201", "Unit 1 Quiz: Linear Equations", 20.0),
        ("canvas:1202", "Exit Ticket 3", 4.0),
        ("canvas:1203", "Lab Report", 10.0),
    ]
    # Points Possible and Manual Posting rows are not students; the test student is counted.
    assert [r.name for r in book.students][:2] == ["Hernández, Mateo", "Whitehorse, Aiyana"]
    assert len(book.students) == 5 and book.test_students == 1
    mateo = book.students[0]
    assert (mateo.lms_id, mateo.sis_id, mateo.login, mateo.line) == (
        "201",
        "SIS-201",
        "mateo.hernandez",
        4,
    )
    assert cells(book, "SIS-201") == [
        Score(85.0, "17/20 (85%)"),
        Score(75.0, "3/4 (75%)"),
        Score(95.0, "9.5/10 (95%)"),
    ]
    assert cells(book, "SIS-202")[1:] == [EXCUSED, SKIP_BLANK]
    assert cells(book, "SIS-203")[2] == SKIP_TEXT  # a letter grade
    assert cells(book, "SIS-204")[::2] == [SKIP_BLANK, SKIP_DASH]


def test_next_months_canvas_export_adds_a_column_with_the_same_keys():
    book = load("canvas_gradebook_next_month.csv")
    assert [c.key for c in book.columns] == [
        "canvas:1201",
        "canvas:1202",
        "canvas:1203",
        "canvas:1210",
    ]
    assert cells(book, "SIS-201")[0] == Score(90.0, "18/20 (90%)")


def test_moodle_real_export_has_no_maximum_and_dashes():
    book = load("moodle_grader_real.csv")
    assert book.lms == MOODLE
    assert [(c.key, c.points_possible) for c in book.columns] == [
        ("moodle:Quiz: Unit 1 quiz", None),
        ("moodle:Assignment: Lab report", None),
        ("moodle:Quiz: Exit ticket 3", None),
    ]
    lan = book.students[2]
    assert (lan.name, lan.sis_id, lan.email) == (
        "Lan Nguyen Thi",
        "",
        "lan.nguyen@school.example.edu",
    )
    # Without a maximum a score cannot be a percent yet; with the teacher's it can.
    quiz = book.columns[0]
    assert read_cell(quiz, "17.00") == SKIP_TEXT
    assert read_cell(Column(quiz.key, quiz.title, quiz.index, 20.0), "17.00") == Score(
        85.0, "17/20 (85%)"
    )
    assert cells(book, "SIS-202")[1:] == [SKIP_DASH, SKIP_DASH]


def test_moodle_semicolons_decimal_commas_and_percentage_preferred():
    book = load("moodle_grader_percent_semicolon.csv")
    assert [(c.title, c.is_percent) for c in book.columns] == [
        ("Quiz: Unit 1 quiz", True),
        ("Assignment: Lab report", True),
    ]
    assert cells(book, "SIS-201") == [Score(85.0, "85%"), Score(95.0, "95%")]
    assert cells(book, "SIS-202")[1] == SKIP_DASH


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("student,standard,level\nada,A.1,3\n", "not a Canvas gradebook export"),
        ("Student,ID,SIS User ID,Section,Current Score\nx,1,,,5\n", "no graded Canvas columns"),
        ("First name,Last name,Email address,Quiz: A (Real)\n", "lists no students"),
        ("", "the file is empty"),
    ],
)
def test_refusals_name_the_problem(text, reason):
    with pytest.raises(ImportFailed) as error:
        parse_gradebook(text)
    assert reason in str(error.value)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=400) | st.text(max_size=400))
def test_any_input_parses_or_is_refused_with_import_failed(data):
    try:
        book = parse_gradebook(data)
    except ImportFailed as error:
        assert error.problems
    else:
        assert book.columns and book.students
        for row in book.students:
            for column in book.columns:
                read_cell(column, row.cell(column))
