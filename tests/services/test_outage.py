"""A platform outage as a whole: for a while the embedded LMS answers 500s, times out, throttles
with Retry-After and revokes the token, while teachers keep changing grades; then it recovers.
Afterwards every student's summary grade is in the LMS gradebook once, and it is the newest."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from flask import Flask

from lti_tool.extensions import db
from lti_tool.lti.context import lti_of
from lti_tool.models import OutboxState
from lti_tool.models.types import utcnow
from lti_tool.services import outbox
from tests.live import Lms
from tests.services.grading import SCORES, STUDENTS, drain, rows, score, summary_posts

pytestmark = pytest.mark.usefixtures("no_backoff")


def test_an_outage_with_every_fault_ends_with_each_newest_grade_once(
    tool: Flask, lms: Lms, course_id: int
) -> None:
    for sub in STUDENTS:
        score(tool, course_id, sub, "S1", 2)
    assert drain(tool).delivered == len(STUDENTS)

    # The outage: the next calls fail in every way a platform fails.
    faults = lms.platform.faults
    faults.inject(SCORES, status=500, count=3)
    faults.inject(SCORES, status=503, count=2)
    faults.inject(SCORES, delay_s=1.0, count=2)  # longer than the tool waits: timeouts
    faults.inject(SCORES, status=429, retry_after=30, count=1)
    lms.platform.revoke_tokens()
    policy = lti_of(tool).outbound.policy
    lti_of(tool).outbound.policy = replace(policy, timeout=0.5)

    # Teachers keep grading through it: every student changes twice, some three times.
    for day, subs in ((1, STUDENTS), (2, STUDENTS), (3, STUDENTS[::3])):
        for sub in subs:
            score(tool, course_id, sub, "S1", 3 if day < 3 else 4, day=day)
        drain(tool)

    # Recovery: drain until nothing is left, the clock past every Retry-After.
    later = utcnow()
    for _ in range(20):
        later += timedelta(minutes=2)
        with tool.app_context():
            report = outbox.drain_once("recovery", now=later)
            db.session.commit()
        if report.claimed == 0:
            break
    assert {row.state for row in rows(tool)} == {OutboxState.SENT}

    newest = {sub: (100.0 if sub in STUDENTS[::3] else 85.0) for sub in STUDENTS}
    posts = summary_posts(lms)
    by_student: dict[str, list[dict]] = {}
    for post in posts:
        by_student.setdefault(post["userId"], []).append(post)
    assert {sub: entries[-1]["scoreGiven"] for sub, entries in by_student.items()} == newest
    for entries in by_student.values():
        stamps = [entry["timestamp"] for entry in entries]
        assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)  # never the same twice
        values = [entry["scoreGiven"] for entry in entries]
        # Grades only rose here, so the LMS never saw an older value after a newer one (a post
        # that timed out may have landed and been sent again: its timestamp makes it harmless).
        assert values == sorted(values)
    assert lms.platform.token_requests >= 2  # the revoked token was replaced
