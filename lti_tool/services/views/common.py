"""What several pages share: the course's scale as the pages show it, and described evidence."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from ...extensions import db
from ...mastery import Level as DomainLevel
from ...mastery import MasteryResult, Status
from ...mastery import Scale as DomainScale
from ...models import Assessment, Evidence, Level, Scale, User
from ...models.evidence import SELF
from ...translatable import N_

EXEMPT_TEXT = N_("Exempt")
NOT_ASSESSED_TEXT = N_("Not yet assessed")

SOURCE_NAMES = {  # English; pages show them translated
    "teacher": N_("Teacher"),
    "lms": N_("LMS assignment"),
    "self": N_("Self-assessment"),
    "import": N_("Imported"),
}


@dataclass(frozen=True)
class ScaleView:
    """The course scale with a stable index per level (its CSS colour class is `lv-<index>`)."""

    scale: DomainScale

    @property
    def levels(self) -> tuple[DomainLevel, ...]:
        return self.scale.levels

    def index(self, level: DomainLevel | None) -> int | None:
        """The level's position on the scale, or None when there is no level."""
        if level is None:
            return None
        for position, candidate in enumerate(self.scale.levels):
            if candidate.points == level.points:
                return position
        return None

    def index_for_points(self, points: float | None) -> int | None:
        """The position of the level these points fall in (evidence on another scale too)."""
        if points is None:
            return None
        exact = [n for n, level in enumerate(self.scale.levels) if level.points == points]
        return exact[0] if exact else self.index(self.scale.level_for(points))

    def abbreviations(self) -> dict[float, str]:
        """A short, unique symbol per level (initials, else the points) for dense cells."""
        initials = {
            level.points: "".join(word[0] for word in level.label.split()[:2]).upper()
            for level in self.scale.levels
        }
        if len(set(initials.values())) == len(initials):
            return initials
        return {level.points: f"{level.points:g}" for level in self.scale.levels}


def status_text(result: MasteryResult) -> str:
    """What a result says in words: the level (the course's own words), or why there is none
    (English, shown in the page's language: the previews; the exports keep the English)."""
    if result.status is Status.NOT_ASSESSED:
        return NOT_ASSESSED_TEXT
    if result.status is Status.INSUFFICIENT:
        return N_("Not enough evidence yet")
    if result.status is Status.EXEMPT:
        return EXEMPT_TEXT
    return result.level.label if result.level else NOT_ASSESSED_TEXT


@dataclass(frozen=True)
class EvidenceItem:
    """One row of evidence as a page shows it."""

    id: int
    standard_id: int
    points: float
    level_label: str
    level_index: int | None
    demonstrated_at: datetime
    source: str
    assessment: str | None
    comment: str | None
    entered_by: str | None
    is_live: bool
    is_exempt: bool
    superseded_by_id: int | None
    is_self: bool = False  # the student's self-assessment: shown, never counted


def describe(
    rows: Sequence[Evidence],
    scale: ScaleView,
    excused: Collection[int] = (),
    *,
    course_scale: Scale | None = None,
) -> list[EvidenceItem]:
    """Evidence rows with level labels, assessment titles and authors: three queries at most.

    `excused` lists the assessments the student is exempt from: their evidence shows exempt.
    `course_scale`, the course's stored scale with its levels when the caller has it, labels
    the evidence given on it without a query (only evidence on an earlier scale needs one).
    """
    if not rows:
        return []
    people = _by_id(User, {row.entered_by_id for row in rows if row.entered_by_id})
    titles = _by_id(Assessment, {row.assessment_id for row in rows if row.assessment_id})
    known = [course_scale] if course_scale is not None else []
    labels = {(stored.id, level.points): level.label for stored in known for level in stored.levels}
    if other := {row.scale_id for row in rows} - {stored.id for stored in known}:
        for level in db.session.scalars(select(Level).where(Level.scale_id.in_(other))):
            labels[(level.scale_id, level.points)] = level.label
    return [_item(row, scale, people, titles, labels, excused) for row in rows]


def _item(
    row: Evidence,
    scale: ScaleView,
    people: dict[int, User],
    titles: dict[int, Assessment],
    labels: dict[tuple[int, float], str],
    excused: Collection[int],
) -> EvidenceItem:
    author = people.get(row.entered_by_id) if row.entered_by_id else None
    assessment = titles.get(row.assessment_id) if row.assessment_id else None
    label = labels.get((row.scale_id, row.points)) or f"{row.points:g} points"
    return EvidenceItem(
        id=row.id,
        standard_id=row.standard_id,
        points=row.points,
        level_label=label,
        level_index=scale.index_for_points(row.points),
        demonstrated_at=row.demonstrated_at,
        source=SOURCE_NAMES.get(row.source, row.source),
        assessment=assessment.title if assessment else None,
        comment=row.comment,
        entered_by=author.display_name if author else None,
        is_live=row.superseded_by_id is None,
        is_exempt=row.is_exempt or row.assessment_id in excused,
        superseded_by_id=row.superseded_by_id,
        is_self=row.source == SELF,
    )


def _by_id(model: type, ids: set[int]) -> dict:
    """Rows of `model` by primary key, in one query (none when `ids` is empty)."""
    if not ids:
        return {}
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))}
