"""The LMS gradebook export import through the real launch: upload, map, preview, save, and
next month's export in one step with the remembered mapping."""

from __future__ import annotations

import io
import re
from html import unescape
from pathlib import Path

from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import Evidence, User
from lti_tool.worker import Worker
from tests.live import STUDENT, TEACHER

from .conftest import launch_as

DATA = Path(__file__).parent.parent / "data"


def fields(page: str, action: str) -> dict[str, str]:
    """The named inputs of the form posting to `action`, as a browser would send them."""
    form = page[page.index(f'action="{action}"') :]
    form = form[: form.index("</form>")]
    found = {}
    for tag in re.findall(r"<input [^>]*>", form):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name and 'type="checkbox"' not in tag:
            found[name.group(1)] = unescape(value.group(1)) if value else ""
    return found


def upload(visit, name: str):
    data = (DATA / name).read_bytes()
    return visit.browser.tool.post(
        "/evidence/lms-import/preview",
        data={"launch": visit.token, "date": "2025-10-31", "file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def evidence(tool) -> tuple[int, int]:
    """(all rows, superseded rows) of imported evidence."""
    with tool.app_context():
        rows = select(func.count()).select_from(Evidence).where(Evidence.source == "import")
        old = rows.where(Evidence.superseded_by_id.is_not(None))
        return db.session.scalar(rows), db.session.scalar(old)


def test_upload_map_preview_save_then_next_month_in_one_step(browser, ids, tool, lms):
    visit = launch_as(browser, TEACHER)
    Worker(tool).drain()  # the launch queued the roster sync: students get their SIS ids
    with tool.app_context():
        sis = db.session.scalar(select(User.sis_id).where(User.sub == STUDENT))
        # The launch itself carried the teacher's SIS id and Canvas user id ($Canvas.user.id).
        teacher = db.session.scalars(select(User).where(User.sub == TEACHER)).one()
        assert (teacher.sis_id, teacher.lms_user_id) == (f"SIS-{TEACHER}", TEACHER)
    assert sis == f"SIS-{STUDENT}"
    page = visit.get("/evidence/import").get_data(as_text=True)
    assert "Import an LMS gradebook export" in page

    preview = upload(visit, "canvas_gradebook.csv")
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200, html
    assert "3 new columns since the last import" in html and "<strong>New column</strong>" in html
    assert "Line 8, Stranger, Someone: not a student of this course" in html

    # Map the quiz to one standard, with the cut scores prefilled from the scale.
    form = fields(html, "/evidence/lms-import/save")
    mapping = visit.browser.tool.post(
        "/evidence/lms-import/map", data={**form, "column": "canvas:1201"}
    ).get_data(as_text=True)
    assert "Map “Unit 1 Quiz: Linear Equations” to standards" in mapping
    assert 'id="points" name="points" value="20" readonly' in mapping
    sid = re.search(r'name="std-(\d+)"', mapping).group(1)
    typed = fields(mapping, "/evidence/lms-import/map/save")
    assert typed[f"cut-{sid}-3"] == "90"  # Advanced from 90%, as default_cut_scores gives
    refused = visit.browser.tool.post("/evidence/lms-import/map/save", data=typed)
    assert refused.status_code == 400 and "Tick at least one standard" in refused.get_data(
        as_text=True
    )
    saved = visit.browser.tool.post(
        "/evidence/lms-import/map/save", data={**typed, f"std-{sid}": "1"}
    )
    html = saved.get_data(as_text=True)
    assert saved.status_code == 200 and "Mapped (remembered)" in html
    for key in ("canvas:1202", "canvas:1203"):
        html = visit.browser.tool.post(
            "/evidence/lms-import/map/save", data={**typed, "column": key, "skip": "1"}
        ).get_data(as_text=True)
    assert "new column" not in html and html.count("Not imported</td>") == 2
    assert "3 new pieces of evidence, 0 superseding" in html and "1 blank" in html
    assert evidence(tool) == (0, 0)  # mapping saves no evidence

    done = visit.browser.tool.post(
        "/evidence/lms-import/save", data=fields(html, "/evidence/lms-import/save")
    )
    assert done.status_code == 303
    assert "Imported: 3 new evidence" in browser.tool.get(done.headers["Location"]).get_data(
        as_text=True
    )
    assert evidence(tool) == (3, 0)

    # Next month: the mapping is remembered, the new column flagged; one step to import.
    html = upload(visit, "canvas_gradebook_next_month.csv").get_data(as_text=True)
    assert "1 new column since the last import" in html and "Mapped (remembered)" in html
    assert "0 new pieces of evidence, 1 superseding a changed score, 2 unchanged" in html
    done = visit.browser.tool.post(
        "/evidence/lms-import/save", data=fields(html, "/evidence/lms-import/save")
    )
    assert done.status_code == 303 and evidence(tool) == (4, 1)


def test_a_student_cannot_open_the_lms_import(browser, ids):
    visit = launch_as(browser, STUDENT)
    assert visit.get("/evidence/lms-import").status_code == 403


def test_a_file_that_is_no_lms_export_is_named(browser, ids):
    visit = launch_as(browser, TEACHER)
    response = visit.browser.tool.post(
        "/evidence/lms-import/preview",
        data={"launch": visit.token, "file": (io.BytesIO(b"student,standard\na,b\n"), "x.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "not a Canvas gradebook export" in response.get_data(as_text=True)
