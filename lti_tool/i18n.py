"""Languages: English (the source text) and Spanish, through Flask-Babel.

The page's language is, in order: `?lang=` (the family pages' language switch), the launch's
`launch_presentation.locale` (what the LMS user chose), then the browser's Accept-Language.

Catalogs are kept as `.po` sources in `lti_tool/translations/`; each process compiles them
into the instance folder when the `.mo` is missing or older (written atomically, so several
gunicorn workers starting together are safe). Nothing generated is committed.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, request
from flask_babel import Babel, get_locale

log = logging.getLogger(__name__)

SUPPORTED = ("en", "es")
DEFAULT = "en"
SOURCE_DIR = Path(__file__).parent / "translations"

babel = Babel()


def language_of(tag: str | None) -> str | None:
    """The supported language a locale tag names ("es-MX", "es_419", "en"), else None."""
    if not tag:
        return None
    language = tag.replace("_", "-").split("-")[0].strip().lower()
    return language if language in SUPPORTED else None


def select_locale() -> str:
    """The request's language (see the module docstring)."""
    return (
        language_of(request.args.get("lang"))
        or language_of(g.get("launch_locale"))
        or request.accept_languages.best_match(SUPPORTED)
        or DEFAULT
    )


def current_language() -> str:
    """The language of the page being rendered ("en" or "es")."""
    return str(get_locale() or DEFAULT)


def compile_catalogs(source: Path, target: Path) -> None:
    """Compile every `<lang>/LC_MESSAGES/*.po` under `source` into the same layout in `target`."""
    for po_path in source.glob("*/LC_MESSAGES/*.po"):
        mo_path = target / po_path.relative_to(source).with_suffix(".mo")
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file, locale=po_path.parts[-3])
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=mo_path.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as mo_file:
            write_mo(mo_file, catalog)
        os.replace(temporary, mo_path)
        log.info("compiled %s", mo_path)


def init_app(app: Flask) -> None:
    compiled = Path(app.instance_path) / "translations"
    compile_catalogs(SOURCE_DIR, compiled)
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(compiled))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", DEFAULT)
    babel.init_app(app, locale_selector=select_locale)
    # `{% trans %}` blocks collapse their whitespace, so msgids stay one readable line.
    app.jinja_env.policies["ext.i18n.trimmed"] = True
    app.jinja_env.globals["current_language"] = current_language
