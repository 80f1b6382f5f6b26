"""Security headers on every response.

`frame-ancestors` lists the registered platforms' origins (issuer and OIDC endpoint: Canvas
frames the tool from the school's own domain, which is where its OIDC endpoint lives) plus
FRAME_ANCESTORS_EXTRA set by an admin. Recomputed at most once a minute per process.
"""

from __future__ import annotations

import threading
import time
from urllib.parse import urlsplit

from flask import Flask, current_app
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError

from ..extensions import db
from ..models import Platform

CACHE_SECONDS = 60.0


class FrameAncestors:
    def __init__(self) -> None:
        self._value = ""
        self._at = -CACHE_SECONDS
        self._lock = threading.Lock()

    def value(self) -> str:
        if time.monotonic() - self._at > CACHE_SECONDS:
            with self._lock:
                self._value = self._compute()
                self._at = time.monotonic()
        return self._value

    def invalidate(self) -> None:
        self._at = -CACHE_SECONDS

    @staticmethod
    def _compute() -> str:
        origins = {"'self'"}
        try:
            rows = db.session.execute(select(Platform.issuer, Platform.auth_login_url)).all()
        except SQLAlchemyError:
            current_app.logger.warning("frame-ancestors: database unavailable, 'self' only")
            db.session.rollback()
            rows = []
        for url in (u for row in rows for u in row):
            parts = urlsplit(url or "")
            if parts.scheme in ("http", "https") and parts.netloc:
                origins.add(f"{parts.scheme}://{parts.netloc}")
        origins.update(current_app.config.get("FRAME_ANCESTORS_EXTRA", ()))
        return " ".join(sorted(origins))


def init_app(app: Flask) -> None:
    ancestors = FrameAncestors()
    app.extensions["lti_tool.frame_ancestors"] = ancestors

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
            "script-src 'self' 'unsafe-inline'; form-action *; base-uri 'none'; "
            f"object-src 'none'; frame-ancestors {ancestors.value()}",
        )
        headers.setdefault("X-Content-Type-Options", "nosniff")
        # Launch tokens ride in URLs: never leak them to another origin.
        headers.setdefault("Referrer-Policy", "same-origin")
        if app.config.get("ENV") == "production":
            headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response
