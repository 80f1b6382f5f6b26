"""Small text helpers shared by the domain and the pages."""

from __future__ import annotations

import re
import unicodedata


def slug(text: str, limit: int = 60) -> str:
    """Lower-case ASCII letters, digits and single dashes ("Término 1 (Fall)" -> "termino-1-fall"),
    at most `limit` characters: safe in a tag, a file name or a header. Empty if nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")
