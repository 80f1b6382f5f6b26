"""The launch path's single-statement checks: state consumed by DELETE … RETURNING, nonce
recorded by INSERT … ON CONFLICT DO NOTHING (no savepoint), on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import func, select, update

from lti_tool.extensions import db
from lti_tool.models import LoginState, UsedNonce
from tests.lti.conftest import COURSE, TEACHER, Browser


def test_a_used_nonce_is_refused_even_behind_a_fresh_state(tool, lms):
    browser = Browser(tool, lms)
    first = browser.login(TEACHER)
    assert browser.post_launch(browser.authorize(first)).status_code == 303
    second = browser.login(TEACHER)
    with tool.app_context():
        # A platform that reuses a nonce: the fresh login state expects the old one.
        db.session.execute(
            update(LoginState).where(LoginState.state == second.state).values(nonce=first.nonce)
        )
        db.session.commit()
    claims = lms.platform.launch_claims(TEACHER, COURSE, nonce=first.nonce)
    form = {"id_token": lms.platform.sign(claims), "state": second.state}
    refused = browser.post_launch(form)
    assert refused.status_code == 401 and "replayed" in refused.get_data(as_text=True)
    with tool.app_context():
        assert db.session.scalar(select(func.count()).select_from(UsedNonce)) == 1
        # The refusal rolled back: the second login's state was not consumed.
        assert db.session.get(LoginState, second.state) is not None


def test_a_state_is_consumed_once(tool, lms):
    browser = Browser(tool, lms)
    form = browser.authorize(browser.login(TEACHER))
    assert browser.post_launch(form).status_code == 303
    again = browser.post_launch(form)
    assert again.status_code == 401 and "already used" in again.get_data(as_text=True)
    with tool.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginState)) == 0
