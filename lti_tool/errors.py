"""The tool's exception hierarchy and the handlers that turn it into pages.

Every error a person can cause renders a page naming what went wrong and what to check,
with the request id; the log gets the technical reason. Never a stack trace.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence

from flask import Flask, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class LtiToolError(Exception):
    """Base error: `message` is for the person, `detail` for the log, `hint` says what to check."""

    status = 400
    title = "Something went wrong"

    def __init__(self, message: str, *, detail: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.detail = detail or message
        self.hint = hint


class LaunchError(LtiToolError):
    status = 400
    title = "This launch could not be accepted"


class LaunchUnauthorized(LaunchError):
    """The launch was not signed as the platform should sign it, or was replayed."""

    status = 401


class LaunchForbidden(LaunchError):
    """The platform or deployment is not registered (or disabled) for this tool."""

    status = 403


class RegistrationError(LtiToolError):
    title = "The tool could not be registered"


class PermissionDenied(LtiToolError):
    status = 403
    title = "You do not have access to this page"


class NotFound(LtiToolError):
    status = 404
    title = "Not found"


class ImportRejected(LtiToolError):
    """A file or draft was refused; `problems` lists every (line, field, reason) found."""

    status = 400
    title = "The file could not be imported"

    def __init__(self, message: str, problems: Sequence[object] = ()) -> None:
        super().__init__(
            message, hint="Nothing was saved. Fix the rows listed and import the file again."
        )
        self.problems = list(problems)


class UploadTooLarge(ImportRejected):
    """A file over the import limit, refused before it is read."""

    status = 413
    title = "The file is too large"


class MasteryRejected(LtiToolError):
    """Settings or evidence the mastery domain refused (bad scale, method, points)."""

    status = 400
    title = "These mastery settings cannot be used"


class SessionExpired(LtiToolError):
    status = 401
    title = "Your session has ended"


def request_id() -> str:
    rid = getattr(g, "request_id", None)
    if rid is None:
        rid = g.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex[:16]
    return rid


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _render(status: int, title: str, message: str, hint: str | None):
    if _wants_json():
        body = {"error": title, "message": message, "hint": hint, "request_id": request_id()}
        return jsonify(body), status
    template = f"errors/{status}.html" if status in (400, 401, 403, 404, 429, 500, 503) else None
    html = render_template(
        [template or "errors/generic.html", "errors/generic.html"],
        status=status,
        title=title,
        message=message,
        hint=hint,
        request_id=request_id(),
    )
    return html, status


def register_error_handlers(app: Flask) -> None:
    @app.before_request
    def _assign_request_id() -> None:
        request_id()

    @app.after_request
    def _echo_request_id(response):
        response.headers["X-Request-ID"] = request_id()
        return response

    @app.errorhandler(LtiToolError)
    def _tool_error(error: LtiToolError):
        log.warning(
            "%s %s: %s (request %s)", error.status, type(error).__name__, error.detail, request_id()
        )
        return _render(error.status, error.title, error.message, error.hint)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException):
        status = error.code or 500
        return _render(status, error.name, error.description or error.name, None)

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error (request %s)", request_id())
        message = "The tool hit an unexpected problem. Nothing you entered was half-saved."
        return _render(
            500,
            "Unexpected error",
            message,
            "Try again; if it persists, give the request id to your administrator.",
        )
