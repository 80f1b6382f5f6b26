"""Access to the Platform of the current Flask app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import current_app, render_template

if TYPE_CHECKING:
    from devplatform.platform import Platform


def get_platform() -> Platform:
    """The Platform attached to the running app."""
    return current_app.extensions["devplatform"]  # type: ignore[no-any-return]


def error_page(status: int, title: str, detail: str) -> tuple[str, int]:
    """A readable HTML error page."""
    return render_template("error.html", title=title, detail=detail, status=status), status
