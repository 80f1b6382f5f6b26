"""Instructions per launch (login + launch with its first page), counted by callgrind.

Run: .venv/bin/python bench/launch_instructions.py [--students 20] [--empty]
(needs valgrind; a scratch PostgreSQL database beside --database-url's, dropped afterwards).

Timings on a shared machine drift by a third from one run to the next, so two versions of the
code are compared here by the instructions the tool's Python process executes for the same
launches: callgrind counts them exactly, whatever else the machine is doing. The tool runs in
this process (the Flask test client, production settings); PostgreSQL's own work is not
counted. Each student launches twice (first launch, then returning) before the measured round
of returning launches; only the login and the launch requests are counted (collection is
switched on inside a ctypes callback: callgrind's --toggle-collect=ffi_call), not the
platform's signing between them. With --empty the tool knows no course before the launches,
so the first page is an empty profile; by default it has the demo course (its standards, and
evidence for each student), so the first page is a real one.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
INNER = "LAUNCH_INSTRUCTIONS_INNER"


def counted(function) -> None:
    """Run `function` where callgrind counts (inside ffi_call), and only there."""
    ctypes.CFUNCTYPE(None)(function)()


def measure(database_url: str, students: int, with_course: bool) -> None:
    """The launches themselves (run under valgrind by main)."""
    import gc
    import logging

    from bench_course import scratch_database
    from bench_launch import prepare_tool, tool_env
    from launch_flows import Lms

    logging.disable(logging.CRITICAL)
    tool = "http://127.0.0.1:5999"
    lms = Lms(tool, students=students)
    try:
        with tempfile.TemporaryDirectory() as tmp, scratch_database(database_url, tmp) as url:
            prepare_tool(url, f"{tmp}/keys", lms, course_students=students if with_course else 0)
            os.environ.update(tool_env(url, f"{tmp}/keys", tool))
            from lti_tool import create_app
            from lti_tool.extensions import db

            app = create_app()

            def logins(client, flows, found):
                for flow in flows:
                    answer = client.post("/lti/login", data=flow.params, base_url=tool)
                    query = parse_qs(urlsplit(answer.headers["Location"]).query)
                    found.append((query["state"][0], query["nonce"][0], flow.params["login_hint"]))

            def launches(client, signed):
                for state, token in signed:
                    form = {"id_token": token, "state": state}
                    answer = client.post("/lti/launch", data=form, base_url=tool)
                    assert answer.status_code == 200, answer.get_data(as_text=True)[:500]

            def round_of(measured: bool) -> None:
                client, started = app.test_client(), []
                run = counted if measured else (lambda function: function())
                run(lambda: logins(client, lms.flows(students), started))
                signed = [(state, lms.sign(nonce, user)) for state, nonce, user in started]
                run(lambda: launches(client, signed))

            round_of(False)  # first launches: people, enrolments
            round_of(False)  # returning: caches, compiled statements
            gc.collect()
            gc.freeze()  # as gunicorn's workers do after loading the app
            round_of(True)
            with app.app_context():
                db.engine.dispose()
    finally:
        lms.handle.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DB, help="a PostgreSQL server database")
    parser.add_argument("--students", type=int, default=20, help="launches in the counted round")
    parser.add_argument("--empty", action="store_true", help="no course in the tool beforehand")
    args = parser.parse_args()
    if os.environ.get(INNER):
        measure(args.database_url, args.students, not args.empty)
        return
    with tempfile.TemporaryDirectory() as tmp:
        command = [
            "valgrind",
            "--tool=callgrind",
            "--collect-atstart=no",
            "--toggle-collect=ffi_call",
            f"--callgrind-out-file={tmp}/callgrind.out",
            sys.executable,
            *sys.argv,
        ]
        env = {**os.environ, INNER: "1", "PYTHONHASHSEED": "0"}
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    found = re.search(r"I\s+refs:\s+([\d,]+)", done.stderr)
    if done.returncode != 0 or found is None:
        sys.exit(f"valgrind failed ({done.returncode}):\n{done.stderr[-3000:]}")
    total = int(found[1].replace(",", ""))
    course = "empty (no course before)" if args.empty else "the demo course, with evidence"
    print("| first page | launches | instructions (millions) | per login + launch |")
    print("|---|---:|---:|---:|")
    print(
        f"| {course} | {args.students} | {total / 1e6:.1f} | {total / args.students / 1e6:.2f} M |"
    )


if __name__ == "__main__":
    main()
