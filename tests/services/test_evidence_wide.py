"""Wide (gradebook) evidence import: preview, a confirmed mark table, all or nothing, once."""

from __future__ import annotations

import json
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select

from lti_tool.errors import ImportRejected
from lti_tool.extensions import db
from lti_tool.importers.marks import EXCUSED
from lti_tool.models import Course, CurrentLevel, Evidence, GradeOutbox, OutboxState
from lti_tool.services import evidence_import, frameworks
from tests.importers.conftest import GRADEBOOKS

from .conftest import draft

WIDE = """Student,S1,S2,S3
ada@example.edu,M,NY,
Grace Hopper,P+,3,e
"""
MARKS = {"M": 3.0, "NY": 1.0, "P+": 4.0, "e": EXCUSED}
DAY = date(2025, 10, 1)


@pytest.fixture
def course(make_course, make_framework, make_student):
    course = make_course(context_id="algebra")
    make_framework(course)
    make_student(course, name="Ada Lovelace", email="ada@example.edu")
    make_student(course, name="", given_name="Grace", family_name="Hopper", sub="sub-grace")
    db.session.commit()
    return course


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_preview_lists_students_standards_marks_and_writes_nothing(course):
    found = evidence_import.preview_import(course, WIDE + "Nobody,3,3,ZZ\n")
    assert found.format == "wide" and found.marks_given == 8
    students = {n.written: n.matched for n in found.students}
    assert list(students) == ["ada@example.edu", "Grace Hopper", "Nobody"]
    assert students["ada@example.edu"] == "Ada Lovelace"
    assert students["Grace Hopper"] and students["Nobody"] is None
    assert [n.written for n in found.standards] == ["S1", "S2", "S3"]
    marks = {m.mark: (m.count, m.proposed, m.reason) for m in found.marks}
    assert marks["3"] == (3, 3.0, "level points")  # the scale's own: no confirmation needed
    assert marks["P+"] == (1, 3.0, "'P+' read as 'p'")  # a proposal; the teacher decides
    assert marks["e"] == (1, EXCUSED, "excused")
    assert marks["M"] == (1, None, "") and marks["NY"] == (1, None, "")  # no guess
    assert marks["ZZ"][1] is None
    assert {m.mark for m in found.needs_confirmation} == {"M", "NY", "P+", "e", "ZZ"}
    assert [(p.line_or_id, p.field) for p in found.problems] == [("line 4", "Student")]
    assert count(Evidence) == 0 and not db.session.new


def test_preview_reports_unknown_columns_and_unreadable_files(course):
    found = evidence_import.preview_import(course, "Student,S1,Quiz 9\nada@example.edu,3,3\n")
    (problem,) = found.problems
    assert (problem.line_or_id, problem.field) == ("line 1", "Quiz 9")
    assert "not found among adopted standards" in problem.reason
    broken = evidence_import.preview_import(course, b"\xff\xfe")
    assert broken.problems and "UTF-8" in str(broken.problems[0]) and not broken.marks


def test_unmapped_marks_are_errors_never_guesses(course):
    with pytest.raises(ImportRejected) as caught:
        evidence_import.import_evidence(course, WIDE, actor=None, shown_on=DAY)
    report = {(p.line_or_id, p.field): p.reason for p in caught.value.problems}
    assert set(report) == {("line 2", "S1"), ("line 2", "S2"), ("line 3", "S1"), ("line 3", "S3")}
    assert "mark 'M' (1 cell) is not mapped" in report[("line 2", "S1")]
    assert "proposed: P+=3" in report[("line 3", "S1")]
    db.session.rollback()
    assert count(Evidence) == 0


def test_confirmed_table_saves_all_once(course):
    summary = evidence_import.import_evidence(
        course, WIDE, actor=None, marks=MARKS, shown_on=DAY, assessment="Unit 2 check"
    )
    assert (summary.evidence, summary.students, summary.standards) == (5, 2, 3)
    rows = db.session.scalars(select(Evidence).order_by(Evidence.id)).all()
    assert [(r.points, r.is_exempt) for r in rows] == [
        (3.0, False),
        (1.0, False),
        (4.0, False),
        (3.0, False),
        (1.0, True),  # 'e': excused, kept as exempt evidence at the lowest level
    ]
    assert {r.demonstrated_at.date() for r in rows} == {DAY} and all(r.assessment_id for r in rows)
    # S3 for Grace holds only exempt evidence: stored, but not assessed.
    statuses = sorted(db.session.scalars(select(CurrentLevel.status)))
    assert statuses == ["assessed"] * 4 + ["not_assessed"]
    again = evidence_import.import_evidence(
        course, WIDE, actor=None, marks=MARKS, shown_on=DAY, assessment="Unit 2 check"
    )
    assert (again.evidence, again.skipped) == (0, 5)


def test_a_wide_file_needs_its_date(course):
    with pytest.raises(ImportRejected, match="give the date the marks were shown"):
        evidence_import.import_evidence(course, WIDE, actor=None, marks=MARKS)


def test_size_is_capped_with_a_clear_message(course, monkeypatch):
    monkeypatch.setattr(evidence_import, "MAX_UPLOAD_BYTES", 20)
    with pytest.raises(ImportRejected, match=r"the file is 1 KB; the limit is 1 KB"):
        evidence_import.import_evidence(course, WIDE, actor=None, marks=MARKS, shown_on=DAY)
    assert evidence_import.preview_import(course, WIDE).problems[0].field == "size"


def test_real_gradebook_export(make_course, make_student):
    """The ELD export: 7 students × 31 columns; its column titles adopted as standard codes."""
    data = (GRADEBOOKS / "eld-gradebook-extract.csv").read_bytes()
    course = make_course()
    titles = evidence_import.preview_import(course, data).standards
    framework = frameworks.save_framework(
        draft({"ELD": [t.written for t in titles]}), platform=course.platform
    )
    frameworks.adopt(course, framework)
    for initials in ("RG", "FK", "EL", "AM", "JP", "JR", "JRG"):
        make_student(course, name=initials)
    found = evidence_import.preview_import(course, data)
    assert found.problems == () and found.marks_given == 175
    marks = {m.mark: m.proposed for m in found.marks}
    assert marks["2+"] == 2.0 and marks["3-"] == 3.0 and marks["e"] == EXCUSED
    assert marks["u"] is None and marks["pp"] is None  # proficiency codes: the teacher says
    table = {"2+": 2.0, "2-": 2.0, "3+": 3.0, "3-": 3.0, "4-": 4.0, "e": EXCUSED}
    table |= {"u": 1.0, "pp": 2.0, "p": 3.0}
    unmapped = {m.mark for m in found.needs_confirmation} - set(table)
    assert not unmapped, unmapped
    summary = evidence_import.import_evidence(course, data, actor=None, marks=table, shown_on=DAY)
    # 31 columns, one of them blank for every student: 30 standards get evidence.
    assert len(titles) == 30
    assert (summary.evidence, summary.students, summary.standards) == (175, 7, 30)
    assert db.session.scalar(select(func.count()).where(Evidence.is_exempt)) == 13


def test_grades_are_queued_in_the_same_transaction(tool: Flask, course_id: int) -> None:
    with tool.app_context():
        course = db.session.get(Course, course_id)
        text = "Student,S1,S2\n201,M,P\n202,NY,Advanced\n"
        evidence_import.import_evidence(
            course, text, actor=None, marks={"M": 3, "NY": 1, "P": 3}, shown_on=DAY
        )
        db.session.commit()
        queued = db.session.scalars(select(GradeOutbox)).all()
        assert {row.state for row in queued} == {OutboxState.PENDING} and len(queued) == 2


def test_cli_wide_import_with_marks(runner, course, tmp_path):
    path = tmp_path / "gradebook.csv"
    path.write_text(WIDE)
    base = ["evidence", "import", str(path), "--platform", course.platform.issuer]
    base += ["--course", "algebra"]
    result = runner.invoke(args=[*base, "--date", "2025-10-01", "--json"])
    assert result.exit_code == 1 and "mark 'M' (1 cell) is not mapped" in result.stderr
    result = runner.invoke(args=[*base, "--preview", "--json"])
    preview = json.loads(result.stdout)
    assert preview["format"] == "wide" and {m["mark"] for m in preview["marks"]} >= {"M", "NY"}
    marks = "M=3, NY=Beginning, P+=4, e=excused"
    args = [*base, "--marks", marks, "--date", "2025-10-01", "--json"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"evidence": 5, "students": 2, "standards": 3}
    assert json.loads(runner.invoke(args=args).stdout)["evidence"] == 0
    result = runner.invoke(args=[*base, "--marks", "M=Great", "--date", "2025-10-01"])
    assert result.exit_code == 1 and "'Great' is not a level" in result.stderr
