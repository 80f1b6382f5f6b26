"""Mastery Tracker: an LTI 1.3 tool adding mastery-based grading to existing LMS courses.

Imports are inside the factory so that `import lti_tool.mastery` (the pure domain) never loads
Flask, SQLAlchemy or pylti1p3.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app. No queries, network calls or key generation happen here."""
    from flask import Flask
    from werkzeug.middleware.proxy_fix import ProxyFix

    from . import cli, errors, i18n, logs
    from .extensions import db, migrate
    from .lti import context
    from .settings import ROOT, check_production, load_config
    from .web import register_blueprints

    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
    )
    load_config(app, test_config)
    logs.init_app(app)
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    context.init_app(app)
    i18n.init_app(app)
    errors.register_error_handlers(app)
    register_blueprints(app)
    cli.init_app(app)
    if proxies := int(app.config.get("TRUSTED_PROXY_COUNT", 0)):
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies, x_port=proxies
        )
    check_production(app, has_keys=context.lti_of(app).key_ring.current() is not None)
    return app
