"""The faults bench/load.py injects while the users work, each timed into the same record.

- database: the private PostgreSQL cluster restarted (pg_ctl restart -m fast);
- web worker: one gunicorn worker (a child of the master) killed with SIGKILL; the master
  starts another;
- outbox worker: `flask worker` killed with SIGKILL while it holds leased rows, started again
  a few seconds later; the rows it held wait for their lease to run out.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from launch_load import children
from load_traffic import Record
from pg_cluster import Cluster
from sqlalchemy import create_engine, text

OUTBOX_RESTART_AFTER_S = 5.0


@dataclass
class Fault:
    """One fault: when it began and when it was over (seconds into the run), and notes."""

    name: str
    began: float
    over: float = 0.0
    notes: list[str] = field(default_factory=list)
    leased: list[int] = field(default_factory=list)  # outbox rows the killed worker held
    wall: datetime = field(default_factory=lambda: datetime.now(UTC))  # when it began


class Faults:
    """Runs the schedule in a thread; `outbox` is restarted through `start_outbox`."""

    def __init__(
        self,
        record: Record,
        cluster: Cluster,
        master: int,
        database_url: str,
        start_outbox: Callable[[], subprocess.Popen[bytes]],
    ):
        self.record, self.cluster, self.master = record, cluster, master
        self.start_outbox = start_outbox
        self.outbox = start_outbox()
        self.admin = create_engine(database_url, pool_pre_ping=True)
        self.done: list[Fault] = []
        self.errors: list[str] = []

    def run_in_thread(self, schedule: list[tuple[float, str]]) -> threading.Thread:
        """(seconds into the run, "database" | "web_worker" | "outbox_worker") in order."""

        def run() -> None:
            for at, name in schedule:
                time.sleep(max(0.0, at - self.record.now()))
                try:
                    self.done.append(getattr(self, name)())
                except Exception as error:  # noqa: BLE001 - reported, the run goes on
                    self.errors.append(f"{name}: {type(error).__name__}: {error}")

        thread = threading.Thread(target=run, name="faults", daemon=True)
        thread.start()
        return thread

    def database(self) -> Fault:
        fault = Fault("PostgreSQL restarted", self.record.now())
        seconds = self.cluster.restart()
        fault.over = self.record.now()
        fault.notes.append(f"pg_ctl restart -m fast took {seconds:.1f} s")
        return fault

    def web_worker(self) -> Fault:
        workers = sorted(children(self.master))
        victim = workers[0]
        fault = Fault("gunicorn worker killed", self.record.now())
        os.kill(victim, signal.SIGKILL)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            now = set(children(self.master))
            if victim not in now and len(now) == len(workers):
                break
            time.sleep(0.05)
        fault.over = self.record.now()
        new = sorted(set(children(self.master)) - set(workers))
        fault.notes.append(
            f"SIGKILL to worker {victim} of {len(workers)}; the master started {new} "
            f"{fault.over - fault.began:.1f} s later"
        )
        return fault

    def outbox_worker(self) -> Fault:
        """Kill it while it holds leases (waiting up to 30 s for a batch in hand)."""
        pid = self.outbox.pid
        leased = self._leased(pid)
        deadline = time.monotonic() + 30
        while not leased and time.monotonic() < deadline:
            time.sleep(0.02)
            leased = self._leased(pid)
        fault = Fault("outbox worker killed", self.record.now(), leased=leased)
        self.outbox.send_signal(signal.SIGKILL)
        self.outbox.wait(30)
        time.sleep(OUTBOX_RESTART_AFTER_S)
        self.outbox = self.start_outbox()
        fault.over = self.record.now()
        fault.notes.append(
            f"SIGKILL to `flask worker` {pid} holding {len(leased)} leased rows; a new worker "
            f"({self.outbox.pid}) started {fault.over - fault.began:.1f} s later"
        )
        return fault

    def _leased(self, pid: int) -> list[int]:
        query = text(
            "SELECT id FROM grade_outbox WHERE worker LIKE :mine AND lease_until IS NOT NULL"
        )
        with self.admin.connect() as connection:
            return list(connection.scalars(query, {"mine": f"%:{pid}:%"}))

    def stop(self) -> None:
        """The outbox worker asked to finish its batch (SIGTERM); the admin pool closed."""
        self.outbox.send_signal(signal.SIGTERM)
        try:
            self.outbox.wait(60)
        except subprocess.TimeoutExpired:
            self.outbox.kill()
        self.admin.dispose()
