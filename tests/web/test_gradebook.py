"""The teacher's gradebook through a real instructor launch."""

from __future__ import annotations

import html
import re
from contextlib import contextmanager
from html import unescape

from sqlalchemy import event, select

from lti_tool.extensions import db
from lti_tool.models import CurrentLevel
from tests.live import MENTOR, STUDENT, TEACHER

from .conftest import cell_path, launch_as, seed

NAMES_BY_FAMILY = [
    "Oluwaseun Adeyemi",
    "Jamal Carter",
    "Mateo Hernández",
    "Lan Nguyen Thi",
    "Liam O&#39;Brien",
    "Priya Raman",
    "Sofia Rossi",
    "Aiyana Whitehorse",
]


def row_order(page: str) -> list[str]:
    return re.findall(r'<th scope="row" class="student-col"><a [^>]*>([^<]+)</a>', page)


def cell(page: str, path: str) -> str:
    """The <td> whose link opens this drill-down path."""
    match = re.search(
        r'<td class="cell ([^"]*)"><a href="' + re.escape(path) + r'\?[^"]*">(.*?)</a>', page
    )
    assert match, f"no cell for {path}"
    return match.group(1) + " | " + unescape(re.sub(r"<[^>]+>", " ", match.group(2)))


def test_teacher_lands_on_the_grid_of_every_student_and_standard(browser, ids):
    page = launch_as(browser, TEACHER).landing
    assert "Teacher dashboard" in page and "Gradebook" in page
    assert row_order(page) == NAMES_BY_FAMILY  # all students, one page, by family name
    for code in ("A-CED", "A-CED.1", "A-CED.2", "A-REI", "A-REI.3", "F-IF", "F-IF.6"):
        assert f'<span class="code">{code}</span>' in page
    # Mateo has no evidence on F-IF.6: "Not yet assessed", never a low level.
    assert cell(page, cell_path(ids, STUDENT, "F-IF.6")).startswith("na | ")
    assert "Not yet assessed" in cell(page, cell_path(ids, STUDENT, "F-IF.6"))
    # A level shows its label as text as well as its colour class.
    level = cell(page, cell_path(ids, STUDENT, "A-REI.3"))
    assert re.match(r"lv-\d \| \s*\w+\s+(Beginning|Developing|Proficient|Advanced)", level), level


def test_header_and_student_column_are_real_headers_and_parents_toggle(browser, ids):
    page = launch_as(browser, TEACHER).landing
    assert '<th scope="col" class="student-col">Student</th>' in page
    assert page.count('<th scope="row" class="student-col">') == 8
    parent = ids.standards["A-CED"]
    toggle = re.search(rf'<button type="button" class="toggle"[^>]*data-branch="{parent}"', page)
    assert toggle and 'aria-expanded="true"' in toggle.group(0)
    kids = f"col-{ids.standards['A-CED.1']} col-{ids.standards['A-CED.2']}"
    assert f'aria-controls="{kids}"' in toggle.group(0)
    assert f'data-ancestors="{parent}"' in page  # children name their branch for the script
    assert 'class="cell lv-' in page and " rollup" in page  # roll-ups are shown for parents
    assert '<div class="grid-scroll" role="region"' in page


def test_priority_filter_keeps_only_priority_standards(browser, ids):
    visit = launch_as(browser, TEACHER)
    page = visit.get("/gradebook", priority="1").get_data(as_text=True)
    shown = re.findall(r'<span class="code">([^<]+)</span>', page)
    assert shown == ["A-CED.1", "A-REI.3", "F-IF.6"]
    assert 'id="priority" name="priority" value="1" checked' in page


def test_sort_by_a_standard_puts_lowest_first_and_unassessed_last(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    target = ids.standards["F-IF.6"]
    page = visit.get("/gradebook", sort=str(target)).get_data(as_text=True)
    assert re.search(rf'id="col-{target}"[^>]*aria-sort="ascending"', page)
    with tool.app_context():
        stored = dict(
            db.session.execute(
                select(CurrentLevel.student_id, CurrentLevel.points).where(
                    CurrentLevel.standard_id == target
                )
            ).all()
        )
    order = [
        int(n)
        for n in re.findall(r'<th scope="row" class="student-col"><a href="/students/(\d+)\?', page)
    ]
    values = [stored.get(student) for student in order]
    assessed = [v for v in values if v is not None]
    assert len(order) == 8 and assessed == sorted(assessed)
    assert values[len(assessed) :] == [None] * (len(values) - len(assessed))
    assert None in values  # the seeded data leaves some students unassessed on F-IF.6


def test_sort_by_summary_grade(browser, ids, tool):
    visit = launch_as(browser, TEACHER)
    page = visit.get("/gradebook", sort="summary").get_data(as_text=True)
    scores = [float(n) for n in re.findall(r'<td class="summary-col">([\d.]+)<span', page)]
    assert len(scores) == 8 and scores == sorted(scores)


def test_a_cell_page_leads_back_to_the_view_it_was_opened_from(browser, ids, tool):
    """Sorted by summary, one branch: the cell page, and the page after adding evidence on it,
    go back to that view at that cell (static/gradebook.js focuses it)."""
    visit = launch_as(browser, TEACHER)
    branch = ids.standards["A-CED"]
    page = visit.get("/gradebook", sort="summary", branch=str(branch)).get_data(as_text=True)
    mateo, target = ids.users[STUDENT], ids.standards["A-CED.1"]
    link = re.search(rf'href="(/students/{mateo}/standards/{target}\?[^"]+)"', page)
    assert link and "grid=sort%3Dsummary%26branch%3D" in link[1]
    cell = browser.tool.get(html.unescape(link[1])).get_data(as_text=True)
    back = re.search(r'<p class="back"><a href="([^"]+)">', cell)[1]
    expected = f"#cell-{mateo}-{target}"
    assert back.startswith("/gradebook?") and back.endswith(expected)
    assert "sort=summary" in back and f"branch={branch}" in back
    # Every form of the page carries the view; saving comes back to a page that keeps it.
    grid = re.search(r'<input type="hidden" name="grid" value="([^"]+)">', cell)[1]
    added = visit.post(
        f"/students/{mateo}/standards/{target}/evidence",
        {"level": "3", "date": "2025-10-01", "grid": html.unescape(grid)},
    )
    assert added.status_code == 303 and "grid=sort%3Dsummary" in added.headers["Location"]
    again = browser.tool.get(added.headers["Location"]).get_data(as_text=True)
    assert re.search(r'<p class="back"><a href="/gradebook\?[^"]*sort=summary', again)
    # A `grid` that is not a gradebook view is ignored.
    odd = visit.get(f"/students/{mateo}/standards/{target}", grid="x=1&launch=stolen")
    back = re.search(r'<p class="back"><a href="([^"]+)">', odd.get_data(as_text=True))[1]
    assert "x=1" not in back and "stolen" not in back


def test_grid_needs_a_teacher(browser, ids):
    student = launch_as(browser, STUDENT)
    assert student.get("/gradebook").status_code == 403
    mentor = launch_as(browser, MENTOR)
    assert mentor.get("/gradebook").status_code == 403


def test_grid_without_launch_token_is_refused(browser, ids):
    response = browser.tool.get("/gradebook")
    assert response.status_code == 401 and "launch from your LMS" in response.get_data(as_text=True)


def test_scale_colours_stylesheet_follows_the_course_scale(browser, ids):
    visit = launch_as(browser, TEACHER)
    response = visit.get("/levels.css")
    assert response.status_code == 200 and response.mimetype == "text/css"
    css = response.get_data(as_text=True)
    # Four-level preset: white text on the dark orange, black on the light one.
    assert ".lv-0 { background-color: #B35806; color: #ffffff; }" in css
    assert ".lv-1 { background-color: #F1A340; color: #000000; }" in css


@contextmanager
def counted(tool):
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    with tool.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_grid_queries_do_not_grow_with_the_class(browser, tool, lms):
    """3 students and 30 students: the same number of SQL statements for the page."""
    seed(tool, lms, student_count=3)
    visit = launch_as(browser, TEACHER)
    with counted(tool) as small:
        page = visit.get("/gradebook").get_data(as_text=True)
    assert len(row_order(page)) == 3
    seed(tool, lms, student_count=30)
    with counted(tool) as large:
        page = visit.get("/gradebook").get_data(as_text=True)
    assert len(row_order(page)) == 30
    assert page.count('class="cell lv-') > 10 * page.count('class="cell na')  # mostly assessed
    assert len(large) == len(small), (small, large)


def test_the_grid_speaks_spanish_when_the_teacher_chose_it_in_the_lms(browser, ids, lms):
    lms.platform.store.state.users[TEACHER].locale = "es-419"
    page = launch_as(browser, TEACHER).landing
    assert "<h1>Panel del docente</h1>" in page
    assert '<h2 id="grid-title">Libro de calificaciones</h2>' in page
    assert "Niveles de dominio de 8 estudiantes en" in page
    assert "Ordenar estudiantes por" in page and "Descargar toda la evidencia (CSV)" in page
    # Cells: a level's own label stays the course's; what the tool says is Spanish.
    empty = cell(page, cell_path(ids, STUDENT, "F-IF.6"))
    assert empty.startswith("na | ") and "Aún sin evaluar" in empty
    grid = page[page.index('<table class="grid"') : page.index("</table>")]
    assert "Not yet assessed" not in grid and "rolled up" not in grid
    assert re.search(r'<span class="vh">[^<]+, consolidado</span>', grid)
    assert "Estándares dentro de A-CED" in page
