"""The standards library through real launches: import CCSS Math (CASE JSON) with a preview,
adopt one branch, edit an "I can" statement and priority; broken files name their problems
and save nothing; another course's framework stays invisible."""

from __future__ import annotations

import base64
import io
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from devplatform.vocab import Role
from lti_tool.extensions import db
from lti_tool.models import CourseStandard, Framework, Job, Standard
from tests.live import ADMIN, OTHER_COURSE, STUDENT, TEACHER
from tests.web.conftest import Ids, launch_as

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "standards"
CCSS = DATA / "case" / "ccss-math-2010.json"
CANVAS_WITH_ERRORS = DATA / "canvas" / "test_outcomes_with_errors.csv"

pytestmark = pytest.mark.skipif(not CCSS.exists(), reason="../shared/data is not beside the repo")


def upload(visit, path: Path, name: str | None = None):
    return upload_bytes(visit, path.read_bytes(), name or path.name)


def upload_bytes(visit, content: bytes, name: str):
    """A multipart upload encoded in memory (the test client would spool a large one to a
    temporary file it never closes)."""
    form = {"launch": visit.token, "file": FileStorage(io.BytesIO(content), filename=name)}
    stream, length, boundary = stream_encode_multipart(form, use_tempfile=False)
    return visit.browser.tool.post(
        "/standards/import/preview",
        input_stream=stream,
        content_length=length,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def hidden(page: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', page).group(1)


def count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0


def test_teacher_imports_ccss_adopts_a_branch_and_edits_i_can(browser, ids: Ids, tool):
    teacher = launch_as(browser, TEACHER)
    with tool.app_context():
        before = count(Framework)
    previewed = upload(teacher, CCSS)
    page = previewed.get_data(as_text=True)
    assert previewed.status_code == 200, page
    assert "Check the framework before saving" in page and "cannot be imported" not in page
    with tool.app_context():
        assert count(Framework) == before  # the preview saves nothing

    saved = teacher.post(
        "/standards/import/save",
        {"content": hidden(page, "content"), "filename": CCSS.name, "adopt": "choose"},
    )
    assert saved.status_code == 303
    tree_page = browser.tool.get(saved.headers["Location"]).get_data(as_text=True)
    with tool.app_context():
        framework = db.session.scalars(select(Framework).order_by(Framework.id.desc())).first()
        assert framework.course_id == ids.course  # a teacher's import belongs to the course
        total = count(Standard, Standard.framework_id == framework.id)
        branch = db.session.scalar(
            select(Standard).where(Standard.framework_id == framework.id, Standard.code == "8.EE.A")
        )
    assert total > 300 and f'value="{branch.id}"' in tree_page

    adopted = teacher.post(
        f"/standards/frameworks/{framework.id}/adopt", {"standard": str(branch.id)}
    )
    assert adopted.status_code == 303
    notice = browser.tool.get(adopted.headers["Location"]).get_data(as_text=True)
    added = int(re.search(r"(\d+) standards adopted", notice).group(1))
    with tool.app_context():
        codes = set(
            db.session.scalars(
                select(Standard.code)
                .join(CourseStandard, CourseStandard.standard_id == Standard.id)
                .where(
                    CourseStandard.course_id == ids.course,
                    Standard.framework_id == framework.id,
                )
            )
        )
    assert len(codes) == added >= 5 and "8.EE.A.1" in codes
    assert all(code.startswith("8.EE.A") for code in codes if code)

    edited = teacher.post(
        f"/standards/{branch.id}/edit", {"i_can": "I can <work> with exponents.", "priority": "1"}
    )
    assert edited.status_code == 303
    listing = teacher.get("/standards").get_data(as_text=True)
    assert "I can &lt;work&gt; with exponents." in listing
    with tool.app_context():
        assert count(Job, Job.kind == "recompute", Job.course_id == ids.course) == 1
    grid = teacher.get("/gradebook").get_data(as_text=True)
    assert ">8.EE.A<" in grid and ">8.EE.A.4<" in grid


def test_a_broken_file_names_its_problems_and_saves_nothing(browser, ids: Ids, tool):
    teacher = launch_as(browser, TEACHER)
    with tool.app_context():
        before = count(Standard)
    response = upload(teacher, CANVAS_WITH_ERRORS)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "cannot be imported; nothing was saved" in page and "<li>" in page
    assert "Save the framework" not in page
    not_standards = upload_bytes(teacher, b"\x00\x01", "x.bin")
    assert not_standards.status_code == 400
    forged = teacher.post(
        "/standards/import/save",
        {"content": base64.b64encode(b"code,title\n,\n").decode(), "filename": "x.csv"},
    )
    assert forged.status_code == 400
    with tool.app_context():
        assert count(Standard) == before


def test_admin_imports_into_the_library_for_every_course(browser, ids: Ids, tool, lms):
    admin = launch_as(browser, ADMIN)
    page = upload(admin, DATA / "moodle" / "Simple_Sample_unordered.csv").get_data(as_text=True)
    assert "It goes into the platform&#39;s library" in page or "goes into the platform's" in page
    saved = admin.post(
        "/standards/import/save",
        {
            "content": hidden(page, "content"),
            "filename": "Simple_Sample_unordered.csv",
            "where": "library",
            "adopt": "all",
        },
    )
    assert saved.status_code == 303
    with tool.app_context():
        framework = db.session.scalars(select(Framework).order_by(Framework.id.desc())).first()
    assert framework.course_id is None
    library = admin.get(f"/standards/frameworks/{framework.id}").get_data(as_text=True)
    assert "Adopt the ticked standards" not in library  # the admin has no course to adopt into
    teacher = launch_as(browser, TEACHER)
    offered = teacher.get(f"/standards/frameworks/{framework.id}").get_data(as_text=True)
    assert "Adopt the ticked standards" in offered
    assert (
        teacher.post(f"/standards/frameworks/{framework.id}/adopt", {"all": "1"}).status_code == 303
    )


def test_a_teacher_cannot_put_files_in_the_library_or_see_another_courses(browser, ids, tool, lms):
    teacher = launch_as(browser, TEACHER)
    page = upload(teacher, DATA / "moodle" / "Simple_Sample_unordered.csv").get_data(as_text=True)
    assert 'value="library"' not in page
    saved = teacher.post(
        "/standards/import/save",
        {"content": hidden(page, "content"), "filename": "s.csv", "where": "library"},
    )
    assert saved.status_code == 303
    with tool.app_context():
        own = db.session.scalars(select(Framework).order_by(Framework.id.desc())).first()
    assert own.course_id == ids.course
    lms.platform.enroll(OTHER_COURSE, TEACHER, [Role.INSTRUCTOR])
    elsewhere = launch_as(browser, TEACHER, OTHER_COURSE)
    assert elsewhere.get(f"/standards/frameworks/{own.id}").status_code == 404
    refused = elsewhere.post(f"/standards/frameworks/{own.id}/adopt", {"all": "1"})
    assert refused.status_code == 404


def test_students_do_not_manage_standards(browser, ids: Ids):
    student = launch_as(browser, STUDENT)
    assert student.get("/standards").status_code == 403
    assert (
        student.post(f"/standards/{ids.standards['F-IF.6']}/edit", {"i_can": "x"}).status_code
        == 403
    )
