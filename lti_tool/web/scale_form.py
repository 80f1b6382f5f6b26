"""Reading the course's own scale form: a row per level (points, label, description) and the
level from which students are at mastery; each problem named next to its field.

Fields: `name`, `level-<n>-points`, `level-<n>-label`, `level-<n>-description`,
`level-<n>-not-score` (n from 0; a row left empty is dropped) and `mastery`, the row number of
the lowest mastery level (every scoring level with more points is mastery too). A level that is
not a score (Canvas's "No Evidence") may be recorded but never enters a calculation. Colours
follow the presets' ramp: orange below mastery, purple from it, grey for a level that is not a
score, so the gradebook keeps its look; the label always shows too.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..mastery import Level as DomainLevel
from ..mastery.presets import NOT_A_SCORE_COLOUR
from ..models import Scale
from ..models.scales import Level as StoredLevel

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
    rows: list[dict[str, str]] = field(default_factory=list)  # FIELDS, and "not_score"
    mastery: str = ""  # the row number of the lowest mastery level, as typed
    errors: dict[str, str] = field(default_factory=dict)
    levels: list[DomainLevel] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def shown_rows(self, at_least: int = 0) -> list[dict[str, str]]:
        """The rows typed, then empty ones: BLANK_ROWS, or up to `at_least` rows in all."""
        blank = {"points": "", "label": "", "description": "", "not_score": ""}
        room = max(0, min(max(BLANK_ROWS, at_least - len(self.rows)), MAX_LEVELS - len(self.rows)))
        return [*self.rows, *[dict(blank) for _ in range(room)]]

    def proposal(self) -> list[list[object]]:
        """The levels as compared and fingerprinted (level_proposal)."""
        return [level_proposal(level) for level in self.levels]


def level_proposal(level: DomainLevel | StoredLevel) -> list[object]:
    """One level as the form compares it with a stored scale's: points, label, description,
    mastery, and whether it counts as a score."""
    return [level.points, level.label, level.description, level.is_mastery, level.counts_as_score]


def form_from_scale(scale: Scale, name: str) -> ScaleForm:
    """The form filled with a stored scale's levels (the teacher starts from it)."""
    levels = scale.levels[:MAX_LEVELS]
    rows = [
        {
            "points": f"{level.points:g}",
            "label": level.label,
            "description": level.description,
            "not_score": "" if level.counts_as_score else "1",
        }
        for level in levels
    ]
    mastery = next((str(n) for n, level in enumerate(levels) if level.is_mastery), "")
    return ScaleForm(name=name, rows=rows, mastery=mastery)


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
        row["not_score"] = "1" if values.get(f"level-{n}-not-score") else ""
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
        form.levels = _levels(form, found, mastery_row)
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
    scoring = [row for row in found if not form.rows[row[0]]["not_score"]]
    if len(found) == len(form.rows) and len(scoring) < 2:
        form.errors["levels"] = _("A scale needs at least two levels that count as scores.")
    if mastery_row is None:
        form.errors["mastery"] = _("Choose the level from which a student is at mastery.")
    elif form.rows[mastery_row]["not_score"]:
        form.errors["mastery"] = _("Mastery must start at a level that counts as a score.")
    elif scoring and len(found) == len(form.rows):
        lowest = min(points for _n, points, _l, _d in scoring)
        chosen = next(points for n, points, _l, _d in scoring if n == mastery_row)
        if chosen == lowest:
            form.errors["mastery"] = _(
                "Mastery cannot start at the lowest level: a student needs a level below it."
            )


def _levels(
    form: ScaleForm, found: list[tuple[int, float, str, str]], mastery_row: int
) -> list[DomainLevel]:
    """The domain's levels, lowest first, with the ramp's colours (grey for a level that is not
    a score, which is never mastery)."""
    threshold = next(points for n, points, _l, _d in found if n == mastery_row)
    ordered = sorted(found, key=lambda row: row[1])
    scores = [row for row in ordered if not form.rows[row[0]]["not_score"]]
    below = [row for row in scores if row[1] < threshold]
    above = [row for row in scores if row[1] >= threshold]
    colours = dict(zip(below, _spread(BELOW, len(below)), strict=True))
    colours |= dict(zip(above, _spread(FROM_MASTERY, len(above)), strict=True))
    levels = []
    for row in ordered:
        _n, points, label, description = row
        if row in colours:
            mastery = points >= threshold
            levels.append(DomainLevel(label, points, colours[row], description, mastery))
        else:  # not a score: grey, never mastery
            levels.append(DomainLevel(label, points, NOT_A_SCORE_COLOUR, description, False, False))
    return levels


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
