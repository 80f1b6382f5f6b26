"""Grading through the embedded platform: a course with students, scores, what the LMS holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import SUMMARY_TAG, Course, GradeOutbox, User
from lti_tool.services import evidence, frameworks, outbox
from lti_tool.worker import Worker
from tests.live import COURSE, TEACHER, Lms

STUDENTS = [str(n) for n in range(201, 209)]
DAY = datetime(2026, 9, 14, 10, 0, tzinfo=UTC)
SCORES = r"/line_items/\d+/scores$"


def score(tool: Flask, course_id: int, sub: str, code: str, points: float, day: int = 0) -> None:
    """The teacher records a level for a student on a standard, and the request commits."""
    with tool.app_context():
        course = db.session.get(Course, course_id)
        student = db.session.scalars(select(User).where(User.sub == sub)).one()
        teacher = db.session.scalars(select(User).where(User.sub == TEACHER)).one()
        standard = next(
            s.id for s in frameworks.course_tree(course).standards.values() if s.code == code
        )
        evidence.record_evidence(
            course,
            student,
            standard,
            points,
            actor=teacher,
            source="teacher",
            demonstrated_at=DAY + timedelta(days=day),
        )
        db.session.commit()


def drain(tool: Flask) -> outbox.DrainReport:
    return Worker(tool).drain().grades


def summary_results(lms: Lms) -> dict[str, dict]:
    """The gradebook column the tool made for the summary: user id -> result."""
    [item] = [i for i in lms.platform.line_items(COURSE) if i.tag == SUMMARY_TAG]
    return lms.platform.gradebook(COURSE)[item.id]


def summary_posts(lms: Lms) -> list[dict]:
    [item] = [i for i in lms.platform.line_items(COURSE) if i.tag == SUMMARY_TAG]
    return lms.platform.scores(item.id)


def rows(tool: Flask) -> list[GradeOutbox]:
    with tool.app_context():
        found = list(db.session.scalars(select(GradeOutbox).order_by(GradeOutbox.id)))
        db.session.expunge_all()
        return found
