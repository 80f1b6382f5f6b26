"""Turning uploaded bytes and markup into plain text."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from lti_tool.importers.errors import fail
from lti_tool.translatable import N_

_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6"})
_TAG_RE = re.compile(r"</?[A-Za-z][^<>]*>")
_SPACES_RE = re.compile(r"[ \t\r\f\v\xa0]+")
_NEWLINES_RE = re.compile(r"\s*\n\s*")
_TITLE_LENGTH = 80


def decode_text(data: bytes | str, *, filename: str | None = None) -> str:
    """UTF-8 text without BOM; anything else is an ImportFailed naming the byte."""
    if isinstance(data, str):
        return data.removeprefix("\ufeff")
    where = filename or "file"
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        byte = format(data[error.start], "02x")
        raise fail(
            where,
            "encoding",
            N_(
                "not UTF-8 text (byte 0x%(byte)s at offset %(offset)s); "
                "save it again as 'CSV UTF-8' or UTF-8 JSON",
                byte=byte,
                offset=error.start,
            ),
        ) from None


def has_markup(text: str) -> bool:
    """Whether text looks like HTML (a tag or an entity) rather than plain or Markdown."""
    return bool(_TAG_RE.search(text)) or ("&" in text and ";" in text)


class _TextCollector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(text: str) -> str:
    """Text with HTML tags stripped; text without markup (Markdown, LaTeX) is kept as is."""
    if not has_markup(text):
        return text
    # Source line breaks are not significant in HTML; only block tags break lines.
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    collector = _TextCollector()
    try:
        collector.feed(text)
        collector.close()
        joined = "".join(collector.parts)
    except Exception:  # html.parser has asserted on odd markup before; fall back to a regex
        joined = _TAG_RE.sub(" ", text)
    # Whitespace is not significant in HTML: collapse it, keep paragraph breaks.
    joined = _SPACES_RE.sub(" ", joined)
    return _NEWLINES_RE.sub("\n", joined).strip()


def shorten(text: str, limit: int = _TITLE_LENGTH) -> str:
    """First line of text, cut at a word boundary to fit a title."""
    line = " ".join(text.split())
    if len(line) <= limit:
        return line
    cut = line[: limit - 1].rsplit(" ", 1)[0] or line[: limit - 1]
    return cut.rstrip(" ,;:") + "…"
