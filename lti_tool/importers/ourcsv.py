"""Our own simple standards CSV template -> FrameworkDraft.

Columns (header required, any order; only `code` and `title` are required):

- `code`: unique within the file, used as the key and by `parent_code`;
- `title`: short name shown in gradebooks;
- `statement`: the full standard (defaults to the title);
- `i_can`: student-friendly "I can ..." statement;
- `parent_code`: code of the parent row anywhere in the file; blank for a root;
- `priority`: yes/true/1/x marks a priority (power) standard; blank or no otherwise.

Siblings keep file order. The framework name is passed in by the caller.
`TEMPLATE_CSV` is the downloadable example (also `template.csv` here).
"""

from __future__ import annotations

from pathlib import Path

from lti_tool.importers.errors import Problem, fail, raise_if_any
from lti_tool.importers.table import Record, column_index, read_records
from lti_tool.importers.text import decode_text
from lti_tool.mastery.framework import FrameworkDraft, StandardDraft, number_siblings
from lti_tool.translatable import N_

TEMPLATE_CSV = (Path(__file__).with_name("template.csv")).read_text(encoding="utf-8")
COLUMNS = ("code", "title", "statement", "i_can", "parent_code", "priority")
_ALIASES = {name.replace("_", ""): name for name in COLUMNS} | {
    "parent": "parent_code",
    "ican": "i_can",
}
_YES, _NO = frozenset({"yes", "y", "true", "1", "x"}), frozenset({"", "no", "n", "false", "0"})


def parse_ourcsv(
    data: bytes | str, *, filename: str | None = None, framework: str | None = None
) -> FrameworkDraft:
    """Parse our template CSV; all problems are raised together as ImportFailed."""
    where = filename or "file"
    header, *body = read_records(decode_text(data, filename=filename), where=where)
    columns = column_index(header, _ALIASES)
    missing = [name for name in ("code", "title") if name not in columns]
    if missing:
        raise fail(
            header.where,
            "header",
            N_(
                "missing column(s): %(columns)s; expected %(expected)s",
                columns=", ".join(missing),
                expected=",".join(COLUMNS),
            ),
        )
    if not body:
        raise fail(where, "file", N_("nothing to import: no standard rows"))
    problems: list[Problem] = []
    items: dict[str, StandardDraft] = {}
    parents: dict[str, tuple[Record, str]] = {}
    for record in body:
        item = _read_row(record, columns, problems)
        if item is not None and item.key in items:
            problems.append(
                Problem(record.where, "code", N_("duplicate code '%(value)s'", value=item.key))
            )
        elif item is not None:
            items[item.key] = item
            parents[item.key] = (record, record.get(columns, "parent_code"))
    edges: list[tuple[str, str]] = []
    for key, (record, parent) in parents.items():
        if parent and parent not in items:
            problems.append(
                Problem(
                    record.where, "parent_code", N_("unknown parent code '%(value)s'", value=parent)
                )
            )
        elif parent:
            edges.append((parent, key))
    raise_if_any(problems)
    draft = FrameworkDraft(
        name=framework or filename or "Imported standards",
        source_format="csv",
        identifier=None,
        items=number_siblings(items.values(), edges),
        edges=tuple(edges),
    )
    raise_if_any(draft.validate())
    return draft


def _read_row(
    record: Record, columns: dict[str, int], problems: list[Problem]
) -> StandardDraft | None:
    code, title = record.get(columns, "code"), record.get(columns, "title")
    priority = record.get(columns, "priority").lower()
    before = len(problems)
    if not code:
        problems.append(Problem(record.where, "code", N_("missing")))
    if not title:
        problems.append(Problem(record.where, "title", N_("missing")))
    if priority not in _YES | _NO:
        problems.append(
            Problem(
                record.where,
                "priority",
                N_("use yes or leave blank, not '%(value)s'", value=priority),
            )
        )
    if len(problems) > before:
        return None
    return StandardDraft(
        key=code,
        code=code,
        title=title,
        statement=record.get(columns, "statement") or title,
        i_can=record.get(columns, "i_can") or None,
        is_priority=priority in _YES,
    )
