"""One student's data, for a FERPA or GDPR request: export everything stored about them (JSON)
and erase it.

What is theirs is found from the schema: the rows hanging from their `users` row by ON DELETE
CASCADE foreign keys (enrolments, evidence and its audit trail, levels, exemptions, grades
waiting, share links, launches), so a table added later is covered without touching this
module. Rows that only name them as the person who acted (an audit event, evidence they
entered for someone else) are exported as references and, on erasure, keep the action but
lose the name (those foreign keys are ON DELETE SET NULL). The LMS keeps its own score
history; erasing here never changes the LMS gradebook.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select, update

from ..errors import LtiToolError
from ..extensions import db
from ..models import Platform, User
from ..models.types import utcnow
from . import audit
from .registration_data import delete_reached, json_row, paths, rows_of

log = logging.getLogger(__name__)

EXPORT_FORMAT = "mastery-tracker-student-export/1"
# Credentials and protocol state: not "about" the student, and useless to them.
NOT_EXPORTED = frozenset({"launches"})


class EraseRefused(LtiToolError):
    """The id typed back does not match the student's."""


def _owned() -> dict[str, Any]:
    return paths("users", cascade_only=True)


def _references() -> list[tuple[Any, str]]:
    """(table, column) of every ON DELETE SET NULL reference to a user: who did something."""
    return [
        (table, fk.parent.name)
        for table in db.metadata.sorted_tables
        for fk in table.foreign_keys
        if fk.column.table.name == "users" and (fk.ondelete or "").upper() == "SET NULL"
    ]


def export_student(student: User, *, actor: str = audit.COMMAND_LINE) -> dict[str, Any]:
    """Everything stored about the student: their rows, and the rows naming them as actor."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for name, path in sorted(_owned().items()):
        if name in NOT_EXPORTED:
            continue
        table = db.metadata.tables[name]
        query = rows_of(student.id, table, path).order_by(*table.primary_key.columns)
        tables[name] = [json_row(row) for row in db.session.execute(query).mappings()]
    acted: dict[str, list[dict[str, Any]]] = {}
    for table, column in _references():
        query = select(table).where(table.c[column] == student.id)
        rows = [json_row(row) for row in db.session.execute(query).mappings()]
        if rows:
            acted[f"{table.name}.{column}"] = rows
    audit.record(
        "student.exported",
        actor=actor,
        platform=db.session.get(Platform, student.platform_id),
        target=f"user {student.id}",
        details={"user": student.id, "rows": sum(map(len, tables.values()))},
    )
    log.info("student %s exported", student.id)
    return {
        "format": EXPORT_FORMAT,
        "exported_at": utcnow().isoformat(),
        "tables": tables,
        "acted_as": acted,
    }


def erase_student(student: User, typed_sub: str, *, actor: str = audit.COMMAND_LINE) -> int:
    """Delete every row of the student, and their name from rows naming them; returns rows
    deleted. Refused unless the student's LMS id (`sub`) is typed back."""
    if typed_sub.strip() != student.sub:
        raise EraseRefused(
            "Nothing was erased: type the student's LMS user id exactly to confirm.",
            hint=f"The id is “{student.sub}”.",
        )
    student_id, platform = student.id, db.session.get(Platform, student.platform_id)
    for table, column in _references():
        db.session.execute(
            update(table).where(table.c[column] == student_id).values({column: None})
        )
    deleted = delete_reached(student_id, _owned())
    total = sum(deleted.values())
    audit.record(
        "student.erased",
        actor=actor,
        platform=platform,
        target=f"user {student_id}",
        details={"user": student_id, "rows": total},
    )
    log.warning("student %s erased: %d rows", student_id, total)
    return total
