"""Configuration loading, in one order for every entry point.

1. config/default.py
2. the file named by the LTI_TOOL_SETTINGS environment variable, if set
3. LTI_TOOL_* environment variables (LTI_TOOL_SECRET_KEY=..., values parsed as JSON when possible)
4. DATABASE_URL, SECRET_KEY, TOOL_BASE_URL, KEY_DIR, LOG_LEVEL, LOG_FORMAT: unprefixed names
5. the test mapping given to create_app
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
PREFIXED_FLAGS = ("LTI_TOOL_ALLOW_PRIVATE_NETWORK", "LTI_TOOL_ALLOW_INSECURE_HTTP")
UNPREFIXED = ("SECRET_KEY", "TOOL_BASE_URL", "KEY_DIR", "LOG_LEVEL", "LOG_FORMAT")


class ConfigurationError(RuntimeError):
    """The installation cannot start as configured; the message says what is missing."""


def load_config(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    """Fill app.config in the documented order and derive what follows from it."""
    app.config.from_pyfile(str(ROOT / "config" / "default.py"))
    if path := os.environ.get("LTI_TOOL_SETTINGS"):
        app.config.from_pyfile(path)
    app.config.from_prefixed_env("LTI_TOOL")
    # These settings' own names keep their prefix, as DESIGN.md spells them.
    for name in PREFIXED_FLAGS:
        if (flag := os.environ.get(name)) is not None:
            app.config[name] = flag.lower() in ("1", "true", "yes")
    for name in UNPREFIXED:
        if name in os.environ:
            app.config[name] = os.environ[name]
    if "DATABASE_URL" in os.environ:
        app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    if test_config:
        app.config.update(test_config)
    _derive(app)


def _derive(app: Flask) -> None:
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        Path(app.instance_path).mkdir(parents=True, exist_ok=True)
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{Path(app.instance_path) / 'tool.db'}"
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        # psycopg 3 is the only driver we ship.
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri.removeprefix(
            "postgresql://"
        )
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        _set_connect_timeout(app)
    key_dir = Path(app.config["KEY_DIR"])
    app.config["KEY_DIR"] = str(key_dir if key_dir.is_absolute() else ROOT / key_dir)


def _set_connect_timeout(app: Flask) -> None:
    """A database that does not answer fails fast (a 503, a failed /readyz) instead of hanging."""
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    timeout = int(app.config.get("DATABASE_CONNECT_TIMEOUT_SECONDS", 5))
    options["connect_args"] = {"connect_timeout": timeout, **options.get("connect_args", {})}
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


def check_production(app: Flask, has_keys: bool) -> None:
    """Refuse to run in production with a default secret or without keys, saying what is missing."""
    if app.config.get("ENV") != "production":
        return
    missing = []
    if app.config["SECRET_KEY"] in ("", "dev-only-not-secret"):
        missing.append("SECRET_KEY is the development default: set a long random SECRET_KEY")
    if not app.config.get("TOOL_BASE_URL"):
        missing.append("TOOL_BASE_URL is not set: set the tool's public https URL")
    if not has_keys:
        missing.append(
            f"no signing key in {app.config['KEY_DIR']}: run `flask --app lti_tool keys generate`"
        )
    if missing:
        raise ConfigurationError("Refusing to start in production: " + "; ".join(missing))
