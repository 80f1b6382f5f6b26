"""English marked for translation where no request is at hand (module constants, error
messages, the pure mastery code), translated when a page shows it (`i18n.translated`).

`N_("...")` only marks a message so the catalog check finds it. `Text` is a marked message
with its values: it reads as the English sentence (what the domain, logs and exports use) and
keeps what it was made of, so a page can say it in the reader's language.
"""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:  # noqa: N802 (the name gettext's extraction knows)
    """Mark English for translation where it is shown."""
    return message


class Text(str):
    """An English sentence made from a marked message and its values."""

    message: str
    values: dict[str, Any]

    def __new__(cls, message: str, **values: Any) -> Text:
        text = super().__new__(cls, message % values if values else message)
        text.message = message
        text.values = values
        return text
