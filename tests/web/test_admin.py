"""The admin console through real launches: grade-sync health, failed grades and their retry,
the registration as the tool holds it, one registration's data only, and 403 for the rest."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.lti.roles import MEMBERSHIP
from lti_tool.models import (
    Course,
    Deployment,
    Enrollment,
    GradeColumn,
    GradeOutbox,
    Job,
    OutboxState,
    Platform,
    User,
)
from lti_tool.models.types import utcnow
from lti_tool.worker import Worker
from tests.live import (
    ADMIN,
    CLIENT_ID,
    COURSE,
    MENTOR,
    OTHER_COURSE,
    STUDENT,
    TA,
    TEACHER,
    Lms,
)
from tests.lti.conftest import Browser
from tests.web.conftest import Visit, launch_as, seed

SCORES = r"/line_items/\d+/scores$"
OTHER_TEACHER = "103"
REFUSAL = '{"errors": [{"message": "Grade column is locked for this term"}]}'


def dead_rows(tool: Flask) -> list[GradeOutbox]:
    with tool.app_context():
        rows = db.session.scalars(select(GradeOutbox).where(GradeOutbox.state == "dead")).all()
        db.session.expunge_all()
        return list(rows)


@pytest.fixture
def refused(tool: Flask, lms: Lms) -> int:
    """The demo course with two students' grades, one of them refused by the platform (422)."""
    launch_as(Browser(tool, lms), TEACHER)
    seed(tool, lms, student_count=2)
    lms.platform.faults.inject(SCORES, status=422, count=1, body=REFUSAL)
    report = Worker(tool).drain()  # the roster job, then the grades
    assert report.grades.dead == 1 and report.jobs_done == 1
    [row] = dead_rows(tool)
    return row.id


def test_admin_lands_on_the_console_with_course_health_and_failed_grades(
    tool: Flask, lms: Lms, refused: int
) -> None:
    lms.platform.faults.inject("/names_and_roles", status=500, count=10)
    # Biology: its class list cannot be read.
    launch_as(Browser(tool, lms), OTHER_TEACHER, OTHER_COURSE)
    assert Worker(tool).drain().jobs_failed == 1

    admin = launch_as(Browser(tool, lms), ADMIN)
    page = admin.landing
    assert "<h1>Administration</h1>" in page and "Grace Lindqvist" in page
    # The registration's status in words, not its stored code.
    assert re.search(r"<dd>enabled, registered (by hand|by Dynamic Registration) on", page)
    courses = table(page, "courses")
    algebra, biology = row_of(courses, "Algebra I"), row_of(courses, "Biology II")
    # Algebra: one grade accepted, one refused; its class list synced; no failing job.
    assert cells(algebra)[:2] == ["1", "0"]
    assert cells(algebra)[2].startswith("✗ 1 failed Retry this course's failed grades")
    assert "UTC" in cells(algebra)[3] and "UTC" in cells(algebra)[4]
    assert cells(algebra)[5] == "✓ none"
    # Biology: nothing to send, never synced, and the failing roster job with its reason.
    assert cells(biology)[:5] == ["0", "0", "✓ none", "—", "never"]
    assert "Class list" in cells(biology)[5] and "500" in cells(biology)[5]
    assert courses.index("Algebra I") < courses.index("Biology II")  # failing courses first

    failed = table(page, "failed")
    [row] = re.findall(r"<tr>.*?</tr>", failed, re.S)[1:]
    texts = cells(row)
    with tool.app_context():
        grade = db.session.get(GradeOutbox, refused)
        student = db.session.get(User, grade.student_id).display_name
    assert f'<th scope="row">{student}</th>' in row
    course, column, message, status, when = texts[:5]
    assert course == "Algebra I — Period 3" and column == "Mastery summary"
    assert message == "Grade column is locked for this term" and status == "422"
    assert "UTC" in when
    assert "1 grade the platform refused" in page


def test_admin_retries_one_failed_grade_and_the_platform_takes_it(
    tool: Flask, lms: Lms, refused: int
) -> None:
    admin = launch_as(Browser(tool, lms), ADMIN)
    response = admin.post("/admin/retry", {"scope": "row", "row": str(refused)})
    assert response.status_code == 303
    assert f"launch={admin.token}" in response.headers["Location"]
    assert "retried=1" in response.headers["Location"]
    assert dead_rows(tool) == []
    assert Worker(tool).drain().grades.delivered == 1
    page = admin.get("/admin").get_data(as_text=True)
    assert "accepted every grade" in page and 'id="failed"' not in page
    audit = page[page.index('id="audit"') :]
    assert "grades.retried" in audit and f"grade {refused}" in audit and "grades: 1" in audit
    notice = admin.browser.tool.get(response.headers["Location"]).get_data(as_text=True)
    assert "1 failed grade will be sent again" in notice


@pytest.mark.parametrize("scope", ["course", "all"])
def test_admin_retries_a_courses_or_every_failed_grade(tool: Flask, lms: Lms, scope: str) -> None:
    launch_as(Browser(tool, lms), TEACHER)
    ids = seed(tool, lms, student_count=3)
    lms.platform.faults.inject(SCORES, status=400, count=3, body=REFUSAL)
    assert Worker(tool).drain().grades.dead == 3
    admin = launch_as(Browser(tool, lms), ADMIN)
    form = {"scope": scope, "course": str(ids.course)}
    response = admin.post("/admin/retry", form)
    assert response.status_code == 303 and "retried=3" in response.headers["Location"]
    assert Worker(tool).drain().grades.delivered == 3
    assert dead_rows(tool) == []


def test_a_malformed_retry_changes_nothing(tool: Flask, lms: Lms, refused: int) -> None:
    admin = launch_as(Browser(tool, lms), ADMIN)
    for form in ({}, {"scope": "row", "row": "x"}, {"scope": "course"}, {"scope": "every"}):
        response = admin.post("/admin/retry", form)
        assert response.status_code == 400, form
        assert "admin console" in response.get_data(as_text=True)
    response = admin.post("/admin/retry", {"scope": "row", "row": str(refused + 999)})
    assert response.status_code == 404
    assert [row.id for row in dead_rows(tool)] == [refused]


def other_registration(tool: Flask, lms: Lms) -> tuple[int, int]:
    """Another school on the same issuer (Canvas: one issuer, a client id per school), with a
    course, a student and a refused grade; returns (course id, outbox row id)."""
    with tool.app_context():
        platform = Platform(
            name="Other district",
            issuer=lms.issuer,
            client_id="other-district",
            auth_login_url=f"{lms.issuer}/auth",
            auth_token_url=f"{lms.issuer}/token",
            keyset_url=f"{lms.issuer}/jwks",
        )
        platform.deployments = [Deployment(deployment_id="1")]
        db.session.add(platform)
        db.session.flush()
        course = Course(
            platform_id=platform.id,
            deployment_id=platform.deployments[0].id,
            context_id=COURSE,  # the same context id as the demo course, on purpose
            title="Secret Chemistry",
            ags_lineitems_url=f"{lms.issuer}/elsewhere/line_items",
        )
        student = User(platform_id=platform.id, sub=STUDENT, name="Zed Outsider")
        db.session.add_all([course, student])
        db.session.flush()
        db.session.add(Enrollment(course_id=course.id, user_id=student.id, role="student"))
        column = GradeColumn(course_id=course.id, tag="mastery-summary", label="Other summary")
        db.session.add(column)
        db.session.flush()
        row = GradeOutbox(
            column_id=column.id,
            student_id=student.id,
            score=50,
            maximum=100,
            comment="",
            state=OutboxState.DEAD,
            last_status=403,
            last_error="Other district's refusal",
            last_timestamp=utcnow(),
        )
        db.session.add(row)
        db.session.add(Job(kind="roster", course_id=course.id, state="failed", error="Other boom"))
        db.session.commit()
        return course.id, row.id


def test_an_admin_sees_and_retries_only_their_own_registration(
    tool: Flask, lms: Lms, refused: int
) -> None:
    other_course, other_row = other_registration(tool, lms)
    admin = launch_as(Browser(tool, lms), ADMIN)
    page = admin.landing
    for secret in ("Secret Chemistry", "Zed Outsider", "Other district", "Other boom"):
        assert secret not in page
    assert "Algebra I" in page and "1 grade the platform refused" in page
    assert "other-district" not in page and CLIENT_ID in page
    assert admin.post("/admin/retry", {"scope": "row", "row": str(other_row)}).status_code == 404
    form = {"scope": "course", "course": str(other_course)}
    assert admin.post("/admin/retry", form).status_code == 404
    response = admin.post("/admin/retry", {"scope": "all"})
    assert "retried=1" in response.headers["Location"]  # its own one, not the other's
    assert [row.id for row in dead_rows(tool)] == [other_row]


def test_the_registration_is_shown_as_the_tool_holds_it(tool: Flask, lms: Lms) -> None:
    launch_as(Browser(tool, lms), TEACHER)
    admin = launch_as(Browser(tool, lms), ADMIN)
    registration = re.search(r'<dl class="who" id="registration">.*?</dl>', admin.landing, re.S)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", registration.group(0)))
    assert f"Issuer {lms.issuer}" in text and f"Client id {CLIENT_ID}" in text
    # Deployment "1" holds the one course launched so far (the admin launched from it too).
    assert "Deployments 1 : 1 course " in text
    assert "offered in 1 of 1 courses; scopes granted: lineitem" in text
    assert "Names and Role Provisioning ✓ offered in 1 of 1 courses" in text


def non_admins(tool: Flask, lms: Lms) -> dict[str, Visit]:
    registrar = lms.platform.add_user("Pat", "Registrar", user_id="401")
    lms.platform.enroll(COURSE, registrar.id, [f"{MEMBERSHIP}#Administrator"])
    people = {who: launch_as(Browser(tool, lms), who) for who in (TEACHER, TA, STUDENT, MENTOR)}
    people["course administrator"] = launch_as(Browser(tool, lms), registrar.id)
    return people


def test_everyone_else_gets_a_clear_403_and_changes_nothing(
    tool: Flask, lms: Lms, refused: int
) -> None:
    people = non_admins(tool, lms)
    # A course's own Administrator role is not the platform's administrator.
    assert "Nothing to show yet" in people["course administrator"].landing
    for who, visit in people.items():
        page = visit.get("/admin")
        assert page.status_code == 403, who
        text = page.get_data(as_text=True)
        assert "Only the platform&#39;s administrators see the admin console." in text
        assert "Grade column is locked" not in text
        assert visit.post("/admin/retry", {"scope": "all"}).status_code == 403, who
        assert "Admin console" not in visit.landing
    assert [row.id for row in dead_rows(tool)] == [refused]


def test_a_moodle_site_admin_teaching_a_course_reaches_the_console_from_the_gradebook(
    tool: Flask, lms: Lms
) -> None:
    lms.platform.enroll(OTHER_COURSE, ADMIN, [f"{MEMBERSHIP}#Instructor"])
    visit = launch_as(Browser(tool, lms), ADMIN, OTHER_COURSE)
    assert "Teacher dashboard" in visit.landing and "Admin console" in visit.landing
    assert visit.get("/admin").status_code == 200


def table(page: str, table_id: str) -> str:
    return re.search(rf'<table class="sync" id="{table_id}">.*?</table>', page, re.S).group(0)


def row_of(html: str, heading: str) -> str:
    return next(row for row in re.findall(r"<tr>.*?</tr>", html, re.S) if heading in row)


def cells(row: str) -> list[str]:
    found = re.findall(r"<td>(.*?)</td>", row, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip() for cell in found]
