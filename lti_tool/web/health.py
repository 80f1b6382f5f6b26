"""Load balancer probes: /healthz (the process lives) and /readyz (it can serve launches)."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, Flask, current_app, jsonify
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..lti.context import lti

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)
OK = "ok"
EXTENSION = "lti_tool.readiness"


@bp.get("/healthz")
def healthz():
    """The process is alive; touches nothing else."""
    return jsonify(status="ok")


@dataclass(frozen=True)
class Readiness:
    """What each check found: "ok" or what is missing, in words an operator can act on."""

    checks: dict[str, str]

    @property
    def is_ready(self) -> bool:
        return all(value == OK for value in self.checks.values())

    def body(self) -> dict[str, object]:
        missing = [name for name, value in self.checks.items() if value != OK]
        status = "ready" if not missing else "not ready"
        return {"status": status, "missing": missing, "checks": self.checks}


def expected_heads(directory: str) -> frozenset[str]:
    """The newest revision(s) the code ships, read from the migration scripts."""
    config = Config()
    config.set_main_option("script_location", directory)
    return frozenset(ScriptDirectory.from_config(config).get_heads())


def check_schema(expected: frozenset[str]) -> tuple[str, str]:
    """(database, migrations): one round trip reads the revision the database is at."""
    try:
        with db.engine.connect() as connection:
            current = frozenset(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        # The exception text may name the host and user: the log gets its type only.
        log.warning("readyz: database unreachable (%s)", type(error).__name__)
        return "the database does not answer", "unknown: the database does not answer"
    if current == expected:
        return OK, OK
    if not current:
        return OK, "the database has no schema: run `flask --app lti_tool db upgrade`"
    return OK, (
        f"the database is at {', '.join(sorted(current))}; this release needs "
        f"{', '.join(sorted(expected))}: run `flask --app lti_tool db upgrade`"
    )


def check_keys() -> str:
    """The tool's signing key is on disk and parses."""
    try:
        key = lti().key_ring.current()
    except (OSError, ValueError, TypeError) as error:
        log.warning("readyz: signing keys unreadable (%s)", type(error).__name__)
        return "the signing keys cannot be read"
    if key is None:
        return "no signing key: run `flask --app lti_tool keys generate`"
    return OK


class ReadinessProbe:
    """Runs the checks at most once per `ttl` seconds per process."""

    def __init__(self, migrations_dir: str, ttl: float):
        self.migrations_dir = migrations_dir
        self.ttl = ttl
        self._heads: frozenset[str] | None = None
        self._result: Readiness | None = None
        self._at = 0.0
        self._lock = threading.Lock()

    def result(self) -> Readiness:
        with self._lock:
            if self._result is None or time.monotonic() - self._at >= self.ttl:
                self._result = self._check()
                self._at = time.monotonic()
            return self._result

    def _check(self) -> Readiness:
        if self._heads is None:
            self._heads = expected_heads(self.migrations_dir)
        database, migrations = check_schema(self._heads)
        return Readiness({"database": database, "migrations": migrations, "keys": check_keys()})


def probe_of(app: Flask) -> ReadinessProbe:
    """The app's probe, made on first use (nothing is read at start)."""
    probe = app.extensions.get(EXTENSION)
    if probe is None:
        directory = app.extensions["migrate"].directory
        probe = ReadinessProbe(directory, float(app.config.get("READYZ_CACHE_SECONDS", 2.0)))
        app.extensions[EXTENSION] = probe
    return probe


@bp.get("/readyz")
def readyz():
    """200 when the database answers at the newest schema and the keys are loaded; else 503."""
    readiness = probe_of(current_app)  # type: ignore[arg-type]
    result = readiness.result()
    response = jsonify(result.body())
    response.status_code = 200 if result.is_ready else 503
    response.headers["Cache-Control"] = "no-store"
    return response
