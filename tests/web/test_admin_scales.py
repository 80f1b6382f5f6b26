"""Scales an administrator offers to every course of the registration, through real launches:
added with the course scale's form, audited, picked by a teacher; broken ones refused whole."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.mastery import DEFAULT_SCALE, PRESETS
from lti_tool.models import AuditEvent, Course, Scale
from lti_tool.services import course_settings
from tests.live import ADMIN, STUDENT, TEACHER
from tests.web.test_scale_editor import HOSTILE, THREE, levels
from tests.web.test_settings import fields

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
    # Room for a five-level scale and "No evidence" at once: this form has no preview to ask
    # for more rows, and says nothing of one.
    assert 'name="level-5-label"' in page and 'name="level-6-label"' not in page
    assert "preview to get more empty rows" not in page
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


def test_an_admin_stops_offering_a_scale_and_courses_using_it_keep_it(browser, ids, tool):
    admin = launch_as(browser, ADMIN)
    assert (
        admin.post("/admin/scales", levels(*_rows(), mastery=2, name="In use")).status_code == 303
    )
    assert admin.post("/admin/scales", THREE | {"name": "Typo scal"}).status_code == 303
    with tool.app_context():
        used, typo = (_scale_named(name) for name in ("In use", "Typo scal"))
        course_settings.change_scale(
            db.session.get(Course, ids.course), db.session.get(Scale, used)
        )
        db.session.commit()
    page = admin.get("/admin/scales").get_data(as_text=True)
    assert re.search(r'<th scope="row">In use</th>.*?<td>1</td>', page, re.S)  # courses using it
    for scale in (used, typo):
        stopped = admin.post(f"/admin/scales/{scale}/offered", {"offered": "no"})
        assert stopped.status_code == 303
    page = admin.get("/admin/scales", retired="Typo scal").get_data(as_text=True)
    assert "“Typo scal” is no longer offered. Courses that use it keep it." in page
    retired = page.split('id="retired-scales"')[1]
    assert '<th scope="row">In use</th>' in retired and "Typo scal" in retired
    assert _audited("registration.scale_retired", tool) == [("In use", 1), ("Typo scal", 0)]

    teacher = launch_as(browser, TEACHER)
    settings = teacher.get("/settings").get_data(as_text=True)
    assert "<strong>In use</strong>:" in settings  # the course's own choice stays
    assert "Typo scal" not in settings
    current = fields(settings)
    refused = teacher.post("/settings/preview", {**current, "scale": str(typo)})
    assert refused.status_code == 400 and "Choose one of the scales." in refused.get_data(
        as_text=True
    )

    again = admin.post(f"/admin/scales/{typo}/offered", {"offered": "yes"})
    assert again.status_code == 303
    assert "“Typo scal” is offered to every course again." in admin.get(
        "/admin/scales", offered="Typo scal"
    ).get_data(as_text=True)
    assert "<strong>Typo scal</strong>:" in teacher.get("/settings").get_data(as_text=True)
    assert _audited("registration.scale_offered", tool) == [("Typo scal", 0)]


def test_the_starting_scale_stays_offered_and_other_scales_are_not_found(browser, ids, tool):
    admin = launch_as(browser, ADMIN)
    admin.get("/admin/scales")
    with tool.app_context():
        starting = db.session.scalar(
            select(Scale.id).where(Scale.key == DEFAULT_SCALE.key, Scale.course_id.is_(None))
        )
        course = db.session.get(Course, ids.course)
        own = course_settings.define_scale(
            course, "course-own", "Ours", PRESETS["two_level"].levels
        )
        db.session.commit()
        own_id = own.id
    refused = admin.post(f"/admin/scales/{starting}/offered", {"offered": "no"})
    assert refused.status_code == 400
    assert "New courses start on" in refused.get_data(as_text=True)
    assert admin.post(f"/admin/scales/{own_id}/offered", {"offered": "no"}).status_code == 404
    assert admin.post("/admin/scales/999999/offered", {"offered": "no"}).status_code == 404
    with tool.app_context():
        assert db.session.scalar(select(func.count()).where(Scale.retired_at.is_not(None))) == 0
        assert _audited("registration.scale_retired", tool) == []


def _scale_named(name: str) -> int:
    return db.session.scalar(select(Scale.id).where(Scale.name == name))


def _audited(action: str, tool) -> list[tuple[str, int]]:
    with tool.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)
        )
        return [(event.target, event.details["courses_using"]) for event in events]
