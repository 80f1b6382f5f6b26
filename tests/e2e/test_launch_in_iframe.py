"""The demo path in a real browser: the LMS on `localhost`, the tool in a cross-site iframe."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import follow
from tests.live import COURSE, STUDENT, TEACHER, register_lms

pytestmark = pytest.mark.browser


@pytest.fixture
def live(make_app, tool_server, lms):
    app = make_app(TOOL_BASE_URL=tool_server.url)
    with app.app_context():
        register_lms(lms)
    return lms


def tool_frame(page):
    return page.frame_locator("iframe[name=tool-frame]")


def test_teacher_adds_the_tool_and_the_column_appears(live, page, screenshot):
    course = f"{live.issuer}/courses/{COURSE}"
    page.goto(f"{course}?as={TEACHER}")
    frame = tool_frame(page)
    assert frame.locator("h1").first.inner_text() == "Teacher dashboard"
    assert "Amara Okafor" in frame.locator("main").inner_text()
    screenshot("teacher-launch")

    follow(page.get_by_text("Add activity"), frame.get_by_label("Title in the course"))
    frame.get_by_label("Title in the course").fill("Unit 1 mastery")
    follow(frame.get_by_role("button", name="Add to course"), frame.get_by_text("Activity added"))
    screenshot("deep-linking-done")

    page.goto(f"{course}/gradebook?as={TEACHER}")
    gradebook = page.locator("main").inner_text()
    assert "Mastery summary" in gradebook
    screenshot("lms-gradebook-column")


def test_student_lands_on_their_page(live, page, screenshot):
    page.goto(f"{live.issuer}/courses/{COURSE}?as={STUDENT}")
    frame = tool_frame(page)
    assert frame.locator("h1").first.inner_text() == "My mastery"
    assert "Mateo Hernández" in frame.locator("main").inner_text()
    # The launch answered with the page; the page gave the frame its own address.
    assert page.frame(name="tool-frame").url.split("?")[0].endswith("/home")
    screenshot("student-launch")


def test_the_frame_fits_the_tool_page(live, page):
    """lti.frameResize: the platform sizes its iframe to the tool's page, whatever its length."""
    page.goto(f"{live.issuer}/courses/{COURSE}?as={STUDENT}")
    frame = tool_frame(page)
    frame.locator("h1").first.wait_for()
    iframe = page.locator("iframe[name=tool-frame]")
    tool_page = page.frame(name="tool-frame")

    def fits() -> bool:
        inner = tool_page.evaluate(
            "Math.ceil(document.documentElement.getBoundingClientRect().height)"
        )
        return abs(iframe.bounding_box()["height"] - inner) <= 2

    page.wait_for_function("() => document.querySelector('iframe[name=tool-frame]').style.height")
    assert fits()
    tool_page.evaluate("document.querySelector('main').style.paddingBottom = '1500px'")
    page.wait_for_timeout(300)
    assert fits() and iframe.bounding_box()["height"] > 1500


@pytest.fixture
def cookieless_page(playwright, tool_server):
    """A browser that keeps no cookie from the tool, as Safari in a cross-site frame: the
    tool's Set-Cookie headers are dropped. (A document answered that way counts as public to
    chromium's local network checks, which would then stop its way to the LMS on loopback;
    this browser runs without them.)"""
    from tests.e2e.conftest import ARGS, CHROMIUM

    def without_cookies(route):
        answer = route.fetch()  # through the context's own cookie jar, so:
        context.clear_cookies(domain=urlsplit(tool_server.url).hostname)
        headers = {k: v for k, v in answer.headers.items() if k.lower() != "set-cookie"}
        route.fulfill(response=answer, headers=headers)

    checks = "LocalNetworkAccessChecks,PrivateNetworkAccessForNavigations"
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=[*ARGS, f"--disable-features={checks}"], headless=True
    )
    context = browser.new_context(viewport={"width": 1200, "height": 850})
    context.route(f"{tool_server.url}/**", without_cookies)
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    # A subresource may still be in the route handler when the test ends: its late errors
    # (the context is closing) would surface in the next test's first browser call.
    context.unroute_all(behavior="ignoreErrors")
    browser.close()


def test_without_cookies_the_login_secret_is_kept_in_the_platform(live, cookieless_page):
    """With lti_storage_target the login's secret goes to the platform's storage
    (postMessage) and the launch, which comes without a cookie, fetches it back."""
    from playwright.sync_api import expect

    page = cookieless_page
    launches = []
    page.on(
        "request",
        lambda request: (
            launches.append(request.post_data or "")
            if request.url.endswith("/lti/launch")
            else None
        ),
    )
    page.goto(f"{live.issuer}/courses/{COURSE}?as={STUDENT}&storage=1")
    frame = tool_frame(page)
    expect(frame.locator("h1").first).to_have_text("My mastery")
    # The first post came without the cookie; the page asked the platform for the secret
    # and posted again with it.
    assert len(launches) == 2 and "lti_storage_secret" not in launches[0]
    assert re.search(r"lti_storage_secret=[\w-]{20,}", launches[1])
    assert page.context.cookies() == []
