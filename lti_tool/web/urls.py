"""The tool's public URLs, from TOOL_BASE_URL when set (behind proxies), else from the request."""

from __future__ import annotations

from typing import Any

from flask import current_app, url_for


def tool_url(endpoint: str, **values: Any) -> str:
    base = current_app.config.get("TOOL_BASE_URL")
    if base:
        return base.rstrip("/") + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)
