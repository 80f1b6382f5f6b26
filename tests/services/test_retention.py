"""The retention period: a course concluded longer ago than RETENTION_DAYS loses its students'
activity (evidence, levels, exemptions, grades waiting, share links, its audit events) in the
worker, with a report; its setup stays; younger and live courses keep everything."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import (
    AuditEvent,
    CourseStandard,
    CurrentLevel,
    Evidence,
    EvidenceAudit,
    Exemption,
    GradeColumn,
    GradeOutbox,
)
from lti_tool.services import evidence, exemptions, retention

from .conftest import standard_ids

NOW = datetime(2027, 9, 1, 12, 0, tzinfo=UTC)
YEAR = {"RETENTION_DAYS": 365}


def scored_course(make_course, make_framework, make_student, concluded_days_ago):
    course = make_course()
    make_framework(course)
    teacher = make_student(course, role="teacher")
    student = make_student(course)
    ids = standard_ids(course)
    for code, points in (("S1", 3.0), ("S2", 2.0), ("S3", 4.0)):
        evidence.record_evidence(
            course,
            student,
            ids[code],
            points,
            actor=teacher,
            source="teacher",
            demonstrated_at=NOW - timedelta(days=500),
        )
    exemptions.exempt_standard(
        course, student.id, ids["S3"], reason="iep", note=None, actor=teacher
    )
    if concluded_days_ago is not None:
        course.concluded_at = NOW - timedelta(days=concluded_days_ago)
    db.session.flush()
    return course


def count(model, course) -> int:
    if model is GradeOutbox:
        where = GradeOutbox.column_id.in_(
            select(GradeColumn.id).where(GradeColumn.course_id == course.id)
        )
    elif model is EvidenceAudit:
        where = EvidenceAudit.evidence_id.in_(
            select(Evidence.id).where(Evidence.course_id == course.id)
        )
    else:
        where = model.course_id == course.id
    return db.session.scalar(select(func.count()).select_from(model).where(where)) or 0


ACTIVITY = (Evidence, EvidenceAudit, CurrentLevel, Exemption, GradeOutbox)


def test_an_old_concluded_course_loses_its_activity_and_keeps_its_setup(
    make_course, make_framework, make_student
):
    old = scored_course(make_course, make_framework, make_student, concluded_days_ago=400)
    recent = scored_course(make_course, make_framework, make_student, concluded_days_ago=100)
    live = scored_course(make_course, make_framework, make_student, concluded_days_ago=None)
    before = {c.id: {m.__name__: count(m, c) for m in ACTIVITY} for c in (old, recent, live)}
    assert all(n > 0 for n in before[old.id].values())

    report = retention.purge_expired(YEAR, NOW)

    assert list(report.courses) == [old.id]
    assert report.courses[old.id]["evidence"] == before[old.id]["Evidence"] == 3
    assert all(count(m, old) == 0 for m in ACTIVITY)
    assert count(CourseStandard, old) == 5  # the setup stays for a later copy
    for kept in (recent, live):
        assert {m.__name__: count(m, kept) for m in ACTIVITY} == before[kept.id]
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == retention.ACTION)
    ).one()
    assert event.course_id == old.id and event.details["evidence"] == 3

    again = retention.purge_expired(YEAR, NOW)
    assert again.courses == {}  # nothing left to purge: no second report


def test_no_retention_period_keeps_everything(make_course, make_framework, make_student):
    old = scored_course(make_course, make_framework, make_student, concluded_days_ago=4000)
    assert retention.purge_expired({"RETENTION_DAYS": None}, NOW).courses == {}
    assert count(Evidence, old) == 3
