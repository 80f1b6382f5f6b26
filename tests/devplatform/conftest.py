"""Fixtures: the platform app, and a throwaway tool (PyJWT + its JWKS over real HTTP)."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, jsonify
from flask.testing import FlaskClient

from devplatform import create_app
from devplatform.platform import Platform
from devplatform.server import ServerHandle, serve_in_thread
from devplatform.vocab import ALL_SCOPES, CLIENT_ASSERTION_TYPE

CLIENT_ID = "mastery-tool-demo"
ISSUER = "http://localhost:5001"


class FakeTool:
    """A minimal tool: an RSA key, its JWKS served over HTTP, and JWT signing."""

    def __init__(self) -> None:
        self.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "tool-key-1"
        self.extra_keys: list[dict[str, Any]] = []
        self.jwks_hits = 0
        self.handle: ServerHandle | None = None

    def jwks(self) -> dict[str, Any]:
        """The public key set."""
        jwk = json.loads(pyjwt.algorithms.RSAAlgorithm.to_jwk(self.private_key.public_key()))
        jwk.update(kid=self.kid, alg="RS256", use="sig")
        return {"keys": [jwk, *self.extra_keys]}

    @property
    def url(self) -> str:
        """The tool's base URL."""
        assert self.handle is not None
        return self.handle.url

    def sign(self, claims: dict[str, Any], *, key: Any = None, kid: str | None = None) -> str:
        """Sign claims RS256 with the tool key (or another one)."""
        return pyjwt.encode(claims, key or self.private_key, algorithm="RS256",
                            headers={"kid": kid or self.kid})

    def assertion(self, *, aud: Any = ISSUER + "/token", client_id: str = CLIENT_ID,
                  jti: str | None = None, key: Any = None, exp_in: int = 300) -> str:
        """A client_credentials assertion."""
        now = int(time.time())
        return self.sign({"iss": client_id, "sub": client_id, "aud": aud, "iat": now,
                          "exp": now + exp_in, "jti": jti or uuid.uuid4().hex}, key=key)


@pytest.fixture(scope="session")
def fake_tool() -> Iterator[FakeTool]:
    """The throwaway tool, served on 127.0.0.1 for the whole session."""
    tool = FakeTool()
    app = Flask("fake_tool")

    @app.get("/.well-known/jwks.json")
    def jwks() -> Any:
        tool.jwks_hits += 1
        return jsonify(tool.jwks())

    tool.handle = serve_in_thread(app)
    yield tool
    tool.handle.shutdown()


@pytest.fixture
def app(fake_tool: FakeTool) -> Flask:
    """A fresh in-memory platform pointed at the fake tool."""
    return create_app({"TESTING": True, "TOOL_BASE_URL": fake_tool.url})


@pytest.fixture
def moodle_app(fake_tool: FakeTool) -> Flask:
    """A platform with Moodle's score timestamp rule."""
    return create_app({"TESTING": True, "TOOL_BASE_URL": fake_tool.url,
                       "SCORE_TIMESTAMP_MODE": "moodle"})


@pytest.fixture
def platform(app: Flask) -> Platform:
    """The app's Platform API."""
    return app.extensions["devplatform"]  # type: ignore[no-any-return]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the platform."""
    return app.test_client()


@pytest.fixture
def get_token(fake_tool: FakeTool) -> Callable[..., str]:
    """Return a function that fetches an access token for the given scopes."""

    def fetch(client: FlaskClient, scopes: list[str] | None = None) -> str:
        resp = client.post("/token", data={
            "grant_type": "client_credentials", "client_assertion_type": CLIENT_ASSERTION_TYPE,
            "client_assertion": fake_tool.assertion(),
            "scope": " ".join(scopes or ALL_SCOPES)})
        assert resp.status_code == 200, resp.json
        return str(resp.json["access_token"])

    return fetch
