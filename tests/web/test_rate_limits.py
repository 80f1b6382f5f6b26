"""Rate limits through the real endpoints: per address on login and registration, per
registration on launches (never per address: a school is one address), counted in the database."""

from __future__ import annotations

import time

import jwt
import pytest
from sqlalchemy import func, select

from devplatform.store import Registration
from lti_tool import create_app
from lti_tool.extensions import db
from lti_tool.models import LoginState, RateCounter, UsedNonce
from lti_tool.web import limits
from lti_tool.web.limits import Limit, count_hit
from tests.live import register_lms
from tests.lti.conftest import COURSE, STUDENT, TEACHER, Browser

SCHOOL = "203.0.113.7"
OTHER_SCHOOL = "198.51.100.20"


@pytest.fixture
def limited(make_app, tool_server, lms, monkeypatch):
    """A factory of tool apps with the given limits, the embedded platform registered once.

    The windows' clock stands still mid-window, so a slow run never straddles two windows.
    """
    registered = []
    start = time.time()
    monkeypatch.setattr(limits, "clock", lambda: (start // 3600) * 3600 + 1800)

    def factory(**limits):
        app = make_app(TOOL_BASE_URL=tool_server.url, **limits)
        if not registered:
            with app.app_context():
                register_lms(lms)
            registered.append(app)
        return app

    return factory


def login(app, lms, address=SCHOOL, user=TEACHER, **headers):
    _url, params = lms.platform.login_initiation(user, COURSE)
    client = app.test_client()
    return client.post(
        "/lti/login", data=params, environ_base={"REMOTE_ADDR": address}, headers=headers
    )


def test_login_is_limited_per_address_with_retry_after_and_the_429_page(limited, lms):
    app = limited(RATE_LIMIT_LOGIN_PER_ADDRESS=[3, 60])
    assert [login(app, lms).status_code for _ in range(3)] == [302, 302, 302]
    refused = login(app, lms)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    page = refused.get_data(as_text=True)
    assert "Too many requests" in page and refused.headers["X-Request-ID"] in page
    assert login(app, lms, address=OTHER_SCHOOL).status_code == 302  # another address


def test_a_refused_request_gets_json_when_it_asks_for_json(limited, lms):
    app = limited(RATE_LIMIT_LOGIN_PER_ADDRESS=[1, 60])
    login(app, lms)
    refused = login(app, lms, Accept="application/json")
    assert refused.status_code == 429 and refused.headers["Retry-After"]
    assert refused.json["error"] == "Too many requests" and refused.json["request_id"]


def test_counts_are_shared_by_every_process(limited, lms):
    """Two app instances (as two gunicorn workers or machines) count in the same rows."""
    first = limited(RATE_LIMIT_LOGIN_PER_ADDRESS=[2, 60])
    second = limited(RATE_LIMIT_LOGIN_PER_ADDRESS=[2, 60])
    assert login(first, lms).status_code == 302
    assert login(second, lms).status_code == 302
    assert login(first, lms).status_code == 429
    assert login(second, lms).status_code == 429


def test_dynamic_registration_is_limited_per_address(limited):
    client = limited(RATE_LIMIT_REGISTER_PER_ADDRESS=[2, 600]).test_client()
    statuses = [client.get("/lti/register").status_code for _ in range(3)]
    assert statuses == [200, 200, 429]


def test_launches_from_one_address_are_not_limited_per_address(limited, lms):
    app = limited(RATE_LIMIT_LOGIN_PER_ADDRESS=[1000, 60])
    browser = Browser(app, lms)  # every request from 127.0.0.1, as a whole school behind NAT
    for _ in range(5):
        assert browser.launch(STUDENT).status_code == 200
    with app.app_context():
        counts = dict(db.session.execute(select(RateCounter.key, RateCounter.count)).all())
    platform_keys = [key for key in counts if key.startswith("launch:platform:")]
    # One lease each (a fiftieth of the limit) covered the five: 1000 / 50 and 6000 / 50.
    assert counts == {"login:address:127.0.0.1": 20, platform_keys[0]: 120}


def second_registration(lms, app, client_id="district-b"):
    """The same LMS, a second registration (client id) of the tool."""
    lms.platform.registrations[client_id] = Registration(
        client_id=client_id, name="Second", deployment_ids=["1"], scopes=[], seeded=True
    )
    lms.platform.courses[COURSE].tools.append(client_id)
    lms.platform.add_resource_link(COURSE, "Mastery (B)", client_id=client_id)
    with app.app_context():
        register_lms(lms, client_id=client_id, name="District B")
    return client_id


def test_launches_are_limited_per_registration(limited, lms):
    app = limited(RATE_LIMIT_LAUNCH_PER_REGISTRATION=[2, 60])
    other = second_registration(lms, app)
    browsers = [Browser(app, lms) for _ in range(3)]
    assert browsers[0].launch(TEACHER).status_code == 200
    assert browsers[1].launch(STUDENT).status_code == 200
    refused = browsers[2].launch(STUDENT)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "Too many requests" in refused.get_data(as_text=True)
    with app.app_context():
        # The refused launch saved nothing: its login can still be used after the wait.
        assert db.session.scalar(select(func.count()).select_from(LoginState)) == 1
        assert db.session.scalar(select(func.count()).select_from(UsedNonce)) == 2
    # Another registration of the same platform has its own budget.
    assert Browser(app, lms).launch(TEACHER, client_id=other).status_code == 200


def test_a_forged_launch_does_not_spend_the_registration_budget(limited, lms):
    app = limited(RATE_LIMIT_LAUNCH_PER_REGISTRATION=[1, 60])
    browser = Browser(app, lms)
    form = browser.authorize(browser.login(TEACHER))
    claims = jwt.decode(form["id_token"], options={"verify_signature": False})
    forged_token = lms.platform.sign(claims, key=lms.platform.new_key())  # the real kid
    for _ in range(3):
        assert browser.post_launch({**form, "id_token": forged_token}).status_code == 401
    assert browser.post_launch(form).status_code == 200


def test_old_windows_are_swept_as_new_ones_open(app):
    limit = Limit(5, 60)
    with app.app_context():
        assert count_hit("test:a", limit, now=1_200_000).count == 1
        assert count_hit("test:a", limit, now=1_200_001).count == 2
        db.session.commit()
        decision = count_hit("test:b", limit, now=1_200_000 + 180)
        db.session.commit()
        assert decision.count == 1 and decision.retry_after == 60
        assert db.session.scalars(select(RateCounter.key)).all() == ["test:b"]


def test_processes_count_in_leases_and_together_never_pass_the_limit(make_app):
    """Three processes (apps) share a limit of 100: each claims 2 hits per write, and the hits
    they allow together stay within the limit; a key over it is refused without a write."""
    limit, now = Limit(100, 60), 1_200_030
    processes = [make_app() for _ in range(3)]
    allowed = writes = 0
    for n in range(150):
        with processes[n % 3].app_context():
            before = db.session.scalar(select(RateCounter.count)) or 0
            allowed += count_hit("test:school", limit, now=now).is_allowed
            db.session.commit()
            writes += (db.session.scalar(select(RateCounter.count)) or 0) != before
    assert 96 <= allowed <= 100  # at most one unused lease of 2 in each other process
    assert writes <= 53  # 50 leases of 2 fill the 100, then one refused claim per process
    with processes[0].app_context():
        assert db.session.scalar(select(RateCounter.count)) <= 106


@pytest.mark.parametrize(
    ("setting", "expected"),
    [([5, 60], Limit(5, 60)), ("10/1", Limit(10, 1)), (None, None), ([0, 60], None)],
)
def test_limit_settings(setting, expected):
    assert Limit.from_setting(setting) == expected


def test_a_malformed_limit_stops_the_app_at_start(base_config):
    with pytest.raises(ValueError, match="rate limit"):
        create_app({**base_config, "RATE_LIMIT_LOGIN_PER_ADDRESS": [5]})
