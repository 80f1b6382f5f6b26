"""The teacher's pages in Spanish: a teacher whose LMS locale is Spanish gets the evidence,
scoring, settings, grading periods, sync, course copy and LMS column pages in Spanish (messages
built in Python and plurals included), with no English heading left, and text people typed
(a standard's code, an assessment's or a period's title) escaped inside the translated
sentences that carry it."""

from __future__ import annotations

import re
from datetime import date, timedelta
from html import unescape

import pytest
from flask import Flask
from flask_babel import force_locale, ngettext
from sqlalchemy import update

from lti_tool.extensions import db
from lti_tool.models import Standard
from tests.live import CLIENT_ID, COURSE, STUDENT, TEACHER, Lms
from tests.lti.conftest import Browser
from tests.web.conftest import Ids, Visit, cell_path, launch_as

from .test_cells import TODAY
from .test_scoring import cell, create, sheet_form
from .test_settings import fields

HOSTILE = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


@pytest.fixture
def teacher(browser: Browser, lms: Lms, ids: Ids) -> Visit:
    """The demo course's teacher, launched from an LMS set to Mexican Spanish."""
    lms.platform.store.state.users[TEACHER].locale = "es-MX"
    visit = launch_as(browser, TEACHER)
    assert '<html lang="es">' in visit.landing
    return visit


def page_of(visit: Visit, path: str, **params) -> str:
    response = visit.get(path, **params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def headings(page: str) -> list[str]:
    found = re.findall(r"<(h[1-3]|legend|summary|caption)\b[^>]*>(.*?)</\1>", page, re.S)
    return [" ".join(unescape(re.sub(r"<[^>]+>", " ", text)).split()) for _tag, text in found]


def assert_no_english(page: str, *english: str) -> None:
    """None of the page's headings (nor the given phrases) is left in English."""
    titles = headings(page)
    assert titles
    for text in english:
        assert text not in page
        assert text not in titles


def test_the_evidence_page_is_in_spanish(teacher: Visit, ids: Ids):
    page = page_of(teacher, cell_path(ids, STUDENT, "A-REI.3"))
    assert '<h2 id="timeline-title">Evidencia</h2>' in page
    assert "Nivel actual:" in page and "Agregar evidencia" in page
    assert re.search(r"a partir de \d+ evidencias?<", page)  # the plural, in Spanish
    assert "Eximir a Mateo Hernández de A-REI.3" in page
    assert "Corregir esta entrada" in page and "<dt>Registrada por</dt>" in page
    assert_no_english(
        page,
        "Add evidence",
        "Evidence</h2>",
        "Exemption</h2>",
        "Correct this entry",
        "Level</label>",
    )

    response = teacher.post(cell_path(ids, STUDENT, "F-IF.6") + "/evidence", {"level": "4"})
    assert response.status_code == 400
    refused = response.get_data(as_text=True)
    assert "No se guardó nada." in refused and "Nothing was saved" not in refused

    response = teacher.post(
        cell_path(ids, STUDENT, "F-IF.6") + "/evidence", {"level": "4", "date": TODAY}
    )
    assert response.status_code == 303
    saved = teacher.browser.tool.get(response.headers["Location"]).get_data(as_text=True)
    assert "Evidencia agregada." in saved and "Volver al libro de calificaciones" in saved


def test_a_hostile_standard_code_stays_escaped_inside_spanish_sentences(
    teacher: Visit, ids: Ids, tool: Flask
):
    with tool.app_context():
        db.session.execute(
            update(Standard).where(Standard.id == ids.standards["A-REI.3"]).values(code=HOSTILE)
        )
        db.session.commit()
    page = page_of(teacher, cell_path(ids, STUDENT, "A-REI.3"))
    assert HOSTILE not in page
    assert f"Eximir a Mateo Hernández de {ESCAPED}" in page  # {% trans %} with variables
    assert f"Niveles a lo largo del tiempo en {ESCAPED}" in page  # _() with a variable
    assert f"Eximir de {ESCAPED}" in page


def test_scoring_in_spanish_with_its_errors_and_an_escaped_title(teacher: Visit, ids: Ids):
    index = page_of(teacher, "/assessments")
    assert "<h1>Calificar una evaluación</h1>" in index and "Nueva evaluación" in index
    assert_no_english(index, "Score an assessment", "New assessment", "Create and score")

    refused = teacher.post("/assessments", {"title": ""})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "Póngale un título a la evaluación." in text
    assert "Elija al menos uno de los estándares del curso." in text

    assessment_id, _data = create(teacher, ids, title=HOSTILE)
    sheet = page_of(teacher, f"/assessments/{assessment_id}/score")
    assert HOSTILE not in sheet
    assert f"<h1>Calificar: {ESCAPED}</h1>" in sheet
    assert f"Calificaciones de {ESCAPED}: una fila por estudiante y estándar." in sheet
    assert "Guardar todas las calificaciones" in sheet and "Sin calificación" in sheet
    assert_no_english(sheet, "Save all marks", "No mark", "Give every row with no mark")

    form = sheet_form(sheet)
    where = cell(ids, STUDENT, "A-REI.3")
    form.update({"date": TODAY, "action": "save", f"comment-{where}": "Bien."})
    response = teacher.post(f"/assessments/{assessment_id}/score", form, with_token=False)
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Mateo Hernández en A-REI.3: elija un nivel para este comentario o bórrelo." in text
    assert "choose a level" not in text


def test_settings_in_spanish_with_python_labels_and_errors(teacher: Visit):
    page = page_of(teacher, "/settings")
    assert "<h1>Configuración del curso</h1>" in page and "Método de cálculo" in page
    assert "El promedio de los estándares que dependen de él" in page  # a lazy_gettext label
    assert "Asistentes de docencia" in page and "Previsualizar el cambio" in page
    # The calculation methods, named by the domain, in Spanish too.
    assert "Más reciente — El puntaje más reciente." in page
    assert "Peso del puntaje más reciente" in page and "Most recent" not in page
    overrides = page_of(teacher, "/settings/overrides")
    assert "Promedio decreciente" in overrides and "Decaying average" not in overrides
    assert_no_english(page, "Course settings", "Calculation method", "Preview the change")

    response = teacher.post("/settings/preview", {"min_evidence": "0", "maximum": "-1"})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Elija una de las escalas." in text
    assert "Evidencia mínima: escriba un número entero de 1 a" in text
    assert "Calificación sobre: escriba un número positivo, por ejemplo 100." in text
    assert "Nothing was saved" not in text


def test_a_settings_preview_says_why_a_level_is_missing_in_spanish(teacher: Visit):
    current = fields(page_of(teacher, "/settings"))
    response = teacher.post("/settings/preview", {**current, "min_evidence": "9"})
    text = unescape(response.get_data(as_text=True))
    assert response.status_code == 200, text
    assert "Aún no hay evidencia suficiente" in text  # was the English "Not enough evidence yet"
    assert "Not enough evidence yet" not in text


def test_settings_in_spanish_after_the_recompute_ran(teacher: Visit, tool: Flask):
    """The recompute's plural counts its levels, not the date before it: Spanish's plural
    rule cannot take a date, and the page was a 500."""
    from lti_tool.worker import Worker

    current = fields(page_of(teacher, "/settings"))
    previewed = fields(page_of_post(teacher, "/settings/preview", {**current, "method": "mean"}))
    assert teacher.post("/settings/save", previewed).status_code == 303
    assert Worker(tool).drain().jobs_done >= 1
    page = unescape(page_of(teacher, "/settings"))
    assert re.search(r"Los niveles y las calificaciones se recalcularon .* \(\d+ niveles\)", page)


def page_of_post(visit: Visit, path: str, form: dict[str, str]) -> str:
    response = visit.post(path, form)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


def test_grading_periods_in_spanish_with_an_escaped_title(teacher: Visit):
    page = page_of(teacher, "/periods")
    assert "<h1>Períodos de calificación y zona horaria</h1>" in page
    assert "Zona horaria del curso" in page and "Agregar un período de calificación" in page
    assert_no_english(page, "Grading periods and time zone", "Time zone</h2>", "Add the period")

    refused = teacher.post("/periods", {"title": "T1", "starts_on": "ayer", "ends_on": ""})
    assert refused.status_code == 400
    text = refused.get_data(as_text=True)
    assert "Escriba la fecha de inicio como AAAA-MM-DD, por ejemplo 2026-09-01." in text
    assert "No se guardó nada: corrija los problemas indicados abajo." in text

    last_day = (date.today() + timedelta(days=90)).isoformat()
    response = teacher.post(
        "/periods", {"title": HOSTILE, "starts_on": TODAY, "ends_on": last_day, "grace_days": "2"}
    )
    assert response.status_code == 303
    saved = teacher.browser.tool.get(response.headers["Location"]).get_data(as_text=True)
    assert "Período de calificación agregado." in saved
    assert HOSTILE not in saved
    assert f"Editar {ESCAPED}" in saved and f"Cerrar {ESCAPED}" in saved
    assert f"del {TODAY} al {last_day} (+2 días de gracia)" in saved  # a plural, not one


def test_grades_in_the_lms_and_course_copy_in_spanish(teacher: Visit):
    page = page_of(teacher, "/sync")
    assert "<h1>Calificaciones en el LMS</h1>" in page and "Sincronizar desde el LMS" in page
    assert "Calificaciones resumen enviadas al LMS" in page
    assert_no_english(page, "Grades in the LMS", "Sync from LMS", "Recent syncs")

    response = teacher.post("/sync/lms", {"what": "roster"})
    assert response.status_code == 303
    queued = teacher.browser.tool.get(response.headers["Location"]).get_data(as_text=True)
    assert "Leyendo la lista de la clase desde el LMS." in queued
    assert "Lista de la clase: en cola" in " ".join(queued.split())

    copy = page_of(teacher, "/course/copy")
    assert "<h1>Traer la configuración de otro curso</h1>" in copy
    assert_no_english(copy, "Bring the setup from another course")


def test_an_lms_column_is_aligned_in_spanish(teacher: Visit, ids: Ids, lms: Lms):
    item = lms.platform.add_line_item(
        COURSE, HOSTILE, 20, client_id=CLIENT_ID, tag="quiz", resourceId="unit-2"
    )
    url = f"{lms.issuer}/api/lti/courses/{COURSE}/line_items/{item.id}"
    index = page_of(teacher, "/lms-columns")
    assert "<h1>Columnas del LMS y estándares</h1>" in index and "Sin alinear" in index
    assert HOSTILE not in index and f"de {ESCAPED}</span>" in index
    assert_no_english(index, "LMS columns and standards", "Not aligned", "Align to standards")

    editor = page_of(teacher, "/lms-columns/align", item=url)
    assert f"<h1>Alinear «{ESCAPED}» a estándares</h1>" in editor
    assert "La columna es sobre 20 puntos." in editor and "Guardar la alineación" in editor

    sid = ids.standards["A-REI.3"]
    response = teacher.post(
        "/lms-columns/align", {"item": url, f"std-{sid}": "1", f"cut-{sid}-3": "x"}
    )
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "Escriba el porcentaje mínimo para" in text and "como un número." in text
    assert "No se guardó nada" in text and HOSTILE not in text


def test_every_plural_form_has_its_spanish(tool: Flask):
    """Spanish plurals follow the catalogs' two forms (CLDR's rule has a third, for millions)."""
    with tool.test_request_context(), force_locale("es"):
        for count, spanish in [
            (1, "1 estándar"),
            (2, "2 estándares"),
            (10**6, "1000000 estándares"),
        ]:
            assert ngettext("%(num)d standard", "%(num)d standards", count) == spanish
