"""The LMS columns page: each column the tool may align, its standards and cut scores.

Listing the columns reads the platform (AGS line items); everything else is the database.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import NotFound
from ...lti.ags import LineItem
from ...models import Alignment, Course, Level, Standard
from ..course_settings import settings_for
from ..frameworks import course_tree
from ..lms_columns import aligned_columns, default_cut_scores, lms_line_items


@dataclass(frozen=True)
class Cut:
    """From `minimum` percent, the result is `label`."""

    minimum: float
    label: str


@dataclass(frozen=True)
class AlignedStandard:
    standard: Standard
    cuts: list[Cut]  # highest level first


@dataclass(frozen=True)
class ColumnView:
    """An LMS column and the standards its results are evidence for."""

    item: LineItem
    aligned: list[AlignedStandard]


@dataclass(frozen=True)
class EditorRow:
    """A standard the column may be aligned to, with the minimum percent of each level."""

    standard: Standard
    is_aligned: bool
    minimums: dict[int, str]  # level position (lowest first) -> percent as text


@dataclass(frozen=True)
class Editor:
    item: LineItem
    levels: list[Level]  # the scale's scoring levels, lowest first
    rows: list[EditorRow]


def column_views(course: Course) -> list[ColumnView]:
    """Every LMS column the tool may align (read from the platform), with its alignments."""
    items = lms_line_items(course)
    assessments = aligned_columns(course)
    standards = course_tree(course).standards
    labels = {level.points: level.label for level in _levels(course)}
    views = []
    for item in items:
        assessment = assessments.get(item.id)
        alignments = assessment.alignments if assessment else []
        aligned = [
            AlignedStandard(standards[a.standard_id], _cuts(a, labels))
            for a in sorted(alignments, key=lambda a: standards[a.standard_id].label)
            if a.standard_id in standards
        ]
        views.append(ColumnView(item, aligned))
    return views


def find_column(course: Course, line_item_url: str) -> LineItem:
    """The course's LMS column with this URL, as the platform lists it now."""
    for item in lms_line_items(course):
        if item.id == line_item_url:
            return item
    raise NotFound(
        "That column is not in the course's LMS gradebook (any more).",
        hint="Reload the list of LMS columns: the column may have been deleted in the LMS.",
    )


@dataclass(frozen=True)
class ColumnEditor:
    """The same editor for a column of an LMS gradebook export (no line item)."""

    title: str
    levels: list[Level]
    rows: list[EditorRow]


def alignment_editor(course: Course, item: LineItem) -> Editor:
    """Standards in tree order (leaves, and any already aligned), prefilled cut scores."""
    assessment = aligned_columns(course).get(item.id)
    current = {a.standard_id: a.cut_scores for a in (assessment.alignments if assessment else [])}
    return Editor(item, *editor_rows(course, current))


def column_editor(course: Course, title: str, alignments: list[Alignment]) -> ColumnEditor:
    """The editor for an export column, from its remembered alignments (or the defaults)."""
    current = {a.standard_id: a.cut_scores for a in alignments}
    return ColumnEditor(title, *editor_rows(course, current))


def editor_rows(
    course: Course, current: dict[int, list[list[float]]]
) -> tuple[list[Level], list[EditorRow]]:
    """The scale's scoring levels and a row per standard, cut scores prefilled from the scale."""
    levels = _levels(course)
    position = {level.points: n for n, level in enumerate(levels)}
    default = default_cut_scores(settings_for(course).scale)
    tree = course_tree(course)
    leaves = set(tree.leaves())
    rows = []
    for standard_id in tree.preorder():
        if standard_id not in leaves and standard_id not in current:
            continue
        cuts = current.get(standard_id) or default
        minimums = {
            position[points]: f"{minimum:g}"
            for minimum, points in cuts
            if points in position and position[points] > 0
        }
        rows.append(EditorRow(tree.standards[standard_id], standard_id in current, minimums))
    return levels, rows


def _levels(course: Course) -> list[Level]:
    scale = settings_for(course).scale
    return sorted(
        (level for level in scale.levels if level.counts_as_score), key=lambda lv: lv.points
    )


def _cuts(alignment: Alignment, labels: dict[float, str]) -> list[Cut]:
    cuts = [Cut(low, labels.get(points, f"{points:g}")) for low, points in alignment.cut_scores]
    return list(reversed(cuts))
