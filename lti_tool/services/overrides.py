"""Calculation overrides for one standard or a whole branch ("all of ELA: highest of 3").

Stored as StandardOverride rows on any adopted node; a row on a parent covers every standard
beneath it unless a nearer one applies (see `mastery.overrides` for the rule, several
parents included). Every computation resolves them once, here, so the gradebook, the stored
levels, the summary grades and the what-if preview agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from ..errors import NotFound
from ..extensions import db
from ..mastery import Calculation
from ..mastery.overrides import Resolution, resolve_overrides
from ..models import Course, CourseStandard, StandardOverride
from . import jobs
from .frameworks import CourseTree, course_tree
from .rejections import reported


def node_overrides(course: Course) -> dict[int, Calculation]:
    """The overrides as set, by the node they were set on (one query)."""
    rows = db.session.execute(
        select(
            StandardOverride.standard_id,
            StandardOverride.method,
            StandardOverride.params,
            StandardOverride.min_evidence,
        ).where(StandardOverride.course_id == course.id)
    ).all()
    with reported():
        return {row[0]: Calculation(row[1], row[2] or {}, row[3]) for row in rows}


def resolve(tree: CourseTree, overrides: Mapping[int, Calculation]) -> Resolution[int]:
    """Each adopted standard's effective override from the overrides set on nodes."""
    return resolve_overrides(overrides, tree.children, tree.preorder())


def effective_overrides(course: Course, tree: CourseTree | None = None) -> Resolution[int]:
    """The course's overrides resolved over its tree (the tree is read only when needed)."""
    set_on = node_overrides(course)
    if not set_on:
        return Resolution({}, {})
    return resolve(tree or course_tree(course), set_on)


def set_override(
    course: Course,
    standard_id: int,
    method: str,
    params: Mapping[str, Any] | None = None,
    min_evidence: int = 1,
) -> StandardOverride:
    """Set (or replace) the override on an adopted standard or branch; recompute is queued."""
    _check_adopted(course, standard_id)
    with reported():
        checked = Calculation(method, dict(params or {}), min_evidence)
    row = db.session.scalar(
        select(StandardOverride).where(
            StandardOverride.course_id == course.id, StandardOverride.standard_id == standard_id
        )
    )
    if row is None:
        row = StandardOverride(course_id=course.id, standard_id=standard_id)
        db.session.add(row)
    row.method, row.params, row.min_evidence = method, dict(params or {}), checked.min_evidence
    db.session.flush()
    jobs.enqueue("recompute", course)
    return row


def clear_override(course: Course, standard_id: int) -> bool:
    """Remove the override set on a node (its standards fall back to the next one up)."""
    row = db.session.scalar(
        select(StandardOverride).where(
            StandardOverride.course_id == course.id, StandardOverride.standard_id == standard_id
        )
    )
    if row is None:
        return False
    db.session.delete(row)
    db.session.flush()
    jobs.enqueue("recompute", course)
    return True


def _check_adopted(course: Course, standard_id: int) -> None:
    found = db.session.scalar(
        select(CourseStandard.id).where(
            CourseStandard.course_id == course.id, CourseStandard.standard_id == standard_id
        )
    )
    if found is None:
        raise NotFound("This course has not adopted that standard.")
