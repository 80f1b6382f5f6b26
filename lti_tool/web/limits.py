"""Rate limits, counted in the database so every process and machine shares one count.

Schools sit behind one address (DESIGN.md correction 13), so launches are never limited per
client address: they are limited per registration, once the id_token's signature has held, so
forged tokens cannot spend a school's budget. Only the unauthenticated endpoints (OIDC login,
dynamic registration, share links) are limited per address, generously; sign-ins at the
installation console, per address and per account, tightly (each one guesses a password).
Fixed windows. Each process claims hits from the shared count in small leases (a fiftieth of
the limit, at least one): most requests are counted in memory, one upsert claims the next
lease, and a process can never allow more than it claimed, so the whole installation never
allows more than the limit (a little less when other processes hold unused leases as a window
ends). A key found over its limit is refused in memory until its window ends. The rows of past
windows are deleted whenever a new window opens.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, g, request
from flask_babel import gettext as _
from sqlalchemy import Insert, delete, text
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import N_, LtiToolError
from ..extensions import db
from ..models import RateCounter

# Endpoint -> (scope, setting) for the per-address limits.
ADDRESS_LIMITS = {
    "lti.login": ("login", "RATE_LIMIT_LOGIN_PER_ADDRESS"),
    "lti.register_tool": ("register", "RATE_LIMIT_REGISTER_PER_ADDRESS"),
    "share.shared": ("share", "RATE_LIMIT_SHARE_PER_ADDRESS"),
    "share.levels_css": ("share", "RATE_LIMIT_SHARE_PER_ADDRESS"),
}
REGISTRATION_LIMIT = "RATE_LIMIT_LAUNCH_PER_REGISTRATION"
CONSOLE_LOGIN_LIMIT = "RATE_LIMIT_INSTALL_LOGIN"


# Where the windows' time comes from (tests pin it inside one window).
clock = time.time


@dataclass(frozen=True)
class Limit:
    """At most `count` requests per `seconds`-long window."""

    count: int
    seconds: int

    @classmethod
    def from_setting(cls, value: object) -> Limit | None:
        """[count, seconds] (or "count/seconds"); None, empty or a zero count turns it off."""
        if not value:
            return None
        parts = value.split("/") if isinstance(value, str) else value
        if not isinstance(parts, list | tuple) or len(parts) != 2:
            raise ValueError(f"a rate limit is [requests, seconds], not {value!r}")
        count, seconds = int(parts[0]), int(parts[1])
        if seconds <= 0:
            raise ValueError(f"a rate limit window must be positive: {value!r}")
        return cls(count, seconds) if count > 0 else None


@dataclass(frozen=True)
class Decision:
    """One counted request: the window's count so far and when the window ends."""

    count: int
    retry_after: int
    limit: Limit

    @property
    def is_allowed(self) -> bool:
        return self.count <= self.limit.count


class RateLimited(LtiToolError):
    status = 429
    title = N_("Too many requests")

    def __init__(self, scope: str, decision: Decision):
        super().__init__(
            _(
                "Too many requests right now. Try again in %(seconds)s seconds.",
                seconds=decision.retry_after,
            ),
            detail=(
                f"rate limit {scope}: {decision.count} > {decision.limit.count} "
                f"per {decision.limit.seconds} s"
            ),
            hint=N_(
                "Wait a moment and open the tool again. If this persists, tell your "
                "administrator: the limits are set in the tool's configuration."
            ),
        )
        self.retry_after = decision.retry_after


# A lease is this fraction of a limit: the share of a window other processes may leave unused.
LEASE_FRACTION = 50


@dataclass
class _Lease:
    """Hits one process claimed for a key in one window: positions `next`..`end` of the shared
    count. Past the limit, every later hit is refused here without a write."""

    window_start: int
    next: int
    end: int


class Leases:
    """This process's leases, by key (kept in the app: each app is one process's counter)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.held: dict[str, _Lease] = {}

    def take(self, key: str, window_start: int, limit: Limit) -> int | None:
        """The hit's position in the shared count, or None when a new lease must be claimed."""
        with self.lock:
            lease = self.held.get(key)
            if lease is None or lease.window_start != window_start:
                return None
            if lease.next <= lease.end or lease.next > limit.count:
                lease.next += 1
                return lease.next - 1
            return None

    def grant(self, key: str, window_start: int, first: int, end: int) -> None:
        """Positions `first`..`end` were claimed; `first` is being used now."""
        with self.lock:
            if len(self.held) > 10_000:  # addresses come and go: forget finished windows
                self.held = {k: v for k, v in self.held.items() if v.window_start >= window_start}
            self.held[key] = _Lease(window_start, first + 1, end)


def _leases() -> Leases:
    return current_app.extensions.setdefault("rate_leases", Leases())


def _upsert(key: str, window_start: int, claim: int, expires_at: datetime, dialect: str) -> Insert:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = RateCounter.__table__
    statement = insert(table).values(
        key=key, window_start=window_start, count=claim, expires_at=expires_at
    )
    return statement.on_conflict_do_update(
        index_elements=[table.c.key, table.c.window_start],
        set_={"count": table.c.count + claim},
    ).returning(table.c.count)


def _claim(executor: Any, upsert: Insert, claim: int, sweep: Any, dialect: str) -> int:
    """Add `claim` hits to the shared count; the count after them."""
    if dialect == "postgresql":
        # A count lost in a crash costs nothing: do not wait for the WAL flush.
        executor.execute(text("SET LOCAL synchronous_commit TO OFF"))
    count = executor.execute(upsert).scalar_one()
    if count == claim:  # a new window: sweep the rows of windows that are over
        executor.execute(sweep)
    return count


def count_hit(
    key: str, limit: Limit, now: float | None = None, *, in_session: bool = False
) -> Decision:
    """Count one request under `key` in the current window and say whether it may proceed.

    From this process's lease when it has one; otherwise a lease is claimed: `in_session`
    claims in the request's session (the caller commits at once); otherwise, on PostgreSQL, in
    a transaction of its own so the hot row is locked for one statement only. SQLite always
    uses the session: a second connection would wait on the request's own lock.
    """
    now = clock() if now is None else now
    key = key[:200]
    window_start = int(now // limit.seconds) * limit.seconds
    window_end = window_start + limit.seconds
    retry_after = max(1, math.ceil(window_end - now))
    leases = _leases()
    position = leases.take(key, window_start, limit)
    if position is None:
        claim = max(1, limit.count // LEASE_FRACTION)
        dialect = db.engine.dialect.name
        expires_at = datetime.fromtimestamp(window_end, UTC)
        upsert = _upsert(key, window_start, claim, expires_at, dialect)
        sweep = delete(RateCounter).where(RateCounter.expires_at < datetime.fromtimestamp(now, UTC))
        if in_session or dialect == "sqlite":
            end = _claim(db.session, upsert, claim, sweep, dialect)
        else:
            with db.engine.begin() as connection:
                end = _claim(connection, upsert, claim, sweep, dialect)
        position = end - claim + 1
        leases.grant(key, window_start, position, end)
    return Decision(position, retry_after, limit)


def _limit(setting: str, config: Mapping[str, Any]) -> Limit | None:
    return Limit.from_setting(config.get(setting))


def enforce(scope: str, subject: str, setting: str, *, in_session: bool = False) -> None:
    """Count the request against `setting`; raise RateLimited (429) beyond the limit."""
    limit = _limit(setting, current_app.config)
    if limit is None:
        return
    decision = count_hit(f"{scope}:{subject}", limit, in_session=in_session)
    if not decision.is_allowed:
        g.retry_after = decision.retry_after
        raise RateLimited(scope, decision)


def limit_registration(platform_id: int) -> None:
    """Count a launch whose signature held against its registration's limit."""
    enforce("launch", f"platform:{platform_id}", REGISTRATION_LIMIT)


def enforce_address() -> None:
    """Per-address limits on the unauthenticated endpoints, before the view runs."""
    rule = ADDRESS_LIMITS.get(request.endpoint or "")
    if rule is None:
        return
    scope, setting = rule
    # Nothing else is in the session yet: count in it and commit, sparing a connection.
    try:
        enforce(scope, f"address:{request.remote_addr or '-'}", setting, in_session=True)
    except RateLimited:
        db.session.commit()  # a refused request counts too
        raise
    db.session.commit()


def limit_console_login(email: str) -> None:
    """Count a sign-in attempt at the installation console, per address and per account."""
    try:
        enforce("console-login", f"address:{request.remote_addr or '-'}", CONSOLE_LOGIN_LIMIT)
        enforce("console-login", f"account:{email[:150]}", CONSOLE_LOGIN_LIMIT)
    except RateLimited:
        db.session.commit()  # a refused attempt counts too
        raise


def _retry_after(response: Any) -> Any:
    if response.status_code == 429 and (seconds := g.get("retry_after")):
        response.headers["Retry-After"] = str(seconds)
    return response


def init_app(app: Flask) -> None:
    """Check the limit settings now; count per address before views; 429 with Retry-After."""
    settings = (REGISTRATION_LIMIT, CONSOLE_LOGIN_LIMIT, *(s for _, s in ADDRESS_LIMITS.values()))
    for setting in settings:
        _limit(setting, app.config)  # a malformed setting fails at start, not per request
    app.before_request(enforce_address)
    app.after_request(_retry_after)
