"""English marked for translation when it is shown, for text made outside a request.

The importers run in requests, the worker and the command line alike (standard library only),
so their problem reasons cannot be translated when they are made. `N_("duplicate '%(value)s'",
value=key)` returns a `Text`: a `str` that is the English everywhere a string is used
(comparisons, sorting, logs, the command line, JSON), and that a page shows in the reader's
language, since Jinja asks it for its `__html__`. Babel extracts `N_` messages like `_`
ones, so `tests/web/test_translations.py` checks that each has its Spanish.
"""

from __future__ import annotations


class Text(str):
    """English text whose translation is looked up when it is shown."""

    msgid: str
    params: dict[str, object]

    def __new__(cls, msgid: str, **params: object) -> Text:
        text = super().__new__(cls, msgid % params if params else msgid)
        text.msgid = msgid
        text.params = params
        return text

    def translated(self) -> str:
        """The text in the current request's language (English outside a request)."""
        from flask_babel import gettext

        return gettext(self.msgid, **{name: shown(value) for name, value in self.params.items()})

    def __html__(self) -> str:
        from markupsafe import escape

        return escape(self.translated())


def N_(msgid: str, **params: object) -> Text:  # noqa: N802 (gettext's usual marker name)
    """`msgid` (with `%(name)s` placeholders filled from `params`), translated when shown."""
    return Text(msgid, **params)


class Number(float):
    """A number for a sentence: "2.5" in English (the log, the LMS comment), "2,5" on a
    Spanish page (`shown`); no trailing zeros ("2", not "2.0")."""

    def __str__(self) -> str:
        return f"{self:g}"


def shown(text: object) -> str:
    """`text` in the page's language when it was marked with `N_` (a `Number` with its
    decimal sign), else as it is."""
    if isinstance(text, Text):
        return text.translated()
    if isinstance(text, Number):
        from flask import has_request_context
        from flask_babel import format_decimal

        return format_decimal(text, format="#,##0.##") if has_request_context() else str(text)
    return str(text)
