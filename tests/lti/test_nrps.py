"""NRPS through the embedded platform: pagination, statuses and Moodle's short role names."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.lti.context import lti
from lti_tool.lti.nrps import MemberStatus, NrpsClient, full_role
from lti_tool.lti.service import ServiceCallFailed
from lti_tool.lti.service_token import service_tokens
from lti_tool.lti.vocab import CourseRole, LisRole
from lti_tool.models import Platform
from tests.lti.conftest import COURSE, MENTOR, STUDENT, TA, TEACHER, Lms


@pytest.fixture
def nrps(tool: Flask) -> Iterator[NrpsClient]:
    with tool.app_context():
        platform = db.session.scalars(select(Platform)).one()
        yield NrpsClient(platform, service_tokens(), lti().outbound)


def memberships(lms: Lms, course: str = COURSE) -> str:
    return f"{lms.issuer}/api/lti/courses/{course}/names_and_roles"


def test_members_follow_pages(nrps: NrpsClient, lms: Lms) -> None:
    members = nrps.members(memberships(lms), limit=3)
    expected = sorted(lms.platform.courses[COURSE].enrollments, key=int)
    assert [m.user_id for m in members] == expected and len(members) > 3 * 3
    assert lms.platform.token_requests == 1


def test_member_fields_and_statuses(nrps: NrpsClient, lms: Lms) -> None:
    members = {m.user_id: m for m in nrps.members(memberships(lms), limit=5)}
    student = members[STUDENT]
    assert (student.given_name, student.family_name) == ("Mateo", "Hernández")
    assert student.email == "mateo.hernandez@school.example.edu" and student.is_active
    dropped = members["209"]
    assert dropped.status is MemberStatus.INACTIVE and not dropped.is_active


def test_short_and_full_role_names_map_alike(nrps: NrpsClient, lms: Lms) -> None:
    members = {m.user_id: m for m in nrps.members(memberships(lms))}
    # The platform sends Moodle's bare `Learner` for students, full URIs for the rest.
    assert members[STUDENT].roles == (LisRole.LEARNER,)
    assert {uid: members[uid].role for uid in (TEACHER, TA, STUDENT, MENTOR)} == {
        TEACHER: CourseRole.TEACHER,
        TA: CourseRole.TEACHER,
        STUDENT: CourseRole.STUDENT,
        MENTOR: CourseRole.OBSERVER,
    }


@pytest.mark.parametrize(
    ("short", "full"),
    [
        ("Learner", LisRole.LEARNER),
        ("Instructor", LisRole.INSTRUCTOR),
        ("TeachingAssistant", LisRole.TEACHING_ASSISTANT),
        (LisRole.MENTOR, LisRole.MENTOR),
    ],
)
def test_full_role(short: str, full: str) -> None:
    assert full_role(short) == full


def test_role_filter(nrps: NrpsClient, lms: Lms) -> None:
    learners = nrps.members(memberships(lms), role=LisRole.LEARNER)
    assert learners and all(m.role is CourseRole.STUDENT for m in learners)


def test_unknown_course_fails_clearly(nrps: NrpsClient, lms: Lms) -> None:
    with pytest.raises(ServiceCallFailed) as caught:
        nrps.members(memberships(lms, "no-such-course"))
    assert caught.value.outcome.status == 404


def test_server_error_is_retryable(nrps: NrpsClient, lms: Lms) -> None:
    lms.platform.faults.inject("names_and_roles", status=502, count=1)
    with pytest.raises(ServiceCallFailed) as caught:
        nrps.members(memberships(lms))
    assert caught.value.retry_after == 0  # retryable; no particular wait asked
    assert nrps.members(memberships(lms))
