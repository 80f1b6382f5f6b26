"""Security headers on every response.

`frame-ancestors` (DESIGN.md correction 12): when the view knows the platform — the login, the
launch, every page of a launch — it is that platform's origins (issuer, OIDC endpoint: Canvas
frames the tool from the school's own domain) plus the origins of the return URLs in its
claims. Other pages get every registered platform's origins, recomputed at most once a minute
per process. FRAME_ANCESTORS_EXTRA adds origins an admin lists (e.g. a vanity domain).

The pages a login shows before any launch is verified (the platform storage page, and the
launch's storage, new-window and error pages) may also be framed by the page that sent the
login (its Origin): on Canvas that is the school's domain, which neither the issuer nor the
OIDC endpoint names. Those pages hold nothing a framing page could click or read (their
messages go to the platform's origin only); the launch's own pages never get that origin.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterable
from urllib.parse import urlsplit

from flask import Flask, current_app, g, request
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import Platform

CACHE_SECONDS = 60.0
RETRY_SECONDS = 5.0
RETRY_DELAY = CACHE_SECONDS - RETRY_SECONDS  # ages the cache so the next try is that soon


# A host as it may stand in a CSP source: letters, digits, dots and dashes, or an IPv6 literal.
_HOST = re.compile(r"[a-z0-9.-]+|\[[0-9a-f:.]+\]")


def origin(url: object) -> str | None:
    """scheme://host[:port] of an http(s) URL, or None; nothing else can reach the header."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    host = parts.netloc.rpartition("@")[2].lower()
    if port is not None:
        host = host.rsplit(":", 1)[0]
    if parts.scheme not in ("http", "https") or not _HOST.fullmatch(host):
        return None
    return f"{parts.scheme}://{host}" + (f":{port}" if port is not None else "")


def request_frame_origin() -> str | None:
    """The origin of the page that sent this request (Origin, else Referer): for a login, the
    LMS page framing the tool, which on Canvas is the school's own domain, not the issuer."""
    sent = request.headers.get("Origin")
    found = origin(sent) if sent and sent != "null" else origin(request.headers.get("Referer"))
    return found if found and len(found) <= 255 else None


def allow_framing_by(urls: Iterable[object]) -> None:
    """Let the pages of this request be framed by these URLs' origins."""
    origins = g.setdefault("frame_origins", set())
    origins.update(o for o in map(origin, urls) if o)


class AllPlatformOrigins:
    def __init__(self) -> None:
        self._value: set[str] = set()
        self._at = -CACHE_SECONDS
        self._lock = threading.Lock()

    def value(self) -> set[str]:
        if time.monotonic() - self._at > CACHE_SECONDS:
            with self._lock:
                found = self._compute()
                # With the database down, the last origins known still frame the 503 page
                # inside the LMS; they are asked for again RETRY_SECONDS later.
                if found is not None:
                    self._value = found
                self._at = time.monotonic() - (0 if found is not None else RETRY_DELAY)
        return self._value

    @staticmethod
    def _compute() -> set[str] | None:
        try:
            rows = db.session.execute(select(Platform.issuer, Platform.auth_login_url)).all()
        except SQLAlchemyError:
            current_app.logger.warning("frame-ancestors: database unavailable, last known kept")
            db.session.rollback()
            return None
        return {o for row in rows for o in map(origin, row) if o}


def forbid_framing() -> None:
    """This request's page is opened outside the LMS (a share link): no one may frame it."""
    g.no_framing = True


def frame_ancestors(fallback: AllPlatformOrigins) -> str:
    if g.get("no_framing"):
        return "'none'"
    origins = g.get("frame_origins") or fallback.value()
    extra = current_app.config.get("FRAME_ANCESTORS_EXTRA", ())
    return " ".join(["'self'", *sorted(set(origins) | set(extra))])


def init_app(app: Flask) -> None:
    fallback = AllPlatformOrigins()

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self' 'unsafe-inline'; form-action *; base-uri 'none'; "
            f"object-src 'none'; frame-ancestors {frame_ancestors(fallback)}",
        )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        # Launch tokens ride in URLs: never leak them to another origin.
        headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("ENV") == "production":
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
