"""Time queuing a whole course's grades with and without grading periods.

Builds the bench course (300 students, 120 standards, ~72,000 evidence rows over 80 days),
then times `grades.queue_grades(course)` for every student (what the worker's recompute
does) with no periods, then with 3 periods splitting the evidence in thirds: each period's
summary reads its window's evidence and computes it. The grades were queued once before
timing, so each run finds them unchanged (as the worker's recompute usually does); medians of
5 runs, seconds, each rolled back.

Run: .venv/bin/python bench/bench_periods.py [--database-url URL ...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_course import median, scratch_database  # noqa: E402
from course_data import build_course  # noqa: E402

from lti_tool import create_app  # noqa: E402
from lti_tool.extensions import db  # noqa: E402
from lti_tool.heap import freeze_loaded  # noqa: E402
from lti_tool.mastery.periods import PeriodDates  # noqa: E402
from lti_tool.services import grades, periods  # noqa: E402

# The bench evidence runs from 2025-09-01 for 80 days; the periods are open on this day.
NOW = datetime(2025, 9, 1, tzinfo=UTC)
THIRDS = (
    PeriodDates("First", date(2025, 9, 1), date(2025, 9, 26)),
    PeriodDates("Second", date(2025, 9, 27), date(2025, 10, 22)),
    PeriodDates("Third", date(2025, 10, 23), date(2025, 11, 20)),
)


def run_on(url: str, tmp: str) -> dict[str, float]:
    found = {}
    with scratch_database(url, tmp) as scratch:
        app = create_app({"SQLALCHEMY_DATABASE_URI": scratch, "KEY_DIR": tmp, "TESTING": True})
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            freeze_loaded()  # as gunicorn's workers and the outbox worker do
            course = build_course()
            course_id = course.id

            def queue() -> None:
                grades.queue_grades(db.session.get(grades.Course, course_id), now=NOW)

            queue()
            db.session.commit()
            found["no periods"] = median(queue, db.session.rollback)
            course = db.session.get(grades.Course, course_id)
            for dates in THIRDS:
                periods.save_period(course, dates)
            queue()
            db.session.commit()
            found["3 periods"] = median(queue, db.session.rollback)
            db.session.remove()
            db.engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", action="append", default=None)
    urls = parser.parse_args().database_url or ["sqlite"]
    print("| database | no periods (s) | 3 periods (s) |")
    print("|---|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for url in urls:
            found = run_on(url, tmp)
            name = "SQLite" if url == "sqlite" else "PostgreSQL"
            print(f"| {name} | {found['no periods']:.3f} | {found['3 periods']:.3f} |")


if __name__ == "__main__":
    main()
