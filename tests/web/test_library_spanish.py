"""A teacher whose LMS speaks Spanish gets the standards library, the evidence and LMS
gradebook imports (with the error report of a broken file) and the LTI pages in Spanish;
text from the file stays escaped."""

from __future__ import annotations

import io
import re
from html import unescape

import pytest
from babel.messages.extract import extract_from_dir
from flask import Flask

from lti_tool.i18n import SOURCE_DIR, read_catalog
from lti_tool.importers import ImportFailed, parse_any
from tests.live import TEACHER, Lms
from tests.lti.conftest import Browser
from tests.web.conftest import Ids, Visit, launch_as

from .test_lms_imports import DATA
from .test_standards_library import hidden, upload_bytes

HOSTILE = "<script>alert(1)</script>"
DEEP_LINKING = "LtiDeepLinkingRequest"


@pytest.fixture
def spanish_teacher(lms: Lms, browser: Browser, ids: Ids) -> Visit:
    lms.platform.store.state.users[TEACHER].locale = "es-MX"
    return launch_as(browser, TEACHER)


def evidence_upload(visit: Visit, text: str):
    return visit.browser.tool.post(
        "/evidence/import/preview",
        data={
            "launch": visit.token,
            "date": "2025-10-01",
            "file": (io.BytesIO(text.encode()), "notas.csv"),
        },
        content_type="multipart/form-data",
    )


def h1(page: str) -> str:
    return unescape(re.search(r"<h1>(.*?)</h1>", page, re.S).group(1))


def test_the_standards_library_speaks_spanish(spanish_teacher: Visit):
    page = spanish_teacher.get("/standards").get_data(as_text=True)
    assert '<html lang="es">' in page
    assert h1(page) == "Estándares"
    for phrase in ("Estándares de este curso", "Biblioteca", "Importar un marco de estándares"):
        assert phrase in page
    assert "Import a framework" not in page and "Library</h2>" not in page


def test_an_imported_standard_is_previewed_saved_and_shown_escaped(spanish_teacher: Visit):
    csv = f"code,title\nHX.1,{HOSTILE}\nHX.2,Segundo\n".encode()
    preview = upload_bytes(spanish_teacher, csv, "hostil.csv")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200, page
    assert h1(page) == "Revise el marco de estándares antes de guardarlo"
    assert (
        "Guardar el marco de estándares" in page
        and "Adoptar ahora los 2 estándares en este curso" in page
    )
    assert HOSTILE not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page

    saved = spanish_teacher.post(
        "/standards/import/save",
        {"content": hidden(page, "content"), "filename": "hostil.csv", "adopt": "all"},
    )
    assert saved.status_code == 303
    index = spanish_teacher.browser.tool.get(saved.headers["Location"]).get_data(as_text=True)
    assert "2 estándares adoptados." in index and "Editar<span" in index
    assert HOSTILE not in index and "&lt;script&gt;alert(1)&lt;/script&gt;" in index


def test_a_broken_standards_file_lists_its_problems_in_spanish(spanish_teacher: Visit):
    csv = f"code,title\nA.1,\n{HOSTILE},Uno\n{HOSTILE},Dos\n".encode()
    response = upload_bytes(spanish_teacher, csv, "roto.csv")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Este archivo no se puede importar; no se guardó nada." in page
    assert "2 problemas:" in page
    assert "línea 2, campo «title»: falta" in page
    assert "código «&lt;script&gt;alert(1)&lt;/script&gt;» repetido" in page
    assert HOSTILE not in page and "cannot be imported" not in page


def test_an_evidence_import_preview_and_its_error_report_are_in_spanish(
    spanish_teacher: Visit,
):
    upload_page = spanish_teacher.get("/evidence/import").get_data(as_text=True)
    assert h1(upload_page) == "Importar evidencias" and "Descargar la plantilla" in upload_page

    broken = "student,standard,level,date\n201,A-CED.1,3,2025-13-45\n"
    page = evidence_upload(spanish_teacher, broken).get_data(as_text=True)
    assert h1(page) == "Revisar la importación"
    assert "Problemas (1)" in page and "Corrija esto en el archivo y súbalo de nuevo:" in page
    assert "<td>línea 2</td>" in page
    assert "«2025-13-45» no es una fecha como 2024-09-03" in page and "%Y" not in page
    assert "Problems (" not in page and "is not a date" not in page

    unknown = f"student,standard,level,date\n{HOSTILE},A-CED.1,3,2025-09-15\n"
    page = evidence_upload(spanish_teacher, unknown).get_data(as_text=True)
    assert "«&lt;script&gt;alert(1)&lt;/script&gt;» no está en la lista de la clase" in page
    assert HOSTILE not in page and "in the roster" not in page

    wide = "Student,A-CED.1,A-REI.3\n201,M,NY\n202,P+,3\n"
    page = evidence_upload(spanish_teacher, wide).get_data(as_text=True)
    assert "Qué significa cada nota" in page and "Cómo se interpretó" in page
    assert "4 notas para 2 estudiantes en 2 estándares." in page
    assert "What each mark means" not in page and "How it was read" not in page


def test_the_lms_gradebook_import_is_in_spanish(spanish_teacher: Visit):
    page = spanish_teacher.get("/evidence/lms-import").get_data(as_text=True)
    assert h1(page) == "Importar una exportación del libro de calificaciones del LMS"
    refused = spanish_teacher.browser.tool.post(
        "/evidence/lms-import/preview",
        data={
            "launch": spanish_teacher.token,
            "date": "2025-10-01",
            "file": (io.BytesIO(b"nombre,nota\nAna,3\n"), "libro.csv"),
        },
        content_type="multipart/form-data",
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 400
    assert "1 problema: libro.csv, campo «header»: no es una exportación" in page
    assert "not a Canvas gradebook export" not in page

    export = (DATA / "canvas_gradebook.csv").read_bytes()
    preview = spanish_teacher.browser.tool.post(
        "/evidence/lms-import/preview",
        data={
            "launch": spanish_teacher.token,
            "date": "2025-10-31",
            "file": (io.BytesIO(export), "canvas_gradebook.csv"),
        },
        content_type="multipart/form-data",
    ).get_data(as_text=True)
    assert h1(preview) == "Vista previa: exportación del libro de calificaciones de Canvas"
    assert "3 columnas nuevas desde la última importación" in preview
    assert "<strong>Columna nueva</strong>" in preview and "Qué hará la importación" in preview
    assert "What the import will do" not in preview and "New column" not in preview

    done = {"added": 3, "superseded": 1, "unchanged": 0, "excused": 0, "skipped": 2}
    page = spanish_teacher.get("/evidence/lms-import", done=1, unmatched=1, **done)
    assert (
        "Importado: 3 evidencias nuevas, 1 reemplazadas, 0 sin cambios (0 justificadas); "
        "2 celdas omitidas; 1 estudiantes sin identificar."
    ) in page.get_data(as_text=True)


def test_the_lti_pages_are_in_spanish(browser: Browser, lms: Lms, ids: Ids, tool: Flask):
    spanish = {"Accept-Language": "es-MX,es;q=0.9"}
    setup = browser.tool.get("/lti/setup", headers=spanish).get_data(as_text=True)
    assert h1(setup) == "Registrar Seguimiento del dominio en una plataforma"
    assert "Registro manual" in setup and "Manual registration" not in setup

    help_page = browser.tool.get("/lti/register", headers=spanish).get_data(as_text=True)
    assert h1(help_page) == "Registrar Seguimiento del dominio en su LMS"

    lms.platform.store.state.users[TEACHER].locale = "es-MX"
    launched = browser.launch(TEACHER, message_type=DEEP_LINKING)
    assert launched.status_code == 303, launched.get_data(as_text=True)
    picker = browser.tool.get(launched.headers["Location"]).get_data(as_text=True)
    assert h1(picker).startswith("Agregar Seguimiento del dominio a ")
    assert "Qué agregar" in picker and "Agregar al curso" in picker
    assert "What to add" not in picker

    token = launched.headers["Location"].split("launch=")[1]
    returned = browser.tool.post("/lti/deep-link", data={"launch": token, "title": "Dominio"})
    assert "Volviendo a su curso…" in returned.get_data(as_text=True)

    # A launch in a browser without the login's cookie (nor platform storage): a new window.
    form = browser.authorize(browser.login(TEACHER))
    other = Browser(tool, lms)
    other.tool.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es-MX,es;q=0.9"
    blocked = other.post_launch(form).get_data(as_text=True)
    assert h1(blocked) == "Abrir la herramienta en una ventana nueva"
    assert "Abrir Seguimiento del dominio en una ventana nueva" in blocked

    # A refused launch says why in the page's language (the log keeps the English).
    spent = browser.authorize(browser.login(TEACHER))
    assert browser.post_launch(spent).status_code == 200
    browser.tool.environ_base["HTTP_ACCEPT_LANGUAGE"] = "es-MX,es;q=0.9"
    replayed = browser.post_launch(spent)
    text = unescape(replayed.get_data(as_text=True))
    assert replayed.status_code == 401
    assert "El inicio de sesión de este inicio es desconocido, ya se usó o caducó." in text
    assert "Abra la herramienta de nuevo desde su LMS." in text
    assert "already used" not in text


def test_problem_reasons_stay_english_outside_a_request():
    """The command line and the logs read the importers' English."""
    with pytest.raises(ImportFailed) as refused:
        parse_any("code,title\nA.1,\n", filename="x.csv")
    assert str(refused.value) == "1 problem: line 2, field 'title': missing"


def test_every_message_marked_in_python_has_its_spanish():
    """`N_` and `_` messages (the translations test reads these too) and `lazy_gettext` ones."""
    spanish = read_catalog(SOURCE_DIR / "es" / "LC_MESSAGES")
    root = SOURCE_DIR.parents[1]
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "lazy_gettext": None}
    missing = [
        message
        for _file, _line, message, *_ in extract_from_dir(
            str(root / "lti_tool"), [("**.py", "python")], keywords=keywords
        )
        if not spanish.get(message[0] if isinstance(message, tuple) else message)
    ]
    assert missing == []
