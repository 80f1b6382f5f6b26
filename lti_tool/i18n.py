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
from collections.abc import Sequence
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, g, has_request_context, request
from flask_babel import Babel, get_locale, gettext, ngettext

from .translatable import Text, shown

log = logging.getLogger(__name__)

SUPPORTED = ("en", "es")
DEFAULT = "en"
SOURCE_DIR = Path(__file__).parent / "translations"
PLURAL_FORMS = "nplurals=2; plural=(n != 1);"  # English and Spanish alike

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
        return text.translated()
    return gettext(str(text)) if text else text


def read_catalog(folder: Path) -> Catalog:
    """A language's `.po` files (`<lang>/LC_MESSAGES/*.po`) as one catalog."""
    catalog = Catalog(locale=folder.parts[-2])
    # As the .po headers say; Babel's CLDR data would give Spanish a third form (for millions)
    # that no fragment fills, and gettext would then fall back to English for most counts.
    catalog.mime_headers = [("Plural-Forms", PLURAL_FORMS)]
    for po_path in sorted(folder.glob("*.po")):
        with po_path.open("rb") as po_file:
            for message in read_po(po_file, locale=folder.parts[-2]):
                if message.id:
                    catalog[message.id] = message
    return catalog


def compile_catalogs(source: Path, target: Path) -> None:
    """Merge each `<lang>/LC_MESSAGES/*.po` under `source` into `<lang>/LC_MESSAGES/messages.mo`
    under `target`."""
    for folder in sorted({po.parent for po in source.glob("*/LC_MESSAGES/*.po")}):
        mo_path = target / folder.relative_to(source) / "messages.mo"
        # This module counts too: how the sources are merged may change.
        newest = max(path.stat().st_mtime for path in [*folder.glob("*.po"), Path(__file__)])
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
    app.jinja_env.globals["problem_text"] = problem_text
    app.jinja_env.globals["problem_place"] = problem_place
    app.jinja_env.globals["translated"] = translated


def problem_place(line_or_id: str) -> str:
    """Where an import problem is ("line 4", "item X", a column name), in the page's language."""
    prefix, _, rest = str(line_or_id).partition(" ")
    if prefix == "line" and rest.isdigit():
        return gettext("line %(number)s", number=rest)
    if prefix == "item" and rest:
        return gettext("item %(identifier)s", identifier=rest)
    if line_or_id == "file":
        return gettext("file")
    return str(line_or_id)


def problem_text(problem: object) -> str:
    """One import problem as a sentence in the page's language (`Problem.__str__` in English)."""
    place = getattr(problem, "line_or_id", None)
    if place is None:
        return shown(problem)
    return gettext(
        "%(where)s, field '%(field)s': %(reason)s",
        where=problem_place(place),
        field=problem.field,  # type: ignore[attr-defined]
        reason=shown(problem.reason),  # type: ignore[attr-defined]
    )


def failure_text(problems: Sequence[object], shown_at_most: int = 20) -> str:
    """An importer's refusal (`ImportFailed`'s message) in the page's language."""
    listed = "; ".join(problem_text(problem) for problem in problems[:shown_at_most])
    if len(problems) > shown_at_most:
        listed += gettext("; and %(count)s more", count=len(problems) - shown_at_most)
    return ngettext(
        "%(num)d problem: %(list)s", "%(num)d problems: %(list)s", len(problems), list=listed
    )
