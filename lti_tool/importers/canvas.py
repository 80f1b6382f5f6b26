"""Canvas outcomes import CSV -> FrameworkDraft.

Columns (any order, extra ones such as canvas_id ignored): vendor_guid,
object_type (group|outcome), title, description, display_name,
calculation_method, calculation_int, workflow_state, parent_guids
(space-separated: several parents make one node with several edges),
mastery_points, then `ratings` and every column after it as points /
description pairs. Rows with workflow_state `deleted` are left out. Canvas
keeps a scale and a method per outcome; the draft takes the most common one
and lists outcomes that differ in `source_metadata`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from lti_tool.importers.errors import Problem, fail, raise_if_any
from lti_tool.importers.table import Record, column_index, finite_number, header_key, read_records
from lti_tool.importers.text import decode_text, has_markup, plain_text
from lti_tool.mastery.framework import (
    CalculationDraft,
    FrameworkDraft,
    LevelDraft,
    ScaleDraft,
    StandardDraft,
    number_siblings,
)
from lti_tool.translatable import N_

_T = TypeVar("_T")

_FIELDS = (
    "vendor_guid",
    "object_type",
    "title",
    "description",
    "display_name",
    "calculation_method",
    "calculation_int",
    "workflow_state",
    "parent_guids",
    "mastery_points",
    "ratings",
)
_ALIASES = {header_key(name): name for name in _FIELDS}
_REQUIRED = ("vendor_guid", "object_type", "title")
# Canvas name -> (our name, parameter name, allowed range of calculation_int)
_METHODS: dict[str, tuple[str, str | None, range | None]] = {
    "decaying_average": ("decaying_average", "latest_weight", range(1, 100)),
    "weighted_average": ("decaying_average", "latest_weight", range(1, 100)),
    "standard_decaying_average": ("standard_decaying_average", "latest_weight", range(50, 100)),
    "n_mastery": ("n_mastery", "n", range(1, 11)),
    "latest": ("most_recent", None, None),
    "highest": ("highest", None, None),
    "average": ("mean", None, None),
}


@dataclass(frozen=True)
class _Row:
    item: StandardDraft
    parents: tuple[str, ...]
    is_group: bool
    scale: ScaleDraft | None
    calculation: CalculationDraft | None
    line: int


def parse_canvas(data: bytes | str, *, filename: str | None = None) -> FrameworkDraft:
    """Parse a Canvas outcomes CSV; every problem found is raised together as ImportFailed."""
    where = filename or "file"
    header, *body = read_records(decode_text(data, filename=filename), where=where)
    columns = _columns(header)
    problems: list[Problem] = []
    rows: dict[str, _Row] = {}
    for record in body:
        row = _read_row(record, columns, problems)
        if row is None:
            continue
        if row.item.key in rows:
            problems.append(
                Problem(
                    record.where, "vendor_guid", N_("duplicate '%(value)s'", value=row.item.key)
                )
            )
        else:
            rows[row.item.key] = row
    if not rows and not problems:
        raise fail(where, "file", N_("nothing to import: no outcome or group rows"))
    edges = _edges(rows, problems)
    raise_if_any(problems)
    draft = FrameworkDraft(
        name=filename or "Canvas outcomes",
        source_format="canvas",
        identifier=None,
        items=number_siblings((row.item for row in rows.values()), edges),
        edges=edges,
        scale=_most_common(row.scale for row in rows.values() if not row.is_group),
        calculation=_most_common(row.calculation for row in rows.values() if not row.is_group),
        source_metadata=_differences(rows),
    )
    raise_if_any(draft.validate())
    return draft


def _columns(header: Record) -> dict[str, int]:
    banged = [cell for cell in header.cells if cell.strip().startswith("!")]
    if banged:
        names = ", ".join(f"'{cell.strip()}'" for cell in banged)
        raise fail(
            header.where,
            "header",
            N_(
                "column names must not start with '!': %(names)s; remove the '!' and import again",
                names=names,
            ),
        )
    columns = column_index(header, _ALIASES)
    missing = [name for name in _REQUIRED if name not in columns]
    if missing:
        raise fail(
            header.where,
            "header",
            N_("missing required column(s): %(columns)s", columns=", ".join(missing)),
        )
    return columns


def _read_row(record: Record, columns: dict[str, int], problems: list[Problem]) -> _Row | None:
    guid, kind = record.get(columns, "vendor_guid"), record.get(columns, "object_type").lower()
    title = record.get(columns, "title")
    before = len(problems)
    if not guid or any(ch.isspace() for ch in guid):
        problems.append(
            Problem(
                record.where, "vendor_guid", N_("must be one word, got '%(value)s'", value=guid)
            )
        )
    if kind not in ("group", "outcome"):
        problems.append(
            Problem(
                record.where,
                "object_type",
                N_("must be group or outcome, not '%(value)s'", value=kind),
            )
        )
    if not title:
        problems.append(Problem(record.where, "title", N_("missing")))
    state = record.get(columns, "workflow_state").lower()
    if state not in ("", "active", "deleted"):
        problems.append(
            Problem(
                record.where,
                "workflow_state",
                N_("must be active or deleted, not '%(value)s'", value=state),
            )
        )
    is_group = kind == "group"
    scale = None if is_group else _scale(record, columns, problems)
    calculation = None if is_group else _calculation(record, columns, problems)
    if len(problems) > before or state == "deleted":
        return None
    description = record.get(columns, "description")
    display_name = record.get(columns, "display_name")
    item = StandardDraft(
        key=guid,
        code=display_name or None,
        title=title,
        statement=plain_text(description),
        node_type=kind,
        statement_html=description if has_markup(description) else None,
    )
    parents = tuple(record.get(columns, "parent_guids").split())
    return _Row(item, parents, is_group, scale, calculation, record.line)


def _calculation(
    record: Record, columns: dict[str, int], problems: list[Problem]
) -> CalculationDraft | None:
    name = record.get(columns, "calculation_method").lower()
    number = record.get(columns, "calculation_int")
    if not name:
        return None  # Canvas then uses the account or course setting
    if name not in _METHODS:
        problems.append(
            Problem(
                record.where, "calculation_method", N_("unknown method '%(value)s'", value=name)
            )
        )
        return None
    method, param, allowed = _METHODS[name]
    if param is None or allowed is None:
        return CalculationDraft(method)
    if not (number.isdigit() and int(number) in allowed):
        reason = N_(
            "%(method)s needs a whole number from %(low)s to %(high)s, got '%(value)s'",
            method=name,
            low=allowed.start,
            high=allowed.stop - 1,
            value=number,
        )
        problems.append(Problem(record.where, "calculation_int", reason))
        return None
    return CalculationDraft(method, ((param, int(number)),))


def _scale(record: Record, columns: dict[str, int], problems: list[Problem]) -> ScaleDraft | None:
    start = columns.get("ratings")
    cells = [cell.strip() for cell in record.cells[start:]] if start is not None else []
    while cells and not cells[-1]:
        cells.pop()
    if not cells:
        return None
    mastery = finite_number(record.get(columns, "mastery_points"))
    if record.get(columns, "mastery_points") and mastery is None:
        problems.append(Problem(record.where, "mastery_points", N_("must be a number")))
    levels: list[LevelDraft] = []
    for offset in range(0, len(cells), 2):
        points = finite_number(cells[offset])
        label = cells[offset + 1] if offset + 1 < len(cells) else ""
        if points is None or not label:
            problems.append(
                Problem(
                    record.where,
                    "ratings",
                    N_("expected points then description, got '%(value)s'", value=cells[offset]),
                )
            )
            return None
        is_mastery = mastery is not None and points >= mastery
        levels.append(LevelDraft(label, points, is_mastery))
    return ScaleDraft(tuple(sorted(levels, key=lambda level: -level.points)))


def _edges(rows: dict[str, _Row], problems: list[Problem]) -> tuple[tuple[str, str], ...]:
    edges: list[tuple[str, str]] = []
    for key, row in rows.items():
        for parent in dict.fromkeys(row.parents):
            where = f"line {row.line}"
            if parent not in rows:
                problems.append(
                    Problem(where, "parent_guids", N_("unknown parent '%(value)s'", value=parent))
                )
            elif not rows[parent].is_group:
                problems.append(
                    Problem(
                        where, "parent_guids", N_("parent '%(value)s' is not a group", value=parent)
                    )
                )
            else:
                edges.append((parent, key))
    return tuple(edges)


def _most_common(values: Iterable[_T | None]) -> _T | None:
    present = [value for value in values if value is not None]
    return Counter(present).most_common(1)[0][0] if present else None


def _differences(rows: dict[str, _Row]) -> dict[str, Any]:
    """Outcomes whose own scale or method differs from the framework's (Canvas keeps both)."""
    outcomes = [row for row in rows.values() if not row.is_group]
    scale = _most_common(row.scale for row in outcomes)
    calculation = _most_common(row.calculation for row in outcomes)
    metadata: dict[str, Any] = {}
    scales = {row.item.key: row.scale for row in outcomes if row.scale not in (None, scale)}
    methods = {
        row.item.key: row.calculation
        for row in outcomes
        if row.calculation not in (None, calculation)
    }
    if scales:
        metadata["item_scales"] = scales
    if methods:
        metadata["item_calculations"] = methods
    return metadata
