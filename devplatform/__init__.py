"""devplatform: a small but genuine LTI 1.3 platform for the demo and the tests."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, request

DEFAULT_CONFIG: dict[str, Any] = {
    "PLATFORM_ISSUER": "http://localhost:5001",
    "PLATFORM_NAME": "Demo LMS",
    "PLATFORM_DATA_PATH": None,
    "PLATFORM_KEY_PATH": None,
    "TOOL_BASE_URL": "http://127.0.0.1:5000",
    "TOOL_CLIENT_ID": "mastery-tool-demo",
    "TOOL_DEPLOYMENT_ID": "1",
    "SEED_DEMO": True,
    "SCORE_TIMESTAMP_MODE": "canvas",
}

# Faults apply to the service endpoints only, never to launches or pages.
_FAULTABLE_PREFIXES = ("/api/", "/token")


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the platform app; no keys are generated and no network is used here."""
    from devplatform import ags, deeplinking, nrps, oidc, pages, registration, tokens
    from devplatform.platform import Platform

    app = Flask(__name__)
    app.config.update(DEFAULT_CONFIG)
    app.config.from_prefixed_env("DEVPLATFORM")
    if test_config:
        app.config.update(test_config)
    if app.config["SCORE_TIMESTAMP_MODE"] not in ("canvas", "moodle"):
        raise ValueError("SCORE_TIMESTAMP_MODE must be 'canvas' or 'moodle'")
    platform = Platform(app.config)
    app.extensions["devplatform"] = platform
    for module in (oidc, tokens, ags, nrps, deeplinking, registration, pages):
        app.register_blueprint(module.bp)

    @app.before_request
    def _inject_faults() -> Response | None:
        if request.path.startswith(_FAULTABLE_PREFIXES):
            platform.service_calls.enter()
            g.service_call = True
            return platform.faults.apply(request.path)
        return None

    @app.teardown_request
    def _service_call_done(_error: BaseException | None) -> None:
        if g.pop("service_call", False):
            platform.service_calls.leave()

    return app


__all__ = ["DEFAULT_CONFIG", "create_app"]
