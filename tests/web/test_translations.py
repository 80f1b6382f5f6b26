"""The Spanish catalog is complete: every page's text is marked for translation, and every
marked message has its Spanish.

A template's text counts as marked when it sits inside `{% trans %}` or `_()`; the check reads
the template's own text and the attributes a person reads or hears (title, alt, placeholder,
aria-label).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po
from flask import Flask

from lti_tool.i18n import SOURCE_DIR, read_catalog

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
SPOKEN_ATTRIBUTES = {"title", "alt", "placeholder", "aria-label", "aria-description"}
# Words that read the same in both languages (formats, standards' names).
SAME_IN_SPANISH = {"CSV", "JSON", "LTI", "CASE", "SIS", "ID", "URL", "OIDC", "JWKS", "AGS", "NRPS"}
WORD = re.compile(r"[^\W\d_]{2,}")


class _Text(HTMLParser):
    """The words a person reads in an HTML fragment (scripts and styles left out)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        self.found += [value for name, value in attrs if name in SPOKEN_ATTRIBUTES and value]

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style"}:
            self._skip = max(0, self._skip - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.found.append(data)


def unmarked_text(app: Flask, source: str) -> list[str]:
    """The English a template shows outside `{% trans %}` blocks and expressions."""
    parts: list[str] = []
    in_trans = False
    after_block_begin = False
    for _line, kind, value in app.jinja_env.lex(source):
        if kind == "whitespace":
            continue
        if kind == "block_begin":
            after_block_begin = True
            continue
        if kind == "name" and after_block_begin:
            if value == "trans":
                in_trans = True
            elif value == "endtrans":
                in_trans = False
        after_block_begin = False
        if kind == "data" and not in_trans:
            parts.append(value)
    parser = _Text()
    parser.feed("".join(parts))
    parser.close()
    return [
        text.strip()
        for text in parser.found
        if any(word not in SAME_IN_SPANISH for word in WORD.findall(text))
    ]


def _templates() -> list[str]:
    return sorted(str(path.relative_to(TEMPLATES)) for path in TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("name", _templates())
def test_every_template_marks_its_text_for_translation(tool: Flask, name: str) -> None:
    assert unmarked_text(tool, (TEMPLATES / name).read_text(encoding="utf-8")) == []


def test_every_marked_message_has_its_spanish() -> None:
    spanish = read_catalog(SOURCE_DIR / "es" / "LC_MESSAGES")
    method_map = [("lti_tool/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"trimmed": "true"}}
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None}  # module-level constants too
    missing = []
    for filename, line, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options, keywords=keywords
    ):
        msgid = message[0] if isinstance(message, tuple) else message
        found = spanish.get(msgid)
        strings = found.string if found is not None else None
        if not (all(strings) if isinstance(strings, tuple) else strings):
            missing.append(f"{filename}:{line}: {msgid}")
    assert missing == []


def test_the_check_finds_english_outside_markers(tool: Flask) -> None:
    source = (
        '<h1 title="Hello there">{% trans %}Gradebook{% endtrans %}</h1>'
        "<p>{{ _('Standards') }} · {{ count }}</p><p>Export CSV</p><script>let a = 'x';</script>"
    )
    assert unmarked_text(tool, source) == ["Hello there", "Export CSV"]


def test_a_message_in_several_fragments_has_one_spanish() -> None:
    """Fragments are merged and the first one read wins: the same English must not be
    translated two ways, or a page's wording would depend on the files' order."""
    seen: dict[str, tuple[str, object]] = {}
    differing = []
    for path in sorted((SOURCE_DIR / "es" / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as po_file:
            for message in read_po(po_file):
                msgid = message.id if isinstance(message.id, str) else message.id[0]
                if not msgid:
                    continue
                first = seen.setdefault(msgid, (path.name, message.string))
                if first[1] != message.string:
                    differing.append(f"{msgid!r}: {first[0]} and {path.name}")
    assert differing == []


def plural_counts(tool: Flask, source: str) -> list[str]:
    """For each `{% trans %}` block with a `{% pluralize %}`, the variable it counts by: the
    one `pluralize` names, else the block's first variable (Jinja's rule)."""
    tokens = [(token.type, token.value) for token in tool.jinja_env.lexer.tokenize(source)]
    counted: list[str] = []
    variables: list[str] = []
    for index in range(1, len(tokens) - 1):
        kind, value = tokens[index]
        if kind != "name" or tokens[index - 1][0] != "block_begin":
            continue
        if value == "trans":
            variables = []
            for at in range(index + 1, len(tokens) - 1):
                if tokens[at][0] == "block_end":
                    break
                if tokens[at][0] == "name" and tokens[at + 1][0] == "assign":
                    variables.append(tokens[at][1])
        elif value == "pluralize":
            named = tokens[index + 1]
            counted.append(named[1] if named[0] == "name" else (variables or [""])[0])
    return counted


def test_every_plural_counts_a_number(tool: Flask) -> None:
    """ngettext is given the variable a block counts by. Spanish's plural rule fails on
    anything but a number (English's does not), so counting by a date was a 500 in Spanish
    only: every plural here counts by `count`."""
    assert plural_counts(
        tool,
        "{% trans when=a, count=n %}{{ when }} {{ count }} x{% pluralize %}"
        "{{ when }} {{ count }} xs{% endtrans %}",
    ) == ["when"]
    wrong = {}
    for name in _templates():
        counts = plural_counts(tool, (TEMPLATES / name).read_text(encoding="utf-8"))
        if any(count != "count" for count in counts):
            wrong[name] = counts
    assert wrong == {}
