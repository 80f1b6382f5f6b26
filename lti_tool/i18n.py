"""Languages: English (the source text) and Spanish, through Flask-Babel.

The page's language is, in order: `?lang=` (the family pages' language switch), the launch's
`launch_presentation.locale` (what the LMS user chose), then the browser's Accept-Language.

Catalogs are kept as `.po` sources in `lti_tool/translations/<lang>/LC_MESSAGES/`, one file per
part of the product (`common.po`, `teacher.po`, ...) so each stays readable; each process merges
a language's files into one `messages.mo` in the instance folder when it is missing or older
(written atomically, so several gunicorn workers starting together are safe). Nothing generated
is committed. `tests/web/test_translations.py` keeps the catalogs complete.
"""

from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, has_request_context, request
from flask_babel import Babel, get_locale
from flask_babel import gettext as translate

from .translatable import Text

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
    """The request's language (see the module docstring); English outside a request."""
    if not has_request_context():
        return DEFAULT
    return (
        language_of(request.args.get("lang"))
        or language_of(g.get("launch_locale"))
        or request.accept_languages.best_match(SUPPORTED)
        or DEFAULT
    )


def current_language() -> str:
    """The language of the page being rendered ("en" or "es")."""
    return str(get_locale() or DEFAULT)


def translated(text: object) -> object:
    """Marked English (`N_`, `Text`, lazy) in the page's language; text the catalog does not
    hold, such as a name or text translated already, stays as it is."""
    if isinstance(text, Text):
        return translate(text.message, **text.values)
    return translate(str(text)) if text else text


def read_catalog(folder: Path) -> Catalog:
    """A language's `.po` files (`<lang>/LC_MESSAGES/*.po`) as one catalog."""
    catalog = Catalog(locale=folder.parts[-2])
    for po_path in sorted(folder.glob("*.po")):
        with po_path.open("rb") as po_file:
            fragment = read_po(po_file, locale=folder.parts[-2])
        # The fragments' Plural-Forms, not Babel's locale data (which gives Spanish a third
        # form for millions): a plural written with two forms must find its second one.
        catalog.mime_headers = fragment.mime_headers
        for message in fragment:
            if message.id:
                catalog[message.id] = message
    return catalog


def compile_catalogs(source: Path, target: Path) -> None:
    """Merge each `<lang>/LC_MESSAGES/*.po` under `source` into `<lang>/LC_MESSAGES/messages.mo`
    under `target`."""
    for folder in sorted({po.parent for po in source.glob("*/LC_MESSAGES/*.po")}):
        mo_path = target / folder.relative_to(source) / "messages.mo"
        newest = max(po.stat().st_mtime for po in folder.glob("*.po"))
        if mo_path.exists() and mo_path.stat().st_mtime >= newest:
            continue
        catalog = read_catalog(folder)
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
    app.jinja_env.globals["translated"] = translated
