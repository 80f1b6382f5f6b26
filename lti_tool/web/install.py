"""The installation console (/install): the whole installation, for its own administrators.

For installs without an LMS administrator launch (whose console, admin.py, sees one
registration): accounts made with `flask admin create-user` sign in with an email and a
password (console_session.py holds the cookie and CSRF). The pages list every registration
with its deployments, status and usage, the signing keys (with rotation), failed grades of
every registration (with retry) and the built-in scales. LTI launches never open it.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, g, redirect, render_template, request, url_for

from ..errors import LtiToolError, NotFound, SessionExpired
from ..extensions import db
from ..mastery import PRESETS
from ..models import LocalAdmin, Platform
from ..services import grade_health, installation, local_admins, platforms
from . import console_session
from .access import SAFE_METHODS
from .limits import limit_console_login
from .security import forbid_framing

bp = Blueprint("install", __name__, url_prefix="/install")
log = logging.getLogger(__name__)


@bp.before_request
def _guard() -> Response | None:
    """Every page but the sign-in needs a signed-in account; every POST its CSRF token."""
    forbid_framing()
    if request.endpoint == "install.login":
        if request.method not in SAFE_METHODS:
            console_session.check_csrf()
        return None
    admin = console_session.signed_in_admin()
    if admin is None:
        if request.method in SAFE_METHODS:
            return redirect(url_for("install.login"), 303)
        raise SessionExpired(
            "Your session of the installation console has ended.",
            hint="Sign in again at /install/login, then repeat what you were doing.",
        )
    g.console_admin = admin
    if request.method not in SAFE_METHODS:
        console_session.check_csrf()
    return None


@bp.after_request
def _cookie(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    return console_session.save(response)


def _admin() -> LocalAdmin:
    return g.console_admin


def _actor() -> str:
    return local_admins.actor(_admin())


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Email and password; one answer for an unknown email and a wrong password."""
    if request.method == "GET":
        if console_session.signed_in_admin() is not None:
            return redirect(url_for("install.index"), 303)
        signed_out = request.args.get("signed_out") == "1"
        return render_template("install/login.html", email="", failed=False, signed_out=signed_out)
    email = request.form.get("email", "").strip()[:320]
    limit_console_login(local_admins.normal_email(email))
    admin = local_admins.authenticate(email, request.form.get("password", ""))
    if admin is None:
        db.session.commit()  # the attempt's count
        page = render_template("install/login.html", email=email, failed=True, signed_out=False)
        return page, 401
    console_session.start(admin)
    db.session.commit()
    return redirect(url_for("install.index"), 303)


@bp.post("/logout")
def logout():
    """End this account's sessions (every cookie signed before stops working)."""
    local_admins.end_sessions(_admin())
    console_session.end()
    db.session.commit()
    return redirect(url_for("install.login", signed_out=1), 303)


@bp.get("/")
def index():
    """Every registration: its deployments, status and usage."""
    page = render_template(
        "install/index.html",
        admin=_admin(),
        platforms=platforms.list_platforms(),
        usage=installation.usage(),
        empty=installation.Usage(),
        active_days=installation.ACTIVE_DAYS,
        saved=request.args.get("saved") == "1",
    )
    db.session.commit()
    return page


@bp.post("/platforms/<int:platform_id>/status")
def platform_status(platform_id: int):
    """Enable or disable a registration (a disabled one's launches are refused)."""
    platform = _platform(platform_id)
    wanted = request.form.get("active", "")
    if wanted not in ("0", "1"):
        raise _bad_form("Choose whether the registration is enabled or disabled.")
    if wanted == "0" and request.form.get("confirm") != "yes":
        # One click would refuse every launch of a district: the box says so, and must be ticked.
        raise _bad_form("Tick the box to confirm: a disabled registration's launches are refused.")
    platforms.set_active(platform, wanted == "1", actor=_actor())
    db.session.commit()
    return redirect(url_for("install.index", saved=1), 303)


@bp.get("/keys")
def keys():
    """The signing keys: current, previous (still published), retired."""
    page = render_template(
        "install/keys.html",
        admin=_admin(),
        keys=installation.signing_keys(),
        rotated=request.args.get("rotated") == "1",
    )
    db.session.commit()
    return page


@bp.post("/keys/rotate")
def rotate_keys():
    """What `flask keys rotate` does, audited with this account as the actor."""
    key = installation.rotate_keys(actor=_actor())
    db.session.commit()
    log.warning("signing keys rotated from the installation console: new key %s", key.kid)
    return redirect(url_for("install.keys", rotated=1), 303)


@bp.get("/grades")
def grades():
    """Failed grades of every registration, as each one's own admin console lists them."""
    page = render_template(
        "install/grades.html",
        admin=_admin(),
        failures=installation.failed_grades_everywhere(platforms.list_platforms()),
        retried=request.args.get("retried", type=int),
    )
    db.session.commit()
    return page


@bp.post("/grades/retry")
def retry():
    """Send failed grades again: one (`row`) or a whole registration's (`scope=all`)."""
    platform = _platform(_form_id("platform"))
    scope = request.form.get("scope", "")
    if scope not in ("row", "all"):
        raise _bad_form("Choose what to retry: one grade, or all of a registration's.")
    count = grade_health.retry_failed(
        platform, row_id=_form_id("row") if scope == "row" else None, actor_label=_actor()
    )
    db.session.commit()
    return redirect(url_for("install.grades", retried=count), 303)


@bp.get("/scales")
def scales():
    """The built-in scales every course's settings offer (read-only: they are not editable)."""
    page = render_template("install/scales.html", admin=_admin(), presets=list(PRESETS.values()))
    db.session.commit()
    return page


def _platform(platform_id: int) -> Platform:
    platform = db.session.get(Platform, platform_id)
    if platform is None:
        raise NotFound("No such registration.")
    return platform


def _form_id(name: str) -> int:
    value = request.form.get(name, "")
    if not value.isdigit():
        raise _bad_form(f"The form named no {name}.")
    return int(value)


class BadForm(LtiToolError):
    title = "This request could not be understood"


def _bad_form(message: str) -> BadForm:
    return BadForm(message, hint="Reload the installation console and use its buttons.")
