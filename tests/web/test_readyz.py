"""/readyz: 200 only with the database answering at the newest schema and the keys loaded."""

from __future__ import annotations

import sqlite3

import pytest

from lti_tool.lti.context import lti_of
from lti_tool.settings import ROOT
from lti_tool.web.health import expected_heads

HEADS = expected_heads(str(ROOT / "migrations"))


def test_ready(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json == {
        "status": "ready",
        "missing": [],
        "checks": {"database": "ok", "migrations": "ok", "keys": "ok"},
    }
    assert response.headers["Cache-Control"] == "no-store"


def test_no_signing_key(make_app, tmp_path):
    response = make_app(KEY_DIR=str(tmp_path)).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["missing"] == ["keys"]
    assert "keys generate" in response.json["checks"]["keys"]


@pytest.mark.parametrize(
    "url",
    [
        "sqlite:////nonexistent-folder/tool.db",
        "postgresql+psycopg://mastery:s3cret-pw@127.0.0.1:1/mastery",
    ],
    ids=["sqlite", "postgresql"],
)
def test_database_not_answering(standalone, url):
    response = standalone(SQLALCHEMY_DATABASE_URI=url).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.json["missing"] == ["database", "migrations"]
    assert response.json["checks"]["database"] == "the database does not answer"
    body = response.get_data(as_text=True)
    assert "s3cret" not in body and "mastery" not in body and "nonexistent" not in body


def test_database_without_schema(standalone, tmp_path):
    sqlite3.connect(tmp_path / "empty.db").close()
    app = standalone(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'empty.db'}")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.json["missing"] == ["migrations"]
    assert "no schema" in response.json["checks"]["migrations"]


def test_database_behind_the_code(standalone, tmp_path):
    with sqlite3.connect(tmp_path / "old.db") as connection:
        connection.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)")
        connection.execute("INSERT INTO alembic_version VALUES ('0003_service_tokens')")
    app = standalone(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'old.db'}")
    response = app.test_client().get("/readyz")
    assert response.status_code == 503 and response.json["missing"] == ["migrations"]
    message = response.json["checks"]["migrations"]
    assert "0003_service_tokens" in message and all(head in message for head in HEADS)
    assert "db upgrade" in message


def test_answers_from_a_short_cache(make_app, tmp_path):
    cached = make_app(READYZ_CACHE_SECONDS=60)
    uncached = make_app(READYZ_CACHE_SECONDS=0)
    for app in (cached, uncached):
        assert app.test_client().get("/readyz").status_code == 200
        lti_of(app).key_ring.key_dir = tmp_path  # the keys vanish
    assert cached.test_client().get("/readyz").status_code == 200  # within the cache
    assert uncached.test_client().get("/readyz").status_code == 503


def test_healthz_needs_nothing(standalone, tmp_path):
    app = standalone(SQLALCHEMY_DATABASE_URI="sqlite:////nonexistent-folder/x.db")
    assert app.test_client().get("/healthz").status_code == 200
