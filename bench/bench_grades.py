"""Post 1,000 students' summary grades to the embedded platform and time the worker.

The platform answers every AGS request after 20 ms (as a busy LMS would); the tool and the
platform both serve on loopback. Prints a markdown table: scores per second for one worker at
1 and at 4 calls in flight (4 is what Canvas allows per registration), and the number of
token requests each run made. Run: .venv/bin/python bench/bench_grades.py [--database-url URL]
(a temporary SQLite file by default; a PostgreSQL server URL gets a scratch database).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, select

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_course import scratch_database  # noqa: E402

import devplatform  # noqa: E402
from devplatform.server import serve_in_thread  # noqa: E402
from lti_tool import create_app  # noqa: E402
from lti_tool.demo import register_embedded_lms  # noqa: E402
from lti_tool.extensions import db  # noqa: E402
from lti_tool.lti import ags  # noqa: E402
from lti_tool.lti.service_token import EXTENSION  # noqa: E402
from lti_tool.lti.vocab import Scope  # noqa: E402
from lti_tool.models import Course, Enrollment, GradeOutbox, OutboxState, User  # noqa: E402
from lti_tool.services import evidence, frameworks  # noqa: E402
from lti_tool.services.evidence import EvidenceInput  # noqa: E402
from lti_tool.worker import Worker  # noqa: E402
from tests.services.conftest import draft  # noqa: E402

STUDENTS = 1000
DELAY_S = 0.020
COURSE = "bench-course"
CLIENT_ID = "bench-tool"


def build(tool_url: str, lms) -> int:
    """The platform's course with 1,000 students, the tool's copy, and one level each."""
    platform_api = lms.extensions["devplatform"]
    platform_api.add_course(COURSE, "BENCH", "Benchmark course")
    subs = [f"s{n}" for n in range(STUDENTS)]
    for sub in subs:
        platform_api.add_user("Student", sub, user_id=sub)
        platform_api.enroll(
            COURSE, sub, ["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"]
        )
    issuer = platform_api.issuer
    registration = register_embedded_lms(issuer, CLIENT_ID, "1", name="Bench LMS")
    course = Course(
        platform_id=registration.id,
        deployment_id=registration.deployments[0].id,
        context_id=COURSE,
        title="Benchmark course",
        ags_lineitems_url=f"{issuer}/api/lti/courses/{COURSE}/line_items",
        ags_scopes=[str(scope) for scope in ags.AGS_SCOPES if scope != Scope.RESULT_READONLY],
    )
    db.session.add(course)
    db.session.flush()
    users = [User(platform_id=registration.id, sub=sub, name=sub) for sub in subs]
    db.session.add_all(users)
    db.session.flush()
    db.session.add_all(
        Enrollment(course_id=course.id, user_id=user.id, role="student") for user in users
    )
    framework = frameworks.save_framework(draft({"D": ["S1"]}), platform=registration)
    frameworks.adopt(course, framework)
    standard = next(iter(frameworks.course_tree(course).standards))
    when = datetime(2026, 9, 1, tzinfo=UTC)
    items = [EvidenceInput(u.id, standard, 1 + n % 4, when) for n, u in enumerate(users)]
    evidence.record_many(course, items, actor=None, source="teacher")
    db.session.commit()
    return course.id


def requeue() -> None:
    """Every row pending again with a new value, as a settings change would leave them."""
    for row in db.session.scalars(select(GradeOutbox)):
        row.score = round(row.score + 0.5, 2)
        row.version += 1
        row.state = OutboxState.PENDING
        row.due_at = datetime.now(UTC)
    db.session.commit()


def run(app, lms, concurrency: int) -> tuple[float, int, int]:
    """Seconds to drain the outbox, token requests made, scores delivered."""
    platform_api = lms.extensions["devplatform"]
    platform_api.revoke_tokens()  # each run starts without a token, as a new worker would
    with app.app_context():
        from lti_tool.models import AccessToken

        db.session.execute(delete(AccessToken))
        db.session.commit()
    app.extensions.pop(EXTENSION, None)  # and no token in this process's memory
    before = platform_api.token_requests
    app.config["AGS_MAX_CONCURRENT_CALLS"] = concurrency
    began = time.perf_counter()
    report = Worker(app, batch_size=250).drain()
    elapsed = time.perf_counter() - began
    return elapsed, platform_api.token_requests - before, report.grades.delivered


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server database URL")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, scratch_database(args.database_url, tmp) as url:
        config = {
            "SQLALCHEMY_DATABASE_URI": url,
            "KEY_DIR": tmp,
            "TESTING": True,
            "LTI_TOOL_ALLOW_PRIVATE_NETWORK": True,
            "LTI_TOOL_ALLOW_INSECURE_HTTP": True,
        }
        app = create_app(config)
        tool = serve_in_thread(app, host="127.0.0.1")
        app.config["TOOL_BASE_URL"] = tool.url
        lms = devplatform.create_app(
            {"TESTING": True, "TOOL_BASE_URL": tool.url, "TOOL_CLIENT_ID": CLIENT_ID}
        )
        platform_handle = serve_in_thread(lms, host="localhost")
        lms.config["PLATFORM_ISSUER"] = platform_handle.url
        with app.app_context():
            from flask_migrate import upgrade

            from lti_tool.lti.context import lti

            upgrade()
            lti().key_ring.ensure()
            build(tool.url, lms)
            dialect = db.engine.dialect.name
        lms.extensions["devplatform"].faults.response_delay_s = DELAY_S
        rows = []
        for concurrency in (1, 4):
            timings = []
            for _ in range(args.runs):
                with app.app_context():
                    requeue()
                elapsed, tokens, delivered = run(app, lms, concurrency)
                assert delivered == STUDENTS, f"delivered {delivered} of {STUDENTS}"
                timings.append((elapsed, tokens))
            seconds = statistics.median(t for t, _ in timings)
            rows.append((concurrency, seconds, STUDENTS / seconds, max(t for _, t in timings)))
        platform_handle.shutdown()
        tool.shutdown()
    print(
        f"\n{STUDENTS} summary scores, platform answering after {DELAY_S * 1000:.0f} ms, "
        f"{dialect}, median of {args.runs} runs\n"
    )
    print("| calls in flight | seconds | scores/s | token requests per run |")
    print("|---|---|---|---|")
    for concurrency, seconds, rate, tokens in rows:
        print(f"| {concurrency} | {seconds:.2f} | {rate:.0f} | {tokens} |")


if __name__ == "__main__":
    main()
