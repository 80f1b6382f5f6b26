"""The teacher's evidence import page: upload, preview with the mark table, save, cap."""

from __future__ import annotations

import io
import re
from html import unescape

from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import Evidence, GradeOutbox
from lti_tool.services import evidence_import
from tests.live import STUDENT, TEACHER

from .conftest import launch_as

# Students by LMS user id, standards by code; marks a teacher's gradebook uses.
WIDE = "Student,A-CED.1,A-REI.3\n201,M,NY\n202,P+,3\n"
TEMPLATE_HEADER = "student,standard,level,date,assessment,comment\n"


def evidence_count(tool) -> int:
    with tool.app_context():
        return db.session.scalar(select(func.count()).select_from(Evidence))


def outbox(tool) -> dict[int, tuple]:
    with tool.app_context():
        rows = db.session.scalars(select(GradeOutbox)).all()
        return {row.student_id: (row.score, row.version) for row in rows}


def upload(visit, text: str | bytes, day: str = "2025-10-01"):
    data = text.encode() if isinstance(text, str) else text
    return visit.browser.tool.post(
        "/evidence/import/preview",
        data={"launch": visit.token, "date": day, "file": (io.BytesIO(data), "gradebook.csv")},
        content_type="multipart/form-data",
    )


def form_fields(page: str) -> dict[str, str]:
    """The preview form's fields as a browser would submit them (selected options included)."""
    form = page[page.index('action="/evidence/import/save"') :]
    fields = {
        name: unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
    }
    for name, options in re.findall(
        r'<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>', form, re.S
    ):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        fields[name] = chosen.group(1) if chosen else ""
    day = re.search(r'name="date" value="([^"]*)"', form)
    if day:
        fields["date"] = day.group(1)
    return fields


def test_the_gradebook_links_to_the_import_page(browser, ids):
    visit = launch_as(browser, TEACHER)
    link = re.search(r'<a href="(/evidence/import\?launch=[^"]+)">Import evidence', visit.landing)
    assert link and visit.token in link.group(1)
    page = visit.browser.tool.get(unescape(link.group(1))).get_data(as_text=True)
    assert "<h1>Import evidence</h1>" in page and 'type="file" id="file" name="file"' in page
    assert f'name="launch" value="{visit.token}"' in page


def test_the_template_downloads_and_previews_as_a_long_file(browser, ids):
    visit = launch_as(browser, TEACHER)
    page = visit.get("/evidence/import").get_data(as_text=True)
    link = re.search(r'<a href="([^"]+)">Download the template</a>', page)
    response = visit.browser.tool.get(unescape(link.group(1)))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    preview = upload(visit, response.data).get_data(as_text=True)
    assert "One row per attempt" in preview and "2 marks for 1 student on 1 standard." in preview


def test_the_preview_shows_the_first_rows_with_their_dates_and_comments(browser, ids):
    """What is saved besides the level (the date, the assessment, the comment) is seen first."""
    rows = "".join(
        f"201,A-CED.1,3,2025-10-{day:02d},Exit ticket {day},Comment {day}\n" for day in range(1, 13)
    )
    visit = launch_as(browser, TEACHER)
    page = upload(visit, TEMPLATE_HEADER + rows).get_data(as_text=True)
    assert "The first rows, as they will be saved" in page
    cells = re.findall(r"<tr><td>(\d+)</td>(.*?)</tr>", page, re.S)
    assert len(cells) == 10  # the first ten rows, then a count of the rest
    first = re.findall(r"<td>(.*?)</td>", cells[0][1])
    assert first == ["201", "A-CED.1", "3", "2025-10-01", "Exit ticket 1", "Comment 1"]
    assert "and 2 more rows" in page


def test_preview_then_confirmed_save_then_nothing_twice(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    before = evidence_count(tool)
    response = upload(visit, WIDE)
    page = response.get_data(as_text=True)
    assert response.status_code == 200, page
    assert "4 marks for 2 students on 2 standards" in page and "Nothing has been saved yet" in page
    assert evidence_count(tool) == before
    fields = form_fields(page)
    marks = {fields[f"{k}-text"]: v for k, v in fields.items() if re.fullmatch(r"mark-\d+", k)}
    # '3' is the scale's own; 'P+' is proposed as Proficient; 'M' and 'NY' are not guessed.
    assert marks == {"M": "", "NY": "", "P+": "3", "3": "3"}
    assert "No proposal: choose one" in page
    # Saving without answering every mark is refused, and shows the table again.
    refused = visit.post("/evidence/import/save", fields)
    assert refused.status_code == 400
    assert "Choose a level for every mark: &#39;M&#39;, &#39;NY&#39;" in refused.get_data(
        as_text=True
    )
    assert evidence_count(tool) == before
    answers = {
        k: {"M": "3", "NY": "1", "P+": "4"}.get(fields.get(f"{k}-text"), v)
        for k, v in fields.items()
    }
    queued = outbox(tool)
    saved = visit.post("/evidence/import/save", answers)
    assert saved.status_code == 303 and visit.token in saved.headers["Location"]
    assert evidence_count(tool) == before + 4
    # The summary grades of both students were queued in the import's transaction.
    changed = {user for user, row in outbox(tool).items() if queued.get(user) != row}
    assert changed == {ids.users["201"], ids.users["202"]}
    notice = visit.browser.tool.get(saved.headers["Location"]).get_data(as_text=True)
    # A success the page focuses and the LMS scrolls to (static/frame.js looks for it).
    assert '<p class="notice success" role="status">Saved 4 pieces of evidence.</p>' in notice
    again = visit.post("/evidence/import/save", answers)
    assert "saved=0" in again.headers["Location"] and "skipped=4" in again.headers["Location"]
    assert evidence_count(tool) == before + 4


def test_problems_are_reported_by_line_and_column(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    response = upload(visit, WIDE + "nobody,3,3\n").get_data(as_text=True)
    assert (
        "<td>line 4</td><td>Student</td><td>&#39;nobody&#39; not found in the roster</td>"
        in response
    )
    # The summary counts every name in the file, and says how many are not in the class.
    assert "for 3 students on 2 standards. 1 of the students is not in the class list." in response
    assert 'action="/evidence/import/save"' not in response  # fix the file first
    response = upload(visit, "Student,A-CED.1,Quiz 3\n201,3,3\n").get_data(as_text=True)
    assert "<td>line 1</td><td>Quiz 3</td>" in response
    response = upload(visit, b"\xff\xfe\x00").get_data(as_text=True)
    assert "not UTF-8 text" in response


def test_every_problem_of_a_long_file_is_reported_at_once(browser, ids):
    """A bad date on one row and an unknown student on another: both in one preview (it took
    one upload per kind of problem), and nothing can be saved."""
    visit = launch_as(browser, TEACHER)
    text = "student,standard,level,date\n201,A-CED.1,3,2025-13-01\nnobody,A-CED.1,2,2025-10-01\n"
    page = unescape(upload(visit, text).get_data(as_text=True))
    assert "<td>line 2</td><td>date</td><td>'2025-13-01' is not a date like 2024-09-03</td>" in page
    assert "<td>line 3</td><td>student</td><td>'nobody' not found in the roster</td>" in page
    assert 'action="/evidence/import/save"' not in page


def test_oversized_files_are_refused_with_the_limit_named(browser, ids, tool, monkeypatch):
    visit = launch_as(browser, TEACHER)
    monkeypatch.setattr(evidence_import, "MAX_UPLOAD_BYTES", 1000)
    response = upload(visit, WIDE + "201,3,3\n" * 200)
    page = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "The file is larger than 1 KB, the most one import takes" in page
    big = upload(visit, "x" * 300_000)  # over the request cap: refused before it is read
    assert big.status_code == 413 and "Split it" in big.get_data(as_text=True)


def test_students_cannot_import(browser, ids):
    visit = launch_as(browser, STUDENT)
    assert visit.get("/evidence/import").status_code == 403
    assert upload(visit, WIDE).status_code == 403


def test_the_standards_template_downloads_for_teachers_only(browser, ids):
    teacher = launch_as(browser, TEACHER)
    link = re.search(r'<a href="([^"]+)">our standards template \(CSV\)</a>', teacher.landing)
    assert link is None  # the seeded course has standards: the empty-course hint is not shown
    response = teacher.get("/standards/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.get_data(as_text=True).startswith("code,title,statement,i_can,parent_code")
    assert "standards-template.csv" in response.headers["Content-Disposition"]
    student = launch_as(browser, STUDENT)
    assert student.get("/standards/template.csv").status_code == 403
