"""Scales and course mastery settings: stored rows in, pure-domain settings out."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..errors import PermissionDenied
from ..extensions import db, upsert_insert
from ..mastery import DEFAULT_SCALE, PRESETS, Calculation, MasterySettings
from ..mastery import Level as DomainLevel
from ..mastery import Scale as DomainScale
from ..models import Course, CourseSettings, Level, Platform, Scale, StandardOverride
from . import jobs
from .rejections import reported


def ensure_presets(platform: Platform) -> dict[str, Scale]:
    """The platform's preset scales, materialised on first use (keyed by preset key)."""
    rows = db.session.scalars(
        select(Scale).where(
            Scale.platform_id == platform.id, Scale.course_id.is_(None), Scale.key.in_(PRESETS)
        )
    ).all()
    found = {scale.key: scale for scale in rows}
    for key, preset in PRESETS.items():
        if key not in found:
            found[key] = _store_scale(preset, platform_id=platform.id, course_id=None)
    if len(found) > len(rows):
        db.session.flush()
    return found


LEVEL_FIELDS = ("label", "points", "colour", "description", "is_mastery", "counts_as_score")


def _level_fields(level: object) -> dict[str, object]:
    """The fields a stored Level and a domain Level share."""
    return {name: getattr(level, name) for name in LEVEL_FIELDS}


def _store_scale(preset: DomainScale, *, platform_id: int, course_id: int | None) -> Scale:
    scale = Scale(platform_id=platform_id, course_id=course_id, key=preset.key, name=preset.name)
    scale.levels = [
        Level(**_level_fields(level), position=position)
        for position, level in enumerate(preset.levels)
    ]
    db.session.add(scale)
    return scale


DEFAULT_SETTINGS = {
    "method": "most_recent",
    "params": {},
    "min_evidence": 1,
    "rollup": "mean_of_children",
    "policy": "level_conversion",  # DESIGN correction 7
    "policy_params": {},
    "maximum": 100.0,
}


def settings_for(course: Course) -> CourseSettings:
    """The course's settings row, created with the defaults (DESIGN correction 7) if missing."""
    # One statement: the row, its scale and the scale's few levels, joined.
    query = (
        select(CourseSettings)
        .where(CourseSettings.course_id == course.id)
        .options(joinedload(CourseSettings.scale).joinedload(Scale.levels))
    )
    settings = db.session.execute(query).unique().scalar_one_or_none()
    if settings is None:
        scale = ensure_presets(course.platform)[DEFAULT_SCALE.key]
        # A class opening a new course at once: every first page inserts, one row wins
        # (ON CONFLICT DO NOTHING, no unique-constraint error), and all read that one.
        db.session.execute(
            upsert_insert(CourseSettings)
            .values(course_id=course.id, scale_id=scale.id, **DEFAULT_SETTINGS)
            .on_conflict_do_nothing(index_elements=["course_id"])
        )
        settings = db.session.execute(query).unique().scalar_one()
    return settings


def domain_scale(scale: Scale) -> DomainScale:
    """The pure-domain scale of a stored one."""
    levels = tuple(DomainLevel(**_level_fields(level)) for level in scale.levels)
    with reported():
        return DomainScale(key=scale.key, name=scale.name, levels=levels)


def mastery_settings(course: Course, row: CourseSettings | None = None) -> MasterySettings:
    """The course's settings and per-standard overrides as the domain uses them."""
    row = row or settings_for(course)
    overrides = db.session.scalars(
        select(StandardOverride).where(StandardOverride.course_id == course.id)
    ).all()
    with reported():
        return MasterySettings(
            scale=domain_scale(row.scale),
            method=row.method,
            params=row.params,
            min_evidence=row.min_evidence,
            rollup=row.rollup,
            policy=row.policy,
            policy_params=row.policy_params,
            maximum=row.maximum,
            overrides={
                o.standard_id: Calculation(o.method, o.params, o.min_evidence) for o in overrides
            },
        )


def change_settings(course: Course, **changes: object) -> CourseSettings:
    """Change method, params, min_evidence, rollup, policy, policy_params or maximum.

    Validated through the domain before anything is written; the worker then recomputes
    the stored levels and grades (a queued "recompute" job, committed with the change).
    """
    row = settings_for(course)
    allowed = {"method", "params", "min_evidence", "rollup", "policy", "policy_params", "maximum"}
    unknown = set(changes) - allowed
    if unknown:
        raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(row, name, value)
    mastery_settings(course)  # raises MasteryRejected, and the request rolls back
    jobs.enqueue("recompute", course)
    return row


def check_scale_owner(course: Course, scale: Scale) -> None:
    """A course may use its platform's scales and its own, never another's."""
    if scale.platform_id != course.platform_id or scale.course_id not in (None, course.id):
        raise PermissionDenied("That scale belongs to another platform or course.")


def change_scale(course: Course, scale: Scale) -> CourseSettings:
    """Point the course at another scale of its own platform; evidence keeps its old scale."""
    check_scale_owner(course, scale)
    domain_scale(scale)
    row = settings_for(course)
    row.scale_id = scale.id
    row.scale = scale
    jobs.enqueue("recompute", course)
    return row
