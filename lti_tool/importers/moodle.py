"""Moodle competency framework CSV (admin/tool/lpimportcsv) -> FrameworkDraft.

The framework row is the one marked "Is framework", else the first data row;
it gives the name, idnumber, scale and taxonomy. Every other row is a
competency with the idnumber of its parent; parents may come after their
children, so parents are resolved once every row is read. Headers are
matched by several spellings (newer and older Moodle, French, Spanish) and,
when none match, by Moodle's fixed column order. A literal `null` is empty.
Cross-referenced idnumbers are kept as external references.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from lti_tool.importers.errors import Problem, fail, raise_if_any
from lti_tool.importers.table import Record, column_index, read_records
from lti_tool.importers.text import decode_text, has_markup, plain_text
from lti_tool.mastery.framework import (
    ExternalRef,
    FrameworkDraft,
    LevelDraft,
    ScaleDraft,
    StandardDraft,
    number_siblings,
)
from lti_tool.translatable import N_

# Moodle's export order; also the fallback when no header spelling is recognised.
_ORDER = (
    "parent",
    "idnumber",
    "shortname",
    "description",
    "descriptionformat",
    "scalevalues",
    "scaleconfiguration",
    "ruletype",
    "ruleoutcome",
    "ruleconfig",
    "related",
    "exportid",
    "isframework",
    "taxonomy",
)
_SPELLINGS = {
    "parent": ("parentidnumber", "numérodidentificationparent", "numeroidparent", "idnumberparent"),
    "idnumber": ("idnumber", "numérodidentification", "numeroid", "númerodeid", "numerodeid"),
    "shortname": ("shortname", "nomabrégé", "nomcourt", "nombrecorto"),
    "description": ("description", "descripción"),
    "scalevalues": ("scalevalues", "valeursdubarème", "valoresdelaescala"),
    "scaleconfiguration": ("scaleconfiguration", "configurationdubarème"),
    "related": ("crossreferencedcompetencyidnumbers", "relatedidnumbers", "relatedcompetencies"),
    "isframework": ("isframework", "estunréférentiel", "esunmarco"),
    "taxonomy": ("taxonomy", "taxonomie", "taxonomía"),
}
_ALIASES = {spelling: name for name, spellings in _SPELLINGS.items() for spelling in spellings}


def parse_moodle(data: bytes | str, *, filename: str | None = None) -> FrameworkDraft:
    """Parse a Moodle competency framework CSV; all problems are raised together."""
    where = filename or "file"
    header, *body = read_records(decode_text(data, filename=filename), where=where)
    columns = _columns(header)
    if not body:
        raise fail(where, "file", N_("nothing to import: no framework or competency rows"))
    framework = next((r for r in body if _is_true(_cell(r, columns, "isframework"))), body[0])
    competencies = [record for record in body if record is not framework]
    if not competencies:
        raise fail(where, "file", N_("nothing to import: the framework has no competencies"))
    problems: list[Problem] = []
    items, parents = _read_competencies(competencies, columns, problems)
    framework_id = _cell(framework, columns, "idnumber")
    edges = _edges(items, parents, framework_id, problems)
    raise_if_any(problems)
    draft = FrameworkDraft(
        name=_cell(framework, columns, "shortname") or filename or "Moodle framework",
        source_format="moodle",
        identifier=framework_id or None,
        items=number_siblings(items.values(), edges),
        edges=edges,
        scale=_scale(framework, columns, problems),
        source_metadata=_metadata(framework, columns),
    )
    problems.extend(draft.validate())
    raise_if_any(problems)
    return _with_taxonomy(draft, _cell(framework, columns, "taxonomy"))


def _columns(header: Record) -> dict[str, int]:
    columns = column_index(header, _ALIASES)
    if "idnumber" not in columns and len(header.cells) >= len(_ORDER) - 1:
        return {name: index for index, name in enumerate(_ORDER)}
    missing = [name for name in ("parent", "idnumber", "shortname") if name not in columns]
    if missing:
        raise fail(
            header.where,
            "header",
            N_(
                "not a Moodle competency framework CSV: missing %(columns)s column(s)",
                columns=", ".join(missing),
            ),
        )
    return columns


def _cell(record: Record, columns: dict[str, int], name: str) -> str:
    value = record.get(columns, name)
    return "" if value.lower() == "null" else value


def _is_true(value: str) -> bool:
    return value.lower() in ("1", "true", "yes")


def _read_competencies(
    records: list[Record], columns: dict[str, int], problems: list[Problem]
) -> tuple[dict[str, StandardDraft], dict[str, tuple[int, str]]]:
    items: dict[str, StandardDraft] = {}
    parents: dict[str, tuple[int, str]] = {}
    for record in records:
        idnumber = _cell(record, columns, "idnumber")
        shortname = _cell(record, columns, "shortname")
        if not idnumber:
            problems.append(Problem(record.where, "idnumber", N_("missing")))
        elif idnumber in items:
            problems.append(
                Problem(record.where, "idnumber", N_("duplicate '%(value)s'", value=idnumber))
            )
        elif not shortname:
            problems.append(Problem(record.where, "shortname", N_("missing")))
        else:
            description = _cell(record, columns, "description")
            related = _cell(record, columns, "related").split(",")
            items[idnumber] = StandardDraft(
                key=idnumber,
                code=idnumber,
                title=plain_text(shortname),
                statement=plain_text(description),
                statement_html=description if has_markup(description) else None,
                external_refs=tuple(
                    ExternalRef("related", ref.strip()) for ref in related if ref.strip()
                ),
            )
            parents[idnumber] = (record.line, _cell(record, columns, "parent"))
    return items, parents


def _edges(
    items: dict[str, StandardDraft],
    parents: dict[str, tuple[int, str]],
    framework_id: str,
    problems: list[Problem],
) -> tuple[tuple[str, str], ...]:
    """Second pass: every row is read, so a parent listed after its child resolves."""
    edges: list[tuple[str, str]] = []
    for key, (line, parent) in parents.items():
        if not parent or parent == framework_id:
            continue
        if parent in items:
            edges.append((parent, key))
        else:
            problems.append(
                Problem(f"line {line}", "parent", N_("unknown parent '%(value)s'", value=parent))
            )
    return tuple(edges)


def _scale(
    framework: Record, columns: dict[str, int], problems: list[Problem]
) -> ScaleDraft | None:
    labels = [label.strip() for label in _cell(framework, columns, "scalevalues").split(",")]
    labels = [label for label in labels if label]
    if not labels:
        return None
    proficient = _proficient_ids(_cell(framework, columns, "scaleconfiguration"))
    if proficient is None:
        problems.append(Problem(framework.where, "scaleconfiguration", N_("not valid scale JSON")))
        return None
    # Moodle scale values are numbered from 1 in the order listed.
    levels = [LevelDraft(label, float(n), n in proficient) for n, label in enumerate(labels, 1)]
    return ScaleDraft(tuple(reversed(levels)), name=None)


def _proficient_ids(config: str) -> set[int] | None:
    if not config:
        return set()
    try:
        entries: Any = json.loads(config)
    except (ValueError, RecursionError):
        return None
    if not isinstance(entries, list):
        return None
    return {
        entry["id"]
        for entry in entries
        if isinstance(entry, dict)
        and isinstance(entry.get("id"), int)
        and str(entry.get("proficient")) in ("1", "True", "true")
    }


def _metadata(framework: Record, columns: dict[str, int]) -> dict[str, Any]:
    description = _cell(framework, columns, "description")
    return {
        "description": plain_text(description),
        "taxonomy": _cell(framework, columns, "taxonomy"),
    }


def _with_taxonomy(draft: FrameworkDraft, taxonomy: str) -> FrameworkDraft:
    """Name each node's type after the framework's taxonomy term for its level."""
    terms = [term.strip() for term in taxonomy.split(",") if term.strip()]
    if not terms:
        return draft
    levels = draft.levels()
    typed = tuple(
        replace(item, node_type=terms[min(levels[item.key], len(terms)) - 1])
        for item in draft.items
    )
    return replace(draft, items=typed)
