"""Launching when cookies are blocked, and keys rotating on either side."""

from __future__ import annotations

import re
import time
from html import unescape

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.lti.context import lti
from lti_tool.models import Platform

from .conftest import COURSE, TEACHER, Browser
from .test_deep_linking import choose, open_picker


def storage_secret(page: str) -> str:
    return re.search(r'value: "([^"]+)"', page).group(1)


def test_platform_storage_replaces_the_blocked_cookie(tool, lms):
    """lti_storage_target: the secret goes to the platform's storage, not a cookie."""
    browser = Browser(tool, lms)
    url, params = lms.platform.login_initiation(TEACHER, COURSE, storage_target=True)
    login_page = browser.tool.post("/lti/login", data=params)
    html = login_page.get_data(as_text=True)
    assert login_page.status_code == 200 and '"lti.put_data"' in html
    secret = storage_secret(html)
    auth_url = unescape(re.search(r'id="continue" href="([^"]+)"', html).group(1))
    from urllib.parse import parse_qs, urlsplit

    from .conftest import Login

    query = parse_qs(urlsplit(auth_url).query)
    form = browser.authorize(Login(query["state"][0], query["nonce"][0], auth_url))

    blocked = Browser(tool, lms)  # a browser whose iframe kept no cookie
    interstitial = blocked.post_launch(form)
    assert interstitial.status_code == 200
    assert '"lti.get_data"' in interstitial.get_data(as_text=True)

    wrong = blocked.post_launch({**form, "lti_storage_secret": "guess", "lti_storage_checked": "1"})
    assert wrong.status_code == 401
    right = blocked.post_launch({**form, "lti_storage_secret": secret, "lti_storage_checked": "1"})
    assert right.status_code == 200, right.get_data(as_text=True)


def frame_ancestors(response) -> set[str]:
    policy = response.headers["Content-Security-Policy"]
    return set(re.search(r"frame-ancestors ([^;]*)", policy).group(1).split())


SCHOOL = "https://school.example.edu"  # Canvas frames the tool from the school's domain


def test_pages_before_the_launch_is_verified_may_be_framed_by_the_page_that_sent_the_login(
    tool, lms
):
    """DESIGN.md correction 12: on Canvas the login comes from the school's domain, which is
    neither the issuer nor the OIDC endpoint; the storage pages must render in its frame."""
    from urllib.parse import parse_qs, urlsplit

    from .conftest import Login

    browser = Browser(tool, lms)
    url, params = lms.platform.login_initiation(TEACHER, COURSE, storage_target=True)
    login_page = browser.tool.post("/lti/login", data=params, headers={"Origin": SCHOOL})
    assert SCHOOL in frame_ancestors(login_page)
    html = login_page.get_data(as_text=True)
    auth_url = unescape(re.search(r'id="continue" href="([^"]+)"', html).group(1))
    query = parse_qs(urlsplit(auth_url).query)
    form = browser.authorize(Login(query["state"][0], query["nonce"][0], auth_url))

    blocked = Browser(tool, lms)
    interstitial = blocked.post_launch(form)
    assert '"lti.get_data"' in interstitial.get_data(as_text=True)
    assert SCHOOL in frame_ancestors(interstitial)
    refused = blocked.post_launch({**form, "lti_storage_secret": "x", "lti_storage_checked": "1"})
    assert refused.status_code == 401 and SCHOOL in frame_ancestors(refused)

    # The verified launch's pages are framed by the platform's origins and its return URLs
    # only: a page that merely sent a login cannot frame a teacher's pages.
    secret = storage_secret(html)
    right = blocked.post_launch({**form, "lti_storage_secret": secret, "lti_storage_checked": "1"})
    assert right.status_code == 200
    assert SCHOOL not in frame_ancestors(right)
    assert lms.issuer in frame_ancestors(right)


def test_the_login_page_origin_comes_from_the_referer_and_cannot_inject_into_the_policy(tool, lms):
    browser = Browser(tool, lms)
    _url, params = lms.platform.login_initiation(TEACHER, COURSE, storage_target=True)
    referred = browser.tool.get(
        "/lti/login", query_string=params, headers={"Referer": f"{SCHOOL}/courses/1/tools/5"}
    )
    assert SCHOOL in frame_ancestors(referred)
    plain = frame_ancestors(browser.tool.post("/lti/login", data=params))
    for sent in ("https://evil.example; script-src *", "https://a b", "null", "javascript:x"):
        answer = browser.tool.post("/lti/login", data=params, headers={"Origin": sent})
        assert "script-src *" not in answer.headers["Content-Security-Policy"]
        assert frame_ancestors(answer) == plain


def test_blocked_cookie_without_storage_offers_a_new_window_that_works(tool, lms):
    browser = Browser(tool, lms)
    form = browser.authorize(browser.login(TEACHER))
    blocked = Browser(tool, lms)
    page = blocked.post_launch(form)
    html = page.get_data(as_text=True)
    assert page.status_code == 401 and "Open Mastery Tracker in a new window" in html
    relaunch = re.search(r'href="(/lti/login\?[^"]+)"', html.replace("http://", "")) or re.search(
        r'href="https?://[^/]+(/lti/login\?[^"]+)"', html
    )
    fresh = Browser(tool, lms)  # the new top-level window: first-party cookies work
    response = fresh.tool.get(relaunch.group(1).replace("&amp;", "&"))
    assert response.status_code == 302
    from urllib.parse import parse_qs, urlsplit

    from .conftest import Login

    query = parse_qs(urlsplit(response.headers["Location"]).query)
    login = Login(query["state"][0], query["nonce"][0], response.headers["Location"])
    assert fresh.post_launch(fresh.authorize(login)).status_code == 200


def test_platform_key_rotation_is_picked_up_with_one_refetch(tool, lms, browser):
    tool.extensions["lti_tool.lti"].platform_keys.refetch_interval = 0
    browser.page(browser.launch(TEACHER))
    lms.platform.rotate_key()
    browser.page(browser.launch(TEACHER))
    with tool.app_context():
        assert lti().platform_keys.fetches == 2  # first use, then once for the new kid


def test_platform_keys_are_not_fetched_per_launch(tool, lms, browser):
    for _ in range(3):
        browser.page(browser.launch(TEACHER))
    with tool.app_context():
        assert lti().platform_keys.fetches == 1


def test_forged_kids_cannot_make_us_hammer_the_platform(tool, lms, browser):
    from .test_launch_rejections import CASES, signed_launch

    for _ in range(5):
        response = browser.post_launch(signed_launch(browser, CASES["unknown kid"])[1])
        assert response.status_code == 401
    with tool.app_context():
        assert lti().platform_keys.fetches == 1


def test_tool_key_rotation_end_to_end(tool, lms, browser):
    """After `keys rotate` the tool signs with the new key; the platform refetches our JWKS."""
    action, first = choose(browser, open_picker(browser))
    with tool.app_context():
        old_kid = lti().key_ring.current().kid
    result = tool.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code == 0
    try:
        action, second = choose(browser, open_picker(browser))
        import jwt

        new_kid = jwt.get_unverified_header(second)["kid"]
        assert new_kid != old_kid
        jwks = tool.test_client().get("/.well-known/jwks.json").json
        published = {k["kid"] for k in jwks["keys"]}
        assert {old_kid, new_kid} <= published  # the previous key stays published
        from urllib.parse import urlsplit

        returned = lms.client().post(urlsplit(action).path, data={"JWT": second})
        assert returned.status_code == 200, returned.get_data(as_text=True)
    finally:
        with tool.app_context():
            newest = lti().key_ring.current()
            if newest.kid != old_kid:
                newest.path.unlink()  # the session's key dir is shared: put it back


def test_unresponsive_key_set_url_times_out_with_a_clear_error(
    make_app, tool_server, lms, silent_url
):
    """pylti1p3 fetches key sets with no timeout; ours gives up and says why."""
    app = make_app(TOOL_BASE_URL=tool_server.url, HTTP_TIMEOUT_SECONDS=0.5)
    from .conftest import register_lms

    with app.app_context():
        register_lms(lms, keyset_url=f"{silent_url}/jwks")
    browser = Browser(app, lms)
    started = time.monotonic()
    response = browser.launch(TEACHER)
    elapsed = time.monotonic() - started
    assert response.status_code == 401
    assert "public keys could not be fetched" in response.get_data(as_text=True)
    assert elapsed < 5


def test_registration_rows_are_read_from_the_database(tool):
    with tool.app_context():
        platform = db.session.scalars(select(Platform)).one()
        registration = lti().tool_conf.registration(platform)
        assert registration.get_client_id() == platform.client_id
