"""Roster sync from NRPS through the embedded platform: late enrolments, drops and failures."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from flask import Flask
from sqlalchemy import func, select

from devplatform.vocab import Role
from lti_tool.extensions import db
from lti_tool.lti.service import Retry, ServiceCallFailed
from lti_tool.lti.service_token import ServiceError
from lti_tool.models import Course, CurrentLevel, Enrollment, Evidence, User
from lti_tool.services import evidence, frameworks
from lti_tool.services.roster import RosterReport, sync_roster
from tests.lti.conftest import ADMIN, COURSE, MENTOR, STUDENT, TA, TEACHER, Browser, Lms
from tests.services.conftest import draft

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NRPS = r"/names_and_roles$"
DROPPED = "209"  # the seed's student whom NRPS lists as Inactive
SEEDED_MEMBERS = 12  # teacher, TA, 8 students, the dropped one, a mentor


def launch_course(tool: Flask, lms: Lms, user: str = TEACHER) -> int:
    """The demo course as a real launch creates it, service endpoints included; its id."""
    assert Browser(tool, lms).launch(user).status_code == 200
    with tool.app_context():
        course_id = db.session.scalar(select(Course.id).where(Course.context_id == COURSE))
    assert course_id is not None
    return course_id


@pytest.fixture
def course(tool: Flask, lms: Lms) -> Iterator[Course]:
    course_id = launch_course(tool, lms)
    with tool.app_context():
        yield db.session.get(Course, course_id)


def enrollments(course: Course) -> dict[str, Enrollment]:
    rows = db.session.execute(
        select(User.sub, Enrollment)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.course_id == course.id)
    )
    return {sub: enrollment for sub, enrollment in rows}


def count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def sync(course: Course, **options) -> RosterReport:
    report = sync_roster(course, now=NOW, **options)
    db.session.commit()  # as the worker's job does
    return report


def test_students_who_never_launched_appear(course: Course, lms: Lms) -> None:
    report = sync(course)
    assert report == RosterReport(members=SEEDED_MEMBERS, added=SEEDED_MEMBERS - 1)
    people = enrollments(course)
    assert {sub: e.role for sub, e in people.items() if e.role != "student"} == {
        TEACHER: "teacher",
        TA: "teacher",
        MENTOR: "observer",
    }
    assert people[STUDENT].status == "active" and people[DROPPED].status == "inactive"
    mateo = db.session.scalar(select(User).where(User.sub == STUDENT))
    assert (mateo.given_name, mateo.family_name, mateo.name) == (
        "Mateo",
        "Hernández",
        "Mateo Hernández",
    )
    assert mateo.email == "mateo.hernandez@school.example.edu"
    assert course.roster_synced_at == NOW
    # A late enrolment appears on the next sync.
    lms.platform.add_user("Noor", "Haddad", user_id="240", email="Noor.Haddad@School.example.edu")
    lms.platform.enroll(COURSE, "240", [Role.LEARNER])
    assert sync(course).added == 1
    noor = enrollments(course)["240"]
    assert (noor.role, noor.status, noor.user.email) == (
        "student",
        "active",
        "Noor.Haddad@School.example.edu",  # as given
    )


def test_resync_changes_nothing(course: Course) -> None:
    sync(course)
    before = (count(User), count(Enrollment))
    assert sync(course) == RosterReport(members=SEEDED_MEMBERS)
    assert (count(User), count(Enrollment)) == before


def test_pages_of_two(course: Course, lms: Lms) -> None:
    report = sync(course, page_size=2)
    assert report.added == SEEDED_MEMBERS - 1 and len(enrollments(course)) == SEEDED_MEMBERS
    assert lms.platform.token_requests == 1


def add_evidence(course: Course, student: User) -> Evidence:
    framework = frameworks.save_framework(draft({"D1": ["S1"]}), platform=course.platform)
    frameworks.adopt(course, framework)
    standard = next(s for s in frameworks.course_tree(course).standards.values() if s.code == "S1")
    return evidence.record_evidence(
        course, student, standard.id, 3.0, actor=None, source="teacher", demonstrated_at=NOW
    )


def test_inactive_member_is_hidden_and_evidence_kept(course: Course, lms: Lms) -> None:
    sync(course)
    student = enrollments(course)[STUDENT].user
    add_evidence(course, student)
    db.session.commit()
    lms.platform.enroll(COURSE, STUDENT, [Role.LEARNER], status="Inactive")
    assert sync(course) == RosterReport(members=SEEDED_MEMBERS, deactivated=1)
    assert enrollments(course)[STUDENT].status == "inactive"
    kept = db.session.scalars(select(Evidence)).all()
    assert [(e.student_id, e.points, e.superseded_by_id) for e in kept] == [(student.id, 3.0, None)]
    assert count(CurrentLevel) == 1
    lms.platform.enroll(COURSE, STUDENT, [Role.LEARNER])
    assert sync(course) == RosterReport(members=SEEDED_MEMBERS, reactivated=1)
    assert enrollments(course)[STUDENT].status == "active" and count(Evidence) == 1


def test_member_missing_from_the_roster_is_deleted_then_returns(course: Course, lms: Lms) -> None:
    sync(course)
    dropped = lms.platform.courses[COURSE].enrollments.pop(STUDENT)
    report = sync(course)
    assert report == RosterReport(members=SEEDED_MEMBERS - 1, deactivated=1)
    assert enrollments(course)[STUDENT].status == "deleted"
    lms.platform.enroll(COURSE, STUDENT, dropped.roles)
    assert sync(course).reactivated == 1 and enrollments(course)[STUDENT].status == "active"


def test_platform_deleted_status(course: Course, lms: Lms) -> None:
    sync(course)
    lms.platform.enroll(COURSE, "203", [Role.LEARNER], status="Deleted")
    lms.platform.enroll(COURSE, DROPPED, [Role.LEARNER], status="Deleted")
    # Only an active member going away counts as deactivated; Inactive -> Deleted is quiet.
    assert sync(course).deactivated == 1
    people = enrollments(course)
    assert (people["203"].status, people[DROPPED].status) == ("deleted", "deleted")


def test_admin_who_launched_is_never_dropped(tool: Flask, lms: Lms, course: Course) -> None:
    launch_course(tool, lms, ADMIN)
    sync(course)
    admin = enrollments(course)[ADMIN]
    assert (admin.role, admin.status) == ("admin", "active")


def test_institution_role_never_makes_a_teacher(course: Course, lms: Lms) -> None:
    lms.platform.add_user("Ravi", "Shah", user_id="241", system_roles=[Role.INSTITUTION_INSTRUCTOR])
    # Some platforms list institution roles in NRPS too (DESIGN.md correction 9).
    lms.platform.enroll(COURSE, "241", [Role.INSTITUTION_INSTRUCTOR, Role.LEARNER])
    sync(course)
    ravi = enrollments(course)["241"]
    assert ravi.role == "student" and Role.INSTITUTION_INSTRUCTOR in ravi.lis_roles


def test_role_and_name_changes_are_updates(course: Course, lms: Lms) -> None:
    sync(course)
    lms.platform.enroll(COURSE, TA, [Role.LEARNER])
    lms.platform.users["203"].name = "Lan Nguyen"
    lms.platform.users["204"].email = ""  # a privacy setting withholds it: keep what we knew
    assert sync(course) == RosterReport(members=SEEDED_MEMBERS, updated=2)
    people = enrollments(course)
    assert people[TA].role == "student" and people["203"].user.name == "Lan Nguyen"
    assert people["204"].user.email == "oluwaseun.adeyemi@school.example.edu"


def test_launched_teacher_keeps_launch_roles(course: Course) -> None:
    launched = list(enrollments(course)[TEACHER].lis_roles)
    sync(course)
    assert enrollments(course)[TEACHER].lis_roles == launched  # institution roles included


@pytest.mark.parametrize("page", [1, 2])
def test_platform_error_changes_nothing(course: Course, lms: Lms, page: int) -> None:
    if page == 2:
        lms.platform.faults.inject(NRPS)  # the first page goes through
    lms.platform.faults.inject(NRPS, status=500)
    with pytest.raises(ServiceCallFailed) as caught:
        sync_roster(course, page_size=3)
    message = caught.value.message
    assert message.startswith("Reading the roster of Algebra I — Period 3 failed")
    assert "(the platform answered 500)" in message
    assert isinstance(caught.value.outcome, Retry) and caught.value.retry_after is not None
    db.session.rollback()
    assert list(enrollments(course)) == [TEACHER] and course.roster_synced_at is None


def test_timeout_changes_nothing(make_app, tool_server, tool: Flask, lms: Lms) -> None:
    course_id = launch_course(tool, lms)
    app = make_app(TOOL_BASE_URL=tool_server.url, HTTP_TIMEOUT_SECONDS=0.3)
    lms.platform.faults.inject(NRPS, delay_s=1.0)
    with app.app_context():
        course = db.session.get(Course, course_id)
        with pytest.raises(ServiceCallFailed) as caught:
            sync_roster(course)
        assert isinstance(caught.value.outcome, Retry)
        assert "(no answer)" in caught.value.message
        db.session.rollback()
        assert list(enrollments(course)) == [TEACHER]


def test_unknown_course_on_the_platform(course: Course) -> None:
    course.nrps_url = course.nrps_url.replace(COURSE, "no-such-course")
    with pytest.raises(ServiceCallFailed, match=r"answered 404"):
        sync_roster(course)


def test_course_without_roster_service(course: Course) -> None:
    course.nrps_url = None
    with pytest.raises(ServiceError, match="no roster service address") as caught:
        sync_roster(course)
    assert "Launch the tool" in (caught.value.hint or "")


def test_empty_roster_drops_nobody(course: Course, lms: Lms) -> None:
    sync(course)
    lms.platform.courses[COURSE].enrollments.clear()
    assert sync(course) == RosterReport(members=0)
    assert {e.status for e in enrollments(course).values()} == {"active", "inactive"}


def test_report_summary() -> None:
    assert RosterReport(members=12, added=11, deactivated=1).summary() == (
        "12 members: 11 added, 0 updated, 1 dropped, 0 back"
    )
