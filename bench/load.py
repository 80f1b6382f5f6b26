"""Mixed load with faults: launches, gradebook views and evidence entry for `--minutes` minutes.

Run: .venv/bin/python bench/load.py [--minutes 5] [--students 40]. Prints a markdown report.

The tool runs as in production: gunicorn (2 workers, config/gunicorn.conf.py) and the outbox
worker as its own process (`flask --app lti_tool worker`), on a private PostgreSQL cluster
(initdb'd into a temporary directory on a free port, deleted afterwards: the shared server is
never restarted). The embedded platform (devplatform, live on localhost, answering AGS calls
after 20 ms) launches the tool and receives its grades. The course is lti_tool.demo_data's,
with `--students` students, all enrolled in the platform's course too.

During the run: PostgreSQL restarted at 25% of it, a gunicorn worker SIGKILLed at 50%, the
outbox worker SIGKILLed at 70% (holding leases) and started again 5 s later. Afterwards, once
the outbox is drained: every evidence post answered 303 has its row, the stored levels and
grades equal a fresh computation, and the platform holds every student's newest summary grade,
posted in timestamp order.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from bench_launch import (  # noqa: E402
    free_port,
    gunicorn,
    machine,
    prepare_tool,
    tool_env,
    worker_process,
)
from launch_flows import Lms  # noqa: E402
from load_checks import (  # noqa: E402
    Findings,
    check_evidence,
    check_levels,
    check_platform,
    resend_delays,
    wait_drained,
)
from load_faults import Faults  # noqa: E402
from load_report import report  # noqa: E402
from load_traffic import Course, Record, Users  # noqa: E402
from pg_cluster import private_cluster  # noqa: E402
from sqlalchemy import select  # noqa: E402

from lti_tool import create_app  # noqa: E402
from lti_tool.demo import DEMO_DEPLOYMENT_ID, TEACHER  # noqa: E402
from lti_tool.demo_data import seed_demo_course  # noqa: E402
from lti_tool.extensions import db  # noqa: E402
from lti_tool.models import Course as ToolCourse  # noqa: E402
from lti_tool.models import Enrollment, Platform, User  # noqa: E402
from lti_tool.services import course_settings, frameworks  # noqa: E402
from lti_tool.services.outbox import LEASE_SECONDS  # noqa: E402

# Virtual users per action: people launching, teachers on the gradebook, teachers scoring.
MIX = {"student_launches": 3, "teacher_launches": 1, "gradebook": 2, "score": 3}
FAULTS = [(0.25, "database"), (0.50, "web_worker"), (0.70, "outbox_worker")]
PLATFORM_DELAY_S = 0.020


def seed(app, lms: Lms, students: int) -> tuple[int, Course]:
    """The demo course with `students` students, the same people enrolled in the platform."""
    with app.app_context():
        platform = db.session.scalars(select(Platform)).one()
        deployment = next(d for d in platform.deployments if d.deployment_id == DEMO_DEPLOYMENT_ID)
        course = seed_demo_course(deployment, student_count=students)
        db.session.commit()
        people = db.session.execute(
            select(User.id, User.sub, User.given_name, User.family_name)
            .join(Enrollment, Enrollment.user_id == User.id)
            .where(Enrollment.course_id == course.id, Enrollment.role == "student")
            .order_by(User.id)
        ).all()
        tree = frameworks.course_tree(course)
        leaves = sorted(s for s in tree.standards if not tree.children.get(s))
        scale = course_settings.mastery_settings(course).scale
        levels = [f"{level.points:g}" for level in scale.levels]
        course_id = course.id
        db.session.remove()
        db.engine.dispose()
    lms.enroll([(sub, given or "", family or "") for _, sub, given, family in people])
    return course_id, Course([p.id for p in people], leaves, levels, TEACHER)


def sample_load(stop: threading.Event, samples: list[float]) -> None:
    while not stop.wait(10):
        samples.append(os.getloadavg()[0])


def run(minutes: float, students: int, keep_logs: Path | None) -> str:
    seconds = minutes * 60
    about = machine()
    port = free_port()
    tool_url = f"http://127.0.0.1:{port}"
    lms = Lms(tool_url, students=0)
    lms.platform.faults.response_delay_s = PLATFORM_DELAY_S
    try:
        with tempfile.TemporaryDirectory() as tmp, private_cluster(free_port()) as cluster:
            url, keys = cluster.url, f"{tmp}/keys"
            prepare_tool(url, keys, lms)
            app = create_app({"SQLALCHEMY_DATABASE_URI": url, "KEY_DIR": keys})
            course_id, course = seed(app, lms, students)
            env = tool_env(url, keys, tool_url)
            tool_log, worker_log = Path(tmp) / "tool.log", Path(tmp) / "worker.log"
            with gunicorn("wsgi:app", port, env, tool_log, "/readyz") as master:
                record = Record(time.monotonic())
                users = Users(lms, port, course, record)
                # A teacher's launch first: it gives the course its grade service endpoints.
                assert users.launch_once(course.teacher), "the teacher's first launch failed"
                faults = Faults(
                    record, cluster, master, url, lambda: worker_process(env, worker_log)
                )
                try:
                    stop, samples = threading.Event(), [os.getloadavg()[0]]
                    threading.Thread(target=sample_load, args=(stop, samples), daemon=True).start()
                    record.began = time.monotonic()
                    schedule = [(share * seconds, name) for share, name in FAULTS]
                    thread = faults.run_in_thread(schedule)
                    users.run(MIX, seconds)
                    thread.join()
                    stop.set()
                    found = Findings()
                    found.drain_seconds = wait_drained(app, LEASE_SECONDS + 120)
                    with app.app_context():
                        row = db.session.get_one(ToolCourse, course_id)
                        check_evidence(row, record.posts, found)
                        check_levels(row, found)
                        check_platform(row, lms.platform, found)
                        killed = [f for f in faults.done if f.leased]
                        resent = resend_delays(killed[0].leased, killed[0].wall) if killed else []
                        db.session.remove()
                        db.engine.dispose()
                finally:
                    faults.stop()
                    if keep_logs:
                        keep_logs.mkdir(parents=True, exist_ok=True)
                        for log in (tool_log, worker_log, cluster.log):
                            shutil.copy(log, keep_logs / log.name)
            return report(
                about=about,
                seconds=seconds,
                students=students,
                course=course,
                mix=MIX,
                record=record,
                faults=faults,
                found=found,
                resent=resent,
                load=samples,
                logs=(tool_log, worker_log),
            )
    finally:
        lms.handle.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--minutes", type=float, default=5.0, help="length of the load")
    parser.add_argument("--students", type=int, default=40, help="students in the course")
    parser.add_argument("--logs", type=Path, help="a directory to copy the logs into")
    args = parser.parse_args()
    print(run(args.minutes, args.students, args.logs))


if __name__ == "__main__":
    main()
