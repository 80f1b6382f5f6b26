"""Downloads through real launches: file names, CSV content, access, formula injection."""

from __future__ import annotations

import csv
import io
import re
from datetime import date

from lti_tool.extensions import db
from lti_tool.models import User
from tests.live import MENTOR, OTHER_STUDENT, STUDENT, TEACHER

from .conftest import cell_path, launch_as

TODAY = date.today().isoformat()


def rows_of(response) -> list[list[str]]:
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")  # UTF-8 byte order mark, for spreadsheets
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def test_gradebook_and_evidence_download_from_the_gradebook(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    for endpoint in ("/export/gradebook.csv", "/export/evidence.csv"):
        assert f'href="{endpoint}?launch={visit.token}" download' in visit.landing
    response = visit.get("/export/gradebook.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="alg1-p3-gradebook-{TODAY}.csv"'
    )
    assert "no-store" in response.headers["Cache-Control"]
    rows = rows_of(response)
    header = rows[0]
    assert header[:2] == ["Student", "LMS user id"] and header[-1] == "Summary grade"
    assert header[2:-1] == list(ids.standards)  # every standard, parents too, tree order
    mateo = next(row for row in rows if row[0] == "Mateo Hernández")
    by_code = dict(zip(header, mateo, strict=True))
    assert by_code["F-IF.6"] == "Not yet assessed"  # never a low level, never blank
    assert by_code["A-REI.3"] in ("Beginning", "Developing", "Proficient", "Advanced")
    assert by_code["A-REI"] != ""  # parents rolled up as in the grid
    assert float(by_code["Summary grade"]) > 0
    assert len(rows) == 1 + 8

    log = rows_of(visit.get("/export/evidence.csv"))
    assert log[0][:4] == ["id", "student", "LMS user id", "standard"]
    assert len(log) > 8 and {row[10] for row in log[1:]} <= {"current", "superseded", "exempt"}


def test_a_student_report_downloads_from_the_cell_and_profile_pages(browser, ids, tool):
    teacher = launch_as(browser, TEACHER)
    mateo = ids.users[STUDENT]
    cell = teacher.get(cell_path(ids, STUDENT, "A-REI.3")).get_data(as_text=True)
    assert f'href="/students/{mateo}/report.csv?launch={teacher.token}" download' in cell
    profile = teacher.get(f"/students/{mateo}").get_data(as_text=True)
    assert f'href="/students/{mateo}/report.csv?launch={teacher.token}" download' in profile
    response = teacher.get(f"/students/{mateo}/report.csv")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="alg1-p3-mateo-hernandez-report-{TODAY}.csv"'
    )
    rows = rows_of(response)
    assert rows[0] == ["code", "title", "level", "points", "evidence_count", "i_can"]
    assert [row[0] for row in rows[1:]] == list(ids.standards)

    # The student downloads their own; not another's. Exports of the course are teachers'.
    student = launch_as(browser, STUDENT)
    assert student.get(f"/students/{mateo}/report.csv").status_code == 200
    assert student.get(f"/students/{ids.users[OTHER_STUDENT]}/report.csv").status_code == 403
    assert student.get("/export/gradebook.csv").status_code == 403
    assert student.get("/export/evidence.csv").status_code == 403
    mentor = launch_as(browser, MENTOR)
    assert mentor.get("/export/gradebook.csv").status_code == 403


def test_hostile_names_cannot_run_as_formulas(browser, ids, tool):
    with tool.app_context():
        user = db.session.get(User, ids.users[STUDENT])
        user.name = '=HYPERLINK("http://evil","x")'
        db.session.commit()
    visit = launch_as(browser, TEACHER)
    rows = rows_of(visit.get("/export/gradebook.csv"))
    names = [row[0] for row in rows[1:]]
    assert '\'=HYPERLINK("http://evil","x")' in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)
    report = visit.get(f"/students/{ids.users[STUDENT]}/report.csv")
    assert re.search(
        r'filename="alg1-p3-hyperlink-http-evil-x-report-', report.headers["Content-Disposition"]
    )
