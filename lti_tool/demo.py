"""`flask demo`: the tool and the embedded LMS together, with the demo course, on SQLite.

The LMS serves on http://localhost:5001 and the tool on http://127.0.0.1:5000: two sites, so
the tool runs in a cross-site iframe as it does in a real LMS.
"""

from __future__ import annotations

from typing import Any

import click
from flask import Flask
from werkzeug.serving import run_simple

from .extensions import db
from .lti import context
from .models import Platform
from .services import platforms
from .worker import start_in_thread

DEMO_CLIENT_ID = "mastery-tool-demo"
DEMO_DEPLOYMENT_ID = "1"
TEACHER, STUDENT, MENTOR, ADMIN = "101", "201", "301", "2"


def run_demo(app: Flask, tool_port: int, platform_port: int) -> None:
    import devplatform
    from devplatform.server import serve_in_thread

    tool_url = f"http://127.0.0.1:{tool_port}"
    lms_url = f"http://localhost:{platform_port}"
    _allow_local_platform(app, tool_url)
    instance = app.instance_path
    lms = devplatform.create_app(
        {
            "PLATFORM_ISSUER": lms_url,
            "TOOL_BASE_URL": tool_url,
            "TOOL_CLIENT_ID": DEMO_CLIENT_ID,
            "TOOL_DEPLOYMENT_ID": DEMO_DEPLOYMENT_ID,
            "PLATFORM_DATA_PATH": f"{instance}/devplatform.json",
            "PLATFORM_KEY_PATH": f"{instance}/devplatform-key.pem",
        }
    )
    with app.app_context():
        _prepare_tool(app, lms_url)
    serve_in_thread(lms, host="localhost", port=platform_port)
    # One worker sends grades to the demo LMS within a second of a change (SQLite: one only).
    start_in_thread(app, idle_seconds=0.5)
    _print_welcome(lms_url, tool_url)
    run_simple("127.0.0.1", tool_port, app, threaded=True, use_reloader=False)


def _allow_local_platform(app: Flask, tool_url: str) -> None:
    """The demo platform is on loopback over http: allow it, for this process only."""
    app.config.update(
        TOOL_BASE_URL=tool_url,
        LTI_TOOL_ALLOW_PRIVATE_NETWORK=True,
        LTI_TOOL_ALLOW_INSECURE_HTTP=True,
    )
    context.init_app(app)


def _prepare_tool(app: Flask, lms_url: str) -> None:
    ring = context.lti_of(app).key_ring
    if ring.current() is None:
        key = ring.generate()
        click.echo(f"Generated the tool's signing key {key.kid} in {ring.key_dir}")
    if platforms.find_platform(lms_url, DEMO_CLIENT_ID) is None:
        register_embedded_lms(lms_url, DEMO_CLIENT_ID, DEMO_DEPLOYMENT_ID)
        db.session.commit()
        click.echo(f"Registered the demo LMS ({lms_url}) with the tool.")
    _seed_mastery(lms_url)


def _seed_mastery(lms_url: str) -> None:
    """Standards, roster and a term of evidence in the demo course (once): see demo_data.py."""
    from .demo_data import seed_demo_course

    platform = platforms.find_platform(lms_url, DEMO_CLIENT_ID)
    deployment = (
        next((d for d in platform.deployments if d.deployment_id == DEMO_DEPLOYMENT_ID), None)
        if platform
        else None
    )
    if deployment is not None:
        seed_demo_course(deployment)
        db.session.commit()


def register_embedded_lms(
    issuer: str, client_id: str, deployment_id: str, **overrides: Any
) -> Platform:
    """Register an embedded platform (devplatform) with the tool: its endpoints are fixed paths."""
    fields: dict[str, Any] = {
        "name": "Demo LMS",
        "issuer": issuer,
        "client_id": client_id,
        "auth_login_url": f"{issuer}/auth",
        "auth_token_url": f"{issuer}/token",
        "keyset_url": f"{issuer}/jwks",
        **overrides,
    }
    return platforms.add_platform(**fields, deployment_ids=[deployment_id])


def _print_welcome(lms_url: str, tool_url: str) -> None:
    course = f"{lms_url}/courses/algebra-1-p3"
    click.echo(
        "\nMastery Tracker demo is running.\n"
        f"  Demo LMS (start here):   {lms_url}/\n"
        f"  Course as the teacher:   {course}?as={TEACHER}\n"
        f"  Course as a student:     {course}?as={STUDENT}\n"
        f"  Course as a parent:      {course}?as={MENTOR}\n"
        f"  LMS gradebook:           {course}/gradebook?as={TEACHER}\n"
        f"  Register a tool (admin): {lms_url}/admin/tools?as={ADMIN}\n"
        f"  The tool itself:         {tool_url}/lti/setup\n"
        "Press Ctrl+C to stop.\n"
    )
