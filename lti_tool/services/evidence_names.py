"""Who and what an evidence file names: students, standards and assessments of a course."""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from ..extensions import db
from ..models import Assessment, Course, Enrollment, User
from .frameworks import course_tree


class Lookup:
    """Case-insensitive names → ids; a name shared by two rows is ambiguous, never guessed."""

    def __init__(self) -> None:
        self._ids: dict[str, set[int]] = defaultdict(set)
        self.names: dict[int, str] = {}

    def add(self, name: str | None, row_id: int, shown: str) -> None:
        if name and name.strip():
            self._ids[name.strip().casefold()].add(row_id)
            self.names[row_id] = shown

    def find(self, name: str) -> tuple[int | None, str | None]:
        ids = self._ids.get(name.strip().casefold(), set())
        if len(ids) == 1:
            return next(iter(ids)), None
        return None, ("matches several" if ids else "not found")


def roster(course: Course) -> Lookup:
    """The course's students by LMS user id (sub), email and full name."""
    lookup = Lookup()
    users = db.session.scalars(
        select(User)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.course_id == course.id, Enrollment.role == "student")
    )
    for user in users:
        full = " ".join(part for part in (user.given_name, user.family_name) if part)
        for name in {user.sub, user.email, user.name, full}:
            lookup.add(name, user.id, user.display_name)
    return lookup


def adopted_standards(course: Course) -> Lookup:
    """Adopted standards by code, CASE identifier or key within their framework."""
    lookup = Lookup()
    for standard in course_tree(course).standards.values():
        for name in {standard.code, standard.case_identifier, standard.key}:
            lookup.add(name, standard.id, standard.label)
    return lookup


def assessments_by_name(course: Course, names: set[str]) -> dict[str, int]:
    """Assessment ids by casefolded tag or title; unknown names become tool assessments."""
    found: dict[str, int] = {}
    if not names:
        return found
    for assessment in db.session.scalars(
        select(Assessment).where(Assessment.course_id == course.id)
    ):
        found.setdefault(assessment.tag.casefold(), assessment.id)
        found.setdefault(assessment.title.casefold(), assessment.id)
    new = {name.casefold(): name for name in names if name.casefold() not in found}
    created = [
        Assessment(course_id=course.id, title=name, tag=name, kind="tool") for name in new.values()
    ]
    db.session.add_all(created)
    db.session.flush()
    found.update({assessment.tag.casefold(): assessment.id for assessment in created})
    return found
