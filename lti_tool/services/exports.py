"""CSV and dict exports: the gradebook, the evidence log, one student's report.

Every text cell is neutralised against CSV (formula) injection: spreadsheets run a cell
starting with = + - @ (or a tab / carriage return / line feed) as a formula, some after
leading spaces too, so such cells get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import aliased

from ..extensions import db
from ..mastery import Status
from ..mastery.periods import local_day
from ..models import Assessment, Course, Evidence, Exemption, Level, Scale, Standard, User
from .mastery import student_mastery
from .periods import course_zone
from .views.common import EXEMPT_TEXT, status_text
from .views.gradebook import build_gradebook

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def safe_cell(value: object) -> object:
    """The value, with text that a spreadsheet would run as a formula made inert."""
    if isinstance(value, str) and (
        value.startswith(_FORMULA_START) or value.lstrip(" \u00a0").startswith(_FORMULA_START)
    ):
        return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text with every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return out.getvalue()


def gradebook_csv(course: Course) -> str:
    """Students × adopted standards as the gradebook shows them: each cell the current level
    (parents rolled up), or why there is none; the summary grade last."""
    book = build_gradebook(course)
    header = ["Student", "LMS user id", *(c.standard.label for c in book.columns)]
    rows = []
    for row in book.rows:
        cells = [status_text(row.result(c.standard.id)) for c in book.columns]
        summary = row.summary.score if row.summary else None
        rows.append(
            [row.student.display_name, row.student.sub, *cells, "" if summary is None else summary]
        )
    return to_csv([*header, "Summary grade"], rows)


def evidence_csv(course: Course) -> str:
    """Every evidence row of the course, superseded ones included, oldest first."""
    Student = aliased(User)
    rows = db.session.execute(
        select(Evidence, Student, Standard, Assessment.title, Level.label, Exemption.id)
        .join(Student, Student.id == Evidence.student_id)
        .join(Standard, Standard.id == Evidence.standard_id)
        .outerjoin(Assessment, Assessment.id == Evidence.assessment_id)
        .outerjoin(Scale, Scale.id == Evidence.scale_id)
        .outerjoin(Level, (Level.scale_id == Scale.id) & (Level.points == Evidence.points))
        .outerjoin(  # the student is exempt from the evidence's assessment
            Exemption,
            (Exemption.course_id == Evidence.course_id)
            & (Exemption.student_id == Evidence.student_id)
            & (Exemption.assessment_id == Evidence.assessment_id),
        )
        .where(Evidence.course_id == course.id)
        .order_by(Evidence.demonstrated_at, Evidence.id)
    ).all()
    header = ["id", "student", "LMS user id", "standard", "level", "points", "date"]
    header += ["assessment", "source", "comment", "status"]
    zone = course_zone(course)  # the date as shown and typed in the course
    return to_csv(header, (_evidence_row(*row, zone) for row in rows))


def _evidence_row(
    item: Evidence,
    student: User,
    standard: Standard,
    assessment: str | None,
    label: str | None,
    excused: int | None,
    zone: ZoneInfo,
) -> list[object]:
    is_exempt = item.is_exempt or excused is not None
    status = "superseded" if item.superseded_by_id else "exempt" if is_exempt else "current"
    return [
        item.id,
        student.display_name,
        student.sub,
        standard.label,
        label or "",
        item.points,
        local_day(item.demonstrated_at, zone).isoformat(),
        assessment or "",
        item.source,
        item.comment or "",
        status,
    ]


def student_report(course: Course, student: User) -> dict[str, Any]:
    """One student's standards, levels and summary grade, in tree order."""
    mastery = student_mastery(course, student.id)
    tree = mastery.tree
    standards = []
    for standard_id in tree.preorder():
        standard = tree.standards[standard_id]
        result = mastery.result(student.id, standard_id)
        standards.append(
            {
                "code": standard.code,
                "title": standard.title,
                "i_can": standard.i_can,
                "status": str(result.status),
                "level": result.level.label
                if result.level
                else EXEMPT_TEXT
                if result.status is Status.EXEMPT
                else None,
                "points": result.points,
                "evidence_count": result.evidence_count,
                "is_priority": standard_id in tree.priority,
            }
        )
    summary = mastery.summaries.get(student.id)
    return {
        "student": student.display_name,
        "course": course.display_name,
        "grade": summary.score if summary else None,
        "maximum": summary.maximum if summary else None,
        "explanation": summary.explanation if summary else "",
        "standards": standards,
    }


def student_report_csv(course: Course, student: User) -> str:
    """The student report as CSV, one line per standard."""
    report = student_report(course, student)
    keys = ["code", "title", "level", "points", "evidence_count", "i_can"]
    return to_csv(keys, ([s[key] for key in keys] for s in report["standards"]))
