"""Storing pure-domain scales as rows (presets, a course's own, a framework's ratings)."""

from __future__ import annotations

from ..extensions import db
from ..mastery import Scale as DomainScale
from ..models import Level, Scale

LEVEL_FIELDS = ("label", "points", "colour", "description", "is_mastery", "counts_as_score")


def level_fields(level: object) -> dict[str, object]:
    """The fields a stored Level and a domain Level share."""
    return {name: getattr(level, name) for name in LEVEL_FIELDS}


def store_scale(scale: DomainScale, *, platform_id: int, course_id: int | None) -> Scale:
    """A new Scale row with its levels (added to the session, not flushed)."""
    row = Scale(platform_id=platform_id, course_id=course_id, key=scale.key, name=scale.name)
    row.levels = [
        Level(**level_fields(level), position=position)
        for position, level in enumerate(scale.levels)
    ]
    db.session.add(row)
    return row
