"""Exports read stored levels and never let a cell run as a spreadsheet formula."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from lti_tool.extensions import db
from lti_tool.models import Standard
from lti_tool.services import evidence, exports

from .conftest import standard_ids

HOSTILE = [
    '=HYPERLINK("http://evil")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\tx",
    "\r=1",
    "\n=1+1",
    "  =1+1",  # some spreadsheets skip leading spaces before a formula
    "\u00a0@SUM(A1)",
    "\uff1d1+1",  # full-width equals sign
]


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("value", HOSTILE)
def test_safe_cell(value):
    cell = exports.safe_cell(value)
    assert str(cell) == "'" + value


@pytest.mark.parametrize("value", ['quote " and, comma', "Mateo Hernández", "3 - 2", 3.0, -1, None])
def test_safe_cell_leaves_harmless_values(value):
    assert exports.safe_cell(value) == value


def test_exports_escape_hostile_strings(make_course, make_framework, make_student):
    course = make_course()
    make_framework(course)
    ids = standard_ids(course)
    db.session.get(Standard, ids["S1"]).code = "=cmd|' /C calc'!A0"
    student = make_student(course, name="@Mallory, =1+2", sub="-5")
    evidence.record_evidence(
        course,
        student,
        ids["S1"],
        3.0,
        actor=None,
        source="teacher",
        demonstrated_at=datetime(2025, 9, 1, tzinfo=UTC),
        comment='+HYPERLINK("x")',
    )
    gradebook = rows_of(exports.gradebook_csv(course))
    assert gradebook[0][:3] == ["Student", "LMS user id", "D1"]
    assert "'=cmd|' /C calc'!A0" in gradebook[0]
    assert gradebook[1][:2] == ["'@Mallory, =1+2", "'-5"]
    assert "Proficient" in gradebook[1]
    log = rows_of(exports.evidence_csv(course))
    assert log[1][1:5] == ["'@Mallory, =1+2", "'-5", "'=cmd|' /C calc'!A0", "Proficient"]
    assert log[1][9] == '\'+HYPERLINK("x")' and log[1][10] == "current"
    report = exports.student_report(course, student)
    assert report["grade"] == pytest.approx(85.0)
    assert [s["level"] for s in report["standards"]][:3] == ["Proficient", "Proficient", None]
    assert rows_of(exports.student_report_csv(course, student))[2][0] == "'=cmd|' /C calc'!A0"
