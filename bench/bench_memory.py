"""Peak memory: a gunicorn worker over 1,000 launches, the outbox worker over 10,000 scores.

Run: .venv/bin/python bench/bench_memory.py [--database-url postgresql+psycopg://.../postgres]
(a scratch database is created beside the given one and dropped afterwards). Prints markdown.

- Launches: the tool on gunicorn (config/gunicorn.conf.py, 2 gthread workers, production mode,
  never recycled) on PostgreSQL; full launches (login + launch + first page) from
  bench_launch.py's driver at concurrency 8, in batches, 300 students round robin, each with
  the demo course's evidence (their first page is a real profile). After each
  batch: every worker's resident set (VmRSS) and peak (VmHWM) from /proc.
- Scores: the outbox worker as its own process (`flask --app lti_tool worker`), posting to the
  embedded platform (bench_grades.py's 1,000-student course): its first 1,000 summary scores,
  then 9 rounds of 1,000 changed ones (as a settings change would leave them). After each
  round, once every row is delivered: the worker's VmRSS and VmHWM.
Growth between the later batches is the figure to watch: a steady state means no leak.
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from bench_course import scratch_database  # noqa: E402
from bench_grades import CLIENT_ID, STUDENTS, build, requeue  # noqa: E402
from bench_launch import (  # noqa: E402
    DEFAULT_DB,
    check_log,
    free_port,
    gunicorn,
    machine,
    prepare_tool,
    tool_env,
    worker_process,
)
from launch_flows import Lms, Meters, Target, run_flows  # noqa: E402
from launch_load import children  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

import devplatform  # noqa: E402
from devplatform.server import serve_in_thread  # noqa: E402
from lti_tool import create_app  # noqa: E402
from lti_tool.extensions import db  # noqa: E402
from lti_tool.lti.context import lti  # noqa: E402
from lti_tool.models import GradeOutbox, OutboxState  # noqa: E402

LAUNCH_BATCHES = [40, 240, 240, 240, 240]  # a warm-up, then 960: 1,000 launches in all
SCORE_ROUNDS = 10


def memory_mb(pid: int) -> tuple[float, float]:
    """(resident, peak resident) of a process, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            fields[name] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]


def launches(database_url: str) -> list[str]:
    """Rows: launches done so far, then each gunicorn worker's RSS / peak."""
    port = free_port()
    lms = Lms(f"http://127.0.0.1:{port}")
    rows = []
    try:
        with tempfile.TemporaryDirectory() as tmp, scratch_database(database_url, tmp) as url:
            # The demo course with every student's evidence: each first page is a real profile.
            prepare_tool(url, f"{tmp}/keys", lms, course_students=len(lms.users))
            env = tool_env(url, f"{tmp}/keys", f"http://127.0.0.1:{port}")
            log = Path(tmp) / "tool.log"
            with gunicorn("wsgi:app", port, env, log, "/readyz") as master:
                meters = Meters(master, None)
                target = Target("tool", port, "/lti/login", "/lti/launch")
                workers = sorted(children(master))
                rows.append(_launch_row(0, 0, workers))
                done = 0
                for batch in LAUNCH_BATCHES:
                    row = run_flows(target, lms, meters, 8, batch)
                    done += batch
                    rows.append(_launch_row(done, row.errors, workers))
                assert sorted(children(master)) == workers, "a worker was replaced"
            rows.append(f"\n- Logs: {check_log(log)}.")
    finally:
        lms.handle.shutdown()
    return rows


def _launch_row(done: int, errors: int, workers: list[int]) -> str:
    cells = []
    for pid in workers:
        rss, peak = memory_mb(pid)
        cells.append(f"{rss:.1f} / {peak:.1f}")
    return f"| {done} | {errors} | " + " | ".join(cells) + " |"


def scores(database_url: str) -> list[str]:
    """Rows: scores delivered so far, the worker's RSS / peak."""
    from flask_migrate import upgrade

    rows = []
    with tempfile.TemporaryDirectory() as tmp, scratch_database(database_url, tmp) as url:
        flags = {"LTI_TOOL_ALLOW_PRIVATE_NETWORK": True, "LTI_TOOL_ALLOW_INSECURE_HTTP": True}
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "KEY_DIR": tmp, "LOG_LEVEL": "WARNING", **flags}
        )
        tool = serve_in_thread(app, host="127.0.0.1")  # the platform fetches its JWKS here
        lms = devplatform.create_app(
            {"TESTING": True, "TOOL_BASE_URL": tool.url, "TOOL_CLIENT_ID": CLIENT_ID}
        )
        platform = serve_in_thread(lms, host="localhost")
        lms.config["PLATFORM_ISSUER"] = platform.url
        with app.app_context():
            upgrade()
            lti().key_ring.ensure()
            build(tool.url, lms)
            db.engine.dispose()
        env = {
            "DATABASE_URL": url,
            "KEY_DIR": tmp,
            "TOOL_BASE_URL": tool.url,
            "LTI_TOOL_ALLOW_PRIVATE_NETWORK": "1",
            "LTI_TOOL_ALLOW_INSECURE_HTTP": "1",
            "LOG_LEVEL": "WARNING",
        }
        options = ("--batch-size", "250", "--idle-seconds", "0.2")
        worker = worker_process(env, Path(tmp) / "worker.log", *options)
        try:
            delivered = 0
            for round_ in range(SCORE_ROUNDS):
                with app.app_context():
                    if round_:
                        requeue()  # 1,000 new values; round 0 sends the first ones
                    _wait_delivered(worker)
                    db.session.remove()
                delivered += STUDENTS
                rss, peak = memory_mb(worker.pid)
                rows.append(f"| {delivered} | {rss:.1f} | {peak:.1f} |")
        finally:
            worker.send_signal(signal.SIGTERM)
            worker.wait(60)
            platform.shutdown()
            tool.shutdown()
            with app.app_context():
                db.engine.dispose()
    return rows


def _wait_delivered(worker: subprocess.Popen, timeout: float = 600.0) -> None:
    """Until every outbox row holds its newest value as sent; a refused score fails the run."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"the worker exited with {worker.returncode}")
        states = dict(
            db.session.execute(
                select(GradeOutbox.state, func.count())
                .where(
                    (GradeOutbox.state != OutboxState.SENT)
                    | (GradeOutbox.sent_version != GradeOutbox.version)
                )
                .group_by(GradeOutbox.state)
            ).all()
        )
        db.session.rollback()
        if states.get(OutboxState.DEAD):
            raise RuntimeError(f"{states[OutboxState.DEAD]} scores refused by the platform")
        if not states:
            return
        time.sleep(0.2)
    raise RuntimeError("scores not delivered in time")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DB, help="a PostgreSQL server database")
    args = parser.parse_args()
    print(f"Machine: {machine()}\n")
    launch_rows = launches(args.database_url)
    print("Gunicorn workers (2 gthread workers × 4 threads), MB resident / peak resident:\n")
    print("| launches done | errors | worker 1 | worker 2 |\n|---:|---:|---:|---:|")
    print("\n".join(launch_rows))
    score_rows = scores(args.database_url)
    print("\nOutbox worker (`flask --app lti_tool worker`, 4 calls in flight), MB:\n")
    print("| scores delivered | resident | peak resident |\n|---:|---:|---:|")
    print("\n".join(score_rows))


if __name__ == "__main__":
    main()
