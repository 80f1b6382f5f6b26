"""Which student of the course a gradebook export's row names: by LMS id, SIS id or email.

Only the course's own students on its own platform are candidates. An identifier shared by
several of them, or identifiers naming different students, is ambiguous; no match is unknown.
Both are reported with the row, never guessed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from ..importers.lms_gradebook import Gradebook, StudentRow
from ..lti.vocab import CourseRole
from ..models import Course, Enrollment, User
from ..translatable import N_


@dataclass(frozen=True)
class StudentMatch:
    row: StudentRow
    student_id: int | None
    shown: str  # the student's name in the tool, or why the row matched nobody


class _Index:
    """The course's students by each identifier, case-insensitive."""

    def __init__(self, course: Course) -> None:
        self.by: dict[str, dict[str, set[int]]] = {
            kind: defaultdict(set) for kind in ("LMS id", "SIS id", "email")
        }
        self.names: dict[int, str] = {}
        users = db.session.scalars(
            select(User)
            .join(Enrollment, Enrollment.user_id == User.id)
            .where(
                Enrollment.course_id == course.id,
                Enrollment.role == CourseRole.STUDENT.value,
                User.platform_id == course.platform_id,
            )
        )
        for user in users:
            self.names[user.id] = user.display_name
            for kind, value in (
                ("LMS id", user.lms_user_id),
                ("SIS id", user.sis_id),
                ("email", user.email),
            ):
                if value and value.strip():
                    self.by[kind][value.strip().casefold()].add(user.id)


def match_students(course: Course, gradebook: Gradebook) -> list[StudentMatch]:
    """Each student row of the export with the course student it names, or why none."""
    index = _Index(course)
    return [_match(row, index) for row in gradebook.students]


def _match(row: StudentRow, index: _Index) -> StudentMatch:
    login = row.login if "@" in row.login else ""
    found: set[int] = set()
    for kind, value in (
        ("LMS id", row.lms_id),
        ("SIS id", row.sis_id),
        ("email", row.email),
        ("email", login),
    ):
        ids = index.by[kind].get(value.strip().casefold(), set()) if value.strip() else set()
        if len(ids) > 1:
            return StudentMatch(row, None, _ambiguous(kind, value, len(ids)))
        found |= ids
    if len(found) > 1:
        return StudentMatch(row, None, N_("its LMS id, SIS id and email name different students"))
    if not found:
        return StudentMatch(
            row, None, N_("not a student of this course (no LMS id, SIS id or email matches)")
        )
    student_id = found.pop()
    return StudentMatch(row, student_id, index.names[student_id])


def _ambiguous(kind: str, value: str, count: int) -> str:
    """`kind` is "LMS id", "SIS id" or "email" (each a message of its own, for word order)."""
    if kind == "LMS id":
        return N_("LMS id %(value)s matches %(count)s students", value=value, count=count)
    if kind == "SIS id":
        return N_("SIS id %(value)s matches %(count)s students", value=value, count=count)
    return N_("email %(value)s matches %(count)s students", value=value, count=count)
