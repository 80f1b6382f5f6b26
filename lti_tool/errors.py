"""The tool's exception hierarchy and the handlers that turn it into pages.

Every error a person can cause renders a page naming what went wrong and what to check,
with the request id; the log gets the technical reason. Never a stack trace.

The page is in the person's language: an error's title, message and hint stay English on the
error (the log gets English) and are translated when the page is rendered, so raise them marked
with `N_("...")` or as a `Text` (or already translated with `_()`).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Sequence

from flask import Flask, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from .extensions import db
from .i18n import translated
from .translatable import N_

log = logging.getLogger(__name__)


# Werkzeug's own titles and descriptions of the errors a person meets, so their page is
# translated too (aborts with a description of their own keep it, translated where marked).
HTTP_TEXTS = (
    N_("Bad Request"),
    N_("The browser (or proxy) sent a request that this server could not understand."),
    N_("Unauthorized"),
    N_(
        "The server could not verify that you are authorized to access the URL requested. You "
        "either supplied the wrong credentials (e.g. a bad password), or your browser doesn't "
        "understand how to supply the credentials required."
    ),
    N_("Forbidden"),
    N_(
        "You don't have the permission to access the requested resource. It is either "
        "read-protected or not readable by the server."
    ),
    N_("Not Found"),
    N_(
        "The requested URL was not found on the server. If you entered the URL manually "
        "please check your spelling and try again."
    ),
    N_("Method Not Allowed"),
    N_("The method is not allowed for the requested URL."),
    N_("Too Many Requests"),
    N_("This user has exceeded an allotted request count. Try again later."),
    N_("Internal Server Error"),
    N_(
        "The server encountered an internal error and was unable to complete your request. "
        "Either the server is overloaded or there is an error in the application."
    ),
    N_("Service Unavailable"),
    N_(
        "The server is temporarily unable to service your request due to maintenance downtime "
        "or capacity problems. Please try again later."
    ),
)


class LtiToolError(Exception):
    """Base error: `message` is for the person, `detail` for the log, `hint` says what to check."""

    status = 400
    title = N_("Something went wrong")

    def __init__(self, message: str, *, detail: str | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.detail = detail or message
        self.hint = hint


class LaunchError(LtiToolError):
    status = 400
    title = N_("This launch could not be accepted")


class LaunchUnauthorized(LaunchError):
    """The launch was not signed as the platform should sign it, or was replayed."""

    status = 401


class LaunchForbidden(LaunchError):
    """The platform or deployment is not registered (or disabled) for this tool."""

    status = 403


class RegistrationError(LtiToolError):
    title = N_("The tool could not be registered")


class PermissionDenied(LtiToolError):
    status = 403
    title = N_("You do not have access to this page")


class NotFound(LtiToolError):
    status = 404
    title = N_("Not found")


class ImportRejected(LtiToolError):
    """A file or draft was refused; `problems` lists every (line, field, reason) found."""

    status = 400
    title = N_("The file could not be imported")

    def __init__(self, message: str, problems: Sequence[object] = ()) -> None:
        super().__init__(
            message, hint=N_("Nothing was saved. Fix the rows listed and import the file again.")
        )
        self.problems = list(problems)


class UploadTooLarge(ImportRejected):
    """A file over the import limit, refused before it is read."""

    status = 413
    title = N_("The file is too large")


class MasteryRejected(LtiToolError):
    """Settings or evidence the mastery domain refused (bad scale, method, points)."""

    status = 400
    title = N_("These mastery settings cannot be used")


class SessionExpired(LtiToolError):
    status = 401
    title = N_("Your session has ended")


def request_id() -> str:
    rid = getattr(g, "request_id", None)
    if rid is None:
        rid = g.request_id = request.headers.get("X-Request-ID", "")[:64] or uuid.uuid4().hex[:16]
    return rid


def database_unavailable(error: sa_exc.SQLAlchemyError) -> str | None:
    """Why the database could not serve this request, or None if the error is not of that kind.

    Connection refused or lost, the pool out of connections, a busy or locked database: all
    pass by themselves, so the person gets a 503 "try again", not a 500. The reason names the
    error's class and SQLSTATE only: driver messages may carry the host, user or database.
    """
    if isinstance(error, sa_exc.TimeoutError):
        return "no free database connection in the pool (TimeoutError)"
    is_lost = isinstance(error, sa_exc.DBAPIError) and error.connection_invalidated
    if not (is_lost or isinstance(error, sa_exc.OperationalError | sa_exc.InterfaceError)):
        return None
    orig = getattr(error, "orig", None)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", None)
    kind = f"{type(orig).__module__}.{type(orig).__name__}" if orig else type(error).__name__
    what = "connection lost; the pool drops it and reconnects" if is_lost else "unreachable or busy"
    return f"{what} ({kind}{', ' + sqlstate if sqlstate else ''})"


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _render(status: int, title: object, message: object, hint: object | None):
    """The error page (or JSON), its texts translated into the page's language."""
    title, message, hint = translated(title), translated(message), translated(hint)
    if _wants_json():
        body = {"error": title, "message": message, "hint": hint, "request_id": request_id()}
        return jsonify(body), status
    template = (
        f"errors/{status}.html" if status in (400, 401, 403, 404, 413, 429, 500, 503) else None
    )
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

    @app.errorhandler(RequestEntityTooLarge)
    def _too_large(error: RequestEntityTooLarge):
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        log.warning(
            "413 request body too large: %s bytes sent to %s, limit %s (request %s)",
            request.content_length,
            request.path,
            limit,
            request_id(),
        )
        size = f" ({request.content_length / 1e6:.1f} MB)" if request.content_length else ""
        message = _("What you sent%(size)s is more than the tool accepts.", size=size)
        if limit:
            megabytes = f"{limit / 1e6:g}"
            message += " " + _("The tool accepts at most %(mb)s MB.", mb=megabytes)
        return _render(
            413,
            N_("The file is too large"),
            message,
            N_(
                "Nothing was saved. Go back, then send a smaller file (split a long export into "
                "several, or leave out columns the tool does not use)."
            ),
        )

    @app.errorhandler(sa_exc.SQLAlchemyError)
    def _database_error(error: sa_exc.SQLAlchemyError):
        reason = database_unavailable(error)
        if reason is None:
            return _unexpected(error)
        with contextlib.suppress(sa_exc.SQLAlchemyError):
            db.session.rollback()  # on a lost connection the database rolled back already
        log.warning("503 database unavailable: %s (request %s)", reason, request_id())
        return _render(
            503,
            N_("The tool cannot reach its database"),
            N_(
                "The tool's database is not answering right now. Nothing was half-saved: a "
                "change you sent either went through whole or not at all."
            ),
            N_(
                "Wait a minute and try again (reload the page to see whether your change is "
                "there). If it lasts, give the request id to your administrator."
            ),
        )

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        log.exception("unhandled error (request %s)", request_id())
        return _render(
            500,
            N_("Unexpected error"),
            N_("The tool hit an unexpected problem. Nothing you entered was half-saved."),
            N_("Try again; if it persists, give the request id to your administrator."),
        )
