"""Blueprints, one module per area."""

from __future__ import annotations

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import health, lti, pages, security

    app.register_blueprint(health.bp)
    app.register_blueprint(lti.bp)
    app.register_blueprint(pages.bp)
    security.init_app(app)
