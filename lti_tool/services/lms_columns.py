"""LMS gradebook columns the tool may align to standards, and their cut scores.

AGS shows a tool only the line items it owns (DESIGN.md correction 1): the columns of
assessments the tool published into the LMS and that teachers grade there. The tool's own
grade columns (the summary, per-standard columns) are never offered: reading them back would
feed the summary into itself. An aligned column is an Assessment of kind "lms_line_item" with
a stable tag (its resourceId and tag, else derived from its URL; never a database id).
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Mapping, Sequence
from urllib.parse import urlsplit

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..errors import MasteryRejected, NotFound, PermissionDenied
from ..extensions import db
from ..lti.ags import AGS_SCOPES, AgsClient, LineItem
from ..lti.context import lti
from ..lti.service import ServiceCallFailed
from ..lti.service_token import ServiceError, service_tokens
from ..lti.vocab import Scope
from ..models import (
    ASSESSMENT_TAG_PREFIX,
    GRADED_IN_LMS,
    SUMMARY_TAG,
    Alignment,
    Assessment,
    Course,
    CourseStandard,
    GradeColumn,
    Scale,
    User,
)
from .course_settings import settings_for
from .roster import described

log = logging.getLogger(__name__)

KIND = "lms_line_item"
STANDARD_COLUMN_PREFIX = "standard:"
TAG_LENGTH = 255
CutScores = list[list[float]]


def lms_line_items(course: Course, *, page_size: int | None = None) -> list[LineItem]:
    """The course's LMS columns the tool may align: its own line items minus its grade columns."""
    if not course.ags_lineitems_url:
        raise ServiceError(
            f"{course.display_name} has no gradebook service address yet.",
            hint="Launch the tool once from the course: each launch carries the address.",
        )
    client = ags_client(course, Scope.LINEITEM, Scope.LINEITEM_READONLY)
    try:
        items = client.line_items(course.ags_lineitems_url, limit=page_size)
    except ServiceCallFailed as error:
        doing = f"Listing the gradebook columns of {course.display_name}"
        raise described(error, doing) from error
    grade_columns = _grade_column_urls(course)
    return [item for item in items if not _is_grade_column(item, grade_columns)]


def align_line_item(
    course: Course,
    line_item: LineItem,
    alignments: Mapping[int, Sequence[Sequence[float]]],
    *,
    actor: User | None,
) -> Assessment:
    """Create or update the column's assessment and its standards, cut scores checked.

    `alignments` maps standard ids to [[min_percent, level_points], ...]; a standard left out
    is no longer aligned (its evidence stays).
    """
    if actor is not None and actor.platform_id != course.platform_id:
        raise PermissionDenied("That person belongs to another platform.")
    _check_line_item(course, line_item)
    tables = _checked_alignments(course, alignments)
    assessment = _assessment_for(course, line_item)
    assessment.title = line_item.label or assessment.title
    assessment.resource_id = line_item.resource_id or None
    assessment.line_item_url = line_item.id
    _set_tables(assessment, tables)
    db.session.flush()
    log.info(
        "assessment %s aligned to %s by %s", assessment.tag, sorted(tables), actor and actor.id
    )
    return assessment


def set_alignments(
    course: Course, assessment: Assessment, alignments: Mapping[int, Sequence[Sequence[float]]]
) -> None:
    """Align an assessment to adopted standards with checked cut scores (others dropped)."""
    _set_tables(assessment, _checked_alignments(course, alignments))


def _set_tables(assessment: Assessment, tables: dict[int, CutScores]) -> None:
    kept = {alignment.standard_id: alignment for alignment in assessment.alignments}
    assessment.alignments = [
        kept.get(standard_id) or Alignment(standard_id=standard_id) for standard_id in tables
    ]
    for alignment in assessment.alignments:
        alignment.cut_scores = tables[alignment.standard_id]


def stable_tag(line_item: LineItem) -> str:
    """A name that survives course copy: resourceId and tag when given, else from the URL."""
    parts = [part for part in (line_item.resource_id, line_item.tag) if part]
    tag = "lms:" + ("|".join(parts) if parts else "url:" + _digest(line_item.id, 24))
    return tag if len(tag) <= TAG_LENGTH else "lms:h:" + _digest(tag, 40)


def checked_cut_scores(cut_scores: Sequence[Sequence[float]], scale: Scale) -> CutScores:
    """Cut scores [[min_percent, level_points], ...] as stored, or MasteryRejected saying why."""
    pairs = [_pair(row) for row in cut_scores]
    if not pairs:
        raise MasteryRejected("Give at least one cut score: [minimum percent, level points].")
    percents, points = [p for p, _ in pairs], [q for _, q in pairs]
    if any(later <= earlier for earlier, later in zip(percents, percents[1:], strict=False)):
        raise MasteryRejected("Cut score percents must go up from one cut to the next.")
    if percents[0] != 0:
        raise MasteryRejected("The first cut score must start at 0%, so every result has a level.")
    if percents[-1] > 100:
        raise MasteryRejected("Cut score percents must be between 0 and 100.")
    levels = {level.points: level.label for level in scale.levels if level.counts_as_score}
    for value in points:
        if value not in levels:
            names = ", ".join(f"{label} ({pts:g})" for pts, label in sorted(levels.items()))
            raise MasteryRejected(f"{value:g} is not a level of the course's scale: {names}.")
    if any(later < earlier for earlier, later in zip(points, points[1:], strict=False)):
        raise MasteryRejected("A higher percent cannot give a lower level.")
    return [[percent, value] for percent, value in pairs]


def default_cut_scores(scale: Scale) -> CutScores:
    """Cuts a teacher starts from: top level at 90%, 15 points per level below, lowest at 0%.

    The four-level default scale gives >= 90 Advanced, >= 75 Proficient, >= 60 Developing,
    else Beginning; a scale with more levels than fit 15 points apart is spread evenly.
    """
    points = sorted({level.points for level in scale.levels if level.counts_as_score})
    if not points:
        return []
    steps = len(points) - 1
    if 90 - 15 * (steps - 1) > 0:
        minimums = [0.0] + [90.0 - 15 * (steps - n) for n in range(1, steps + 1)]
    else:
        minimums = [round(100 * n / (steps + 1), 1) for n in range(steps + 1)]
    return [[minimum, value] for minimum, value in zip(minimums, points, strict=True)]


def aligned_columns(course: Course) -> dict[str, Assessment]:
    """The course's assessments read back from the LMS, by line item URL, alignments loaded:
    LMS columns aligned here, and the tool's published assessments graded in the LMS (never
    those graded in the tool: their column holds the tool's own output)."""
    query = (
        select(Assessment)
        .where(
            Assessment.course_id == course.id,
            or_(Assessment.kind == KIND, Assessment.grading == GRADED_IN_LMS),
            Assessment.line_item_url.is_not(None),
        )
        .options(selectinload(Assessment.alignments))
    )
    return {str(a.line_item_url): a for a in db.session.scalars(query)}


def remove_alignment(course: Course, line_item_url: str, *, actor: User | None) -> Assessment:
    """Align the column to no standard (its evidence stays); no call to the platform."""
    assessment = aligned_columns(course).get(line_item_url)
    if assessment is None or not assessment.alignments:
        raise NotFound("That LMS column is not aligned to any standard.")
    assessment.alignments = []
    db.session.flush()
    log.info("assessment %s unaligned by %s", assessment.tag, actor and actor.id)
    return assessment


def level_for(cut_scores: CutScores, percent: float) -> float:
    """The level points of the highest cut the percent reaches (the first cut is 0%)."""
    points = cut_scores[0][1]
    for minimum, level in cut_scores:
        if percent >= minimum:
            points = level
    return points


def ags_client(course: Course, *needed: Scope) -> AgsClient:
    """An AGS client with the course's granted scopes (one token shared with the outbox)."""
    scopes = [scope for scope in AGS_SCOPES if scope in (course.ags_scopes or AGS_SCOPES)]
    if not set(needed) & set(scopes):
        raise ServiceError(
            f"The platform has not granted the tool the grade scopes it needs in "
            f"{course.display_name}.",
            hint="Enable Assignment and Grade Services (line items, results) for the tool.",
        )
    return AgsClient(course.platform, service_tokens(), lti().outbound, scopes=scopes)


def _grade_column_urls(course: Course) -> set[str]:
    query = select(GradeColumn.line_item_url).where(GradeColumn.course_id == course.id)
    return {url for url in db.session.scalars(query) if url}


def _is_grade_column(item: LineItem, grade_column_urls: set[str]) -> bool:
    """The tool's own summary, per-standard or published assessment column (a published one
    graded in the LMS is read back through its publication, not aligned here)."""
    return (
        item.tag == SUMMARY_TAG
        or item.tag.startswith((STANDARD_COLUMN_PREFIX, ASSESSMENT_TAG_PREFIX))
        or item.id in grade_column_urls
    )


def in_container(course: Course, url: str | None) -> bool:
    """Whether a line item URL lies under the course's line items container (same origin)."""
    container, item = urlsplit(course.ags_lineitems_url or ""), urlsplit(url or "")
    return (
        bool(container.netloc)
        and (item.scheme, item.netloc.lower()) == (container.scheme, container.netloc.lower())
        and item.path.startswith(container.path.rstrip("/") + "/")
    )


def _check_line_item(course: Course, line_item: LineItem) -> None:
    # The access token is sent to this URL on every sync: it must be the course's own.
    if not in_container(course, line_item.id):
        raise PermissionDenied(f"“{line_item.label}” is not a column of this course's gradebook.")
    if _is_grade_column(line_item, _grade_column_urls(course)):
        raise MasteryRejected(
            f"“{line_item.label}” is the tool's own grade column; it cannot be evidence."
        )


def _checked_alignments(
    course: Course, alignments: Mapping[int, Sequence[Sequence[float]]]
) -> dict[int, CutScores]:
    ids = set(alignments)
    adopted = set(
        db.session.scalars(
            select(CourseStandard.standard_id).where(
                CourseStandard.course_id == course.id, CourseStandard.standard_id.in_(ids)
            )
        )
    )
    if ids - adopted:
        raise NotFound("This course has not adopted some of those standards.")
    scale = settings_for(course).scale
    return {sid: checked_cut_scores(alignments[sid], scale) for sid in sorted(ids)}


def _assessment_for(course: Course, line_item: LineItem) -> Assessment:
    """The column's assessment: by URL, else one a course copy brought (same tag), else new."""
    by_url = db.session.scalar(
        select(Assessment).where(
            Assessment.course_id == course.id, Assessment.line_item_url == line_item.id
        )
    )
    if by_url is not None:
        if by_url.kind != KIND:
            raise MasteryRejected(
                f"“{line_item.label}” is the column of the tool's assessment “{by_url.title}”."
            )
        return by_url
    tag = stable_tag(line_item)
    same_tag = db.session.scalar(
        select(Assessment).where(Assessment.course_id == course.id, Assessment.tag == tag)
    )
    if same_tag is not None:
        if same_tag.kind == KIND and not in_container(course, same_tag.line_item_url):
            return same_tag  # copied from another course: this course's column takes it over
        tag = f"{tag[: TAG_LENGTH - 9]}~{_digest(line_item.id, 8)}"
    assessment = Assessment(course_id=course.id, kind=KIND, tag=tag, title=line_item.label)
    db.session.add(assessment)
    return assessment


def _pair(row: Sequence[float]) -> tuple[float, float]:
    numbers = list(row) if isinstance(row, Sequence) and not isinstance(row, str) else []
    if len(numbers) != 2 or not all(_is_number(n) for n in numbers):
        raise MasteryRejected(f"Each cut score is [minimum percent, level points], not {row!r}.")
    return float(numbers[0]), float(numbers[1])


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _digest(text: str, length: int) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:length]
