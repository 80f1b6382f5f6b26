"""The worker as a process: killed mid-batch, stopped politely, and two of them at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select, update

from lti_tool.extensions import db
from lti_tool.models import GradeOutbox, OutboxState, User
from lti_tool.models.types import utcnow
from lti_tool.worker import Worker
from tests.live import Lms
from tests.services.grading import STUDENTS, drain, rows, score, summary_posts, summary_results

ROOT = Path(__file__).resolve().parents[2]


def start_worker(tool: Flask, tmp_path: Path) -> subprocess.Popen[bytes]:
    """`flask --app lti_tool worker` on the test database, as an operator would run it."""
    settings = tmp_path / "worker_settings.py"
    values = {
        name: tool.config[name]
        for name in (
            "SQLALCHEMY_DATABASE_URI",
            "KEY_DIR",
            "TOOL_BASE_URL",
            "SECRET_KEY",
            "LTI_TOOL_ALLOW_PRIVATE_NETWORK",
            "LTI_TOOL_ALLOW_INSECURE_HTTP",
        )
    }
    settings.write_text("".join(f"{name} = {value!r}\n" for name, value in values.items()))
    env = {**os.environ, "LTI_TOOL_SETTINGS": str(settings)}
    env.pop("DATABASE_URL", None)
    command = [sys.executable, "-m", "flask", "--app", "lti_tool", "worker"]
    with (tmp_path / "worker.log").open("w") as log:
        return subprocess.Popen(
            [*command, "--idle-seconds", "0.1"], cwd=ROOT, env=env, stdout=log, stderr=log
        )


def wait_for(condition, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def settle(lms: Lms) -> None:
    """Wait out requests a killed worker sent before it died: the platform still answers them
    (after its response delay) and records their scores. Settled when no post arrives for
    longer than the delay."""
    quiet = lms.platform.faults.response_delay_s + 0.5
    last = -1
    while (now := posts(lms)) != last:
        last = now
        time.sleep(quiet)


def stamp(post: dict) -> datetime:
    return datetime.fromisoformat(post["timestamp"].replace("Z", "+00:00"))


def test_a_killed_worker_loses_nothing_and_sends_nothing_twice(
    tool: Flask, lms: Lms, course_id: int, tmp_path: Path
) -> None:
    for number, sub in enumerate(STUDENTS):
        score(tool, course_id, sub, "S1", 1 + number % 4)
    lms.platform.faults.response_delay_s = 0.3  # slow enough to be caught mid-batch
    worker = start_worker(tool, tmp_path)
    try:
        wait_for(lambda: len(lms.platform.line_items("algebra-1-p3")) > 1 and posts(lms) >= 3)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        worker.kill()
    settle(lms)  # what the dead worker sent has reached the platform, unrecorded by the tool
    leased = [row for row in rows(tool) if row.lease_until is not None]
    assert leased, "the worker died holding rows"
    with tool.app_context():
        subs = dict(db.session.execute(select(User.id, User.sub)).all())
    arrived = summary_results(lms)  # each student has one score to send: theirs, if there
    assert any(subs[row.student_id] in arrived for row in leased), "none reached the platform"
    lms.platform.faults.response_delay_s = 0
    with tool.app_context():  # two minutes pass: the dead worker's leases run out
        db.session.execute(update(GradeOutbox).values(lease_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert drain(tool).dead == 0
    book = summary_results(lms)
    expected = {sub: [55.0, 70.0, 85.0, 100.0][n % 4] for n, sub in enumerate(STUDENTS)}
    assert {sub: book[sub]["score_given"] for sub in STUDENTS} == pytest.approx(expected)
    by_user: dict[str, list[dict]] = {}
    for post in summary_posts(lms):
        by_user.setdefault(post["userId"], []).append(post)
    # A row in flight when the worker died is not sent again: the platform's result already
    # held it (read first), so Canvas would not notify the student of its comment twice.
    assert all(len(sent) == 1 for sent in by_user.values()), by_user
    assert {row.state for row in rows(tool)} == {OutboxState.SENT}


def test_a_row_whose_lease_ran_out_is_sent_when_the_platform_cannot_say_it_has_it(
    tool: Flask, lms: Lms, course_id: int
) -> None:
    """At least once: a result that cannot be read (or differs) does not stop the re-send."""
    sub = STUDENTS[0]
    score(tool, course_id, sub, "S1", 3)
    assert drain(tool).delivered == 1
    score(tool, course_id, sub, "S1", 4, day=1)
    with tool.app_context():  # a worker claimed the new value and died before sending it
        db.session.execute(update(GradeOutbox).values(lease_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    lms.platform.faults.inject(r"/results$", status=500, count=10)
    sent_before = len(summary_posts(lms))
    assert drain(tool).delivered == 1
    assert len(summary_posts(lms)) == sent_before + 1
    assert summary_results(lms)[sub]["score_given"] == pytest.approx(100.0)


def test_a_grade_changed_while_a_killed_worker_held_it_goes_once_newest_last(
    tool: Flask, lms: Lms, course_id: int, tmp_path: Path
) -> None:
    for number, sub in enumerate(STUDENTS):
        score(tool, course_id, sub, "S1", 1 + number % 4)
    lms.platform.faults.response_delay_s = 0.3
    worker = start_worker(tool, tmp_path)
    try:
        wait_for(lambda: len(lms.platform.line_items("algebra-1-p3")) > 1 and posts(lms) >= 3)
        worker.send_signal(signal.SIGKILL)
        worker.wait(10)
    finally:
        worker.kill()
    settle(lms)
    lms.platform.faults.response_delay_s = 0
    held = {row.id: row.score for row in rows(tool) if row.lease_until is not None}
    assert held, "the worker died holding rows"
    for number, sub in enumerate(STUDENTS):  # the teacher changes every grade meanwhile
        score(tool, course_id, sub, "S1", 4 - number % 4, day=1)
    sent_before = len(summary_posts(lms))
    assert drain(tool).delivered == len(STUDENTS) - len(held)  # the held rows wait their lease
    assert len(summary_posts(lms)) == sent_before + len(STUDENTS) - len(held)
    with tool.app_context():
        db.session.execute(update(GradeOutbox).values(lease_until=utcnow() - timedelta(seconds=1)))
        db.session.commit()
    assert drain(tool).delivered == len(held)
    with tool.app_context():
        query = select(User.sub, GradeOutbox.score).join(User, GradeOutbox.student_id == User.id)
        newest = dict(db.session.execute(query).all())
    assert all(row.id not in held or row.score != held[row.id] for row in rows(tool))
    by_user: dict[str, list[dict]] = {}
    for post in summary_posts(lms):
        by_user.setdefault(post["userId"], []).append(post)
    for sub, sent in by_user.items():
        # The old value at most once (sent before the kill), then the newest, a second later.
        assert sent[-1]["scoreGiven"] == pytest.approx(newest[sub])
        assert len(sent) <= 2
        assert all(
            stamp(b) - stamp(a) >= timedelta(seconds=1)
            for a, b in zip(sent, sent[1:], strict=False)
        )
    book = summary_results(lms)
    assert {sub: book[sub]["score_given"] for sub in STUDENTS} == pytest.approx(newest)
    assert {row.state for row in rows(tool)} == {OutboxState.SENT}


def posts(lms: Lms) -> int:
    return sum(
        len(lms.platform.scores(item.id)) for item in lms.platform.line_items("algebra-1-p3")
    )


def test_sigterm_finishes_the_batch_in_hand(
    tool: Flask, lms: Lms, course_id: int, tmp_path: Path
) -> None:
    for sub in STUDENTS:
        score(tool, course_id, sub, "S1", 3)
    lms.platform.faults.response_delay_s = 0.2
    worker = start_worker(tool, tmp_path)
    try:
        wait_for(lambda: len(lms.platform.line_items("algebra-1-p3")) > 1 and posts(lms) >= 1)
        worker.send_signal(signal.SIGTERM)
        worker.wait(20)
    finally:
        worker.kill()
    output = (tmp_path / "worker.log").read_text()
    assert worker.returncode == 0, output
    assert "finishing the batch" in output and "8 delivered" in output
    assert all(row.lease_until is None for row in rows(tool))
    assert len(summary_posts(lms)) == len(STUDENTS)


SEVERAL_WORKERS = pytest.mark.skipif(
    "postgresql" not in os.environ.get("TEST_DATABASE_URL", ""),
    reason="several workers share the outbox on PostgreSQL only (SKIP LOCKED); SQLite runs one",
)


def drain_side_by_side(tool: Flask, *, batch_size: int) -> list[Worker]:
    """Two workers draining the outbox at once, each in its own thread."""
    workers = [Worker(tool, batch_size=batch_size) for _ in range(2)]
    threads = [threading.Thread(target=worker.drain) for worker in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return workers


@SEVERAL_WORKERS
def test_two_workers_never_send_the_same_row_twice(tool: Flask, lms: Lms, course_id: int) -> None:
    for round_ in range(3):
        for number, sub in enumerate(STUDENTS):
            score(tool, course_id, sub, "S1", 1 + (number + round_) % 4, day=round_)
        lms.platform.faults.response_delay_s = 0.05
        workers = drain_side_by_side(tool, batch_size=2)
        delivered = [worker.report.grades.delivered for worker in workers]
        assert sum(delivered) == len(STUDENTS)
    counts = Counter(post["userId"] for post in summary_posts(lms))
    assert set(counts.values()) == {3}  # one post per student per round, never two
    with tool.app_context():
        assert db.session.scalars(select(GradeOutbox.state).distinct()).all() == ["sent"]


@SEVERAL_WORKERS
def test_workers_together_keep_to_the_registrations_concurrent_call_limit(
    tool: Flask, lms: Lms, course_id: int
) -> None:
    """Correction 4: at most AGS_MAX_CONCURRENT_CALLS (4) calls per registration, however many
    workers run. Each worker alone sends its first score, then up to 3 at once: two workers
    delivering together would have 6 calls in flight."""
    assert tool.config["AGS_MAX_CONCURRENT_CALLS"] == 4
    for number, sub in enumerate(STUDENTS):
        score(tool, course_id, sub, "S1", 1 + number % 4)
    Worker(tool).drain()  # the summary column exists: what follows is scores only
    for round_ in range(1, 4):
        for number, sub in enumerate(STUDENTS):
            score(tool, course_id, sub, "S1", 1 + (number + round_) % 4, day=round_)
        lms.platform.faults.response_delay_s = 0.1
        lms.platform.service_calls.most = 0
        workers = drain_side_by_side(tool, batch_size=4)
        lms.platform.faults.response_delay_s = 0.0
        assert sum(worker.report.grades.delivered for worker in workers) == len(STUDENTS)
        assert 3 <= lms.platform.service_calls.most <= 4
    counts = Counter(post["userId"] for post in summary_posts(lms))
    assert set(counts.values()) == {4}
