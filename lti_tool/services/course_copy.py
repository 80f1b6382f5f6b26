"""A new term's course set up like an earlier one: "bring the setup from <course>".

What comes: the adopted standards (a platform-library framework is shared; a course's own
framework is copied, its standards matched by key), priority flags, the scale (a course's own
scale is copied), the calculation, roll-up and summary-grade settings, per-standard overrides,
and the tool's assessments with their alignments and cut scores, matched by their stable tags
so an LMS column copied with the course (same tag, new URL) takes its assessment over on the
next sync; a published assessment stays published the same way (graded in the tool or in the
LMS), its column found by tag or created by the worker. What never comes: evidence, grades,
people.

Bringing the setup twice changes nothing; it runs in the caller's transaction, all or nothing.
Canvas names the courses a course was copied from in `$Context.id.history` (custom parameter
`ctx_history`, newest first); elsewhere the teacher picks one of the courses they teach.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select

from ..errors import NotFound, PermissionDenied
from ..extensions import db
from ..lti.vocab import Claim, CourseRole
from ..models import (
    Alignment,
    Assessment,
    Course,
    CourseStandard,
    Enrollment,
    Evidence,
    Framework,
    Level,
    Scale,
    Standard,
    StandardEdge,
    StandardOverride,
    User,
)
from . import jobs, published
from .course_settings import settings_for

log = logging.getLogger(__name__)

HISTORY_PARAMETER = "ctx_history"
SETTING_FIELDS = (
    "method",
    "params",
    "min_evidence",
    "rollup",
    "policy",
    "policy_params",
    "maximum",
    "has_standard_columns",
    "assistants_may_edit",
)


@dataclass(frozen=True)
class Candidate:
    """A course whose setup may be brought here, with what it holds."""

    course: Course
    standards: int
    assessments: int
    copied_from: bool  # named in the platform's course-copy history


@dataclass(frozen=True)
class CopyReport:
    """What bringing the setup added to the course."""

    standards: int
    frameworks_copied: int
    assessments: int
    alignments: int
    overrides: int
    scale: str


def history_ids(claims: Mapping[str, Any]) -> list[str]:
    """Context ids the platform says this course was copied from, newest first."""
    custom = claims.get(Claim.CUSTOM) or {}
    value = custom.get(HISTORY_PARAMETER) if isinstance(custom, dict) else None
    if not isinstance(value, str) or value.startswith("$"):  # "$Context.id.history": not offered
        return []
    return [part.strip() for part in value.split(",") if part.strip()]


def candidates(target: Course, teacher: User, history: Sequence[str] = ()) -> list[Candidate]:
    """Courses of this platform with standards: the copy history first, then those taught."""
    taught = select(Enrollment.course_id).where(
        Enrollment.user_id == teacher.id, Enrollment.role == CourseRole.TEACHER.value
    )
    courses = db.session.scalars(
        select(Course).where(
            Course.platform_id == target.platform_id,
            Course.id != target.id,
            Course.id.in_(taught) | Course.context_id.in_(list(history)),
        )
    ).all()
    counts = _counts(CourseStandard, [c.id for c in courses])
    assessments = _counts(Assessment, [c.id for c in courses])
    rank = {context_id: n for n, context_id in enumerate(history)}
    found = [
        Candidate(c, counts.get(c.id, 0), assessments.get(c.id, 0), c.context_id in rank)
        for c in courses
        if counts.get(c.id)
    ]
    return sorted(
        found,
        key=lambda c: (rank.get(c.course.context_id, len(rank)), -c.course.created_at.timestamp()),
    )


def source_for(target: Course, teacher: User, course_id: int, history: Sequence[str]) -> Course:
    """The chosen course, if it is one this teacher may bring the setup from."""
    for candidate in candidates(target, teacher, history):
        if candidate.course.id == course_id:
            return candidate.course
    raise NotFound("That course is not one whose setup you can bring here.")


def bring_setup(source: Course, target: Course) -> CopyReport:
    """Copy the source's setup into the target (no evidence); see the module docstring."""
    if source.platform_id != target.platform_id:
        raise PermissionDenied("That course belongs to another platform.")
    if source.id == target.id:
        raise NotFound("A course cannot bring its setup from itself.")
    standard_map, copied = _standards(source, target)
    added = _adopt(source, target, standard_map)
    scale = _settings(source, target)
    overrides = _overrides(source, target, standard_map)
    assessments, alignments = _assessments(source, target, standard_map)
    _publish(source, target)
    has_evidence = db.session.scalar(
        select(func.count()).select_from(Evidence).where(Evidence.course_id == target.id)
    )
    if has_evidence:
        jobs.enqueue("recompute", target)
    db.session.flush()
    report = CopyReport(added, copied, assessments, alignments, overrides, scale)
    log.info("course %s brought the setup of course %s: %s", target.id, source.id, report)
    return report


def _counts(model: Any, course_ids: list[int]) -> dict[int, int]:
    if not course_ids:
        return {}
    rows = db.session.execute(
        select(model.course_id, func.count())
        .where(model.course_id.in_(course_ids))
        .group_by(model.course_id)
    )
    return dict(rows.all())


def _columns(model: Any, row: Any, *skip: str) -> dict[str, Any]:
    """A row's stored values, for a copy (every column but the keys named)."""
    return {
        column.key: getattr(row, column.key)
        for column in model.__table__.columns
        if column.key not in ("id", *skip)
    }


def _standards(source: Course, target: Course) -> tuple[dict[int, int], int]:
    """Source standard id → target standard id; the source's own frameworks are copied once."""
    adopted = db.session.execute(
        select(Standard.id, Standard.key, Framework)
        .join(CourseStandard, CourseStandard.standard_id == Standard.id)
        .join(Framework, Framework.id == Standard.framework_id)
        .where(CourseStandard.course_id == source.id)
    ).all()
    mapping: dict[int, int] = {}
    owned: dict[int, Framework] = {}
    for standard_id, _key, framework in adopted:
        if framework.course_id is None:
            mapping[standard_id] = standard_id  # the platform library is shared
        else:
            owned[framework.id] = framework
    copied = 0
    for framework in owned.values():
        keys, was_copied = _own_copy(framework, target)
        copied += was_copied
        for standard_id, key, other in adopted:
            if other.id == framework.id and key in keys:
                mapping[standard_id] = keys[key]
    return mapping, copied


def _own_copy(framework: Framework, target: Course) -> tuple[dict[str, int], bool]:
    """The target's copy of a course framework (key → id), made now if it has none."""
    existing = db.session.scalar(
        select(Framework).where(
            Framework.course_id == target.id,
            Framework.name == framework.name,
            Framework.source_format == framework.source_format,
            Framework.identifier.is_(None)
            if framework.identifier is None
            else Framework.identifier == framework.identifier,
        )
    )
    if existing is not None:
        return _keys(existing.id), False
    copy = Framework(**_columns(Framework, framework, "course_id", "created_at"))
    copy.course_id = target.id
    db.session.add(copy)
    db.session.flush()
    standards = db.session.scalars(
        select(Standard).where(Standard.framework_id == framework.id).order_by(Standard.id)
    ).all()
    rows = [dict(_columns(Standard, s, "framework_id"), framework_id=copy.id) for s in standards]
    ids = db.session.scalars(
        insert(Standard).returning(Standard.id, sort_by_parameter_order=True), rows
    ).all()
    new_id = {s.id: i for s, i in zip(standards, ids, strict=True)}
    edges = db.session.scalars(
        select(StandardEdge).where(StandardEdge.framework_id == framework.id)
    ).all()
    if edges:
        db.session.execute(
            insert(StandardEdge),
            [
                {
                    "framework_id": copy.id,
                    "parent_id": new_id[e.parent_id],
                    "child_id": new_id[e.child_id],
                    "position": e.position,
                }
                for e in edges
            ],
        )
    return {s.key: new_id[s.id] for s in standards}, True


def _keys(framework_id: int) -> dict[str, int]:
    rows = db.session.execute(
        select(Standard.key, Standard.id).where(Standard.framework_id == framework_id)
    )
    return dict(rows.all())


def _adopt(source: Course, target: Course, mapping: dict[int, int]) -> int:
    """Adopt the mapped standards in the target, with the source's priority flags."""
    rows = db.session.execute(
        select(CourseStandard.standard_id, CourseStandard.is_priority).where(
            CourseStandard.course_id == source.id
        )
    ).all()
    have = set(
        db.session.scalars(
            select(CourseStandard.standard_id).where(CourseStandard.course_id == target.id)
        )
    )
    new = [
        {"course_id": target.id, "standard_id": mapping[sid], "is_priority": priority}
        for sid, priority in rows
        if sid in mapping and mapping[sid] not in have
    ]
    if new:
        db.session.execute(insert(CourseStandard), new)
    return len(new)


def _settings(source: Course, target: Course) -> str:
    """The source's calculation and policy, and its scale (a course's own scale is copied)."""
    theirs, ours = settings_for(source), settings_for(target)
    for name in SETTING_FIELDS:
        setattr(ours, name, getattr(theirs, name))
    scale = theirs.scale
    if scale.course_id is not None:
        scale = _own_scale(scale, target)
    ours.scale_id, ours.scale = scale.id, scale
    return scale.name


def _own_scale(scale: Scale, target: Course) -> Scale:
    existing = db.session.scalar(
        select(Scale).where(
            Scale.platform_id == target.platform_id,
            Scale.course_id == target.id,
            Scale.key == scale.key,
        )
    )
    if existing is not None:
        return existing
    copy = Scale(
        platform_id=target.platform_id, course_id=target.id, key=scale.key, name=scale.name
    )
    copy.levels = [Level(**_columns(Level, level, "scale_id")) for level in scale.levels]
    db.session.add(copy)
    db.session.flush()
    return copy


def _overrides(source: Course, target: Course, mapping: dict[int, int]) -> int:
    theirs = db.session.scalars(
        select(StandardOverride).where(StandardOverride.course_id == source.id)
    ).all()
    ours = {
        o.standard_id: o
        for o in db.session.scalars(
            select(StandardOverride).where(StandardOverride.course_id == target.id)
        )
    }
    changed = 0
    for override in theirs:
        standard_id = mapping.get(override.standard_id)
        if standard_id is None:
            continue
        row = ours.get(standard_id)
        if row is None:
            row = StandardOverride(course_id=target.id, standard_id=standard_id)
        values = _columns(StandardOverride, override, "course_id", "standard_id")
        if row.id is None or any(getattr(row, k) != v for k, v in values.items()):
            changed += 1
        for name, value in values.items():
            setattr(row, name, value)
        db.session.add(row)
    return changed


def _publish(source: Course, target: Course) -> None:
    """Publish the copies of the source's published assessments the same way (once)."""
    grading = dict(
        db.session.execute(
            select(Assessment.tag, Assessment.grading).where(
                Assessment.course_id == source.id, Assessment.grading.is_not(None)
            )
        ).all()
    )
    if not grading:
        return
    copies = db.session.scalars(
        select(Assessment).where(Assessment.course_id == target.id, Assessment.tag.in_(grading))
    )
    for copy in copies:
        if copy.grading is None and copy.alignments:
            published.publish_assessment(target, copy, grading[copy.tag], actor=None)


def _assessments(source: Course, target: Course, mapping: dict[int, int]) -> tuple[int, int]:
    """The source's assessments and alignments, matched by tag; LMS URLs are not carried."""
    theirs = db.session.scalars(
        select(Assessment).where(Assessment.course_id == source.id).order_by(Assessment.id)
    ).all()
    ours = {
        a.tag: a
        for a in db.session.scalars(select(Assessment).where(Assessment.course_id == target.id))
    }
    added = aligned = 0
    for assessment in theirs:
        copy = ours.get(assessment.tag)
        if copy is None:
            copy = Assessment(
                course_id=target.id,
                title=assessment.title,
                kind=assessment.kind,
                tag=assessment.tag,
                resource_id=assessment.resource_id,
                line_item_url=None,  # this course's own column is found by its tag
            )
            db.session.add(copy)
            added += 1
        present = {a.standard_id for a in copy.alignments}
        for alignment in assessment.alignments:
            standard_id = mapping.get(alignment.standard_id)
            if standard_id is not None and standard_id not in present:
                copy.alignments.append(
                    Alignment(standard_id=standard_id, cut_scores=list(alignment.cut_scores))
                )
                aligned += 1
    return added, aligned
