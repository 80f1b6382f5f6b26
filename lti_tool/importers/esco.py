"""ESCO skills collection CSV (e.g. transversalSkillsCollection_en.csv) -> FrameworkDraft.

Each row is a skill keyed by `conceptUri`; `broaderConceptUri` lists its
parents separated by ` | `. Parents inside the file become edges (a skill
with several parents is one node with several edges); parents outside the
file are kept as external references with their label from
`broaderConceptPT`. A model for cross-course durable skills.
"""

from __future__ import annotations

from lti_tool.importers.errors import Problem, fail, raise_if_any
from lti_tool.importers.table import Record, column_index, header_key, read_records
from lti_tool.importers.text import decode_text
from lti_tool.mastery.framework import ExternalRef, FrameworkDraft, StandardDraft, number_siblings
from lti_tool.translatable import N_

_FIELDS = (
    "conceptUri",
    "preferredLabel",
    "description",
    "skillType",
    "reuseLevel",
    "broaderConceptUri",
    "broaderConceptPT",
)
_ALIASES = {header_key(name): name for name in _FIELDS}
_SEPARATOR = " | "


def parse_esco(data: bytes | str, *, filename: str | None = None) -> FrameworkDraft:
    """Parse an ESCO skills CSV; all problems are raised together as ImportFailed."""
    where = filename or "file"
    header, *body = read_records(decode_text(data, filename=filename), where=where)
    columns = column_index(header, _ALIASES)
    missing = [name for name in ("conceptUri", "preferredLabel") if name not in columns]
    if missing:
        raise fail(
            header.where,
            "header",
            N_("missing ESCO column(s): %(columns)s", columns=", ".join(missing)),
        )
    if not body:
        raise fail(where, "file", N_("nothing to import: no skill rows"))
    problems: list[Problem] = []
    rows: dict[str, Record] = {}
    for record in body:
        uri = record.get(columns, "conceptUri")
        if not uri or not record.get(columns, "preferredLabel"):
            problems.append(
                Problem(record.where, "conceptUri", N_("conceptUri and preferredLabel needed"))
            )
        elif uri in rows:
            problems.append(
                Problem(record.where, "conceptUri", N_("duplicate '%(value)s'", value=uri))
            )
        else:
            rows[uri] = record
    raise_if_any(problems)
    items = [_skill(uri, record, columns, rows) for uri, record in rows.items()]
    edges = tuple(
        (parent, uri)
        for uri, record in rows.items()
        for parent in _split(record.get(columns, "broaderConceptUri"))
        if parent in rows
    )
    draft = FrameworkDraft(
        name=filename or "ESCO skills",
        source_format="esco",
        identifier=None,
        items=number_siblings(items, edges),
        edges=edges,
    )
    raise_if_any(draft.validate())
    return draft


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(_SEPARATOR.strip()) if part.strip()]


def _skill(
    uri: str, record: Record, columns: dict[str, int], rows: dict[str, Record]
) -> StandardDraft:
    parents = _split(record.get(columns, "broaderConceptUri"))
    labels = _split(record.get(columns, "broaderConceptPT"))
    # Labels line up with parent URIs only when both lists have the same length.
    titles: list[str | None] = (
        list(labels) if len(labels) == len(parents) else [None] * len(parents)
    )
    refs = tuple(
        ExternalRef("broader", parent, title)
        for parent, title in zip(parents, titles, strict=True)
        if parent not in rows
    )
    return StandardDraft(
        key=uri,
        code=None,
        title=record.get(columns, "preferredLabel"),
        statement=record.get(columns, "description"),
        node_type=record.get(columns, "skillType") or None,
        external_refs=refs,
    )
