"""Scales an administrator offers to every course of the registration, through real launches:
added with the course scale's form, audited, picked by a teacher; broken ones refused whole."""

from __future__ import annotations

from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import AuditEvent, Scale
from tests.live import ADMIN, STUDENT, TEACHER
from tests.web.test_scale_editor import HOSTILE, THREE, levels

from .conftest import launch_as


def preset_count(tool) -> int:
    with tool.app_context():
        return db.session.scalar(select(func.count(Scale.id)).where(Scale.course_id.is_(None)))


def test_an_admin_adds_a_scale_every_course_can_pick(browser, ids, tool):
    admin = launch_as(browser, ADMIN)
    console = admin.get("/admin").get_data(as_text=True)
    assert 'href="/admin/scales?launch=' in console  # linked from the console
    page = admin.get("/admin/scales").get_data(as_text=True)
    assert "<h1>Scales offered to every course</h1>" in page
    before = preset_count(tool)

    added = admin.post("/admin/scales", levels(*_rows(), mastery=2, name="District three"))
    assert added.status_code == 303
    page = admin.get("/admin/scales", added="District three").get_data(as_text=True)
    assert "The scale “District three” is now offered to every course." in page
    assert '<th scope="row">District three</th>' in page and "Got it (2)" in page
    assert preset_count(tool) == before + 1
    with tool.app_context():
        event = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "registration.scale_added")
        ).one()
        assert event.target == "District three"

    settings = launch_as(browser, TEACHER).get("/settings").get_data(as_text=True)
    assert "<strong>District three</strong>:" in settings  # a teacher picks it like a built-in


def test_a_broken_or_taken_scale_is_refused_and_nothing_saved(browser, ids, tool):
    admin = launch_as(browser, ADMIN)
    admin.get("/admin/scales")  # the built-in presets exist from here on
    before = preset_count(tool)
    same_points = levels(("1", "Low", ""), ("1", "High", ""), mastery=1, name="Broken")
    refused = admin.post("/admin/scales", same_points)
    assert refused.status_code == 400
    assert "Nothing was saved." in refused.get_data(as_text=True)

    assert admin.post("/admin/scales", THREE | {"name": "Twice"}).status_code == 303
    again = admin.post("/admin/scales", THREE | {"name": "Twice"})
    assert again.status_code == 400
    assert "already offers a scale named “Twice”" in again.get_data(as_text=True)
    assert preset_count(tool) == before + 1


def test_a_hostile_name_is_escaped_and_only_admins_may_add(browser, ids, tool):
    admin = launch_as(browser, ADMIN)
    assert admin.post("/admin/scales", THREE | {"name": HOSTILE[:200]}).status_code == 303
    page = admin.get("/admin/scales").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    for who in (TEACHER, STUDENT):
        visit = launch_as(browser, who)
        assert visit.get("/admin/scales").status_code == 403
        assert visit.post("/admin/scales", THREE | {"name": "Mine"}).status_code == 403


def _rows():
    return (("0", "Not yet", ""), ("1", "Almost", ""), ("2", "Got it", ""))
