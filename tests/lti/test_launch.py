"""Launches through the embedded platform: real OIDC login, real signed id_tokens."""

from __future__ import annotations

from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import Course, Enrollment, Launch, ResourceLink, User

from .conftest import ADMIN, COURSE, MENTOR, STUDENT, TA, TEACHER, landed_at


def test_login_initiation_sends_a_complete_auth_request(browser):
    login = browser.login(TEACHER)
    from urllib.parse import parse_qs, urlsplit

    query = {k: v[0] for k, v in parse_qs(urlsplit(login.auth_url).query).items()}
    assert query["scope"] == "openid"
    assert query["response_type"] == "id_token"
    assert query["response_mode"] == "form_post"
    assert query["prompt"] == "none"
    assert query["client_id"] == "mastery-tool-demo"
    assert query["redirect_uri"].endswith("/lti/launch")
    assert query["login_hint"] == TEACHER and query["lti_message_hint"]


def test_login_answers_get_as_well_as_post(browser):
    url, params = browser.lms.platform.login_initiation(TEACHER, COURSE)
    response = browser.tool.get("/lti/login", query_string=params)
    assert response.status_code == 302


def test_state_cookie_is_partitioned_and_cross_site(browser):
    url, params = browser.lms.platform.login_initiation(TEACHER, COURSE)
    response = browser.tool.post("/lti/login", data=params)
    cookie = response.headers["Set-Cookie"]
    for attribute in ("Secure", "HttpOnly", "SameSite=None", "Partitioned", "Path=/lti/"):
        assert attribute in cookie


def test_teacher_lands_on_the_dashboard_with_who_where_and_role(browser, tool):
    page = browser.page(browser.launch(TEACHER))
    assert "Teacher dashboard" in page
    assert "Amara Okafor" in page and "Algebra I — Period 3" in page
    assert "teacher" in page and "Demo LMS" in page


def test_student_observer_ta_and_admin_pages(browser):
    assert "My mastery" in browser.page(browser.launch(STUDENT))
    assert "Teacher dashboard" in browser.page(browser.launch(TA))
    assert "Student progress" in browser.page(browser.launch(MENTOR))
    admin = browser.page(browser.launch(ADMIN))
    assert "Administration" in admin and "Grace Lindqvist" in admin


def test_identity_is_synced_in_the_database(browser, tool):
    browser.page(browser.launch(STUDENT))
    browser.page(browser.launch(MENTOR))
    with tool.app_context():
        course = db.session.scalar(select(Course).where(Course.context_id == COURSE))
        assert course.title == "Algebra I — Period 3" and course.label == "ALG1-P3"
        assert course.ags_lineitems_url and course.nrps_url
        student = db.session.scalar(select(User).where(User.sub == STUDENT))
        assert student.name == "Mateo Hernández" and student.email
        roles = dict(db.session.execute(select(User.sub, Enrollment.role).join(Enrollment)).all())
        assert roles == {STUDENT: "student", MENTOR: "observer"}
        mentor = db.session.scalar(select(Enrollment).join(User).where(User.sub == MENTOR))
        assert mentor.mentees == [STUDENT]
        assert db.session.scalar(select(func.count()).select_from(ResourceLink)) == 1


def test_state_cookie_is_deleted_after_a_successful_launch(browser):
    login = browser.login(TEACHER)
    name = f"lti1p3-state-{login.state}"
    assert browser.tool.get_cookie(name, path="/lti/") is not None
    response = browser.post_launch(browser.authorize(login))
    assert response.status_code == 200  # the first page
    # Deleted with the attributes it was set with: a Partitioned cookie is only removed from
    # its partition by a Set-Cookie that is Partitioned too, on the same path.
    (deletion,) = response.headers.getlist("Set-Cookie")
    assert deletion.startswith(f"{name}=;")
    for attribute in ("Max-Age=0", "Secure", "HttpOnly", "SameSite=None", "Partitioned"):
        assert attribute in deletion
    assert "Path=/lti/" in deletion
    assert browser.tool.get_cookie(name, path="/lti/") is None


def test_a_refused_launch_keeps_the_state_cookie(browser):
    login = browser.login(TEACHER)
    form = browser.authorize(login)
    refused = browser.post_launch({**form, "id_token": form["id_token"][:-4] + "AAAA"})
    assert refused.status_code == 401 and "Set-Cookie" not in refused.headers
    assert browser.post_launch(form).status_code == 200  # the real one still goes through


def test_launch_data_stays_server_side(browser, tool):
    response = browser.launch(TEACHER)
    # The launch is a token in the page URL; the browser holds no launch data in a cookie:
    # the only cookie header deletes the spent login state.
    (cookie,) = response.headers.getlist("Set-Cookie")
    assert cookie.startswith("lti1p3-state-") and "Max-Age=0" in cookie
    with tool.app_context():
        row = db.session.scalars(select(Launch)).one()
        assert row.claims["sub"] == TEACHER
        token = landed_at(response).split("launch=")[1]
        assert token not in row.token_hash  # only the hash is stored


def test_a_launch_answers_with_the_first_page_which_gives_itself_its_address(browser):
    """No redirect: the launch's answer is the page. It names its own address (a reload asks
    for the page, never for the spent launch again), which serves the same page."""
    response = browser.launch(TEACHER)
    assert response.status_code == 200 and "Location" not in response.headers
    html = response.get_data(as_text=True)
    assert "<h1>Teacher dashboard" in html
    address = response.headers["Content-Location"]
    assert address.startswith("/home?launch=")
    assert f'<meta name="page-url" content="{address}">' in html
    assert "/static/page-url.js" in html
    reloaded = browser.tool.get(address)
    again = reloaded.get_data(as_text=True)
    assert reloaded.status_code == 200 and "<h1>Teacher dashboard" in again
    assert 'name="page-url"' not in again  # only the launch's answer rewrites its address


def test_same_person_twice_updates_not_duplicates(browser, tool):
    browser.page(browser.launch(TEACHER))
    browser.page(browser.launch(TEACHER))
    with tool.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 1
        assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 1
        assert db.session.scalar(select(func.count()).select_from(Launch)) == 2


def test_launch_pages_may_be_framed_by_their_platform_only(browser, tool, lms):
    from lti_tool.services import platforms

    with tool.app_context():
        platforms.add_platform(
            name="Elsewhere",
            issuer="https://elsewhere.example",
            client_id="x",
            auth_login_url="https://elsewhere.example/auth",
            auth_token_url="https://elsewhere.example/token",
            keyset_url="https://elsewhere.example/jwks",
        )
        db.session.commit()
    landing = landed_at(browser.launch(TEACHER))
    policy = browser.tool.get(landing).headers["Content-Security-Policy"]
    ancestors = policy.split("frame-ancestors ")[1]
    assert lms.issuer in ancestors.split()
    assert "https://elsewhere.example" not in ancestors
