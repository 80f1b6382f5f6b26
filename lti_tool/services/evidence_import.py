"""Importing an evidence CSV (our template) into a course: resolve every row, then save all."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time

from sqlalchemy import select

from ..extensions import db
from ..importers import Problem
from ..importers.evidence_csv import EvidenceRow, parse_evidence_long
from ..models import Assessment, Course, Enrollment, Evidence, User
from .course_settings import settings_for
from .evidence import EvidenceInput, record_many
from .frameworks import course_tree
from .rejections import rejected, reported

# Evidence dated by day is stored at noon UTC, so the day reads the same in every time zone
# from UTC-11 to UTC+11.
_NOON = time(12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class ImportSummary:
    """What an import saved: new evidence rows, distinct students and standards, skipped rows."""

    evidence: int
    students: int
    standards: int
    skipped: int


class _Lookup:
    """Case-insensitive names → ids; a name shared by two rows is ambiguous, never guessed."""

    def __init__(self) -> None:
        self._ids: dict[str, set[int]] = defaultdict(set)

    def add(self, name: str | None, row_id: int) -> None:
        if name and name.strip():
            self._ids[name.strip().casefold()].add(row_id)

    def find(self, name: str) -> tuple[int | None, str | None]:
        ids = self._ids.get(name.strip().casefold(), set())
        if len(ids) == 1:
            return next(iter(ids)), None
        return None, ("matches several" if ids else "not found")


def import_evidence(
    course: Course, data: bytes | str, *, filename: str | None = None, actor: User | None
) -> ImportSummary:
    """All or nothing: every unresolvable row is reported; rows imported before are skipped."""
    with reported():
        batch = parse_evidence_long(data, filename=filename)
    students, standards, levels = _roster(course), _standards(course), _levels(course)
    problems: list[Problem] = []
    resolved = [
        pair for row in batch.rows if (pair := _resolve(row, students, standards, levels, problems))
    ]
    if problems:
        raise rejected(problems)
    if not resolved:
        raise rejected([Problem(filename or "file", "rows", "nothing to import")])
    seen = set(
        db.session.scalars(
            select(Evidence.import_key).where(
                Evidence.course_id == course.id,
                Evidence.import_key.in_([item.import_key for item, _ in resolved]),
            )
        )
    )
    fresh = [(item, name) for item, name in resolved if item.import_key not in seen]
    assessment_ids = _assessments(course, {name for _, name in fresh if name})
    inputs = [
        replace(item, assessment_id=assessment_ids[name.casefold()]) if name else item
        for item, name in fresh
    ]
    if inputs:
        record_many(course, inputs, actor=actor, source="import")
    return ImportSummary(
        evidence=len(inputs),
        students=len({item.student_id for item in inputs}),
        standards=len({item.standard_id for item in inputs}),
        skipped=len(resolved) - len(inputs),
    )


def _resolve(
    row: EvidenceRow,
    students: _Lookup,
    standards: _Lookup,
    levels: dict[str, float],
    problems: list[Problem],
) -> tuple[EvidenceInput, str | None] | None:
    """The row as an input plus its assessment name, or None with its problems reported."""
    where = f"line {row.line}"
    student, why_student = students.find(row.student)
    standard, why_standard = standards.find(row.standard)
    points = levels.get(row.mark.strip().casefold())
    if why_student:
        problems.append(Problem(where, "student", f"'{row.student}' {why_student} in the roster"))
    if why_standard:
        problems.append(
            Problem(where, "standard", f"'{row.standard}' {why_standard} among adopted standards")
        )
    if points is None:
        problems.append(Problem(where, "level", f"'{row.mark}' is not a level of the course scale"))
    if row.date is None:
        problems.append(Problem(where, "date", "missing"))
    if student is None or standard is None or points is None or row.date is None:
        return None
    assessment = (row.assessment or "").strip() or None
    identity = "|".join(
        map(str, (student, standard, points, row.date, assessment or "", row.comment or ""))
    )
    item = EvidenceInput(
        student_id=student,
        standard_id=standard,
        points=points,
        demonstrated_at=datetime.combine(row.date, _NOON),
        comment=row.comment,
        import_key=hashlib.sha256(identity.encode()).hexdigest(),
    )
    return item, assessment


def _roster(course: Course) -> _Lookup:
    """The course's students by LMS user id (sub), email and full name."""
    lookup = _Lookup()
    users = db.session.scalars(
        select(User)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.course_id == course.id, Enrollment.role == "student")
    )
    for user in users:
        full = " ".join(part for part in (user.given_name, user.family_name) if part)
        for name in {user.sub, user.email, user.name, full}:
            lookup.add(name, user.id)
    return lookup


def _standards(course: Course) -> _Lookup:
    """Adopted standards by code, CASE identifier or key within their framework."""
    lookup = _Lookup()
    for standard in course_tree(course).standards.values():
        for name in {standard.code, standard.case_identifier, standard.key}:
            lookup.add(name, standard.id)
    return lookup


def _levels(course: Course) -> dict[str, float]:
    """Level labels and point values (as written, e.g. '3' or '3.0') → points."""
    levels: dict[str, float] = {}
    for level in settings_for(course).scale.levels:
        levels[level.label.casefold()] = level.points
        levels[f"{level.points:g}"] = level.points
        levels[str(level.points)] = level.points
    return levels


def _assessments(course: Course, names: set[str]) -> dict[str, int]:
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
