"""Live servers for tests that cross real HTTP: the tool on 127.0.0.1, the LMS on `localhost`.

Everything crosses real HTTP where a real platform would: the tool fetches the platform's JWKS
and configuration; the platform fetches the tool's JWKS to check deep-linking responses.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import devplatform
from devplatform.platform import Platform as LmsPlatform
from devplatform.server import ServerHandle, serve_in_thread
from lti_tool import create_app
from lti_tool.demo import register_embedded_lms
from lti_tool.extensions import db

CLIENT_ID = "mastery-tool-demo"
DEPLOYMENT_ID = "1"
COURSE = "algebra-1-p3"
OTHER_COURSE = "biology-2-p5"
TEACHER, TA, STUDENT, OTHER_STUDENT, MENTOR, ADMIN = "101", "102", "201", "202", "301", "2"


@pytest.fixture(scope="session")
def tool_server(base_config: dict, migrated: None) -> Iterator[ServerHandle]:
    """The tool served for real, so the platform can fetch its JWKS."""
    app = create_app(base_config)
    handle = serve_in_thread(app, host="127.0.0.1")
    app.config["TOOL_BASE_URL"] = handle.url
    yield handle
    handle.shutdown()
    with app.app_context():
        db.engine.dispose()


@dataclass
class Lms:
    """The embedded platform, live on `localhost`, with its Python API and a test client."""

    app: Flask
    handle: ServerHandle

    @property
    def platform(self) -> LmsPlatform:
        return self.app.extensions["devplatform"]

    @property
    def issuer(self) -> str:
        return self.platform.issuer

    def client(self) -> FlaskClient:
        return self.app.test_client()


@pytest.fixture
def lms(tool_server: ServerHandle) -> Iterator[Lms]:
    app = devplatform.create_app({"TESTING": True, "TOOL_BASE_URL": tool_server.url})
    handle = serve_in_thread(app, host="localhost")
    app.config["PLATFORM_ISSUER"] = handle.url
    yield Lms(app, handle)
    handle.shutdown()


def register_lms(lms: Lms, **overrides: Any) -> None:
    fields = {"client_id": CLIENT_ID, **overrides}
    register_embedded_lms(lms.issuer, deployment_id=DEPLOYMENT_ID, **fields)
    db.session.commit()


@pytest.fixture
def tool(make_app, tool_server: ServerHandle, lms: Lms) -> Flask:
    """The tool app under test, with the embedded platform registered."""
    app = make_app(TOOL_BASE_URL=tool_server.url)
    with app.app_context():
        register_lms(lms)
    return app


@pytest.fixture
def silent_url() -> Iterator[str]:
    """A URL whose server accepts the connection and never answers: a hung platform."""
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    held: list[tuple[socket.socket, Any]] = []
    accepting = threading.Thread(target=lambda: held.append(listener.accept()), daemon=True)
    accepting.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    accepting.join(1)
    for connection, _address in held:
        connection.close()
    listener.close()
