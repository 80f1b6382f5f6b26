"""Logging: one line per event with the request id and, once known, platform, course and user.

LOG_FORMAT=json (the default in production) writes one JSON object per line; "text" otherwise.
The ids are the tool's database ids, never names, emails or tokens. The context comes from the
launch row a request creates or loads (every page after a launch loads one), so views need no
logging code; `bind()` adds ids where no launch row is involved.
"""

from __future__ import annotations

import json
import logging
import re
import time
from datetime import UTC, datetime
from typing import Any

from flask import Flask, g, has_request_context, request
from sqlalchemy import event

CONTEXT_FIELDS = ("platform_id", "course_id", "user_id")
# Per-request fields the request line adds (logger lti_tool.request).
REQUEST_FIELDS = ("method", "path", "status", "duration_ms")
QUIET_PATHS = ("/healthz", "/readyz")
# Defence in depth: whatever a message carries, JWTs and secret URL parameters are masked.
JWT = re.compile(r"eyJ[\w-]{4,}\.[\w-]{4,}\.[\w-]*")
SECRET_PARAM = re.compile(
    r"\b(launch|id_token|state|lti_storage_secret|registration_token|client_assertion"
    r"|access_token|lti_message_hint)=[^&\s\"']+"
)
TEXT_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s%(context)s] %(name)s: %(message)s"


def redact(text: str) -> str:
    """The text with JWTs and secret query parameters masked."""
    return SECRET_PARAM.sub(r"\1=[redacted]", JWT.sub("[jwt]", text))


def bind(*, keep: bool = False, **ids: int | str | None) -> None:
    """Attach ids (platform_id, course_id, user_id) to this request's log lines.

    `keep` leaves ids already bound untouched (a platform loaded after the launch row).
    """
    if not has_request_context():
        return
    context = g.setdefault("log_context", {})
    for key, value in ids.items():
        if key in CONTEXT_FIELDS and value is not None and not (keep and key in context):
            context[key] = value


def log_context() -> dict[str, Any]:
    """The ids known for the current request (empty outside one)."""
    return dict(g.get("log_context") or {}) if has_request_context() else {}


class ContextFilter(logging.Filter):
    """Puts the request id and the request's ids on every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        context = log_context()
        for field in CONTEXT_FIELDS:
            setattr(record, field, context.get(field))
        record.context = "".join(f" {k[0]}{v}" for k, v in context.items())
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request id and known ids."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact(record.getMessage()),
            "request_id": getattr(record, "request_id", "-"),
        }
        for field in CONTEXT_FIELDS + REQUEST_FIELDS:
            if (value := getattr(record, field, None)) is not None:
                entry[field] = value
        if record.exc_info:
            entry["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """The classic line, with the same masking as JSON."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def log_format(config: Any) -> str:
    """'json' or 'text': LOG_FORMAT when set, else json in production only."""
    chosen = config.get("LOG_FORMAT")
    if chosen:
        return str(chosen).lower()
    return "json" if config.get("ENV") == "production" else "text"


def _bind_row(row: Any) -> None:
    bind(
        platform_id=row.platform_id,
        course_id=getattr(row, "course_id", None),
        user_id=getattr(row, "user_id", None),
    )


def _on_load(row: Any, _context: Any) -> None:
    _bind_row(row)


def _on_insert(_mapper: Any, _connection: Any, row: Any) -> None:
    _bind_row(row)


def _on_platform_load(row: Any, _context: Any) -> None:
    bind(keep=True, platform_id=row.id)


def listen_to_launches() -> None:
    """Bind ids when a request creates or loads a launch or login state, or finds a platform."""
    from .models import Launch, LoginState, Platform

    for model in (Launch, LoginState):
        if not event.contains(model, "load", _on_load):
            event.listen(model, "load", _on_load)
            event.listen(model, "after_insert", _on_insert)
    if not event.contains(Platform, "load", _on_platform_load):
        # The first registration a login or launch looks up: refused launches name it too.
        event.listen(Platform, "load", _on_platform_load)


def _start_timer() -> None:
    g.started_at = time.perf_counter()


def logged_path() -> str:
    """The request's path with a secret in it (a share link's token) replaced by its name."""
    token = (request.view_args or {}).get("token")
    return request.path.replace(token, "<token>") if isinstance(token, str) else request.path


def _log_request(response: Any) -> Any:
    """One line per request: method, path (never the query: it carries launch tokens), status."""
    if request.path in QUIET_PATHS and response.status_code < 400:
        return response
    started = g.get("started_at")
    duration = round((time.perf_counter() - started) * 1000, 1) if started else None
    path = logged_path()
    logging.getLogger("lti_tool.request").info(
        "%s %s %s %s ms",
        request.method,
        path,
        response.status_code,
        duration,
        extra={
            "method": request.method,
            "path": path,
            "status": response.status_code,
            "duration_ms": duration,
        },
    )
    return response


def init_app(app: Flask) -> None:
    """Send the tool's and werkzeug's records through one masked handler; log each request."""
    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter())
    if log_format(app.config) == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(TextFormatter(TEXT_FORMAT))
    for name in ("lti_tool", app.logger.name, "werkzeug"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(app.config.get("LOG_LEVEL", "INFO"))
        # Under pytest, let records reach caplog on the root logger.
        logger.propagate = app.testing
    listen_to_launches()
    # Registered first, so it runs after every other after_request hook and sees the final status.
    app.before_request(_start_timer)
    app.after_request(_log_request)
