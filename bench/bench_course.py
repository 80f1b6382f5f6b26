"""Time whole-course mastery from the database, and a CCSS Math CASE import, via the services.

Builds a course of 300 students, a 120-standard framework in 4 levels and 80 assessments
aligned to 3 standards each (~72,000 evidence rows), then prints a markdown table of
median times. Run: .venv/bin/python bench/bench_course.py [--database-url URL]
(a temporary SQLite file by default; a PostgreSQL URL is used as given, so point it at a
scratch database).
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lti_tool import create_app  # noqa: E402
from lti_tool.extensions import db  # noqa: E402
from lti_tool.importers import parse_any  # noqa: E402
from lti_tool.mastery import METHODS  # noqa: E402
from lti_tool.mastery.framework import FrameworkDraft, StandardDraft  # noqa: E402
from lti_tool.models import (  # noqa: E402
    Alignment,
    Assessment,
    Course,
    CurrentLevel,
    Deployment,
    Enrollment,
    Evidence,
    Platform,
    Standard,
    User,
)
from lti_tool.services import course_settings, frameworks, mastery  # noqa: E402

STUDENTS, ASSESSMENTS, RUNS = 300, 80, 5
CCSS = ROOT.parent / "shared" / "data" / "standards" / "case" / "ccss-math-2010.json"


def framework_draft() -> FrameworkDraft:
    """2 domains > 8 clusters > 32 standards > 78 targets = 120 nodes in 4 levels."""
    items, edges = [], []
    shape = [(None, 2), (2, 4), (8, 4)]
    level_keys: list[list[str]] = [[]]
    for depth, (_, per_parent) in enumerate(shape):
        parents = level_keys[depth] or [None]
        keys = []
        for parent in parents:
            for _ in range(per_parent):
                key = f"N{depth}.{len(keys)}"
                keys.append(key)
                if parent:
                    edges.append((parent, key))
        level_keys.append(keys)
    targets = [f"T{n}" for n in range(78)]
    edges += [(level_keys[3][n % 32], key) for n, key in enumerate(targets)]
    for key in [k for keys in level_keys for k in keys] + targets:
        items.append(StandardDraft(key=key, code=key, title=key, statement=f"I can {key}"))
    return FrameworkDraft("Bench", "csv", None, tuple(items), tuple(edges))


def build_course() -> Course:
    """The large course, written with bulk inserts (the services would take minutes)."""
    platform = Platform(
        name="Bench",
        issuer="https://bench.example",
        client_id="bench",
        auth_login_url="https://bench.example/a",
        auth_token_url="https://bench.example/t",
        keyset_url="https://bench.example/k",
    )
    platform.deployments = [Deployment(deployment_id="1")]
    db.session.add(platform)
    db.session.flush()
    course = Course(
        platform_id=platform.id, deployment_id=platform.deployments[0].id, context_id="c"
    )
    db.session.add(course)
    db.session.flush()
    frameworks.save_framework(framework_draft(), platform=platform, course=course)
    standards = list(db.session.scalars(select(Standard.id).order_by(Standard.id)))
    scale_id = course_settings.settings_for(course).scale_id
    users = db.session.scalars(
        insert(User).returning(User.id, sort_by_parameter_order=True),
        [
            {"platform_id": platform.id, "sub": f"s{n}", "name": f"Student {n}"}
            for n in range(STUDENTS)
        ],
    ).all()
    db.session.execute(
        insert(Enrollment),
        [{"course_id": course.id, "user_id": u, "role": "student"} for u in users],
    )
    rng = random.Random(7)
    start = datetime(2025, 9, 1, 12, tzinfo=UTC)
    rows = []
    for a in range(ASSESSMENTS):
        assessment = Assessment(course_id=course.id, title=f"A{a}", tag=f"a{a}", kind="tool")
        assessment.alignments = [Alignment(standard_id=s) for s in rng.sample(standards[42:], 3)]
        db.session.add(assessment)
        db.session.flush()
        for alignment in assessment.alignments:
            for user in users:
                rows.append(
                    {
                        "course_id": course.id,
                        "student_id": user,
                        "standard_id": alignment.standard_id,
                        "assessment_id": assessment.id,
                        "points": float(rng.randint(1, 4)),
                        "scale_id": scale_id,
                        "demonstrated_at": start + timedelta(days=a),
                        "source": "teacher",
                    }
                )
    for chunk in range(0, len(rows), 5000):
        db.session.execute(insert(Evidence), rows[chunk : chunk + 5000])
    mastery.recompute_course(course)
    db.session.commit()
    return course


def median(function: Callable[[], object]) -> float:
    times = []
    for _ in range(RUNS):
        gc.collect()
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def time_methods(course: Course) -> list[tuple[str, float, float]]:
    """(method, compute, compute with every roll-up, load + compute) seconds per method."""
    out = []
    for method in METHODS:
        course_settings.change_settings(course, method=method)
        row = course_settings.settings_for(course)
        settings = course_settings.mastery_settings(course, row)
        tree = frameworks.course_tree(course)
        scores = mastery.load_scores(course, row.scale_id, settings.scale)
        students = sorted({s for s, _ in scores})
        compute = median(lambda: mastery._assemble(settings, tree, students, scores))  # noqa: B023
        rolled = median(lambda: _with_rollups(mastery._assemble(settings, tree, students, scores)))  # noqa: B023
        load = median(lambda: (db.session.expire_all(), mastery.compute_course_mastery(course)))  # noqa: B023
        out.append((method, compute, rolled, load))
    db.session.rollback()
    return out


def _with_rollups(result: mastery.CourseMastery) -> None:
    for student in result.students:
        result.rolled_up(student)


def time_ccss(platform: Platform) -> float:
    data = CCSS.read_bytes()

    def run() -> None:
        frameworks.save_framework(parse_any(data, CCSS.name), platform=platform)
        db.session.rollback()

    return median(run)


@contextmanager
def scratch_database(server_url: str | None, tmp: str) -> Iterator[str]:
    """A throwaway database: a SQLite file, or a new database beside the given PostgreSQL one."""
    if not server_url:
        yield f"sqlite:///{tmp}/bench.db"
        return
    name = f"lti_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None, help="a PostgreSQL server database URL")
    server_url = parser.parse_args().database_url
    with tempfile.TemporaryDirectory() as tmp, scratch_database(server_url, tmp) as url:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "KEY_DIR": tmp, "TESTING": True})
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            began = time.perf_counter()
            course = build_course()
            built = time.perf_counter() - began
            print(f"Built the course in {built:.1f} s on {db.engine.dialect.name}\n")
            report(course)
            db.session.remove()
            db.engine.dispose()


def report(course: Course) -> None:
    counts = {
        name: db.session.scalar(select(func.count()).select_from(model))
        for name, model in (
            ("students", User),
            ("standards", Standard),
            ("assessments", Assessment),
            ("evidence", Evidence),
            ("current levels", CurrentLevel),
        )
    }
    results = time_methods(course)
    ccss = time_ccss(db.session.get(Platform, course.platform_id))
    print("| method | compute (cells + grades) | + roll-ups, all students | load + compute |")
    print("|---|---:|---:|---:|")
    for method, compute, rolled, load in results:
        print(f"| {method} | {compute:.3f} | {rolled:.3f} | {load:.3f} |")
    print(f"\nCCSS Math CASE import (746 items, parse + save): {ccss:.3f} s (target 2 s)\n")
    print("| rows | count |\n|---|---:|")
    for name, value in counts.items():
        print(f"| {name} | {value} |")


if __name__ == "__main__":
    main()
