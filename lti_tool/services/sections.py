"""Course sections, as launches describe them, and the gradebook's section filter.

Canvas sends a person's section ids when the tool asks for `$Canvas.course.sectionIds`, and
their names with `$com.instructure.User.sectionNames`; Moodle and most other platforms send
neither, and then the course simply has no sections here. Names are paired with ids only when
a person is in exactly one section: Canvas orders the two lists differently.
A student who has not launched since the tool asked has no sections yet and is listed under
"Section not known yet", never hidden.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ..extensions import db, upsert_insert
from ..models import Course, CourseSection, Enrollment

SECTION_IDS_PARAMETER = "canvas_course_section_ids"
SECTION_NAMES_PARAMETER = "canvas_user_section_names"
# The filter value for students the platform has not placed in a section yet.
UNKNOWN = "unknown"


@dataclass(frozen=True)
class LaunchSections:
    """What one launch said: the person's section ids, and names where they pair up."""

    ids: tuple[str, ...]
    names: Mapping[str, str]


def from_custom(custom: Mapping[str, Any] | None) -> LaunchSections | None:
    """The sections in a launch's custom claim; None when the platform did not say.

    A platform that does not know a substitution sends it as written (`$Canvas...`).
    """
    raw = (custom or {}).get(SECTION_IDS_PARAMETER)
    if not isinstance(raw, str) or raw.startswith("$"):
        return None
    ids = tuple(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    names = _names((custom or {}).get(SECTION_NAMES_PARAMETER))
    paired = {ids[0]: names[0]} if len(ids) == 1 and len(names) == 1 else {}
    return LaunchSections(ids, paired)


def _names(raw: object) -> list[str]:
    if not isinstance(raw, str) or raw.startswith("$") or not raw.strip():
        return []
    if raw.lstrip().startswith("["):
        try:
            found = json.loads(raw)
        except ValueError:
            return []
        return [str(n).strip() for n in found if str(n).strip()] if isinstance(found, list) else []
    return [part.strip() for part in raw.split(",") if part.strip()]


def sync_sections(course: Course, enrollment: Enrollment, said: LaunchSections | None) -> None:
    """Keep a launch's sections on the enrolment and the course (nothing when it said none)."""
    if said is None:
        return
    enrollment.section_ids = list(said.ids)
    if not said.ids:
        return
    known = {
        s.section_id: s
        for s in db.session.scalars(
            select(CourseSection).where(
                CourseSection.course_id == course.id, CourseSection.section_id.in_(said.ids)
            )
        )
    }
    for section_id in said.ids:
        name = said.names.get(section_id, "")
        if section_id in known:
            if name and known[section_id].name != name:
                known[section_id].name = name
            continue
        db.session.execute(
            upsert_insert(CourseSection)
            .values(course_id=course.id, section_id=section_id, name=name)
            .on_conflict_do_nothing(index_elements=["course_id", "section_id"])
        )


@dataclass(frozen=True)
class SectionChoice:
    """One option of the gradebook's section filter."""

    value: str
    label: str


def section_choices(course: Course) -> list[SectionChoice]:
    """The course's sections by name, then "not known yet"; empty when it has none."""
    sections = db.session.scalars(
        select(CourseSection).where(CourseSection.course_id == course.id)
    ).all()
    if not sections:
        return []
    ordered = sorted(sections, key=lambda s: (s.display_name.casefold(), s.section_id))
    return [SectionChoice(s.section_id, s.display_name) for s in ordered] + [
        SectionChoice(UNKNOWN, "Section not known yet (has not opened the tool)")
    ]


def in_section(section_ids: Iterable[str] | None, wanted: str | None) -> bool:
    """Whether a student with these section ids belongs under the filter (any when None)."""
    if not wanted:
        return True
    ids = list(section_ids or ())
    return not ids if wanted == UNKNOWN else wanted in ids
