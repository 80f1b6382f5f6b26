"""Downloads: the gradebook and the evidence log (teachers), one student's report (anyone who
may see that student). CSV in UTF-8 with a byte order mark, so spreadsheets read accents."""

from __future__ import annotations

from flask import Blueprint, Response

from ..extensions import db
from ..models import Course, User
from ..models.types import utcnow
from ..services import exports
from ..text import slug
from .access import current_viewer, teacher_viewer, visible_student

bp = Blueprint("exports", __name__)


@bp.get("/export/gradebook.csv")
def gradebook():
    """Students × standards, each cell the current level."""
    course = teacher_viewer().course
    return _download(exports.gradebook_csv(course), course, "gradebook")


@bp.get("/export/evidence.csv")
def evidence():
    """Every piece of evidence of the course, corrections included."""
    course = teacher_viewer().course
    return _download(exports.evidence_csv(course), course, "evidence")


@bp.get("/students/<int:student_id>/report.csv")
def student_report(student_id: int):
    """One student's standards, levels and summary grade."""
    viewer = current_viewer()
    student = visible_student(viewer, student_id)
    text = exports.student_report_csv(viewer.course, student)
    return _download(text, viewer.course, "report", student)


def _download(text: str, course: Course, what: str, student: User | None = None) -> Response:
    parts = [course.label or course.title or "course"]
    if student is not None:
        parts.append(student.display_name)
    parts += [what, utcnow().date().isoformat()]
    name = "-".join(filter(None, (slug(part) for part in parts))) + ".csv"
    db.session.commit()  # after reading: the course's default settings row, if new
    response = Response(("\ufeff" + text).encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
