"""Every bad launch gets a 4xx page naming the reason, a logged reason, never a 500.

Each case starts a real login (so state, cookie and nonce are genuine), then lets the platform
sign a token with one thing wrong. Several cases are gaps measured in pylti1p3 2.0.0: replay
(nonce never consumed), `azp`, `aud` arrays, clock skew; they fail without our launch layer.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from lti_tool.lti.vocab import Claim

from .conftest import COURSE, TEACHER, Browser, Login

Claims = dict[str, Any]


@dataclass
class Case:
    """Mutate the claims, how they are signed, or the form posted to /lti/launch."""

    expected: int
    says: str
    claims: Callable[[Claims], None] = lambda c: None
    sign: Callable[[Any], dict[str, Any]] = lambda lms: {}
    form: Callable[[dict[str, str]], None] = lambda f: None
    message_type: str = "LtiResourceLinkRequest"
    extra: dict[str, Any] = field(default_factory=dict)


def drop(name: str) -> Callable[[Claims], None]:
    return lambda claims: claims.pop(name, None)


def setter(name: str, value: Any) -> Callable[[Claims], None]:
    return lambda claims: claims.__setitem__(name, value)


def shift_times(iat: int, exp: int) -> Callable[[Claims], None]:
    def apply(claims: Claims) -> None:
        now = int(time.time())
        claims["iat"], claims["exp"] = now + iat, now + exp

    return apply


def link_without_id(claims: Claims) -> None:
    claims[Claim.RESOURCE_LINK] = {"title": "no id"}


CASES = {
    # signature and keys
    "bad signature": Case(401, "signature does not match", sign=lambda p: {"key": p.new_key()}),
    "unknown kid": Case(
        401,
        "key the platform does not publish",
        sign=lambda p: {"key": p.new_key(), "kid": "rotated-away"},
    ),
    "alg none": Case(401, "only algorithm", sign=lambda p: {"alg": "none"}),
    "alg HS256": Case(401, "only algorithm", sign=lambda p: {"alg": "HS256", "key": b"s" * 32}),
    "no kid": Case(401, "names no signing key", sign=lambda p: {"kid": None}),
    "garbage token": Case(400, "not a valid JWT", form=lambda f: f.update(id_token="a.b.c")),
    "four segments": Case(
        400, "not a valid JWT", form=lambda f: f.update(id_token=f["id_token"] + ".e30")
    ),
    "not base64url": Case(400, "not a valid JWT", form=lambda f: f.update(id_token="e30!.e30.sig")),
    "claims not an object": Case(
        400, "not a valid JWT", form=lambda f: f.update(id_token="e30.WzFd.sig")
    ),
    "no token": Case(400, "carried no id_token", form=lambda f: f.pop("id_token")),
    # who it is from and for
    "unknown issuer": Case(403, "not registered", claims=setter("iss", "https://evil.example")),
    "unknown client id": Case(
        403, "not registered", claims=lambda c: c.update(aud="someone-else", azp="someone-else")
    ),
    "several audiences, no azp": Case(
        401, "several audiences", claims=lambda c: (c.update(aud=["x", c["aud"]]), c.pop("azp"))
    ),
    "azp not among audiences": Case(401, "authorized party", claims=setter("azp", "intruder")),
    "azp another audience, not us": Case(  # azp names the client: not one registered here
        403,
        "not registered",
        claims=lambda c: c.update(aud=[c["aud"], "intruder"], azp="intruder"),
    ),
    "no audience": Case(401, "no audience", claims=lambda c: (c.pop("aud"), c.pop("azp"))),
    # time
    "expired": Case(401, "expired", claims=shift_times(-700, -600)),
    "issued 5 minutes ahead": Case(401, "issued in the future", claims=shift_times(300, 360)),
    "issued 2 minutes ahead": Case(401, "issued in the future", claims=shift_times(120, 180)),
    "no exp": Case(400, "lacks the exp claim", claims=drop("exp")),
    # this login, once
    "nonce of another login": Case(401, "does not belong", claims=setter("nonce", "other")),
    "no nonce": Case(400, "lacks the nonce claim", claims=drop("nonce")),
    "no state": Case(400, "has no state", form=lambda f: f.pop("state")),
    "unknown state": Case(401, "unknown, already used", form=lambda f: f.update(state="forged")),
    # what the message says
    "no version": Case(400, "not LTI 1.3.0", claims=drop(Claim.VERSION)),
    "wrong version": Case(400, "not LTI 1.3.0", claims=setter(Claim.VERSION, "1.1")),
    "no message type": Case(400, "cannot handle", claims=drop(Claim.MESSAGE_TYPE)),
    "message type for another endpoint": Case(
        400, "cannot handle", claims=setter(Claim.MESSAGE_TYPE, "LtiSubmissionReviewRequest")
    ),
    "deep linking response sent to launch": Case(
        400, "cannot handle", claims=setter(Claim.MESSAGE_TYPE, "LtiDeepLinkingResponse")
    ),
    "no deployment id": Case(400, "no deployment id", claims=drop(Claim.DEPLOYMENT_ID)),
    "unknown deployment": Case(
        403, "deployment of the tool is not registered", claims=setter(Claim.DEPLOYMENT_ID, "999")
    ),
    "no target link uri": Case(400, "no target link URI", claims=drop(Claim.TARGET_LINK_URI)),
    "target link uri of another tool": Case(
        400, "meant for another tool", claims=setter(Claim.TARGET_LINK_URI, "https://x.test/l")
    ),
    "target link uri of another path": Case(
        400,
        "meant for another address of the tool",
        claims=lambda c: c.update(
            {Claim.TARGET_LINK_URI: c[Claim.TARGET_LINK_URI].replace("/lti/launch", "/admin")}
        ),
    ),
    "no resource link": Case(400, "no resource link id", claims=drop(Claim.RESOURCE_LINK)),
    "resource link without id": Case(400, "no resource link id", claims=link_without_id),
    "no roles claim": Case(400, "no roles claim", claims=drop(Claim.ROLES)),
    "deep linking without settings": Case(
        400,
        "no return URL",
        claims=drop(Claim.DEEP_LINKING_SETTINGS),
        message_type="LtiDeepLinkingRequest",
    ),
    "deep linking without presentation targets": Case(
        400,
        "accepts no presentation target",
        claims=lambda c: c[Claim.DEEP_LINKING_SETTINGS].pop("accept_presentation_document_targets"),
        message_type="LtiDeepLinkingRequest",
    ),
    "deep linking without resource links": Case(
        400,
        "does not accept LTI resource links",
        claims=lambda c: c[Claim.DEEP_LINKING_SETTINGS].update(accept_types=["file"]),
        message_type="LtiDeepLinkingRequest",
    ),
}


def signed_launch(browser: Browser, case: Case) -> tuple[Login, dict[str, str]]:
    login = browser.login(TEACHER, message_type=case.message_type)
    platform = browser.lms.platform
    claims = platform.launch_claims(
        TEACHER, COURSE, nonce=login.nonce, message_type=case.message_type
    )
    case.claims(claims)
    token = platform.sign(claims, **case.sign(platform))
    form = {"id_token": token, "state": login.state}
    case.form(form)
    return login, form


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_launch_is_refused_with_a_reason(browser, case, caplog):
    _login, form = signed_launch(browser, case)
    response = browser.post_launch(form)
    page = response.get_data(as_text=True)
    assert response.status_code == case.expected, page
    assert case.says in page
    request_id = response.headers["X-Request-ID"]
    assert request_id in page  # the person can quote it
    assert any(request_id in r.getMessage() for r in caplog.records)  # and the log has it
    assert "Traceback" not in page


def test_at_least_25_cases():
    assert len(CASES) >= 25


ACCEPTED = {
    "aud array with us second, azp us": lambda c: c.update(aud=["lms-internal", c["aud"]]),
    "aud as a plain string without azp": lambda c: (c.update(aud=c["aud"]), c.pop("azp")),
    "iat 20 s ahead (clock drift)": shift_times(20, 80),
    "iat 55 s ahead (about a minute allowed)": shift_times(55, 115),
    "target link uri with a placement query": lambda c: c.update(
        {Claim.TARGET_LINK_URI: c[Claim.TARGET_LINK_URI] + "?placement=course_navigation"}
    ),
    "anonymous (no sub, no names)": lambda c: [
        c.pop(k, None) for k in ("sub", "name", "given_name", "family_name", "email")
    ],
    "empty roles": setter(Claim.ROLES, []),
    "unknown roles": setter(Claim.ROLES, ["http://example.com/role#Wizard"]),
}


@pytest.mark.parametrize("mutate", ACCEPTED.values(), ids=ACCEPTED.keys())
def test_unusual_but_valid_launches_are_accepted(browser, mutate):
    response = browser.post_launch(signed_launch(browser, Case(303, "", claims=mutate))[1])
    assert response.status_code == 200, response.get_data(as_text=True)


def test_replayed_launch_is_refused(browser):
    form = browser.authorize(browser.login(TEACHER))
    assert browser.post_launch(form).status_code == 200
    again = browser.post_launch(form)
    assert again.status_code == 401 and "already used" in again.get_data(as_text=True)


def test_a_login_state_expires_within_ten_minutes(browser, tool):
    """State and nonce are single use and expire within 5-10 minutes (the checklist)."""
    from datetime import timedelta

    from sqlalchemy import update

    from lti_tool.extensions import db
    from lti_tool.models import LoginState
    from lti_tool.models.types import utcnow

    assert 300 <= tool.config["LOGIN_STATE_TTL_SECONDS"] <= 600
    login = browser.login(TEACHER)
    with tool.app_context():
        row = db.session.get(LoginState, login.state)
        lifetime = (row.expires_at - row.created_at).total_seconds()
        assert lifetime == tool.config["LOGIN_STATE_TTL_SECONDS"]
    form = browser.authorize(login)
    with tool.app_context():
        db.session.execute(
            update(LoginState)
            .where(LoginState.state == login.state)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
        db.session.commit()
    response = browser.post_launch(form)
    assert response.status_code == 401 and "expired" in response.get_data(as_text=True)


def test_replay_from_another_browser_is_refused(browser, tool, lms):
    form = browser.authorize(browser.login(TEACHER))
    thief = Browser(tool, lms)
    response = thief.post_launch(form)
    # No cookie and no platform storage: the thief is offered a fresh login, never the launch.
    assert response.status_code == 401
    assert "new window" in response.get_data(as_text=True)
    assert browser.post_launch(form).status_code == 200


def test_state_cookie_with_wrong_secret(browser):
    login = browser.login(TEACHER)
    form = browser.authorize(login)
    browser.tool.set_cookie(f"lti1p3-state-{login.state}", "wrong", path="/lti/")
    response = browser.post_launch(form)
    assert response.status_code == 401 and "another browser" in response.get_data(as_text=True)


def test_login_for_unregistered_platform(browser):
    response = browser.tool.post(
        "/lti/login",
        data={"iss": "https://unknown.example", "login_hint": "1", "target_link_uri": "x"},
    )
    assert response.status_code == 403
    assert "not registered" in response.get_data(as_text=True)


def test_login_without_issuer(browser):
    response = browser.tool.post("/lti/login", data={"login_hint": "1"})
    assert response.status_code == 400 and "iss" in response.get_data(as_text=True)


def test_disabled_registration_refuses_login_and_launch(browser, tool):
    from lti_tool.extensions import db
    from lti_tool.models import Platform

    form = browser.authorize(browser.login(TEACHER))
    with tool.app_context():
        platform = db.session.query(Platform).one()
        platform.status = "disabled"
        db.session.commit()
    assert browser.post_launch(form).status_code == 403
    url, params = browser.lms.platform.login_initiation(TEACHER, COURSE)
    assert browser.tool.post("/lti/login", data=params).status_code == 403


def test_an_administrators_launch_adds_a_new_deployment_of_the_registration(browser, tool):
    """Installing the tool in another account gives it a new deployment id (Canvas), which the
    registration cannot know. A verified launch of an administrator adds it, audited; anyone
    else's is refused, saying who can fix it."""
    from sqlalchemy import select

    from lti_tool.extensions import db
    from lti_tool.models import AuditEvent, Deployment

    from .conftest import ADMIN

    def launch_from(user: str, deployment_id: str):
        login = browser.login(user)
        claims = browser.lms.platform.launch_claims(user, COURSE, nonce=login.nonce)
        claims[Claim.DEPLOYMENT_ID] = deployment_id
        token = browser.lms.platform.sign(claims)
        return browser.post_launch({"id_token": token, "state": login.state})

    refused = launch_from(TEACHER, "account-7")
    assert refused.status_code == 403
    assert "An administrator of your LMS opens the tool once" in refused.get_data(as_text=True)
    assert launch_from(ADMIN, "account-7").status_code == 200
    assert launch_from(TEACHER, "account-7").status_code == 200
    with tool.app_context():
        ids = db.session.scalars(select(Deployment.deployment_id)).all()
        assert "account-7" in ids
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "deployment.added")
        ).one()
        assert event.target == "account-7" and ADMIN in event.actor
