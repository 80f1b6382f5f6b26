"""The two reference servers of bench_launch.py, each a gunicorn app factory.

- `baseline_app()`: a bare Flask endpoint that only verifies an RS256 id_token (keys parsed
  once, as a well-behaved tool would keep them).
- `pylti1p3_app()`: a minimal pylti1p3 2.0.0 tool (login + launch rendering a first page) with
  its stock storage: the nonce and launch data in Flask's cookie session, the state in a cookie.
  The platform's key set is given in the configuration (`key_set`), so no JWKS is fetched per
  launch: the most favourable setting for pylti1p3.

Both read BENCH_ISSUER, BENCH_CLIENT_ID, BENCH_DEPLOYMENT_ID, BENCH_AUTH_URL and BENCH_JWKS.
"""

from __future__ import annotations

import json
import os

import jwt
from flask import Flask, jsonify, render_template_string, request

PAGE = """<!doctype html><title>Launched</title>
<h1>{{ name }}</h1><p>{{ course }}</p><p>{{ roles|length }} roles</p>"""


def _settings() -> dict:
    return {
        "issuer": os.environ["BENCH_ISSUER"],
        "client_id": os.environ["BENCH_CLIENT_ID"],
        "deployment_id": os.environ["BENCH_DEPLOYMENT_ID"],
        "auth_url": os.environ["BENCH_AUTH_URL"],
        "jwks": json.loads(os.environ["BENCH_JWKS"]),
    }


def baseline_app() -> Flask:
    """POST /verify: verify the id_token's RS256 signature, audience, issuer and expiry."""
    settings = _settings()
    keys = {k["kid"]: jwt.PyJWK(k, algorithm="RS256") for k in settings["jwks"]["keys"]}
    app = Flask("baseline")

    @app.post("/verify")
    def verify():
        token = request.form["id_token"]
        key = keys[jwt.get_unverified_header(token)["kid"]]
        claims = jwt.decode(
            token,
            key,
            algorithms=["RS256"],
            audience=settings["client_id"],
            issuer=settings["issuer"],
            options={"require": ["exp", "iat", "nonce"]},
        )
        return jsonify(sub=claims["sub"])

    return app


def pylti1p3_app() -> Flask:
    """POST /login and POST /launch, as pylti1p3's Flask example does them."""
    from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskOIDCLogin, FlaskRequest
    from pylti1p3.tool_config import ToolConfDict

    settings = _settings()
    tool_conf = ToolConfDict(
        {
            settings["issuer"]: [
                {
                    "default": True,
                    "client_id": settings["client_id"],
                    "auth_login_url": settings["auth_url"],
                    "auth_token_url": settings["auth_url"],
                    "key_set_url": None,
                    "key_set": settings["jwks"],
                    "deployment_ids": [settings["deployment_id"]],
                }
            ]
        }
    )
    app = Flask("pylti1p3")
    app.secret_key = "bench-only"

    @app.route("/login", methods=["GET", "POST"])
    def login():
        flask_request = FlaskRequest()
        target = flask_request.get_param("target_link_uri")
        return FlaskOIDCLogin(flask_request, tool_conf).redirect(target)

    @app.post("/launch")
    def launch():
        data = FlaskMessageLaunch(FlaskRequest(), tool_conf).get_launch_data()
        context = data.get("https://purl.imsglobal.org/spec/lti/claim/context", {})
        return render_template_string(
            PAGE,
            name=data.get("name", ""),
            course=context.get("title", ""),
            roles=data.get("https://purl.imsglobal.org/spec/lti/claim/roles", []),
        )

    return app
