"""What the teacher editors share: the confirm-then-save fingerprint and the what-if preview.

As on the settings page, saving needs the fingerprint the preview showed: a proposal edited
after its preview, or another teacher's save in between, is previewed again instead of saved.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from ..models import Course, CourseSettings
from ..services.views.settings import preview_rows
from ..services.whatif import STORED_FIELDS, SettingsPreview


def digest(*parts: Any) -> str:
    """A short, stable digest of what was stored and what is proposed."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def stored_settings(row: CourseSettings) -> list[Any]:
    """The course's stored settings, as a fingerprint's part: the scale, then every field a
    what-if preview can change (services/whatif.py)."""
    return [row.scale_id, *(getattr(row, field) for field in STORED_FIELDS)]


def preview_context(
    course: Course, preview: SettingsPreview | None, *, is_same: bool = False
) -> dict[str, Any]:
    """What `editors/_preview.html` shows: the counts, and who moves (by name, in class order)."""
    return {
        "preview": preview,
        "is_same": is_same,
        "who": preview_rows(course, preview) if preview and not is_same else [],
    }
