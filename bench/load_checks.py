"""After bench/load.py's run: no evidence lost, stored levels right, every grade on the platform.

Read through the tool's own services in this process, on the run's database, once the outbox
is drained. Nothing here writes: the checks that recompute roll back.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask
from load_traffic import OK, Posted
from sqlalchemy import func, select

from devplatform.platform import Platform as LmsPlatform
from lti_tool.extensions import db
from lti_tool.models import (
    SUMMARY_TAG,
    Course,
    Enrollment,
    Evidence,
    GradeColumn,
    GradeOutbox,
    OutboxState,
)
from lti_tool.models import User as ToolUser
from lti_tool.services import grades, mastery

COMMENT_PREFIX = "load "


@dataclass
class Findings:
    """Counts the report prints; `problems` names each target missed."""

    counts: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    drain_seconds: float = 0.0

    def expect(self, name: str, value: int, wanted: int = 0) -> None:
        self.counts[name] = value
        if value != wanted:
            self.problems.append(f"{name}: {value} (wanted {wanted})")


def backlog() -> Counter[str]:
    """Outbox rows not yet holding their newest value as sent, by state."""
    query = (
        select(GradeOutbox.state, func.count())
        .where(
            (GradeOutbox.state != OutboxState.SENT)
            | (GradeOutbox.sent_version != GradeOutbox.version)
        )
        .group_by(GradeOutbox.state)
    )
    found = Counter({state: count for state, count in db.session.execute(query)})
    db.session.rollback()
    return found


def wait_drained(app: Flask, timeout: float) -> float:
    """Seconds until nothing is pending (dead rows stay as they are); timeout: what is left."""
    began = time.monotonic()
    with app.app_context():
        while time.monotonic() - began < timeout:
            if not backlog()[OutboxState.PENDING]:
                break
            time.sleep(0.5)
    return time.monotonic() - began


def check_evidence(course: Course, posts: list[Posted], found: Findings) -> None:
    """Every post answered 303 has its one row on its cell; failed posts: whole or nothing."""
    rows = db.session.execute(
        select(Evidence.comment, Evidence.student_id, Evidence.standard_id).where(
            Evidence.course_id == course.id, Evidence.comment.startswith(COMMENT_PREFIX)
        )
    ).all()
    by_comment: dict[str, list[tuple[int, int]]] = {}
    for comment, student, standard in rows:
        by_comment.setdefault(comment, []).append((student, standard))
    answered = [p for p in posts if p.outcome == OK]
    failed = [p for p in posts if p.outcome != OK]
    sent = {p.comment for p in posts}
    found.counts["evidence posts"] = len(posts)
    found.counts["posts answered 303"] = len(answered)
    found.counts["evidence rows of the run"] = len(rows)
    found.expect(
        "posts answered 303 without their row", sum(p.comment not in by_comment for p in answered)
    )
    found.expect(
        "rows on another cell than posted",
        sum(
            by_comment.get(p.comment, [(p.student, p.standard)])[0] != (p.student, p.standard)
            for p in posts
        ),
    )
    found.expect("comments saved more than once", sum(len(v) > 1 for v in by_comment.values()))
    found.expect("rows no request sent", sum(comment not in sent for comment in by_comment))
    found.counts["failed posts"] = len(failed)
    found.counts["failed posts whose row was saved"] = sum(p.comment in by_comment for p in failed)


def check_levels(course: Course, found: Findings) -> None:
    """The stored levels equal a fresh computation; a fresh grade computation queues nothing."""
    fresh = mastery.compute_course_mastery(course).cells
    stored = mastery.stored_levels(course)

    def key(result) -> tuple:
        level = result.level.label if result.level else None
        points = round(result.points, 6) if result.points is not None else None
        return points, level, result.evidence_count

    cells = set(fresh) | set(stored)
    wrong = sum(
        cell not in fresh or cell not in stored or key(fresh[cell]) != key(stored[cell])
        for cell in cells
    )
    found.counts["stored levels"] = len(stored)
    found.expect("stored levels differing from a fresh computation", wrong)
    found.expect("grades a fresh computation would queue", grades.queue_grades(course))
    db.session.rollback()


def check_platform(course: Course, lms: LmsPlatform, found: Findings) -> None:
    """Every summary row sent, the platform holding its value; posts per student in order."""
    query = (
        select(GradeOutbox, GradeColumn, ToolUser.sub)
        .join(GradeColumn, GradeOutbox.column_id == GradeColumn.id)
        .join(ToolUser, GradeOutbox.student_id == ToolUser.id)
        .where(GradeColumn.course_id == course.id, GradeColumn.tag == SUMMARY_TAG)
    )
    rows = db.session.execute(query).all()
    states = Counter(row.state for row, _, _ in rows)
    found.counts["summary grades (students)"] = len(rows)
    found.expect("summary grades not sent", len(rows) - states[OutboxState.SENT])
    found.expect("summary grades dead", states[OutboxState.DEAD])
    students = select(func.count()).where(
        Enrollment.course_id == course.id,
        Enrollment.role == "student",
        Enrollment.status == "active",
    )
    found.expect(
        "active students without a summary grade", (db.session.scalar(students) or 0) - len(rows)
    )
    mismatched, out_of_order, resent, posts = 0, 0, 0, 0
    for row, column, sub in rows:
        item = lms.line_item(column.line_item_url)
        result = lms.result(item.id, sub)
        wanted = row.score / row.maximum * item.score_maximum
        held = result.score_given if result else None
        mismatched += held is None or abs(held - wanted) > 1e-6 or row.sent_version != row.version
        history = [p for p in lms.scores(item.id) if p["userId"] == sub]
        posts += len(history)
        stamps = [datetime.fromisoformat(p["timestamp"].replace("Z", "+00:00")) for p in history]
        out_of_order += sum(b <= a for a, b in zip(stamps, stamps[1:], strict=False))
        resent += sum(
            (a["scoreGiven"], a.get("comment")) == (b["scoreGiven"], b.get("comment"))
            for a, b in zip(history, history[1:], strict=False)
        )
    found.counts["scores posted to the platform"] = posts
    found.expect("platform score differing from the tool's newest value", mismatched)
    found.expect("posts not later than the student's previous post", out_of_order)
    found.counts["posts repeating the previous value (re-sends)"] = resent


def resend_delays(row_ids: list[int], killed_at: datetime) -> list[float]:
    """Seconds from the kill until each row the killed worker held was last delivered."""
    if not row_ids:
        return []
    query = select(GradeOutbox.sent_at).where(GradeOutbox.id.in_(row_ids))
    return sorted((sent - killed_at).total_seconds() for sent in db.session.scalars(query) if sent)
