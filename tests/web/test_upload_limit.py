"""Request bodies over MAX_CONTENT_LENGTH: a 413 page inside the LMS, logged, nothing saved."""

from __future__ import annotations

import io

from lti_tool import create_app
from lti_tool.web.security import origin
from tests.live import STUDENT, TEACHER

from .conftest import cell_path, launch_as
from .test_cells import TODAY, evidence_count


def test_the_cap_is_a_few_megabytes_and_set_from_the_environment(monkeypatch, base_config):
    assert 1_000_000 < create_app(base_config).config["MAX_CONTENT_LENGTH"] <= 20_000_000
    monkeypatch.setenv("LTI_TOOL_MAX_CONTENT_LENGTH", "2000000")
    assert create_app(base_config).config["MAX_CONTENT_LENGTH"] == 2_000_000


def test_a_file_over_the_cap_gets_a_clear_413_page_and_saves_nothing(
    browser, ids, tool, lms, caplog
):
    tool.config["MAX_CONTENT_LENGTH"] = 50_000
    visit = launch_as(browser, TEACHER)
    path = cell_path(ids, STUDENT, "F-IF.6") + "/evidence"
    before = evidence_count(tool)
    too_big = io.BytesIO(b"student,standard,level\n" + b"x" * 120_000)
    response = browser.tool.post(
        path,
        data={"launch": visit.token, "level": "4", "date": TODAY, "file": (too_big, "big.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "<h1>The file is too large</h1>" in page
    assert "at most 0.05 MB" in page and "Nothing was saved" in page
    assert f"<code>{response.headers['X-Request-ID']}</code>" in page
    # Shown inside the LMS: the registered platform may frame it.
    assert origin(lms.issuer) in response.headers["Content-Security-Policy"]
    logged = [r.getMessage() for r in caplog.records if r.getMessage().startswith("413")]
    assert logged and "limit 50000" in logged[0] and path in logged[0]
    assert evidence_count(tool) == before
    # Under the cap, the same form goes through.
    small = visit.post(path, {"level": "4", "date": TODAY, "comment": "ok"})
    assert small.status_code == 303 and evidence_count(tool) == before + 1
