"""A class opening the tool at once in a course it has never seen: one course, no errors."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from flask import Flask
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import Course, CourseSettings, Enrollment, ResourceLink
from tests.lti.conftest import Browser, Lms

LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
CLASS_SIZE = 12


def test_simultaneous_first_launches_share_one_course(tool: Flask, lms: Lms) -> None:
    lms.platform.add_course("geometry-new", "GEO-NEW", "Geometry (new this term)")
    link = lms.platform.add_resource_link("geometry-new", "Mastery tracker")
    students = [f"new-{n}" for n in range(CLASS_SIZE)]
    for sub in students:
        lms.platform.add_user("Student", sub, user_id=sub)
        lms.platform.enroll("geometry-new", sub, [LEARNER])
    # Logins first (each launch is then a race on the same new course rows).
    browsers = {sub: Browser(tool, lms) for sub in students}
    forms = {
        sub: browser.authorize(browser.login(sub, "geometry-new", resource_link_id=link.id))
        for sub, browser in browsers.items()
    }
    with ThreadPoolExecutor(CLASS_SIZE) as pool:
        statuses = list(
            pool.map(lambda sub: browsers[sub].post_launch(forms[sub]).status_code, students)
        )
    assert statuses == [200] * CLASS_SIZE
    with tool.app_context():
        [course] = db.session.scalars(select(Course).where(Course.context_id == "geometry-new"))
        count = (
            select(func.count()).select_from(Enrollment).where(Enrollment.course_id == course.id)
        )
        assert db.session.scalar(count) == CLASS_SIZE
        links = (
            select(func.count())
            .select_from(ResourceLink)
            .where(ResourceLink.course_id == course.id)
        )
        assert db.session.scalar(links) == 1


def test_simultaneous_first_pages_share_one_settings_row(tool: Flask, lms: Lms) -> None:
    """The course's default settings are made by its first page: a class landing at once
    gets one settings row and every page, not a unique-constraint error."""
    lms.platform.add_course("algebra-new", "ALG-NEW", "Algebra (new this term)")
    link = lms.platform.add_resource_link("algebra-new", "Mastery tracker")
    students = [f"first-{n}" for n in range(CLASS_SIZE)]
    for sub in students:
        lms.platform.add_user("Student", sub, user_id=sub)
        lms.platform.enroll("algebra-new", sub, [LEARNER])
    browsers = {sub: Browser(tool, lms) for sub in students}
    forms = {
        sub: browser.authorize(browser.login(sub, "algebra-new", resource_link_id=link.id))
        for sub, browser in browsers.items()
    }
    # Each launch answers with its first page: the class's first pages are built at once.
    with ThreadPoolExecutor(CLASS_SIZE) as pool:
        statuses = list(
            pool.map(lambda sub: browsers[sub].post_launch(forms[sub]).status_code, students)
        )
    assert statuses == [200] * CLASS_SIZE
    with tool.app_context():
        course = db.session.scalars(select(Course).where(Course.context_id == "algebra-new")).one()
        settings = select(func.count()).where(CourseSettings.course_id == course.id)
        assert db.session.scalar(settings) == 1


def test_the_same_launch_sent_at_once_is_accepted_once(tool: Flask, lms: Lms) -> None:
    """A replay is refused even when it races the original: the state is consumed and the
    nonce recorded atomically in the database, whatever process answers."""
    from tests.lti.conftest import TEACHER

    browser = Browser(tool, lms)
    login = browser.login(TEACHER)
    form = browser.authorize(login)
    name = f"lti1p3-state-{login.state}"
    secret = browser.tool.get_cookie(name, path="/lti/").value

    def post(_: int) -> int:
        client = tool.test_client()  # the same browser's cookie, another connection
        client.set_cookie(name, secret, path="/lti/")
        return client.post("/lti/launch", data=form).status_code

    with ThreadPoolExecutor(8) as pool:
        codes = sorted(pool.map(post, range(8)))
    assert codes == [200] + [401] * 7
