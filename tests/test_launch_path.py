"""The launch path's single-statement checks: state consumed by DELETE … RETURNING, nonce
recorded by INSERT … ON CONFLICT DO NOTHING (no savepoint), on SQLite and PostgreSQL; and the
number of statements of a launch and its first page."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from lti_tool.extensions import db
from lti_tool.models import LoginState, UsedNonce
from tests.live import register_lms
from tests.lti.conftest import COURSE, MENTOR, STUDENT, TEACHER, Browser
from tests.web.conftest import seed
from tests.web.test_gradebook import counted


def test_a_used_nonce_is_refused_even_behind_a_fresh_state(tool, lms):
    browser = Browser(tool, lms)
    first = browser.login(TEACHER)
    assert browser.post_launch(browser.authorize(first)).status_code == 200
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
    assert browser.post_launch(form).status_code == 200
    again = browser.post_launch(form)
    assert again.status_code == 401 and "already used" in again.get_data(as_text=True)
    with tool.app_context():
        assert db.session.scalar(select(func.count()).select_from(LoginState)) == 0


# SQL statements (SQLAlchemy's before_cursor_execute) of a launch, which answers with the first
# page, once the course and person exist: the same on both databases. The registration and its
# deployment are read in one statement; a course whose roster service is already known queues no
# roster sync (services/identity.py), even before the worker has read it. The course, person,
# enrolment and link the launch names are read in one statement (services/identity.py), and
# the page reads the launch it was just given from the session. A returning person whose name
# and roles did not change is not written again, and the rate limit counts from the process's
# lease (tests/web/test_rate_limits.py), so neither writes. The stored levels and scores are
# read through the driver (services/mastery_rows.py), one statement each, which this counter
# does not see. The teacher's gradebook also asks for columns deleted in the LMS (the
# banner): one statement. The student's profile reads the student's exemptions
# (services/exempt_cells.py): one. Its evidence's level labels come from the course's scale,
# read with the settings: no statement (services/views/common.py::describe).
LAUNCH_AND_FIRST_PAGE = {TEACHER: 11, STUDENT: 13, MENTOR: 7}


@pytest.mark.parametrize("who", [TEACHER, STUDENT, MENTOR])
def test_launch_and_first_page_stay_within_their_statement_count(make_app, tool_server, lms, who):
    # A day-long rate window: the warm-up launch opens it (and sweeps old windows), so the
    # measured launch never does.
    tool = make_app(TOOL_BASE_URL=tool_server.url, RATE_LIMIT_LAUNCH_PER_REGISTRATION=[9999, 86400])
    with tool.app_context():
        register_lms(lms)
    seed(tool, lms, student_count=8)
    Browser(tool, lms).launch(who)  # the course, person and enrollment now exist
    browser = Browser(tool, lms)
    form = browser.authorize(browser.login(who))
    with counted(tool) as statements:
        launched = browser.post_launch(form)  # answered with the first page
    assert launched.status_code == 200
    assert len(statements) == LAUNCH_AND_FIRST_PAGE[who], statements
    written = [s for s in statements if s.split()[0] in ("UPDATE", "INSERT", "DELETE")]
    assert [s.split()[:3] for s in written] == [
        ["DELETE", "FROM", "login_states"],  # the state, consumed
        ["INSERT", "INTO", "used_nonces"],
        ["INSERT", "INTO", "launches"],
    ]
