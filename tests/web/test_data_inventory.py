"""The admin's data inventory: every table described (so a new table cannot slip in
undescribed), this registration's counts only, and expired sign-in records swept by the worker."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import Launch, LoginState, UsedNonce
from lti_tool.models.types import utcnow
from lti_tool.services.data_inventory import CATEGORIES, undescribed_tables
from lti_tool.services.housekeeping import sweep_expired
from tests.live import ADMIN, STUDENT, TEACHER
from tests.web.conftest import Ids, launch_as


def test_every_table_is_described_once(app):
    with app.app_context():
        assert undescribed_tables() == []
    tables = [table for category in CATEGORIES for table in category.tables]
    assert len(tables) == len(set(tables))


def test_admin_sees_what_is_stored_with_this_registrations_counts(browser, ids: Ids, tool):
    page = launch_as(browser, ADMIN).get("/admin/data")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Evidence of learning" in html and "no retention period is set" in html
    row = re.search(r"Evidence of learning.*?<td>(\d+)</td>\s*</tr>", html, re.S)
    expected = sum(_count(tool, t) for t in ("evidence", "evidence_audits", "current_levels"))
    assert row and expected > 0 and int(row.group(1)) == expected


def _count(tool, table: str) -> int:
    with tool.app_context():
        query = select(func.count()).select_from(db.metadata.tables[table])
        return db.session.execute(query).scalar()


def test_retention_setting_is_shown(browser, ids: Ids, tool):
    tool.config["RETENTION_DAYS"] = 400
    html = launch_as(browser, ADMIN).get("/admin/data").get_data(as_text=True)
    assert "deleted 400 days after a course concludes" in html


def test_teachers_and_students_do_not_see_the_inventory(browser, ids: Ids):
    for who in (TEACHER, STUDENT):
        assert launch_as(browser, who).get("/admin/data").status_code == 403


def test_expired_sign_in_records_are_swept_and_live_ones_kept(browser, ids: Ids, tool):
    live = launch_as(browser, TEACHER)
    with tool.app_context():
        before = {m: _rows(m) for m in (Launch, LoginState, UsedNonce)}
        assert before[Launch] >= 1 and before[UsedNonce] >= 1
        assert sweep_expired().total == 0
        later = utcnow() + timedelta(days=2)
        report = sweep_expired(later)
        db.session.commit()
        assert (report.launches, report.nonces) == (before[Launch], before[UsedNonce])
        assert all(_rows(m) == 0 for m in (Launch, LoginState, UsedNonce))
    assert live.get("/gradebook").status_code == 401  # the person is asked to relaunch


def _rows(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0
