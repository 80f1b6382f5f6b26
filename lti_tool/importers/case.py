"""1EdTech CASE 1.0/1.1 CFPackage JSON -> FrameworkDraft.

The tree comes from `isChildOf` associations only (origin = child,
destination = parent; the CFDocument as parent makes a root). Items are keyed
by `identifier`, never by code. Other associations, and parents outside the
package, become external references on the item. Siblings are ordered by the
association `sequenceNumber` when every sibling has a distinct one, else by
the item's `listEnumeration`, else by position in `CFItems`. Lenient with
what real servers send: URIs as plain strings, numbers as strings, nulls,
missing item types, HTML in statements (kept in `statement_html`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from lti_tool.importers.errors import Problem, fail, raise_if_any
from lti_tool.importers.text import decode_text, has_markup, plain_text, shorten
from lti_tool.mastery.framework import ExternalRef, FrameworkDraft, StandardDraft
from lti_tool.translatable import N_

_DOCUMENT_FIELDS = (
    "uri",
    "creator",
    "publisher",
    "version",
    "adoptionStatus",
    "language",
    "officialSourceURL",
    "lastChangeDateTime",
    "subject",
    "notes",
)
_LEADING_NUMBER_RE = re.compile(r"\s*(\d+)")


@dataclass(frozen=True)
class _Link:
    """One isChildOf association, reduced to what ordering needs."""

    child: str
    parent: str
    sequence: int | None
    index: int


def parse_case(data: bytes | str, *, filename: str | None = None) -> FrameworkDraft:
    """Parse a CASE CFPackage; every problem found is raised together as ImportFailed."""
    where = filename or "file"
    package = _load_package(decode_text(data, filename=filename), where)
    document = package.get("CFDocument")
    if not isinstance(document, dict):
        raise fail(where, "CFDocument", N_("missing: this is not a CASE CFPackage"))
    raw_items = package.get("CFItems") or []
    raw_links = package.get("CFAssociations") or []
    if not isinstance(raw_items, list) or not isinstance(raw_links, list):
        raise fail(where, "CFItems", N_("CFItems and CFAssociations must be lists"))
    problems: list[Problem] = []
    items = _index_items(raw_items, problems)
    if not items and not problems:
        raise fail(where, "CFItems", N_("nothing to import: the package has no items"))
    doc_id = _text(document, "identifier") or ""
    links, refs = _read_associations(
        raw_links, items, _uri_index(items, document), doc_id, problems
    )
    raise_if_any(problems)
    positions = _positions(links, items)
    drafts = tuple(
        _draft_item(raw, positions.get(key, 0), tuple(refs.get(key, ())))
        for key, raw in items.items()
    )
    edges = tuple((link.parent, link.child) for link in links if link.parent != doc_id)
    draft = FrameworkDraft(
        name=_text(document, "title") or filename or "CASE framework",
        source_format="case",
        identifier=doc_id or None,
        items=drafts,
        edges=edges,
        source_metadata={k: document[k] for k in _DOCUMENT_FIELDS if k in document},
    )
    raise_if_any(draft.validate())
    return draft


def _load_package(text: str, where: str) -> dict[str, Any]:
    try:
        # strict=False: some servers put raw control characters (tabs, CR) in strings.
        package = json.loads(text, strict=False)
    except (ValueError, RecursionError) as error:
        raise fail(where, "json", N_("not valid JSON (%(error)s)", error=str(error))) from None
    if not isinstance(package, dict):
        raise fail(where, "json", N_("expected a JSON object with CFDocument and CFItems"))
    return package


def _text(obj: Mapping[str, Any], name: str) -> str | None:
    """A string field, None when absent, null, empty or of another type."""
    value = obj.get(name)
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    return value if isinstance(value, str) and value.strip() else None


def _index_items(raw_items: list[Any], problems: list[Problem]) -> dict[str, dict[str, Any]]:
    items: dict[str, dict[str, Any]] = {}
    for position, raw in enumerate(raw_items, start=1):
        where = f"CFItems[{position}]"
        if not isinstance(raw, dict):
            problems.append(Problem(where, "CFItem", N_("expected an object")))
            continue
        identifier = _text(raw, "identifier")
        if identifier is None:
            problems.append(Problem(where, "identifier", N_("missing")))
        elif identifier in items:
            problems.append(Problem(f"item {identifier}", "identifier", N_("duplicate identifier")))
        elif not (_text(raw, "fullStatement") or _text(raw, "abbreviatedStatement")):
            problems.append(Problem(f"item {identifier}", "fullStatement", N_("missing")))
        else:
            items[identifier] = raw
    return items


def _uri_index(items: Mapping[str, dict[str, Any]], document: dict[str, Any]) -> dict[str, str]:
    """Map URIs to identifiers, for associations that give only a URI string."""
    index = {uri: key for key, raw in items.items() if (uri := _text(raw, "uri"))}
    doc_uri, doc_id = _text(document, "uri"), _text(document, "identifier")
    if doc_uri and doc_id:
        index[doc_uri] = doc_id
    return index


def _node(value: Any, uris: Mapping[str, str]) -> tuple[str, str | None] | None:
    """(identifier, title) of an association end given as a LinkURI object or a string."""
    if isinstance(value, str) and value.strip():
        value = value.strip()
        return uris.get(value, value.rstrip("/").rsplit("/", 1)[-1]), None
    if isinstance(value, dict):
        identifier = _text(value, "identifier")
        uri = _text(value, "uri")
        if identifier is None and uri is not None:
            identifier = uris.get(uri, uri.rstrip("/").rsplit("/", 1)[-1])
        if identifier is not None:
            return identifier, _text(value, "title")
    return None


def _read_associations(
    raw_links: list[Any],
    items: Mapping[str, dict[str, Any]],
    uris: Mapping[str, str],
    doc_id: str,
    problems: list[Problem],
) -> tuple[list[_Link], dict[str, list[ExternalRef]]]:
    links: list[_Link] = []
    refs: dict[str, list[ExternalRef]] = {}
    for index, raw in enumerate(raw_links):
        where = f"CFAssociations[{index + 1}]"
        if not isinstance(raw, dict):
            problems.append(Problem(where, "CFAssociation", N_("expected an object")))
            continue
        kind = _text(raw, "associationType") or ""
        origin = _node(raw.get("originNodeURI"), uris)
        target = _node(raw.get("destinationNodeURI"), uris)
        if origin is None or target is None:
            problems.append(Problem(where, "originNodeURI", N_("origin or destination missing")))
        elif origin[0] not in items:
            continue  # about an item in another package: nothing of ours to attach it to
        elif kind == "isChildOf" and (target[0] in items or target[0] == doc_id):
            links.append(_Link(origin[0], target[0], _sequence(raw), index))
        else:
            ref = ExternalRef(kind or "association", target[0], target[1])
            refs.setdefault(origin[0], []).append(ref)
    return links, refs


def _sequence(raw: Mapping[str, Any]) -> int | None:
    value = raw.get("sequenceNumber")
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _positions(links: list[_Link], items: Mapping[str, dict[str, Any]]) -> dict[str, int]:
    """Each child's position among its siblings (the first parent's listing wins)."""
    item_order = {key: index for index, key in enumerate(items)}
    siblings: dict[str, list[_Link]] = {}
    for link in links:
        siblings.setdefault(link.parent, []).append(link)
    positions: dict[str, int] = {}
    for group in siblings.values():
        sequences = [link.sequence for link in group]
        if None not in sequences and len(set(sequences)) == len(sequences):
            group = sorted(group, key=lambda link: link.sequence or 0)
        else:
            group = sorted(
                group,
                key=lambda link: (
                    _enumeration_key(items[link.child].get("listEnumeration")),
                    item_order[link.child],
                ),
            )
        for position, link in enumerate(group, start=1):
            positions.setdefault(link.child, position)
    return positions


def _enumeration_key(value: Any) -> tuple[int, int, str]:
    """Natural order for listEnumeration ('2.' before '10.'); missing ones go last."""
    if isinstance(value, int) and not isinstance(value, bool):
        return (0, value, "")
    if not isinstance(value, str) or not value.strip():
        return (2, 0, "")
    match = _LEADING_NUMBER_RE.match(value)
    if match and len(match.group(1)) < 18:
        return (0, int(match.group(1)), value)
    return (1, 0, value.strip().lower())


def _draft_item(raw: dict[str, Any], position: int, refs: tuple[ExternalRef, ...]) -> StandardDraft:
    full = _text(raw, "fullStatement") or _text(raw, "abbreviatedStatement") or ""
    statement = plain_text(full)
    abbreviated = _text(raw, "abbreviatedStatement")
    item_type = _text(raw, "CFItemType")
    type_uri = raw.get("CFItemTypeURI")
    if item_type is None and isinstance(type_uri, dict):
        item_type = _text(type_uri, "title")
    identifier = _text(raw, "identifier") or ""
    return StandardDraft(
        key=identifier,
        code=_text(raw, "humanCodingScheme"),
        title=plain_text(abbreviated) if abbreviated else shorten(statement),
        statement=statement,
        case_identifier=identifier,
        node_type=item_type,
        sequence=position,
        external_refs=refs,
        statement_html=full if has_markup(full) else None,
    )
