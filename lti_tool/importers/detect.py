"""Recognising an uploaded standards file and dispatching to its importer."""

from __future__ import annotations

from collections.abc import Callable

from lti_tool.importers.canvas import parse_canvas
from lti_tool.importers.case import parse_case
from lti_tool.importers.errors import fail
from lti_tool.importers.esco import parse_esco
from lti_tool.importers.moodle import parse_moodle
from lti_tool.importers.ourcsv import parse_ourcsv
from lti_tool.importers.table import header_key, read_records
from lti_tool.importers.text import decode_text
from lti_tool.mastery.framework import FrameworkDraft
from lti_tool.translatable import N_

Parser = Callable[..., FrameworkDraft]
PARSERS: dict[str, Parser] = {
    "case": parse_case,
    "canvas": parse_canvas,
    "moodle": parse_moodle,
    "esco": parse_esco,
    "csv": parse_ourcsv,
}
# Header cells that only one format uses, checked in this order.
_SIGNATURES = (
    ("canvas", {"vendorguid", "objecttype"}),
    (
        "moodle",
        {"parentidnumber", "isframework", "scaleconfiguration", "numérodidentificationparent"},
    ),
    ("esco", {"concepturi", "preferredlabel"}),
    ("csv", {"code", "title"}),
)


def detect_format(data: bytes | str, filename: str | None = None) -> str:
    """'case', 'canvas', 'moodle', 'esco' or 'csv'; ImportFailed when unrecognised."""
    text = decode_text(data, filename=filename)
    if text.lstrip().startswith(("{", "[")) or (filename or "").lower().endswith(".json"):
        return "case"
    header = {header_key(cell).lstrip("!") for cell in read_records(text)[0].cells}
    for name, signature in _SIGNATURES:
        if (header & signature) if name == "moodle" else signature <= header:
            return name
    raise fail(
        filename or "file",
        "format",
        N_(
            "not a recognised standards file: expected CASE "
            "JSON, a Canvas outcomes CSV, a Moodle competency framework CSV, an ESCO CSV "
            "or our template (code,title,statement,i_can,parent_code,priority)"
        ),
    )


def parse_any(
    data: bytes | str, filename: str | None = None, format: str | None = None
) -> FrameworkDraft:
    """Parse a standards file of a given or detected format; only ImportFailed is raised."""
    name = format or detect_format(data, filename)
    parser = PARSERS.get(name)
    if parser is None:
        raise fail(filename or "file", "format", N_("unknown format '%(value)s'", value=name))
    return parser(data, filename=filename)
