"""The whole-course queries run on the driver's own cursor (services/mastery_rows.py): a
connection lost under them must end as under the ORM — the pool replaces the connection and
the request gets the 503 page — not as an unhandled driver error (a 500). bench/load.py found
it: PostgreSQL restarted while a profile loaded its evidence.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import Engine, bindparam, create_engine, delete, select, text
from sqlalchemy.exc import OperationalError

from lti_tool.errors import database_unavailable
from lti_tool.extensions import db
from lti_tool.models import Evidence
from lti_tool.services.mastery_rows import LEVELS, driver_many, driver_rows


@pytest.fixture
def admin(database_url: str) -> Iterator[Engine]:
    if not database_url.startswith("postgresql"):
        pytest.skip("a terminated backend: run with TEST_DATABASE_URL")
    engine = create_engine(database_url, isolation_level="AUTOCOMMIT")
    yield engine
    engine.dispose()


def read_evidence() -> object:
    return driver_rows(select(Evidence.id, Evidence.points))


def delete_levels() -> object:
    statement = delete(LEVELS).where(LEVELS.c.id == bindparam("row_id"))
    return driver_many(statement, (), [{"row_id": 0}])


@pytest.mark.parametrize("run", [read_evidence, delete_levels])
def test_a_backend_terminated_under_the_driver_cursor_is_a_lost_connection(
    ctx, admin: Engine, run: Callable[[], object]
) -> None:
    pid = db.session.connection().connection.dbapi_connection.info.backend_pid
    with admin.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    with pytest.raises(OperationalError) as caught:
        run()
    assert caught.value.connection_invalidated
    reason = database_unavailable(caught.value)
    assert reason is not None and reason.startswith("connection lost")
    db.session.rollback()
    assert isinstance(read_evidence(), list)  # a new connection, no intervention
    assert db.session.connection().connection.dbapi_connection.info.backend_pid != pid
