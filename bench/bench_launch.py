"""Time the full LTI launch on gunicorn + PostgreSQL against a bare RS256 verify and pylti1p3.

Run: .venv/bin/python bench/bench_launch.py [--database-url postgresql+psycopg://.../postgres]
(a scratch database is created beside the given one and dropped afterwards). Prints markdown.

What is measured, per concurrency level (1, 8, 32 virtual users over loopback):
- tool: the full launch = POST /lti/login (302) + POST /lti/launch (JWT verification, state and
  nonce, identity sync, launch row, and the first page as its answer; 200), on gunicorn (2
  gthread workers, config/gunicorn.conf.py) in production mode with JSON logs and rate limits
  counting. The platform's part (devplatform builds the claims with the tool's nonce, signed
  with its key) runs between a login phase and a launch phase, untimed: it is the platform's
  cost. Latency = the two round trips of a flow.
- bare verify: a Flask endpoint on the same gunicorn settings verifying an id_token of the
  same claims (RS256 + aud + iss + exp), keys parsed once.
- pylti1p3: a minimal pylti1p3 2.0.0 tool, login + launch rendering its first page, with its
  stock cookie/session storage (two round trips).
Server CPU is read from /proc: the gunicorn workers, and the PostgreSQL backends of the scratch
database. Client and servers share the machine's cores.
"""

from __future__ import annotations

import argparse
import json
import os
import platform as host
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from bench_course import scratch_database  # noqa: E402
from launch_flows import (  # noqa: E402
    CLIENT_ID,
    DEPLOYMENT_ID,
    STUDENTS,
    VERIFY_REQUESTS,
    Lms,
    Meters,
    Row,
    Target,
    run_levels,
    run_verify,
)
from launch_load import percentile  # noqa: E402

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
# A JWT, or a launch token in a URL (the log's own "launch=[redacted]" is not one).
LEAK = re.compile(r"eyJ[\w-]{4,}\.|launch=(?!\[redacted\])[^&\s\"']")


def free_port() -> int:
    """A port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(spec: str, port: int, env: dict[str, str], log: Path, ready: str) -> Iterator[int]:
    """gunicorn with config/gunicorn.conf.py, 2 workers that are never recycled; its pid."""
    env = {**os.environ, **env, "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_WORKERS": "2"}
    env["GUNICORN_MAX_REQUESTS"] = "0"
    command = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.conf.py", spec]
    with log.open("ab") as out:
        server = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=out)
    try:
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{ready}", timeout=2):
                    break
            except urllib.error.HTTPError as answer:
                if answer.code < 500:
                    break
                time.sleep(0.1)
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"{spec} did not start: see {log}")
        yield server.pid
    finally:
        server.terminate()
        server.wait(30)


def worker_process(env: dict[str, str], log: Path, *options: str) -> subprocess.Popen[bytes]:
    """The outbox worker as its own process, as an operator runs it: `flask --app lti_tool
    worker`, with `env` over this process's environment; its output appended to `log`."""
    command = [sys.executable, "-m", "flask", "--app", "lti_tool", "worker", *options]
    with log.open("ab") as out:
        return subprocess.Popen(
            command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=out
        )


# -- setup, servers, report -----------------------------------------------------------------


def prepare_tool(db_url: str, key_dir: str, lms: Lms, *, course_students: int = 0) -> None:
    """Migrate the scratch database, make the tool's key, register the platform; with
    `course_students`, the demo course too (its standards, and that many students' evidence),
    so a student's first page is a real profile."""
    from flask_migrate import upgrade

    from lti_tool import create_app
    from lti_tool.demo_data import seed_demo_course
    from lti_tool.extensions import db
    from lti_tool.lti.context import lti
    from lti_tool.services.platforms import add_platform

    app = create_app({"SQLALCHEMY_DATABASE_URI": db_url, "KEY_DIR": key_dir})
    with app.app_context():
        upgrade()
        lti().key_ring.ensure()
        issuer = lms.platform.issuer
        platform = add_platform(
            name="Bench LMS",
            issuer=issuer,
            client_id=CLIENT_ID,
            auth_login_url=f"{issuer}/auth",
            auth_token_url=f"{issuer}/token",
            keyset_url=f"{issuer}/jwks",
            deployment_ids=[DEPLOYMENT_ID],
        )
        db.session.commit()
        if course_students:
            seed_demo_course(platform.deployments[0], student_count=course_students)
            db.session.commit()
        db.engine.dispose()


def tool_env(db_url: str, key_dir: str, tool_url: str) -> dict[str, str]:
    """Production settings; limits raised so one client address is never refused."""
    unlimited = "[1000000, 60]"
    return {
        "LTI_TOOL_ENV": "production",
        "DATABASE_URL": db_url,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "TOOL_BASE_URL": tool_url,
        "KEY_DIR": key_dir,
        "LTI_TOOL_ALLOW_PRIVATE_NETWORK": "1",
        "LTI_TOOL_ALLOW_INSECURE_HTTP": "true",
        "LTI_TOOL_RATE_LIMIT_LOGIN_PER_ADDRESS": unlimited,
        "LTI_TOOL_RATE_LIMIT_LAUNCH_PER_REGISTRATION": unlimited,
    }


def check_log(path: Path) -> str:
    """How many lines the tool logged, whether any carried a JWT or a launch token, problems."""
    entries = [json.loads(line) for line in path.read_text().splitlines() if line.startswith("{")]
    text_lines = sum(1 for line in path.read_text().splitlines() if not line.startswith("{"))
    leaks = sum(1 for e in entries if LEAK.search(json.dumps(e)))
    problems = [e for e in entries if e["level"] in ("WARNING", "ERROR")]
    first = ""
    if problems:
        lines = (problems[0].get("exception") or problems[0]["message"]).strip().splitlines()
        reason = next((line for line in reversed(lines) if "Error" in line), lines[-1])
        first = f"; first: {problems[0]['message']}: {reason[:300]}"
    return (
        f"the tool wrote {len(entries)} JSON log lines ({text_lines} other lines), {leaks} "
        f"carrying a JWT or a launch token, {len(problems)} warnings or errors{first}"
    )


def table(rows: list[Row]) -> list[str]:
    out = [
        "| measured | concurrency | flows / requests | per second | p50 ms | p99 ms | errors "
        "| worker CPU ms each | + PostgreSQL ms each |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        p50, p99 = (percentile(r.latencies, q) * 1000 for q in (0.5, 0.99))
        out.append(
            f"| {r.target} | {r.concurrency} | {len(r.latencies)} | {r.rate:.1f} | {p50:.1f} "
            f"| {p99:.1f} | {r.errors} | {r.cpu_ms():.2f} | {r.cpu_ms(True):.2f} |"
        )
    return out


def cpu_per_op(rows: list[Row], with_db: bool = False) -> float:
    ops = sum(len(r.latencies) for r in rows)
    return sum(r.worker_cpu + (r.db_cpu if with_db else 0) for r in rows) * 1000 / ops


def targets(tool: list[Row], base: list[Row], pylti: list[Row]) -> list[str]:
    out = ["| target | measured | met |", "|---|---|:---:|"]

    def line(name: str, measured: str, met: bool) -> None:
        out.append(f"| {name} | {measured} | {'yes' if met else 'no'} |")

    for t, b in zip(tool, base, strict=True):
        ratio = t.rate / b.rate
        line(f"launches/s ≥ 30% of verify req/s, c={t.concurrency}", f"{ratio:.1%}", ratio >= 0.3)
    p99 = percentile(tool[-1].latencies, 0.99) * 1000
    line("launch p99 < 100 ms at c=32", f"{p99:.0f} ms", p99 < 100)
    for with_db, label in ((False, "workers"), (True, "workers + PostgreSQL")):
        ratio = cpu_per_op(tool, with_db) / cpu_per_op(base)
        line(f"server CPU ≤ 2.5× bare verify ({label})", f"{ratio:.1f}×", ratio <= 2.5)
    ratio = cpu_per_op(tool, True) / cpu_per_op(pylti)
    line("server CPU ≤ 2/3 of pylti1p3's round trip", f"{ratio:.2f}×", ratio <= 2 / 3)
    ratio = percentile(tool[0].latencies, 0.5) / percentile(pylti[0].latencies, 0.5)
    line("latency ≤ 2/3 of pylti1p3's round trip (p50, c=1)", f"{ratio:.2f}×", ratio <= 2 / 3)
    return out


def phases(tool: list[Row]) -> list[str]:
    """The tool's flow step by step: latency p50 and server CPU (PostgreSQL included)."""
    out = []
    for r in tool:
        parts = [
            f"{step} p50 {percentile(latencies, 0.5) * 1000:.1f} ms, "
            f"{cpu * 1000 / len(latencies):.1f} ms CPU"
            for step, (latencies, cpu) in r.steps.items()
        ]
        out.append(f"- Tool at c={r.concurrency}: " + "; ".join(parts) + ".")
    return out


def machine() -> str:
    """CPUs, model, Python, and the load average before the run (the cores are shared)."""
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        host.machine(),
    )
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return f"{os.cpu_count()} CPUs ({model}), Python {host.python_version()}, load before: {load}"


def measure(database_url: str, lms: Lms, ports: list[int]) -> tuple[list[Row], ...]:
    """Each server in turn on its own port: the tool, the bare verify, pylti1p3."""
    shared = {
        "BENCH_ISSUER": lms.platform.issuer,
        "BENCH_CLIENT_ID": CLIENT_ID,
        "BENCH_DEPLOYMENT_ID": DEPLOYMENT_ID,
        "BENCH_AUTH_URL": f"{lms.platform.issuer}/auth",
        "BENCH_JWKS": json.dumps(lms.platform.public_jwks()),
    }
    with tempfile.TemporaryDirectory() as tmp, scratch_database(database_url, tmp) as url:
        prepare_tool(url, f"{tmp}/keys", lms, course_students=STUDENTS)
        tool_log, other_log = Path(tmp) / "tool.log", Path(tmp) / "others.log"
        env = tool_env(url, f"{tmp}/keys", f"http://127.0.0.1:{ports[0]}")
        with gunicorn("wsgi:app", ports[0], env, tool_log, "/readyz") as pid:
            meters = Meters(pid, url)
            name = "tool: login + launch (first page)"
            target = Target(name, ports[0], "/lti/login", "/lti/launch")
            tool = run_levels(target, lms, meters)
            meters.dispose()
        with gunicorn("bench.launch_apps:baseline_app()", ports[1], shared, other_log, "/") as pid:
            meters = Meters(pid, None)
            run_verify(lms, ports[1], meters, 4, 200)  # warm-up
            base = [run_verify(lms, ports[1], meters, c, n) for c, n in VERIFY_REQUESTS.items()]
        with gunicorn("bench.launch_apps:pylti1p3_app()", ports[2], shared, other_log, "/") as pid:
            name, login_url = "pylti1p3: login + launch", f"http://127.0.0.1:{ports[2]}/launch"
            target = Target(name, ports[2], "/login", "/launch", login_url=login_url)
            pylti = run_levels(target, lms, Meters(pid, None))
        return tool, base, pylti, [f"- Logs: {check_log(tool_log)}."]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DB, help="a PostgreSQL server database")
    args = parser.parse_args()
    about = machine()
    ports = [free_port() for _ in range(3)]
    lms = Lms(f"http://127.0.0.1:{ports[0]}")
    try:
        tool, base, pylti, notes = measure(args.database_url, lms, ports)
    finally:
        lms.handle.shutdown()
    print(f"Machine: {about}\n")
    print("\n".join(table(tool + base + pylti)))
    print()
    print("\n".join(targets(tool, base, pylti)))
    print("\n".join(["", *phases(tool), *notes]))
    print("- Closed loop: latency ≈ concurrency / throughput, so a p99 under 100 ms at c=32")
    print("  needs more than 320 launches/s from this machine.")


if __name__ == "__main__":
    main()
