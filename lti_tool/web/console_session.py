"""The installation console's session: one signed, first-party cookie and its CSRF token.

The console is opened directly, never inside an LMS frame, so unlike the LTI pages (which carry a
launch token) it uses a cookie: HttpOnly, SameSite=Lax, Secure when TOOL_BASE_URL is https,
scoped to /install. The cookie holds the account id, the account's session version (a logout or
a disabled account ends every cookie signed before), when the session began, and the CSRF token
every POST must carry back. It is signed again on each request, so it ends after
INSTALL_SESSION_IDLE_SECONDS without one, and INSTALL_SESSION_MAX_SECONDS after sign-in anyway.
"""

from __future__ import annotations

import hmac
import logging
import secrets
import time
from dataclasses import asdict, dataclass, field

from flask import Response, current_app, g, request
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup, escape

from ..errors import LtiToolError
from ..extensions import db
from ..models import LocalAdmin

log = logging.getLogger(__name__)

COOKIE = "mt_install"
PATH = "/install"
SALT = "installation-console"
CSRF_FIELD = "csrf_token"


@dataclass
class ConsoleSession:
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    admin_id: int | None = None
    version: int = 0
    started: int = 0


class CsrfRefused(LtiToolError):
    title = "This form has expired"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=SALT)


def _idle_seconds() -> int:
    return int(current_app.config["INSTALL_SESSION_IDLE_SECONDS"])


def _from_cookie() -> ConsoleSession | None:
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    try:
        data = _serializer().loads(value, max_age=_idle_seconds())
        return ConsoleSession(**data)
    except (BadSignature, TypeError, ValueError):
        log.info("installation console cookie refused: expired, altered or malformed")
        return None


def current() -> ConsoleSession:
    """This request's session (a new anonymous one, with a fresh CSRF token, if none)."""
    if "console_session" not in g:
        g.console_session = _from_cookie() or ConsoleSession()
    return g.console_session


def signed_in_admin() -> LocalAdmin | None:
    """The active account this request's cookie was signed for, if it is still valid."""
    session = current()
    if session.admin_id is None:
        return None
    admin = db.session.get(LocalAdmin, session.admin_id)
    too_old = time.time() - session.started > current_app.config["INSTALL_SESSION_MAX_SECONDS"]
    if admin is None or not admin.is_active or admin.session_version != session.version or too_old:
        log.info("installation console session of local admin %s has ended", session.admin_id)
        g.console_session = ConsoleSession()
        return None
    return admin


def start(admin: LocalAdmin) -> None:
    """A new session for the account (new CSRF token: nothing from before sign-in carries on)."""
    g.console_session = ConsoleSession(
        admin_id=admin.id, version=admin.session_version, started=int(time.time())
    )


def end() -> None:
    g.console_session = ConsoleSession()


def check_csrf() -> None:
    """A POST must carry back the session's CSRF token."""
    sent = request.form.get(CSRF_FIELD, "")
    if not sent or not hmac.compare_digest(sent, current().csrf):
        raise CsrfRefused(
            "This form has expired or did not come from the console.",
            detail=f"CSRF token {'missing' if not sent else 'wrong'} on {request.path}",
            hint="Reload the page and send the form again.",
        )


def csrf_field() -> Markup:
    """The hidden input every console form carries."""
    return Markup(f'<input type="hidden" name="{CSRF_FIELD}" value="{escape(current().csrf)}">')


def save(response: Response) -> Response:
    """Sign the session again into the cookie (the idle time starts over)."""
    session = g.get("console_session")
    if session is None:
        return response
    response.set_cookie(
        COOKIE,
        _serializer().dumps(asdict(session)),
        max_age=_idle_seconds(),
        path=PATH,
        secure=(current_app.config.get("TOOL_BASE_URL") or "").startswith("https://"),
        httponly=True,
        samesite="Lax",
    )
    return response
