"""The admin's data inventory: every table described (so a new table cannot slip in
undescribed), this registration's counts only, and expired sign-in records swept by the worker."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import AuditEvent, Launch, LoginState, UsedNonce
from lti_tool.models.types import utcnow
from lti_tool.services.data_inventory import CATEGORIES, undescribed_tables
from lti_tool.services.housekeeping import sweep_expired
from lti_tool.services.registration_data import counts_by_id
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


def test_admin_exports_then_purges_the_registration_from_the_console(browser, ids: Ids, tool):
    admin = launch_as(browser, ADMIN)
    exported = admin.get("/admin/export.json")
    assert exported.status_code == 200 and "attachment" in exported.headers["Content-Disposition"]
    data = exported.get_json()
    assert data["tables"]["evidence"] and "access_tokens" not in data["tables"]
    with tool.app_context():
        platform_id = db.session.scalar(select(Launch.platform_id).limit(1))
        before = counts_by_id(platform_id)
        assert _actions(platform_id)[-1] == "registration.exported"

    wrong = admin.post("/admin/purge", {"confirm": "Demo"})
    assert wrong.status_code == 400 and 'aria-invalid="true"' in wrong.get_data(as_text=True)
    assert launch_as(browser, TEACHER).post("/admin/purge", {"confirm": "x"}).status_code == 403
    with tool.app_context():
        assert counts_by_id(platform_id)["evidence"] == before["evidence"]

    name = re.search(
        r"type its name: <strong>([^<]+)</strong>", admin.get("/admin/data").get_data(as_text=True)
    ).group(1)
    purged = admin.post("/admin/purge", {"confirm": name})
    assert purged.status_code == 200 and "The registration was purged" in purged.get_data(
        as_text=True
    )
    with tool.app_context():
        assert sum(counts_by_id(platform_id).values()) == 0  # every table, by its path
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "registration.purged")
        ).one()
        assert event.details["platform"] == platform_id and event.actor.startswith("admin console")
    assert admin.get("/admin/data").status_code == 401  # the launch went with it


def _actions(platform_id: int) -> list[str]:
    return list(
        db.session.scalars(select(AuditEvent.action).where(AuditEvent.platform_id == platform_id))
    )
