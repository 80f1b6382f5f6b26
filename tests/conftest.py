"""Shared fixtures: one database per test run (SQLite file, or a fresh PostgreSQL database when
TEST_DATABASE_URL is set), migrated once with Alembic, emptied after every test."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text

from lti_tool import create_app
from lti_tool.extensions import db

pytest_plugins = ["tests.live"]

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _postgres_database(base_url: str) -> Iterator[str]:
    """Create a throwaway database next to the given one; drop it afterwards."""
    name = f"lti_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    base = os.environ.get("TEST_DATABASE_URL")
    if base:
        yield from _postgres_database(base)
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"


@pytest.fixture(scope="session")
def key_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("keys")


@pytest.fixture(scope="session")
def base_config(database_url: str, key_dir: Path) -> dict:
    from config import testing

    config = {k: v for k, v in vars(testing).items() if k.isupper()}
    config.update(SQLALCHEMY_DATABASE_URI=database_url, KEY_DIR=str(key_dir))
    return config


@pytest.fixture(scope="session")
def migrated(base_config: dict) -> None:
    """Bring the test database to the newest migration, as `flask db upgrade` would."""
    from flask_migrate import upgrade

    app = create_app(base_config)
    with app.app_context():
        upgrade()
        from lti_tool.lti.context import lti

        lti().key_ring.ensure()
        db.engine.dispose()


def _empty_tables() -> None:
    existing = set(inspect(db.engine).get_table_names())
    for table in reversed(db.metadata.sorted_tables):
        if table.name in existing:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture(scope="session")
def _checker(base_config: dict, migrated: None) -> Iterator[object]:
    engine = create_engine(base_config["SQLALCHEMY_DATABASE_URI"])
    yield engine
    engine.dispose()


def _start_empty(engine) -> None:
    """Empty what an earlier test left behind (its teardown failed, say while a server thread
    of a failed browser test still held the database), so one failure does not fail the rest."""
    with engine.connect() as connection:
        if connection.execute(text("SELECT 1 FROM platforms LIMIT 1")).first() is None:
            return
    with engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def make_app(base_config: dict, migrated: None, _checker):
    """Factory for apps on the test database, each emptied and disposed after the test."""
    _start_empty(_checker)
    apps = []

    def factory(**overrides):
        app = create_app({**base_config, **overrides})
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.session.remove()
    if apps:
        with apps[0].app_context():
            _empty_tables()
    for app in apps:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def app(make_app):
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()
