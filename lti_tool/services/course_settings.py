"""Scales and course mastery settings: stored rows in, pure-domain settings out."""

from __future__ import annotations

import secrets
from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..errors import MasteryRejected, NotFound, PermissionDenied
from ..extensions import db, upsert_insert
from ..mastery import DEFAULT_SCALE, PRESETS, MasterySettings
from ..mastery import Level as DomainLevel
from ..mastery import Scale as DomainScale
from ..models import Course, CourseSettings, Framework, Platform, Scale, User
from ..models.types import utcnow
from ..translatable import N_
from . import audit, jobs
from .frameworks import CourseTree
from .overrides import effective_overrides
from .rejections import reported
from .scales import level_fields, store_scale


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
            found[key] = store_scale(preset, platform_id=platform.id, course_id=None)
    if len(found) > len(rows):
        db.session.flush()
    return found


def registration_scales(platform: Platform) -> list[Scale]:
    """The registration's presets, offered or not: the built-in ones and those its
    administrators added, by name."""
    ensure_presets(platform)
    query = (
        select(Scale)
        .where(Scale.platform_id == platform.id, Scale.course_id.is_(None))
        .options(selectinload(Scale.levels))
        .order_by(Scale.name, Scale.id)
    )
    return list(db.session.scalars(query))


def define_preset(
    platform: Platform, name: str, levels: Sequence[DomainLevel], *, by: User | None
) -> Scale:
    """A scale an administrator offers to every course of the registration (audited).

    Validated whole like a course's own scale; a preset is never changed afterwards, since
    evidence keeps the scale it was recorded on.
    """
    with reported():
        domain = DomainScale(
            key=f"preset-{secrets.token_hex(4)}", name=name.strip()[:200], levels=tuple(levels)
        )
    named = select(Scale.id).where(
        Scale.platform_id == platform.id, Scale.course_id.is_(None), Scale.name == domain.name
    )
    if db.session.scalar(named) is not None or domain.name in {p.name for p in PRESETS.values()}:
        raise MasteryRejected(
            N_(
                "The registration already offers a scale named “%(name)s”; choose another name.",
                name=domain.name,
            )
        )
    row = store_scale(domain, platform_id=platform.id, course_id=None)
    db.session.flush()
    audit.record(
        "registration.scale_added",
        actor="administrator",
        platform=platform,
        user=by,
        target=domain.name,
        details={"scale": row.id, "levels": len(domain.levels)},
    )
    return row


def preset_of(platform: Platform, scale_id: int) -> Scale:
    """One of the registration's presets (a course's own scale, or another registration's, is
    not found)."""
    scale = db.session.get(Scale, scale_id)
    if scale is None or scale.platform_id != platform.id or scale.course_id is not None:
        raise NotFound(N_("This registration has no such scale."))
    return scale


def set_offered(platform: Platform, scale: Scale, offered: bool, *, by: User | None) -> None:
    """Stop offering a preset to the registration's courses, or offer it again (audited).

    Nothing is taken from anyone: a course that uses it keeps it (its settings still show it),
    and evidence keeps the scale it was recorded on. The scale new courses start on stays.
    """
    if not offered and scale.key == DEFAULT_SCALE.key:
        raise MasteryRejected(
            N_("New courses start on “%(name)s”, so it stays offered.", name=scale.name)
        )
    if (scale.retired_at is None) == offered:
        return  # already so: the form was sent twice
    scale.retired_at = None if offered else utcnow()
    audit.record(
        "registration.scale_offered" if offered else "registration.scale_retired",
        actor="administrator",
        platform=platform,
        user=by,
        target=scale.name,
        details={"scale": scale.id, "courses_using": courses_using(scale)},
    )


def courses_using(scale: Scale) -> int:
    """How many courses' settings use this scale."""
    query = select(func.count()).select_from(CourseSettings)
    return db.session.scalar(query.where(CourseSettings.scale_id == scale.id)) or 0


def courses_using_each(platform: Platform) -> dict[int, int]:
    """How many courses use each of the registration's presets (one query)."""
    rows = db.session.execute(
        select(CourseSettings.scale_id, func.count())
        .join(Scale, Scale.id == CourseSettings.scale_id)
        .where(Scale.platform_id == platform.id, Scale.course_id.is_(None))
        .group_by(CourseSettings.scale_id)
    )
    return {scale_id: count for scale_id, count in rows}


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
    levels = tuple(DomainLevel(**level_fields(level)) for level in scale.levels)
    with reported():
        return DomainScale(key=scale.key, name=scale.name, levels=levels)


def mastery_settings(
    course: Course, row: CourseSettings | None = None, *, tree: CourseTree | None = None
) -> MasterySettings:
    """The course's settings, with its overrides resolved to every standard they cover.

    Overrides set on a branch are resolved over the course's tree once, here (`tree` saves
    reading it again when the caller has it), so every computation uses the same ones.
    """
    row = row or settings_for(course)
    overrides = effective_overrides(course, tree).effective
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
            overrides=overrides,
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


def use_framework_scale(course: Course, framework: Framework) -> CourseSettings:
    """Switch the course to the scale a framework's ratings make, when the teacher asks."""
    if framework.scale_id is None:
        detail = "its file gave no ratings" if not framework.ratings else "no level is mastery"
        raise MasteryRejected(
            f"The framework {framework.name!r} brings no usable scale ({detail}); "
            "the course keeps its scale."
        )
    scale = db.session.get_one(Scale, framework.scale_id)
    return change_scale(course, scale)


def define_scale(course: Course, key: str, name: str, levels: Sequence[DomainLevel]) -> Scale:
    """A course's own scale, validated as a whole (no row is written for a refused one).

    The course can then pick it with `change_scale`; other courses never see it.
    """
    with reported():
        domain = DomainScale(key=key.strip()[:100], name=name.strip()[:200], levels=tuple(levels))
    taken = db.session.scalar(
        select(Scale.id).where(Scale.platform_id == course.platform_id, Scale.key == domain.key)
    )
    if taken is not None or domain.key in PRESETS:
        raise MasteryRejected(f"A scale called {domain.key!r} already exists; choose another key.")
    row = store_scale(domain, platform_id=course.platform_id, course_id=course.id)
    db.session.flush()
    return row
