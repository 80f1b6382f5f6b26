"""Time whole-course mastery from the database, and a CCSS Math CASE import, via the services.

Builds a course of 300 students, a 120-standard framework in 4 levels and 80 assessments
aligned to 3 standards each (~72,000 evidence rows) in each database given, then prints
markdown tables of median times, each path timed before (bench/course_before.py, the code
this replaced) and after in the same run, with the ratio to DESIGN.md's 0.2 s target.

Run: .venv/bin/python bench/bench_course.py [--database-url URL ...]
"sqlite" (the default) is a temporary SQLite file; a PostgreSQL URL names a server database
beside which a scratch database is created and dropped. On PostgreSQL the tables are
analysed after the bulk load, as autovacuum soon would be.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import course_before  # noqa: E402
from course_data import build_course  # noqa: E402

from lti_tool import create_app  # noqa: E402
from lti_tool.extensions import db  # noqa: E402
from lti_tool.heap import freeze_loaded  # noqa: E402
from lti_tool.importers import parse_any  # noqa: E402
from lti_tool.mastery import METHODS  # noqa: E402
from lti_tool.models import (  # noqa: E402
    Assessment,
    Course,
    CurrentLevel,
    Evidence,
    Platform,
    Standard,
    User,
)
from lti_tool.services import (  # noqa: E402
    course_settings,
    frameworks,
    mastery,
    overrides,
    whatif,
)

RUNS, TARGET = 5, 0.2
CCSS = ROOT.parent / "shared" / "data" / "standards" / "case" / "ccss-math-2010.json"


def median(function: Callable[[], object], prepare: Callable[[], object] | None = None) -> float:
    """Median wall time of `function` over RUNS runs; `prepare` runs untimed before each."""
    times = []
    for _ in range(RUNS):
        if prepare:
            prepare()
        gc.collect()
        began = time.perf_counter()
        function()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


@dataclass
class Timings:
    """One database's medians, in seconds."""

    name: str
    built: float = 0.0
    methods: dict[str, dict[str, float]] = field(default_factory=dict)
    operations: dict[str, tuple[float | None, float]] = field(default_factory=dict)
    ccss: float = 0.0


def time_methods(course: Course, timings: Timings) -> None:
    """Per method: compute alone, with every roll-up, and load + compute before and after."""
    for method in METHODS:
        course_settings.change_settings(course, method=method)
        fresh = mastery.compute_course_mastery(course)
        old_cells, old_summaries = course_before.compute_course_mastery(course)
        # The benchmark is also a check: the new path changes no result.
        assert fresh.cells == old_cells and fresh.summaries == old_summaries, method
        row = course_settings.settings_for(course)
        settings, tree = fresh.settings, fresh.tree
        points = mastery.load_points(course, row.scale_id, settings.scale, keep=tree.standards)
        students = fresh.students

        def assemble() -> mastery.CourseMastery:
            return mastery.assemble(settings, tree, students, points)  # noqa: B023

        timings.methods[method] = {
            "compute": median(assemble),
            "rolled": median(lambda: _with_rollups(assemble())),
            "before": median(lambda: course_before.compute_course_mastery(course)),  # noqa: B023
            "after": median(lambda: mastery.compute_course_mastery(course)),  # noqa: B023
        }
    db.session.rollback()


def _with_rollups(result: mastery.CourseMastery) -> None:
    for student in result.students:
        result.rolled_up(student)


def time_operations(course: Course, timings: Timings) -> None:
    """Stored levels, recomputation and the what-if preview, before and after."""
    ops = timings.operations
    ops["stored_levels (gradebook read)"] = (
        median(lambda: course_before.stored_levels(course)),
        median(lambda: mastery.stored_levels(course)),
    )
    ops["gradebook: stored levels + grades + roll-ups"] = (None, median(lambda: gradebook(course)))
    ops["recompute_course, nothing changed"] = (
        median(lambda: course_before.recompute_course(course)),
        median(lambda: mastery.recompute_course(course)),
    )
    flips = itertools.cycle(["highest", "most_recent"])

    def flip() -> None:
        course_settings.change_settings(course, method=next(flips))
        db.session.flush()

    ops["recompute_course after a method change"] = (
        median(lambda: course_before.recompute_course(course), prepare=flip),
        median(lambda: mastery.recompute_course(course), prepare=flip),
    )
    ops["what-if preview of a method change"] = (
        None,
        median(lambda: whatif.preview_settings_change(course, method="mean")),
    )
    time_branch_overrides(course, ops)
    db.session.rollback()


def time_branch_overrides(course: Course, ops: dict) -> None:
    """Whole course with an override on every branch under the roots (resolved once per run)."""
    tree = frameworks.course_tree(course)
    branches = [child for root in tree.roots for child in tree.children.get(root, ())]
    for n, branch in enumerate(branches):
        method, params = ("highest", {}) if n % 2 else ("mean_last_n", {"n": 2})
        overrides.set_override(course, branch, method, params)
    db.session.flush()
    ops[f"compute_course_mastery, overrides on {len(branches)} branches"] = (
        None,
        median(lambda: mastery.compute_course_mastery(course)),
    )


def gradebook(course: Course) -> None:
    """What a gradebook page computes: stored levels, every summary grade, every roll-up."""
    row = course_settings.settings_for(course)
    settings = course_settings.mastery_settings(course, row)
    tree = frameworks.course_tree(course)
    cells = {c: r for c, r in mastery.stored_levels(course).items() if c[1] in tree.standards}
    students = mastery.course_students(course, {student for student, _ in cells})
    leaves: dict[int, dict] = {student: {} for student in students}
    for (student, standard), result in cells.items():
        leaves[student][standard] = result
    summaries = {s: settings.summarise(f, priority=tree.priority) for s, f in leaves.items()}
    _with_rollups(mastery.CourseMastery(settings, tree, students, cells, leaves, summaries))


def time_ccss(platform: Platform) -> float:
    data = CCSS.read_bytes()

    def run() -> None:
        frameworks.save_framework(parse_any(data, CCSS.name), platform=platform)
        db.session.rollback()

    return median(run)


@contextmanager
def scratch_database(url: str, tmp: str) -> Iterator[str]:
    """A throwaway database: a SQLite file, or a new database beside the given PostgreSQL one."""
    if not url or url == "sqlite":
        yield f"sqlite:///{tmp}/bench-{uuid.uuid4().hex[:8]}.db"
        return
    name = f"lti_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def run_on(url: str, tmp: str) -> tuple[Timings, dict[str, int]]:
    """Build the course in one database and time everything there."""
    with scratch_database(url, tmp) as scratch:
        app = create_app({"SQLALCHEMY_DATABASE_URI": scratch, "KEY_DIR": tmp, "TESTING": True})
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            freeze_loaded()  # as gunicorn's workers and the outbox worker do
            timings = Timings("SQLite" if url == "sqlite" else "PostgreSQL")
            began = time.perf_counter()
            course = build_course()
            timings.built = time.perf_counter() - began
            if db.engine.dialect.name == "postgresql":
                db.session.execute(text("ANALYZE"))
                db.session.commit()
            counts = row_counts()
            time_methods(course, timings)
            time_operations(course, timings)
            timings.ccss = time_ccss(db.session.get_one(Platform, course.platform_id))
            db.session.remove()
            db.engine.dispose()
    return timings, counts


def row_counts() -> dict[str, int]:
    return {
        name: db.session.scalar(select(func.count()).select_from(model)) or 0
        for name, model in (
            ("students", User),
            ("standards", Standard),
            ("assessments", Assessment),
            ("evidence", Evidence),
            ("current levels", CurrentLevel),
        )
    }


def report(all_timings: list[Timings], counts: dict[str, int]) -> None:
    """Markdown tables: per method, then per operation, then the CCSS import and row counts."""
    names = [t.name for t in all_timings]
    print(f"Medians of {RUNS} runs, seconds; ÷ {TARGET} s = load + compute over the target.\n")
    head = [f"{n} {col}" for n in names for col in _METHOD_COLUMNS]
    print("| method | " + " | ".join(head) + " |")
    print("|---|" + "---:|" * len(head))
    for method in METHODS:
        cells = [c for t in all_timings for c in _method_cells(t.methods[method])]
        print(f"| {method} | " + " | ".join(cells) + " |")
    print("\n| operation | " + " | ".join(f"{n} before | {n} after" for n in names) + " |")
    print("|---|" + "---:|---:|" * len(names))
    for operation in all_timings[0].operations:
        pairs = [t.operations[operation] for t in all_timings]
        cells = [f"{_seconds(before)} | {_seconds(after)}" for before, after in pairs]
        print(f"| {operation} | " + " | ".join(cells) + " |")
    print()
    for t in all_timings:
        print(
            f"{t.name}: course built in {t.built:.1f} s; CCSS Math CASE import "
            f"(746 items, parse + save) {t.ccss:.3f} s (target 2 s)"
        )
    print("\n| rows | count |\n|---|---:|")
    for name, value in counts.items():
        print(f"| {name} | {value} |")


_METHOD_COLUMNS = ("compute", "+ roll-ups", "load + compute before", "load + compute", "÷ 0.2 s")


def _method_cells(found: dict[str, float]) -> list[str]:
    ratio = found["after"] / TARGET
    return [
        f"{found['compute']:.3f}",
        f"{found['rolled']:.3f}",
        f"{found['before']:.3f}",
        f"{found['after']:.3f}",
        f"{ratio:.2f}" + ("" if ratio < 1 else " (over)"),
    ]


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--database-url",
        action="append",
        help='"sqlite" (the default) or a PostgreSQL server URL; repeat to run on several',
    )
    urls = parser.parse_args().database_url or ["sqlite"]
    with tempfile.TemporaryDirectory() as tmp:
        results = [run_on(url, tmp) for url in urls]
    report([timings for timings, _ in results], results[0][1])


if __name__ == "__main__":
    main()
