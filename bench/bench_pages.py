"""Time the pages people open on the large course: server time and SQL statements per page.

The course of bench/course_data.py (300 students, 120 standards, ~72,000 evidence rows), a
teacher, and a mentor linked to one student. Each page is requested N times through the Flask
test client (the whole request: launch token lookup, queries, rendering; no network), after a
few untimed warm-up requests, and the table gives the median and the 99th percentile (with
N = 100, the second slowest request), the median CPU time of this process (the Flask side,
not the database server's; on a shared machine it moves less than the wall clock) and the
SQL statements of one request.

Statements are counted twice: what SQLAlchemy executes (its before_cursor_execute event),
plus the reads services/mastery_rows.py sends straight to the driver (stored levels, scores),
which that event does not see.

The launches are rows written for the benchmark (the launch itself is bench_launch.py's);
every page then runs as after a real launch, with its `launch=` token.

Run: .venv/bin/python bench/bench_pages.py [--database-url URL ...] [--requests N]
"sqlite" (the default) is a temporary SQLite file; a PostgreSQL URL names a server database
beside which a scratch database is created and dropped.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform as host
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import event, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_course import scratch_database  # noqa: E402
from course_data import build_course  # noqa: E402

from lti_tool import create_app  # noqa: E402
from lti_tool.extensions import db  # noqa: E402
from lti_tool.heap import freeze_loaded  # noqa: E402
from lti_tool.lti.vocab import CourseRole  # noqa: E402
from lti_tool.models import Course, Enrollment, Launch, Platform, User  # noqa: E402
from lti_tool.models.types import utcnow  # noqa: E402
from lti_tool.services import mastery_rows  # noqa: E402
from lti_tool.services.launches import token_hash  # noqa: E402

WARM_UP = 3


@dataclass
class PageResult:
    times: list[float]
    cpu: list[float]
    statements: int
    driver_reads: int
    size: int

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times) * 1000

    @property
    def cpu_ms(self) -> float:
        return statistics.median(self.cpu) * 1000

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.times)
        return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000


@dataclass
class Run:
    name: str
    pages: dict[str, PageResult] = field(default_factory=dict)


def open_launch(course: Course, user: User, role: CourseRole) -> str:
    """A launch row for this person, as /lti/launch writes one; returns its token."""
    token = secrets.token_urlsafe(32)
    platform = db.session.get_one(Platform, course.platform_id)
    now = utcnow()
    db.session.add(
        Launch(
            token_hash=token_hash(token),
            platform_id=course.platform_id,
            course_id=course.id,
            user_id=user.id,
            role=role.value,
            message_type="LtiResourceLinkRequest",
            claims={"iss": platform.issuer, "sub": user.sub},
            created_at=now,
            expires_at=now + timedelta(hours=8),
        )
    )
    return token


def people(course: Course) -> tuple[str, str, str, int]:
    """Launch tokens of a teacher, the first student and that student's mentor."""
    student = db.session.scalars(select(User).order_by(User.id)).first()
    assert student is not None
    teacher = User(platform_id=course.platform_id, sub="t1", name="Teacher", family_name="T")
    mentor = User(platform_id=course.platform_id, sub="m1", name="Mentor", family_name="M")
    db.session.add_all([teacher, mentor])
    db.session.flush()
    db.session.add_all(
        [
            Enrollment(course_id=course.id, user_id=teacher.id, role=CourseRole.TEACHER.value),
            Enrollment(
                course_id=course.id,
                user_id=mentor.id,
                role=CourseRole.OBSERVER.value,
                mentees=[student.sub],
            ),
        ]
    )
    tokens = (
        open_launch(course, teacher, CourseRole.TEACHER),
        open_launch(course, student, CourseRole.STUDENT),
        open_launch(course, mentor, CourseRole.OBSERVER),
    )
    db.session.commit()
    return (*tokens, student.id)


@contextmanager
def counting(engine) -> Iterator[list[int]]:
    """[SQLAlchemy statements, driver-level reads] while the block runs."""
    counts = [0, 0]

    def before(*_args) -> None:
        counts[0] += 1

    original = mastery_rows.driver_rows

    def driver_rows(query):
        counts[1] += 1
        return original(query)

    event.listen(engine, "before_cursor_execute", before)
    mastery_rows.driver_rows = driver_rows
    try:
        yield counts
    finally:
        mastery_rows.driver_rows = original
        event.remove(engine, "before_cursor_execute", before)


def measure(client, engine, path: str, token: str, requests: int) -> PageResult:
    def get():
        response = client.get(path, query_string={"launch": token})
        assert response.status_code == 200, (path, response.status_code)
        return response

    for _ in range(WARM_UP):
        get()
    with counting(engine) as counts:
        size = len(get().data)
    times, cpu = [], []
    gc.collect()
    for _ in range(requests):
        began, began_cpu = time.perf_counter(), time.process_time()
        get()
        times.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    return PageResult(times, cpu, counts[0], counts[1], size)


def run_on(url: str, tmp: str, requests: int) -> Run:
    with scratch_database(url, tmp) as scratch:
        # LOG_LEVEL: the request log line to stderr would be timed too.
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": scratch,
                "KEY_DIR": tmp,
                "TESTING": True,
                "LOG_LEVEL": "WARNING",
            }
        )
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            freeze_loaded()  # as gunicorn's workers and the outbox worker do
            course = build_course()
            if db.engine.dialect.name == "postgresql":
                db.session.execute(text("ANALYZE"))
                db.session.commit()
            teacher, student, mentor, student_id = people(course)
            engine = db.engine
            db.session.remove()
        client = app.test_client()
        pages = {
            "teacher gradebook (/gradebook)": ("/gradebook", teacher),
            "student profile (own, /home)": ("/home", student),
            "teacher: one student's profile": (f"/students/{student_id}", teacher),
            "mentor/family: linked students (/home)": ("/home", mentor),
            "mentor/family: the student's profile": (f"/students/{student_id}", mentor),
        }
        result = Run("SQLite" if url == "sqlite" else "PostgreSQL")
        for name, (path, token) in pages.items():
            result.pages[name] = measure(client, engine, path, token, requests)
            print(f"  {result.name}: {name} done", file=sys.stderr)
        with app.app_context():
            db.engine.dispose()
    return result


def report(runs: list[Run], requests: int) -> None:
    print(
        f"{requests} requests per page after {WARM_UP} warm-up ones, Flask test client, "
        f"300 students × 120 standards (~72,000 evidence rows); statements = SQLAlchemy + "
        f"driver-level reads. Machine: {host.machine()}, {os.cpu_count()} CPUs, "
        f"Python {host.python_version()}.\n"
    )
    columns = ("median ms", "p99 ms", "CPU ms", "statements")
    head = [f"{r.name} {col}" for r in runs for col in columns]
    print("| page | " + " | ".join(head) + " | KB |")
    print("|---|" + "---:|" * (len(head) + 1))
    for name in runs[0].pages:
        cells = []
        for run in runs:
            page = run.pages[name]
            cells += [
                f"{page.median_ms:.1f}",
                f"{page.p99_ms:.1f}",
                f"{page.cpu_ms:.1f}",
                f"{page.statements} + {page.driver_reads}",
            ]
        print(f"| {name} | " + " | ".join(cells) + f" | {runs[0].pages[name].size / 1024:.0f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--database-url",
        action="append",
        help='"sqlite" (the default) or a PostgreSQL server URL; repeat to run on several',
    )
    parser.add_argument("--requests", type=int, default=100, help="timed requests per page")
    args = parser.parse_args()
    urls = args.database_url or ["sqlite"]
    with tempfile.TemporaryDirectory() as tmp:
        runs = [run_on(url, tmp, args.requests) for url in urls]
    report(runs, args.requests)


if __name__ == "__main__":
    main()
