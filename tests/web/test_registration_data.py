"""A district's data, whole: export every row of one platform registration and purge it at
contract end, leaving no row of it in any table and every other registration untouched."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from lti_tool.demo import register_embedded_lms
from lti_tool.demo_data import seed_demo_course
from lti_tool.extensions import db
from lti_tool.models import AuditEvent, Evidence, Platform, User
from lti_tool.services import platforms, registration_data
from tests.live import CLIENT_ID, STUDENT, TEACHER
from tests.web.conftest import launch_as, seed

OTHER_ISSUER = "https://other-district.example.org"


@pytest.fixture
def two_districts(tool, lms, browser):
    """The embedded LMS's district (launched into, with grades) and another one."""
    seed(tool, lms)
    teacher = launch_as(browser, TEACHER)
    teacher.post("/sync/lms", {"what": "roster"})
    launch_as(browser, STUDENT)
    with tool.app_context():
        other = register_embedded_lms(OTHER_ISSUER, client_id="other", deployment_id="9")
        db.session.flush()
        seed_demo_course(other.deployments[0], context_id="other-course", student_count=5)
        db.session.commit()
        ours = platforms.find_platform(lms.issuer, CLIENT_ID)
        return ours.id, other.id


def _all_rows() -> dict[str, int]:
    """Every row of every registration table, whoever it belongs to."""
    return {
        name: db.session.scalar(select(func.count()).select_from(db.metadata.tables[name]))
        for name in registration_data.paths()
    }


def _purge_events() -> list[AuditEvent]:
    return list(
        db.session.scalars(select(AuditEvent).where(AuditEvent.action == "registration.purged"))
    )


def test_every_table_belongs_to_a_registration_or_is_declared_global(app):
    with app.app_context():
        assert registration_data.orphan_tables() == []


def test_export_holds_the_registration_and_nothing_else(tool, two_districts):
    ours, other = two_districts
    with tool.app_context():
        platform = db.session.get(Platform, ours)
        counts = registration_data.counts(platform)
        data = json.loads(json.dumps(registration_data.export(platform)))
    tables = data["tables"]
    assert data["registration"]["name"] == platform.name
    assert "access_tokens" not in tables and "login_states" not in tables
    assert len(tables["evidence"]) == counts["evidence"] > 0
    assert len(tables["launches"]) == counts["launches"] >= 2
    assert {row["platform_id"] for row in tables["users"]} == {ours}
    assert {row["platform_id"] for row in tables["courses"]} == {ours}
    assert all(len(tables[name]) == counts[name] for name in tables)


def test_purge_leaves_no_row_of_the_registration(tool, two_districts):
    ours, other = two_districts
    with tool.app_context():
        platform, neighbour = db.session.get(Platform, ours), db.session.get(Platform, other)
        platform_issuer = platform.issuer
        before_other = registration_data.counts(neighbour)
        before = registration_data.counts(platform)
        assert before["evidence"] and before["grade_outbox"] and before["current_levels"]

        with pytest.raises(registration_data.PurgeRefused):
            registration_data.purge(platform, "Demo")
        db.session.rollback()
        assert registration_data.counts(platform) == before

        assert _purge_events() == []  # a refused purge leaves no event
        deleted = registration_data.purge(platform, platform.name)
        db.session.commit()
        assert deleted == before and before["audit_events"] >= 1  # its own events went too
        # One query per table: every row left in it is the other registration's, except the
        # event recording the purge (no platform row, no personal data).
        assert _all_rows() == {**before_other, "audit_events": before_other["audit_events"] + 1}
        [event] = _purge_events()
        assert event.platform_id is None and event.actor_user_id is None
        assert event.target == f"{platform_issuer} client {CLIENT_ID}"
        assert event.details == {"platform": ours, "rows": sum(before.values())}
        assert db.session.scalars(select(User.platform_id).distinct()).all() == [other]
        assert db.session.scalar(select(Evidence.id).limit(1)) is not None


def test_cli_exports_and_refuses_a_purge_without_the_name(tool, two_districts, tmp_path, lms):
    ours, other = two_districts
    runner = tool.test_cli_runner()
    out = tmp_path / "district.json"
    args = ["platform", "export", "--issuer", lms.issuer, "--client-id", CLIENT_ID]
    result = runner.invoke(args=[*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["tables"]["evidence"]

    purge = ["platform", "purge", "--issuer", lms.issuer, "--client-id", CLIENT_ID]
    refused = runner.invoke(args=[*purge, "--confirm", "not the name"])
    assert refused.exit_code == 1 and "Nothing was deleted" in refused.output
    with tool.app_context():
        assert registration_data.counts_by_id(ours)["evidence"] > 0
        name = db.session.get(Platform, ours).name
        exported = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "registration.exported")
        ).one()
        assert exported.platform_id == ours and exported.actor == "command line"
        assert list(exported.details) == ["rows"]
    done = runner.invoke(args=[*purge, "--confirm", name])
    assert done.exit_code == 0, done.output
    with tool.app_context():
        left = registration_data.counts_by_id(other)
        assert _all_rows() == {**left, "audit_events": left["audit_events"] + 1}
        events = db.session.execute(select(AuditEvent.action, AuditEvent.actor)).all()
        assert ("registration.purged", "command line") in events
        assert ("registration.exported", "command line") not in events  # went with the rows
