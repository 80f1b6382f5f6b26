"""Everything one platform registration holds: export it (JSON) and purge it at contract end.

A district's data is every row that reaches its `platforms` row through foreign keys (courses,
people, standards, evidence, grades, ...). The path of each table is found from the schema, so
a table added later is covered without touching this module; a table with no path must be
named in GLOBAL_TABLES (the test suite checks that every table is one or the other).

Export leaves out what is ours, not theirs: the platform's access tokens and the transient
login state and nonces. Purge deletes every row of the registration, children first, in the
caller's transaction, after the registration's name is typed back.

Both are audited. The registration's own audit events go with it (they name its people); the
purge then records one event with no platform row and no personal data (the issuer, client id,
former id and row counts), so the log still says who purged what and when.
"""

from __future__ import annotations

import base64
import logging
from collections import deque
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, Table, delete, func, select, tuple_

from ..errors import LtiToolError
from ..extensions import db
from ..models import Platform
from ..models.types import utcnow
from . import audit

log = logging.getLogger(__name__)

# Tables that hold no registration's data: rate-limit windows (keys are hashed subjects) and the
# installation console's own accounts.
GLOBAL_TABLES = frozenset({"rate_counters", "local_admins"})
# Registration tables whose rows are credentials or transient protocol state, not the district's
# (share links: their token hashes open a student's profile).
NOT_EXPORTED = frozenset({"access_tokens", "login_states", "used_nonces", "share_links"})
EXPORT_FORMAT = "mastery-tracker-registration-export/1"


class PurgeRefused(LtiToolError):
    """The name typed back does not match the registration's."""

    status = 400


@dataclass(frozen=True)
class Hop:
    """A foreign key followed from one table to the table it references."""

    table: Table
    column: str
    target: Table
    target_column: str


def paths(root: str = "platforms", *, cascade_only: bool = False) -> dict[str, list[Hop]]:
    """Each table's shortest foreign-key path to `root` (empty for it): a registration's
    tables by default; with `cascade_only`, the rows a root row owns (its ON DELETE CASCADE
    dependents, as one person's data hangs from their `users` row)."""
    tables = {t.name: t for t in db.metadata.sorted_tables}
    found: dict[str, list[Hop]] = {root: []}
    queue = deque([root])
    referencing: dict[str, list[Hop]] = {}
    for table in tables.values():
        for fk in table.foreign_keys:
            if cascade_only and (fk.ondelete or "").upper() != "CASCADE":
                continue
            hop = Hop(table, fk.parent.name, fk.column.table, fk.column.name)
            referencing.setdefault(fk.column.table.name, []).append(hop)
    while queue:
        name = queue.popleft()
        for hop in referencing.get(name, []):
            if hop.table.name not in found:
                found[hop.table.name] = [hop, *found[name]]
                queue.append(hop.table.name)
    return found


def orphan_tables() -> list[str]:
    """Tables neither reaching a platform nor declared global (a schema mistake)."""
    known = set(paths()) | GLOBAL_TABLES
    return sorted(t.name for t in db.metadata.sorted_tables if t.name not in known)


def rows_of(platform_id: int, table: Table, path: list[Hop]) -> Select:
    """SELECT the table's rows belonging to the platform (or the path's root row with this
    id), following its path."""
    if not path:
        return select(table).where(table.c.id == platform_id)
    values: Any = platform_id
    for previous, hop in reversed(list(zip(path, path[1:], strict=False))):
        values = select(hop.table.c[previous.target_column]).where(_match(hop, values))
    return select(table).where(_match(path[0], values))


def _match(hop: Hop, values: Any) -> Any:
    column = hop.table.c[hop.column]
    return column == values if isinstance(values, int) else column.in_(values)


def counts(platform: Platform) -> dict[str, int]:
    """Rows per table that belong to the registration (zero rows included)."""
    return counts_by_id(platform.id)


def counts_by_id(platform_id: int) -> dict[str, int]:
    """Rows per table that reach this platform id (also after its row is gone)."""
    result = {}
    for name, path in sorted(paths().items()):
        table = db.metadata.tables[name]
        query = rows_of(platform_id, table, path).subquery()
        result[name] = db.session.scalar(select(func.count()).select_from(query)) or 0
    return result


def export(platform: Platform, *, actor: str = audit.COMMAND_LINE) -> dict[str, Any]:
    """Every row of the registration, as JSON-ready dicts per table (credentials left out)."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for name, path in sorted(paths().items()):
        if name in NOT_EXPORTED:
            continue
        table = db.metadata.tables[name]
        query = rows_of(platform.id, table, path).order_by(*table.primary_key.columns)
        tables[name] = [json_row(row) for row in db.session.execute(query).mappings()]
    rows = sum(map(len, tables.values()))
    log.info("registration %s exported (%d rows)", platform.id, rows)
    audit.record(
        "registration.exported",
        actor=actor,
        platform=platform,
        target=f"{platform.issuer} client {platform.client_id}",
        details={"rows": rows},
    )
    return {
        "format": EXPORT_FORMAT,
        "exported_at": utcnow().isoformat(),
        "registration": {
            "name": platform.name,
            "issuer": platform.issuer,
            "client_id": platform.client_id,
        },
        "tables": tables,
    }


def purge(
    platform: Platform, typed_name: str, *, actor: str = audit.COMMAND_LINE
) -> dict[str, int]:
    """Delete every row of the registration (children first); returns rows deleted per table."""
    if typed_name.strip() != platform.name:
        raise PurgeRefused(
            "Nothing was deleted: type the registration's name exactly to confirm.",
            hint=f"The name is “{platform.name}”.",
        )
    platform_id, issuer, client_id = platform.id, platform.issuer, platform.client_id
    deleted = delete_reached(platform_id, paths())
    total = sum(deleted.values())
    log.warning("registration %s (%s) purged: %d rows", platform_id, issuer, total)
    audit.record(
        "registration.purged",
        actor=actor,
        target=f"{issuer} client {client_id}",
        details={"platform": platform_id, "rows": total},
    )
    return deleted


def delete_reached(root_id: int, reach: dict[str, list[Hop]]) -> dict[str, int]:
    """Delete every row reaching the root row through `reach`, children first (the root
    last); rows deleted per table."""
    deleted: dict[str, int] = {}
    for table in reversed(db.metadata.sorted_tables):
        path = reach.get(table.name)
        if path is None:
            continue
        keys = list(table.primary_key.columns)
        owned = rows_of(root_id, table, path).with_only_columns(*keys)
        target = keys[0] if len(keys) == 1 else tuple_(*keys)
        statement = delete(table).where(target.in_(owned))
        deleted[table.name] = db.session.execute(statement).rowcount or 0
    db.session.expire_all()
    return deleted


def json_row(row: Any) -> dict[str, Any]:
    return {key: _json_value(value) for key, value in row.items()}


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value
