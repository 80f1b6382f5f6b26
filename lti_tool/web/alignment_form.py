"""Reading the LMS column alignment form: standards ticked, a minimum percent per level.

Fields: `std-<standard id>` (ticked = aligned) and `cut-<standard id>-<n>`, the minimum percent
of the n-th scoring level counted from the lowest (n >= 1; the lowest level starts at 0%). A
blank minimum leaves that level out. Every problem is named next to its field; the service
checks the resulting table again before anything is saved.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..errors import MasteryRejected
from ..models import Scale
from ..services.lms_columns import checked_cut_scores
from ..services.views.alignments import ColumnEditor, Editor, EditorRow


@dataclass
class AlignmentForm:
    """What was typed (shown again on a refusal) and, when valid, the alignments to save."""

    rows: list[EditorRow]
    errors: dict[str, str] = field(default_factory=dict)  # field name (or "form") -> problem
    alignments: dict[int, list[list[float]]] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors


def cut_field(standard_id: int, position: int) -> str:
    return f"cut-{standard_id}-{position}"


def read_alignment_form(
    values: Mapping[str, str], editor: Editor | ColumnEditor, scale: Scale
) -> AlignmentForm:
    """The ticked standards and their cut scores, each field checked."""
    rows = []
    form = AlignmentForm(rows)
    for row in editor.rows:
        sid = row.standard.id
        is_aligned = values.get(f"std-{sid}") == "1"
        typed = {n: values.get(cut_field(sid, n), "").strip() for n in range(1, len(editor.levels))}
        rows.append(EditorRow(row.standard, is_aligned, typed))
        if is_aligned:
            cuts = _cuts(form, editor, sid, typed)
            if cuts is not None:
                try:
                    form.alignments[sid] = checked_cut_scores(cuts, scale)
                except MasteryRejected as error:
                    form.errors[f"std-{sid}"] = error.message
    if not any(row.is_aligned for row in rows):
        form.errors["form"] = _(
            "Tick at least one standard; to stop using the column, remove its alignment."
        )
    return form


def _cuts(
    form: AlignmentForm, editor: Editor | ColumnEditor, standard_id: int, typed: dict[int, str]
) -> list[list[float]] | None:
    """[[0, lowest], [minimum, level], ...] from the typed minimums, or None after an error."""
    levels = editor.levels
    cuts: list[list[float]] = [[0.0, levels[0].points]]
    below = (0.0, levels[0].label)
    failed = False
    for position, text in typed.items():
        if not text:
            continue
        name = cut_field(standard_id, position)
        level = levels[position]
        minimum = _percent(text)
        if minimum is None:
            form.errors[name] = _(
                "Enter the minimum percent for %(level)s as a number.", level=level.label
            )
        elif not 0 < minimum <= 100:
            form.errors[name] = _(
                "Enter a percent above 0 and at most 100 (the lowest level starts at 0%)."
            )
        elif minimum <= below[0]:
            lower, lower_minimum = below[1], f"{below[0]:g}"
            form.errors[name] = _(
                "%(level)s must start above %(lower)s (%(minimum)s%%).",
                level=level.label,
                lower=lower,
                minimum=lower_minimum,
            )
        else:
            cuts.append([minimum, level.points])
            below = (minimum, level.label)
            continue
        failed = True
    return None if failed else cuts


def _percent(text: str) -> float | None:
    try:
        value = float(text.removesuffix("%").strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None
