"""Dates in the course's time zone on every page that shows or reads one; UTC underneath."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import Evidence
from tests.live import STUDENT, TEACHER

from .conftest import cell_path, launch_as
from .test_scoring import create

# UTC+14: its "today" differs from UTC's for 14 hours of every day.
KIRITIMATI = "Pacific/Kiritimati"
AUCKLAND = "Pacific/Auckland"


def _zone(visit, name: str) -> None:
    assert visit.post("/periods/time-zone", {"time_zone": name}).status_code == 303


def test_the_cell_form_reads_and_shows_days_in_the_course_zone(browser, ids, tool) -> None:
    visit = launch_as(browser, TEACHER)
    _zone(visit, AUCKLAND)
    path = cell_path(ids, STUDENT, "F-IF.6")
    response = visit.post(path + "/evidence", {"level": "4", "date": "2026-03-08"})
    assert response.status_code == 303
    with tool.app_context():
        newest = db.session.scalars(select(Evidence).order_by(Evidence.id.desc())).first()
        # Midday in Auckland (UTC+13 in March) is the evening before in UTC.
        assert newest.demonstrated_at == datetime(2026, 3, 7, 23, tzinfo=UTC)
        newest_id = newest.id
    page = visit.get(path).get_data(as_text=True)
    assert '<time datetime="2026-03-08">2026-03-08</time>' in page
    assert '<time datetime="2026-03-07">' not in page
    # Correcting with the same day shown keeps the instant (it is the same local day).
    visit.post(f"{path}/evidence/{newest_id}/correct", {"level": "3", "date": "2026-03-08"})
    with tool.app_context():
        newest = db.session.scalars(select(Evidence).order_by(Evidence.id.desc())).first()
        assert (newest.points, newest.demonstrated_at) == (3, datetime(2026, 3, 7, 23, tzinfo=UTC))
    csv = visit.get("/export/evidence.csv").get_data(as_text=True)
    assert any(",2026-03-08," in line and ",current" in line for line in csv.splitlines())


def test_today_is_the_course_zones_today(browser, ids, tool) -> None:
    visit = launch_as(browser, TEACHER)
    _zone(visit, KIRITIMATI)
    today = datetime.now(ZoneInfo(KIRITIMATI)).date().isoformat()
    page = visit.get(cell_path(ids, STUDENT, "F-IF.6")).get_data(as_text=True)
    assert re.search(rf'id="add-date" name="date" value="{today}"', page)
    assessment_id, _ = create(visit, ids)
    sheet = visit.get(f"/assessments/{assessment_id}/score").get_data(as_text=True)
    assert f'name="date" value="{today}"' in sheet
    imports = visit.get("/evidence/import").get_data(as_text=True)
    assert f'value="{today}"' in imports
