"""Reading the course's own scale form: a row per level (points, label, description) and the
level from which students are at mastery; each problem named next to its field.

Fields: `name`, `level-<n>-points`, `level-<n>-label`, `level-<n>-description` (n from 0; a row
left empty is dropped) and `mastery`, the row number of the lowest mastery level (every level
with more points is mastery too). Colours follow the presets' ramp: orange below mastery,
purple from it, so the gradebook keeps its look; the label always shows too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..mastery import Level as DomainLevel
from ..models import Scale

MAX_LEVELS = 10
BLANK_ROWS = 2
LABEL_LENGTH = 100
NAME_LENGTH = 200
DESCRIPTION_LENGTH = 1000
# ColorBrewer PuOr, as the presets: darkest orange for the lowest level, darkest purple on top.
BELOW = ("#7F3B08", "#B35806", "#E08214", "#F1A340", "#FDB863", "#FEE0B6")
FROM_MASTERY = ("#D8DAEB", "#B2ABD2", "#998EC3", "#8073AC", "#542788", "#2D004B")


@dataclass
class ScaleForm:
    """What was typed (rows to show again), each problem by field, and the levels once valid."""

    name: str = ""
    rows: list[dict[str, str]] = field(default_factory=list)  # points, label, description
    mastery: str = ""  # the row number of the lowest mastery level, as typed
    errors: dict[str, str] = field(default_factory=dict)
    levels: list[DomainLevel] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def shown_rows(self) -> list[dict[str, str]]:
        blank = {"points": "", "label": "", "description": ""}
        room = max(0, min(BLANK_ROWS, MAX_LEVELS - len(self.rows)))
        return [*self.rows, *[dict(blank) for _ in range(room)]]

    def proposal(self) -> list[list[object]]:
        """The levels as compared and fingerprinted: (points, label, description, mastery)."""
        return [
            [level.points, level.label, level.description, level.is_mastery]
            for level in self.levels
        ]


def form_from_scale(scale: Scale, name: str) -> ScaleForm:
    """The form filled with a stored scale's scoring levels (the teacher starts from it)."""
    scoring = [level for level in scale.levels if level.counts_as_score]
    rows = [
        {"points": f"{level.points:g}", "label": level.label, "description": level.description}
        for level in scoring
    ]
    mastery = next((str(n) for n, level in enumerate(scoring) if level.is_mastery), "")
    return ScaleForm(name=name, rows=rows[:MAX_LEVELS], mastery=mastery)


def read_scale_form(values: Mapping[str, str]) -> ScaleForm:
    """The typed levels, each field checked; `levels` holds the domain's levels when valid."""
    form = ScaleForm(name=values.get("name", "").strip(), mastery=values.get("mastery", ""))
    if not form.name:
        form.errors["name"] = _("Give the scale a name.")
    elif len(form.name) > NAME_LENGTH:
        form.errors["name"] = _("The name is too long (at most %(n)s characters).", n=NAME_LENGTH)
    found: list[tuple[int, float, str, str]] = []  # row, points, label, description
    for n in range(MAX_LEVELS):
        row = {part: values.get(f"level-{n}-{part}", "").strip() for part in FIELDS}
        if not any(row.values()):
            continue
        number = len(form.rows)
        form.rows.append(row)
        checked = _row(form, number, row)
        if checked is not None:
            found.append((number, *checked))
    if form.mastery in {str(n) for n in range(len(form.rows))} and form.mastery != "":
        mastery_row = int(form.mastery)
    else:
        mastery_row = None
    _whole(form, found, mastery_row)
    if form.is_valid and mastery_row is not None:
        form.levels = _levels(found, mastery_row)
    return form


FIELDS = ("points", "label", "description")


def _row(form: ScaleForm, number: int, row: dict[str, str]) -> tuple[float, str, str] | None:
    """A row's points, label and description, or None after naming its problems."""
    points = _points(row["points"])
    failed = False
    if points is None:
        form.errors[f"level-{number}-points"] = _("Enter the level's points as a number.")
        failed = True
    if not row["label"]:
        form.errors[f"level-{number}-label"] = _("Give the level a label.")
        failed = True
    elif len(row["label"]) > LABEL_LENGTH:
        form.errors[f"level-{number}-label"] = _(
            "The label is too long (at most %(n)s characters).", n=LABEL_LENGTH
        )
        failed = True
    if len(row["description"]) > DESCRIPTION_LENGTH:
        form.errors[f"level-{number}-description"] = _(
            "The description is too long (at most %(n)s characters).", n=DESCRIPTION_LENGTH
        )
        failed = True
    return None if failed or points is None else (points, row["label"], row["description"])


def _whole(
    form: ScaleForm, found: list[tuple[int, float, str, str]], mastery_row: int | None
) -> None:
    """What only the levels together can break: count, duplicates, the mastery level."""
    if len(form.rows) < 2:
        form.errors["levels"] = _("A scale needs at least two levels.")
        return
    seen_points: dict[float, int] = {}
    seen_labels: dict[str, int] = {}
    for number, points, label, _description in found:
        if points in seen_points:
            shown = f"{points:g}"
            form.errors[f"level-{number}-points"] = _(
                "Another level already has %(points)s points: each level needs its own.",
                points=shown,
            )
        seen_points.setdefault(points, number)
        if label.casefold() in seen_labels:
            form.errors[f"level-{number}-label"] = _(
                "Another level is already called this: each level needs its own label."
            )
        seen_labels.setdefault(label.casefold(), number)
    if mastery_row is None:
        form.errors["mastery"] = _("Choose the level from which a student is at mastery.")
    elif found and len(found) == len(form.rows):
        lowest = min(points for _n, points, _l, _d in found)
        chosen = next(points for n, points, _l, _d in found if n == mastery_row)
        if chosen == lowest:
            form.errors["mastery"] = _(
                "Mastery cannot start at the lowest level: a student needs a level below it."
            )


def _levels(found: list[tuple[int, float, str, str]], mastery_row: int) -> list[DomainLevel]:
    """The domain's levels, lowest first, with the ramp's colours."""
    threshold = next(points for n, points, _l, _d in found if n == mastery_row)
    ordered = sorted(found, key=lambda row: row[1])
    below = [row for row in ordered if row[1] < threshold]
    above = [row for row in ordered if row[1] >= threshold]
    colours = _spread(BELOW, len(below)) + _spread(FROM_MASTERY, len(above))
    return [
        DomainLevel(label, points, colour, description, points >= threshold)
        for (_n, points, label, description), colour in zip(ordered, colours, strict=True)
    ]


def _spread(ramp: tuple[str, ...], count: int) -> list[str]:
    """`count` colours of the ramp, evenly apart, in its order."""
    if count <= 1:
        return list(ramp[len(ramp) // 2 : len(ramp) // 2 + count])
    return [ramp[round(i * (len(ramp) - 1) / (count - 1))] for i in range(count)]


def _points(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) and abs(value) <= 1_000_000 else None
