"""Evidence CSV import: resolved against roster and standards; all or nothing; idempotent."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from lti_tool.errors import ImportRejected
from lti_tool.extensions import db
from lti_tool.models import Assessment, CurrentLevel, Evidence, EvidenceAudit
from lti_tool.services import evidence_import

GOOD = """student,standard,level,date,assessment,comment
ada@example.edu,S1,Developing,2025-09-01,Quiz 1,
ada@example.edu,S1,3,2025-09-08,Quiz 2,better
sub-grace,S2,Advanced,2025-09-02,Quiz 1,
Grace Hopper,S3,proficient,2025-09-03,,
"""


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


def test_import_then_reimport_changes_nothing(course):
    summary = evidence_import.import_evidence(course, GOOD, actor=None)
    assert (summary.evidence, summary.students, summary.standards) == (4, 2, 3)
    assert count(Assessment) == 2 and count(EvidenceAudit) == 4 and count(CurrentLevel) == 3
    labels = set(db.session.scalars(select(CurrentLevel.level_label)))
    assert labels == {"Proficient", "Advanced"}
    again = evidence_import.import_evidence(course, GOOD, actor=None)
    assert (again.evidence, again.skipped) == (0, 4)
    assert count(Evidence) == 4 and count(Assessment) == 2


def test_every_bad_row_is_reported_and_nothing_saved(course):
    bad = GOOD + "nobody,S1,3,2025-09-01,,\nada@example.edu,ZZ,Great,2025-09-01,,\n"
    with pytest.raises(ImportRejected) as caught:
        evidence_import.import_evidence(course, bad, actor=None)
    problems = {(p.line_or_id, p.field) for p in caught.value.problems}
    assert problems == {("line 6", "student"), ("line 7", "standard"), ("line 7", "level")}
    assert "'nobody' not found in the roster" in caught.value.message
    db.session.rollback()
    assert count(Evidence) == 0 and count(Assessment) == 0


def test_ambiguous_names_are_not_guessed(course, make_student):
    make_student(course, name="Ada Lovelace", email="ada2@example.edu")
    by_name = "student,standard,level,date\nAda Lovelace,S1,3,2025-09-01\n"
    with pytest.raises(ImportRejected, match="'Ada Lovelace' matches several"):
        evidence_import.import_evidence(course, by_name, actor=None)


def test_cli_import_is_all_or_nothing(runner, course, tmp_path):
    path = tmp_path / "evidence.csv"
    path.write_text(GOOD)
    args = ["evidence", "import", str(path), "--platform", course.platform.issuer]
    args += ["--course", "algebra", "--json"]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"evidence": 4, "students": 2, "standards": 3}
    result = runner.invoke(args=args)
    assert json.loads(result.stdout) == {"evidence": 0, "students": 0, "standards": 0}
    path.write_text(GOOD + "ada@example.edu,S1,3,2025-13-45,,\n")
    result = runner.invoke(args=args)
    assert result.exit_code == 1 and "line 6" in result.stderr
    assert count(Evidence) == 4
