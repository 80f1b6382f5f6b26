"""The database unreachable or lost mid-request: a 503 page with the request id, a logged
reason, nothing half-saved, and the service back by itself once the database answers.

Real faults on loopback: an app pointed at a closed port, a PostgreSQL backend killed with
pg_terminate_backend in the middle of a request, and a relay to PostgreSQL cut and restored.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from urllib.parse import urlsplit

import pytest
from sqlalchemy import create_engine, event, func, select, text

from lti_tool.extensions import db
from lti_tool.models import CurrentLevel, Evidence
from lti_tool.web.security import origin
from tests.live import STUDENT, TEACHER, register_lms
from tests.lti.conftest import Browser

from .conftest import cell_path, launch_as, seed
from .test_cells import TODAY
from .test_gradebook import row_order


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def assert_503_page(response, caplog) -> None:
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "The tool cannot reach its database" in page and "Nothing was half-saved" in page
    assert "Traceback" not in page and "psycopg" not in page
    request_id = response.headers["X-Request-ID"]
    assert f"<code>{request_id}</code>" in page
    logged = [
        r.getMessage() for r in caplog.records if "503 database unavailable" in r.getMessage()
    ]
    assert logged and request_id in logged[-1]


@pytest.fixture
def postgres_url(database_url: str) -> str:
    if not database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL faults: run with TEST_DATABASE_URL")
    return database_url


@pytest.mark.parametrize("kind", ["postgresql", "sqlite"])
def test_unreachable_database_gives_a_503_page_and_healthz_stays_up(
    standalone, tmp_path, caplog, kind
):
    url = (
        f"postgresql+psycopg://mastery:s3cret@127.0.0.1:{closed_port()}/mastery"
        if kind == "postgresql"
        else f"sqlite:///{tmp_path / 'missing-folder' / 'tool.db'}"
    )
    app = standalone(SQLALCHEMY_DATABASE_URI=url, READYZ_CACHE_SECONDS=0)
    client = app.test_client()
    assert_503_page(client.get("/home", query_string={"launch": "some-token"}), caplog)
    assert_503_page(client.post("/lti/login", data={"iss": "https://lms.example"}), caplog)
    assert "s3cret" not in caplog.text
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503


@contextmanager
def terminate_at_commit(tool, admin_url: str, after: str) -> Iterator[list[int]]:
    """Kill the request's PostgreSQL backend when it commits, once `after` has run in it."""
    with tool.app_context():
        engine = db.engine
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    seen: list[bool] = []
    killed: list[int] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith(after):
            seen.append(True)

    def on_commit(conn):
        if seen and not killed:
            pid = conn.connection.dbapi_connection.info.backend_pid
            with admin.connect() as connection:
                connection.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
            killed.append(pid)

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "commit", on_commit)
    try:
        yield killed
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "commit", on_commit)
        admin.dispose()


def counts(tool, ids) -> tuple[int, int]:
    with tool.app_context():
        evidence = db.session.scalar(select(func.count()).select_from(Evidence))
        levels = db.session.scalar(
            select(func.count())
            .select_from(CurrentLevel)
            .where(CurrentLevel.student_id == ids.users[STUDENT])
        )
        return evidence, levels


def test_connection_killed_mid_request_saves_nothing_and_the_next_request_works(
    postgres_url, browser, ids, tool, caplog
):
    visit = launch_as(browser, TEACHER)
    path = cell_path(ids, STUDENT, "F-IF.6") + "/evidence"
    before = counts(tool, ids)
    with terminate_at_commit(tool, postgres_url, "INSERT INTO evidence") as killed:
        response = visit.post(path, {"level": "4", "date": TODAY, "comment": "Lost"})
    assert killed, "the backend was not terminated"
    assert_503_page(response, caplog)
    assert "connection lost" in caplog.text
    assert counts(tool, ids) == before  # the evidence, its level and its grade: all or nothing
    # No restart, no intervention: the pool drops the dead connection and reconnects.
    again = visit.post(path, {"level": "4", "date": TODAY, "comment": "Kept"})
    assert again.status_code == 303
    assert counts(tool, ids) == (before[0] + 1, before[1] + 1)


class Relay:
    """A TCP relay on loopback to PostgreSQL: cut it (port closed, connections reset) to take
    the database away from the app, start it again to bring it back on the same port."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = closed_port()
        self._sockets: list[socket.socket] = []
        self._stop = threading.Event()

    def start(self) -> None:
        self._stop.clear()
        listener = socket.create_server(("127.0.0.1", self.port))
        listener.settimeout(0.05)
        self._accepting = threading.Thread(target=self._accept, args=(listener,), daemon=True)
        self._accepting.start()

    def _accept(self, listener: socket.socket) -> None:
        with listener:
            while not self._stop.is_set():
                try:
                    client, _ = listener.accept()
                except TimeoutError:
                    continue
                client.settimeout(None)
                upstream = socket.create_connection(self.target)
                self._sockets += [client, upstream]
                for source, sink in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        with suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with suppress(OSError):
            sink.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """Close the port (new connections refused), then reset every open connection."""
        self._stop.set()
        self._accepting.join()
        for sock in self._sockets:
            with suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()
        self._sockets.clear()


@pytest.fixture
def relay(postgres_url: str) -> Iterator[Relay]:
    """Listed before make_app in a test, so the app's cleanup still reaches the database."""
    parts = urlsplit(postgres_url)
    relay = Relay((parts.hostname or "127.0.0.1", parts.port or 5432))
    relay.start()
    yield relay
    relay.cut()


def via(relay: Relay, url: str) -> str:
    parts = urlsplit(url)
    user = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return parts._replace(netloc=f"{user}127.0.0.1:{relay.port}").geturl()


def test_service_resumes_by_itself_when_the_database_comes_back(
    relay, postgres_url, make_app, tool_server, lms, caplog
):
    tool = make_app(
        TOOL_BASE_URL=tool_server.url,
        SQLALCHEMY_DATABASE_URI=via(relay, postgres_url),
        READYZ_CACHE_SECONDS=0,
    )
    with tool.app_context():
        register_lms(lms)
    seed(tool, lms, student_count=3)
    visit = launch_as(Browser(tool, lms), TEACHER)
    assert visit.get("/gradebook").status_code == 200
    client = tool.test_client()
    assert client.get("/lti/setup").status_code == 200  # learns the registered platforms

    relay.cut()  # PostgreSQL gone: pooled connections reset, new ones refused
    down = visit.get("/gradebook")
    assert_503_page(down, caplog)
    # The page still shows inside the LMS frame: the platforms' origins last known are kept.
    assert origin(lms.issuer) in down.headers["Content-Security-Policy"]
    assert_503_page(visit.get("/gradebook"), caplog)
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503

    relay.start()  # back on the same address, and the app was never restarted
    page = visit.get("/gradebook")
    assert page.status_code == 200
    assert len(row_order(page.get_data(as_text=True))) == 3
    assert client.get("/readyz").status_code == 200
