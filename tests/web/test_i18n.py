"""Languages: the launch's locale (what the person chose in the LMS) picks the page language,
else the browser's; Spanish catalogs are compiled from their .po sources at start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask_babel import force_locale, gettext

from lti_tool.i18n import compile_catalogs, language_of
from tests.live import STUDENT, TEACHER, Lms
from tests.lti.conftest import Browser
from tests.web.conftest import Ids, launch_as


@pytest.mark.parametrize(
    ("tag", "language"),
    [("es", "es"), ("es-MX", "es"), ("es_419", "es"), ("EN-gb", "en"), ("fr-CA", None), ("", None)],
)
def test_language_of_a_locale_tag(tag, language):
    assert language_of(tag) == language


def test_the_launch_locale_chooses_the_language(tool: Flask, lms: Lms, browser: Browser, ids: Ids):
    lms.platform.store.state.users[STUDENT].locale = "es-MX"
    page = launch_as(browser, STUDENT).landing
    assert '<html lang="es">' in page
    assert "Seguimiento del dominio" in page

    english = launch_as(browser, TEACHER).landing
    assert '<html lang="en">' in english
    assert "Mastery Tracker" in english


def test_without_a_launch_the_browser_language_is_used(tool: Flask):
    client = tool.test_client()
    spanish = client.get("/no-such-page", headers={"Accept-Language": "es-ES,es;q=0.9,en;q=0.5"})
    assert '<html lang="es">' in spanish.get_data(as_text=True)
    french = client.get("/no-such-page", headers={"Accept-Language": "fr-FR"})
    assert '<html lang="en">' in french.get_data(as_text=True)
    chosen = client.get("/no-such-page?lang=es", headers={"Accept-Language": "en"})
    assert '<html lang="es">' in chosen.get_data(as_text=True)


def test_catalogs_compile_when_their_source_changes(tmp_path: Path, tool: Flask):
    source = tmp_path / "src" / "es" / "LC_MESSAGES"
    source.mkdir(parents=True)
    po = source / "messages.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: es\\n"\n\nmsgid "Hello"\nmsgstr "Hola"\n')
    target = tmp_path / "out"
    compile_catalogs(tmp_path / "src", target)
    mo = target / "es" / "LC_MESSAGES" / "messages.mo"
    assert mo.exists()
    first = mo.stat().st_mtime_ns
    compile_catalogs(tmp_path / "src", target)
    assert mo.stat().st_mtime_ns == first  # up to date: not rewritten

    with tool.test_request_context(), force_locale("es"):
        assert gettext("Mastery Tracker") == "Seguimiento del dominio"


def test_a_number_in_a_sentence_takes_the_page_s_decimal_sign(tool: Flask):
    from lti_tool.translatable import Number, Text

    sentence = Text("Average level %(mean)s → %(percent)s%%", mean=Number(2.5), percent=Number(80))
    assert sentence == "Average level 2.5 → 80%"  # the log and the LMS comment: English
    with tool.test_request_context():
        with force_locale("es"):
            assert sentence.translated() == "Average level 2,5 → 80%"
        with force_locale("en"):
            assert sentence.translated() == "Average level 2.5 → 80%"
