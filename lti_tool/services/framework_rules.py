"""An imported framework's own ratings and calculation methods: kept, offered, never forced.

A Canvas outcomes file (or a Moodle framework) says how its standards are rated and
calculated. The framework keeps what the file said, as written:

- its ratings (the levels, and a stored platform scale made of them when they form a usable
  scale: the course settings offer it, `course_settings.use_framework_scale` switches a
  course to it, but adopting never changes the course's scale by itself);
- its calculation method, and the method of each outcome that differs from it.

When a course adopts standards, their methods become the course's overrides: the
framework's method on the top adopted node of the framework (a branch override covering the
rest), an outcome's own method on that outcome. An override the course already has on a node
is never replaced. Evidence already given keeps its raw points and scale whatever happens.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from sqlalchemy import insert, select

from ..extensions import db
from ..importers import Problem
from ..mastery import Calculation, MasteryError
from ..mastery import Scale as DomainScale
from ..mastery.framework import CalculationDraft, FrameworkDraft, ScaleDraft
from ..mastery.presets import imported_scale
from ..models import (
    Course,
    CourseSettings,
    CourseStandard,
    Framework,
    Scale,
    Standard,
    StandardEdge,
    StandardOverride,
)
from .rejections import rejected
from .scales import store_scale

# Draft parameter -> (our parameter, divisor): Canvas gives the latest weight in percent.
_PARAMS = {"latest_weight": ("w", 100), "n": ("n", 1)}


def store_rules(framework: Framework, draft: FrameworkDraft, ids: Mapping[str, int]) -> None:
    """Keep the draft's ratings and methods on the framework and its standards (flushes)."""
    calculation = _calculation(draft.calculation, f"framework {draft.name}")
    if draft.scale is not None:
        framework.ratings = _ratings(draft.scale)
        scale = _offered_scale(framework, draft.scale)
        framework.scale_id = scale.id if scale else None
    if calculation is not None:
        framework.method, framework.params = calculation
    item_methods = dict(draft.source_metadata.get("item_calculations", {}))
    item_ratings = dict(draft.source_metadata.get("item_scales", {}))
    rows: dict[int, dict[str, Any]] = {}
    for key, found in item_methods.items():
        checked = _calculation(found, f"item {key}")
        if checked is not None and key in ids:
            rows.setdefault(ids[key], {})["method"], rows[ids[key]]["params"] = checked
    for key, levels in item_ratings.items():
        if key in ids:
            rows.setdefault(ids[key], {})["ratings"] = _ratings(levels)
    for standard_id, values in rows.items():
        db.session.execute(
            Standard.__table__.update().where(Standard.id == standard_id).values(**values)
        )
    db.session.flush()


def why_not_a_scale(framework: Framework) -> str | None:
    """Why the framework's kept ratings were not offered as a course scale (None if they were,
    or if it has none)."""
    if not framework.ratings or framework.scale_id is not None:
        return None
    try:
        _domain_scale(framework, None, [tuple(level) for level in framework.ratings])
    except MasteryError as error:
        return str(error)
    return None


def _ratings(scale: ScaleDraft) -> list[list[Any]]:
    return [[level.label, level.points, level.is_mastery] for level in scale.levels]


def _offered_scale(framework: Framework, draft: ScaleDraft) -> Scale | None:
    """A platform scale made of the ratings, or None when they do not make one (the reason:
    `why_not_a_scale`)."""
    levels = [(level.label, level.points, level.is_mastery) for level in draft.levels]
    try:
        domain = _domain_scale(framework, draft.name, levels)
    except MasteryError:
        return None
    row = store_scale(domain, platform_id=framework.platform_id, course_id=framework.course_id)
    db.session.flush()
    return row


def _domain_scale(framework: Framework, name: str | None, levels: list) -> DomainScale:
    return imported_scale(
        f"framework-{framework.id}", (name or f"{framework.name} ratings")[:200], levels
    )


def _calculation(draft: CalculationDraft | None, where: str) -> tuple[str, dict] | None:
    """The draft's method in our vocabulary, validated; a bad one rejects the import."""
    if draft is None:
        return None
    params: dict[str, float] = {}
    for name, value in draft.params:
        ours, divisor = _PARAMS.get(name, (name, 1))
        params[ours] = value / divisor if divisor != 1 else value
    try:
        Calculation(draft.method, params)
    except MasteryError as error:
        raise rejected([Problem(where, "calculation_method", str(error))]) from error
    return draft.method, params


def adopt_rules(course: Course, new_ids: Collection[int]) -> int:
    """Overrides for newly adopted standards from their framework's methods; returns how many.

    The framework's method goes on each adopted node with no adopted parent in the same
    framework (it covers the branch below); an outcome's own method on the outcome. Nodes
    that already carry an override of this course keep it.
    """
    if not new_ids:
        return 0
    rows = db.session.execute(
        select(
            Standard.id,
            Standard.framework_id,
            Standard.method,
            Standard.params,
            Framework.method,
            Framework.params,
        )
        .join(Framework, Standard.framework_id == Framework.id)
        .where(Standard.id.in_(list(new_ids)))
        .where((Standard.method.is_not(None)) | (Framework.method.is_not(None)))
    ).all()
    if not rows:
        return 0
    wanted = _wanted(course, rows)
    have = set(
        db.session.scalars(
            select(StandardOverride.standard_id).where(
                StandardOverride.course_id == course.id,
                StandardOverride.standard_id.in_(list(wanted)),
            )
        )
    )
    minimum = db.session.scalar(
        select(CourseSettings.min_evidence).where(CourseSettings.course_id == course.id)
    )
    values = [
        {
            "course_id": course.id,
            "standard_id": standard_id,
            "method": method,
            "params": params or {},
            "min_evidence": minimum or 1,
        }
        for standard_id, (method, params) in wanted.items()
        if standard_id not in have
    ]
    if values:
        db.session.execute(insert(StandardOverride), values)
    return len(values)


def _wanted(course: Course, rows: list[Any]) -> dict[int, tuple[str, dict | None]]:
    """Node -> (method, params): outcomes' own, then the framework's on its top nodes."""
    wanted = {row[0]: (row[2], row[3]) for row in rows if row[2] is not None}
    with_framework = {row[0]: row for row in rows if row[4] is not None}
    if not with_framework:
        return wanted
    adopted_parents = set(
        db.session.scalars(
            select(StandardEdge.child_id)
            .where(StandardEdge.child_id.in_(list(with_framework)))
            .where(StandardEdge.parent_id.in_(_adopted(course)))
        )
    )
    for standard_id, row in with_framework.items():
        if standard_id not in adopted_parents:
            wanted.setdefault(standard_id, (row[4], row[5]))
    return wanted


def _adopted(course: Course) -> Any:
    return select(CourseStandard.standard_id).where(CourseStandard.course_id == course.id)
