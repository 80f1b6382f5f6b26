"""A private PostgreSQL cluster for benchmarks that restart the server (bench/load.py).

The shared server on 127.0.0.1:5432 runs other people's tests and is never touched: this one
is initdb'd into a temporary directory, listens on a free loopback port with trust auth, and
is stopped and deleted on the way out (context manager, atexit and SIGTERM alike). initdb and
pg_ctl refuse to run as root, so as root they run as the `postgres` user.
"""

from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
OWNER = "postgres"


class Cluster:
    """One cluster in `root` on `port`; start, restart and stop through pg_ctl."""

    def __init__(self, root: Path, port: int):
        self.root, self.port = root, port
        self.data = root / "data"
        self.log = root / "postgresql.log"

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: str, *args: str, timeout: float = 120) -> None:
        prefix = ["runuser", "-u", OWNER, "--"] if os.geteuid() == 0 else []
        command = [*prefix, str(PG_BIN / program), *args]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode:
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr.strip()}")

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8")
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.root}'",
            "max_connections": "100",
            "logging_collector": "off",
        }
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.writelines(f"{name} = {value}\n" for name, value in settings.items())

    def _ctl(self, action: str, *args: str) -> float:
        """pg_ctl `action`, waiting until it is done; its seconds."""
        began = time.monotonic()
        self._run("pg_ctl", action, "-D", str(self.data), "-l", str(self.log), "-w", *args)
        return time.monotonic() - began

    def start(self) -> float:
        return self._ctl("start")

    def restart(self) -> float:
        """A fast restart (open sessions are ended, as a real restart does); its seconds."""
        return self._ctl("restart", "-m", "fast")

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._ctl("stop", "-m", "immediate")


@contextmanager
def private_cluster(port: int) -> Iterator[Cluster]:
    """A started cluster on `port`; stopped and deleted afterwards, even on error or SIGTERM."""
    root = Path(tempfile.mkdtemp(prefix="lti-load-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, OWNER, OWNER)
    cluster = Cluster(root, port)
    removed = False

    def remove() -> None:
        nonlocal removed
        if removed:
            return
        removed = True
        try:
            cluster.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)

    def on_term(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)  # unwinds through the finally blocks below

    atexit.register(remove)
    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        signal.signal(signal.SIGTERM, previous)
        remove()
        atexit.unregister(remove)
