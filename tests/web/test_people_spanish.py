"""Spanish for the people who read the tool without teaching in it: a student whose LMS is in
Spanish, a family opening a share link (in their browser's language or the one they pick), an
administrator, and the error pages. Names and comments stay escaped inside translated sentences.
Through real launches."""

from __future__ import annotations

import html
import re
from datetime import date

from babel.dates import format_date
from flask import Flask
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import ShareLink
from tests.live import ADMIN, MENTOR, OTHER_STUDENT, STUDENT, TEACHER, Lms
from tests.lti.conftest import Browser
from tests.web.conftest import Ids, cell_path, launch_as
from tests.web.test_share import create_link

TODAY = date.today().isoformat()
HOSTILE = "<script>alert(1)</script>"
SWITCH = re.compile(r'<nav class="languages" aria-label="([^"]+)">(.*?)</nav>', re.S)


def in_spanish(lms: Lms, *users: str) -> None:
    for user in users:
        lms.platform.store.state.users[user].locale = "es-MX"


def family_get(tool: Flask, url: str, **headers: str):
    """A family's browser: no launch, no cookie; the link as sent, or with ?lang= added."""
    path = "/" + url.split("://", 1)[1].split("/", 1)[1]
    return tool.test_client().get(path, headers=headers, environ_base={"REMOTE_ADDR": "192.0.2.7"})


def test_a_student_with_a_spanish_lms_sees_their_profile_in_spanish(
    tool: Flask, lms: Lms, browser: Browser, ids: Ids
):
    in_spanish(lms, STUDENT)
    student = launch_as(browser, STUDENT)
    page = student.landing
    assert '<html lang="es">' in page
    assert "<h1>Mi dominio</h1>" in page and "Mateo Hernández" in page
    # The to-do list first, then the standards, the summary grade last.
    todo, tree = page.index("¿Qué hago ahora?"), page.index("Mis estándares")
    assert todo < tree < page.index("Calificación resumen")
    assert '<span class="badge na">Aún sin evaluar</span>' in page  # F-IF.6 for Mateo
    assert 'aria-label="Clave de los niveles"' in page
    # What to do next, and where each piece of evidence came from.
    assert "Aún sin evaluar: pregúntale a tu docente cuándo será." in page
    assert re.search(r"Tu evidencia más reciente fue \w+: revisa los comentarios", page)
    assert " · Docente · " in page and " · Teacher · " not in page
    # Numbers with the Spanish decimal sign: "2,33", never "2.33".
    average = re.search(r"Nivel promedio ([\d,]+) en \d+ estándares evaluados → ([\d,]+)%", page)
    assert average and not re.search(r"Nivel promedio \d+\.\d", page)
    # The self-assessment form.
    assert "Autoevaluarme en A-REI.3" in page
    assert "¿En qué nivel creo que estoy en A-REI.3?" in page
    assert "Lo que hice y lo que intentaré a continuación</label>" in page
    assert "Guardar mi autoevaluación</button>" in page
    for english in ("What do I do now?", "Not yet assessed</span>", "Summary grade", "Rate myself"):
        assert english not in page

    path = f"/students/{ids.users[STUDENT]}/standards/{ids.standards['A-REI.3']}/self-assessment"
    standard = str(ids.standards["A-REI.3"])
    refused = student.post(path, {"standard": standard, "level": "", "reflection": ""})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "Elige el nivel en el que crees que estás. Escribe lo que hiciste" in text

    saved = student.post(path, {"level": "4", "reflection": "Resolví diez ecuaciones."})
    page = browser.tool.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Autoevaluación: Advanced" in page and "(no cuenta)" in page
    assert "Tu autoevaluación en A-REI.3 está guardada." in page

    # Someone else's profile: the refusal is in Spanish too.
    other = student.get(f"/students/{ids.users[OTHER_STUDENT]}")
    text = other.get_data(as_text=True)
    assert other.status_code == 403
    assert "<h1>No tiene acceso a esta página</h1>" in text
    assert "Solo puedes ver tu propio progreso." in text


def test_a_family_link_opens_in_the_familys_language_and_switches_back_to_english(
    tool: Flask, browser: Browser, ids: Ids
):
    teacher = launch_as(browser, TEACHER)  # an English-speaking teacher makes the link
    url = create_link(teacher, ids.users[STUDENT], days="30")
    with tool.app_context():
        expires = db.session.scalars(select(ShareLink.expires_at)).one()

    spanish = family_get(tool, url, **{"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    page = spanish.get_data(as_text=True)
    assert spanish.status_code == 200 and '<html lang="es">' in page
    assert re.search(r"<h1>Progreso de Mateo en [^<]+</h1>", page)
    assert "Una vista de solo lectura que la escuela compartió con usted." in page
    day = format_date(expires, "d 'de' MMMM 'de' y", locale="es")
    assert f">{day}</time>, o antes si se desactiva." in page
    assert "En qué trabajar a continuación" in page and "Aún sin evaluar" in page
    assert "progress" not in page.split("<main", 1)[1]

    # The switch: a link per language, each named in its own language, the current one marked.
    label, switch = SWITCH.search(page).groups()
    assert label == "Idioma"
    links = dict(re.findall(r'<a href="([^"]+)" lang="(en|es)" hreflang="\2"', switch))
    by_language = {language: html.unescape(href) for href, language in links.items()}
    assert by_language["en"].endswith("lang=en") and by_language["es"].endswith("lang=es")
    assert re.search(r'lang="es" hreflang="es" aria-current="true">Español</a>', switch)
    assert re.search(r'lang="en" hreflang="en">English</a>', switch)

    english = family_get(tool, "http://x" + by_language["en"], **{"Accept-Language": "es"})
    page = english.get_data(as_text=True)
    assert english.status_code == 200 and '<html lang="en">' in page
    assert re.search(r"<h1>Mateo's progress in [^<]+</h1>", page)
    assert f">{expires.strftime('%d %B %Y')}</time>, or earlier" in page
    assert 'lang="en" hreflang="en" aria-current="true">English</a>' in page

    chosen = family_get(tool, url + "?lang=es", **{"Accept-Language": "en-US"})
    page = chosen.get_data(as_text=True)
    assert '<html lang="es">' in page and "Progreso de Mateo en" in page

    # A link that does not exist answers in the family's language as well.
    gone = family_get(tool, url[:-4] + "xxxx?lang=es")
    page = gone.get_data(as_text=True)
    assert gone.status_code == 404 and "Este enlace no funciona" in page
    assert "Pida un enlace nuevo al docente." in page


def test_a_mentor_in_spanish_sees_the_linked_student_read_only(
    tool: Flask, lms: Lms, browser: Browser, ids: Ids
):
    in_spanish(lms, MENTOR)
    mentor = launch_as(browser, MENTOR)
    assert "<h1>Progreso de los estudiantes</h1>" in mentor.landing
    assert "La escuela lo vinculó a este estudiante en " in mentor.landing
    assert ">Progreso de Mateo Hernández</a>" in mentor.landing
    page = mentor.get(f"/students/{ids.users[STUDENT]}").get_data(as_text=True)
    assert "← Todos los estudiantes vinculados" in page and "<h1>Perfil de dominio</h1>" in page
    assert "Una vista de solo lectura del progreso de Mateo Hernández" in page
    assert "Autoevaluarme" not in page  # read-only: no self-assessment form


def test_plurals_take_their_spanish_forms(tool: Flask, lms: Lms, browser: Browser, ids: Ids):
    in_spanish(lms, TEACHER)
    teacher = launch_as(browser, TEACHER)
    page = teacher.get(f"/students/{ids.users[STUDENT]}/share").get_data(as_text=True)
    for days in (7, 30, 90):
        assert re.search(rf'value="{days}"( checked)?> {days} días</label>', page)
    assert " days</label>" not in page


def test_an_error_page_in_spanish(tool: Flask):
    client = tool.test_client()
    response = client.get("/no-such-page", headers={"Accept-Language": "es-ES,es;q=0.9"})
    page = response.get_data(as_text=True)
    assert response.status_code == 404
    assert "<title>No encontrado — Seguimiento del dominio</title>" in page
    assert "<h1>No encontrado</h1>" in page
    assert "La dirección solicitada no se encontró en el servidor." in page
    assert re.search(r"Error 404 · identificador de la solicitud <code>\w+</code>", page)

    english = client.get("/no-such-page", headers={"Accept-Language": "en"})
    page = english.get_data(as_text=True)
    assert "<h1>Not Found</h1>" in page and "Error 404 · request id <code>" in page
    assert "The requested URL was not found on the server." in page

    answer = client.get("/api/nothing", headers={"Accept-Language": "es"}).get_json()
    assert answer["error"] == "No encontrado"

    # A page opened without its launch: the tool's own error, title, message and hint.
    expired = client.get("/home", headers={"Accept-Language": "es"})
    page = expired.get_data(as_text=True)
    assert expired.status_code == 401 and "<h1>Su sesión terminó</h1>" in page
    assert "Esta página debe abrirse desde su LMS." in page
    assert "<strong>Qué revisar:</strong> Vuelva a abrir la herramienta desde su curso." in page


def test_an_error_with_a_hint_names_what_to_check_in_spanish(
    tool: Flask, lms: Lms, browser: Browser, ids: Ids
):
    in_spanish(lms, STUDENT)
    student = launch_as(browser, STUDENT)
    refused = student.get("/admin")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 403
    assert "Solo los administradores de la plataforma ven la consola de administración." in page
    assert "<strong>Qué revisar:</strong> Abra la herramienta desde su LMS" in page


def test_the_admin_console_in_spanish(tool: Flask, lms: Lms, browser: Browser, ids: Ids):
    in_spanish(lms, ADMIN)
    admin = launch_as(browser, ADMIN)
    page = admin.landing
    assert '<html lang="es">' in page and "<h1>Administración</h1>" in page
    assert "Cursos y la sincronización de sus calificaciones" in page
    assert "Calificaciones fallidas" in page and "Registro de la plataforma" in page
    assert "Guardar la configuración</button>" in page
    assert "(administrador)" in page and "Registro de auditoría" in page
    data = admin.get("/admin/data").get_data(as_text=True)
    assert "<h1>Qué guarda la herramienta</h1>" in data
    assert "Purgar este registro</button>" in data
    assert "Evidencia de aprendizaje" in data and "Evidence of learning" not in data
    assert re.search(r"los inicios de sesión a las \d+ horas", data)
    refused = admin.post("/admin/purge", {"confirm": "not its name"})
    assert refused.status_code == 400
    assert "Para eliminar todas las filas de este registro" in refused.get_data(as_text=True)


def test_hostile_text_stays_escaped_in_translated_sentences(
    tool: Flask, lms: Lms, browser: Browser, ids: Ids
):
    lms.platform.store.state.users[TEACHER].name = f"Ms {HOSTILE}"
    teacher = launch_as(browser, TEACHER)
    path = cell_path(ids, STUDENT, "F-IF.6")
    posted = teacher.post(path + "/evidence", {"level": "2", "date": TODAY, "comment": HOSTILE})
    assert posted.status_code == 303
    url = create_link(teacher, ids.users[STUDENT], days="30")

    in_spanish(lms, STUDENT)
    pages = {
        "student": launch_as(browser, STUDENT).landing,
        "family": family_get(tool, url + "?lang=es").get_data(as_text=True),
    }
    for who, page in pages.items():
        assert '<html lang="es">' in page, who
        assert "<script>alert(1)" not in page, who
        assert f"registrada por Ms {html.escape(HOSTILE, quote=False)}" in page, who
        script = re.escape("&lt;script&gt;alert(1)&lt;/script&gt;")
        feedback = rf"Comentarios del docente, [\d-]+:</span> {script}"
        assert re.search(feedback, page), who
