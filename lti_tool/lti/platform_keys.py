"""Platform public keys, fetched from each registration's key-set URL and kept per process.

Parsed once; a token signed with an unknown `kid` triggers one refetch (the platform rotated),
at most once per `refetch_interval` so a stream of forged kids cannot make us hammer the platform.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import jwt

from ..errors import LaunchUnauthorized
from .http import OutboundClient, OutboundError


@dataclass
class _KeySet:
    keys: dict[str, jwt.PyJWK] = field(default_factory=dict)
    fetched_at: float = 0.0


class PlatformKeyCache:
    def __init__(self, client: OutboundClient, ttl_seconds: float, refetch_interval: float):
        self.client = client
        self.ttl = ttl_seconds
        self.refetch_interval = refetch_interval
        self._sets: dict[str, _KeySet] = {}
        self._lock = threading.Lock()
        self.fetches = 0

    def key_for(self, keyset_url: str, kid: str) -> jwt.PyJWK:
        """The platform key with this kid, refetching once when it is unknown or stale."""
        entry = self._sets.get(keyset_url)
        now = time.monotonic()
        if entry and kid in entry.keys and now - entry.fetched_at < self.ttl:
            return entry.keys[kid]
        if entry is None or now - entry.fetched_at >= self.refetch_interval:
            entry = self._refresh(keyset_url)
        if kid in entry.keys:
            return entry.keys[kid]
        raise LaunchUnauthorized(
            "The launch was signed with a key the platform does not publish.",
            detail=f"unknown kid {kid!r} at {keyset_url} (known: {sorted(entry.keys)})",
            hint="If the platform rotated its keys, check the key set URL registered for it.",
        )

    def _refresh(self, keyset_url: str) -> _KeySet:
        with self._lock:
            try:
                document = self.client.get_json(keyset_url)
            except OutboundError as error:
                raise LaunchUnauthorized(
                    "The platform's public keys could not be fetched.",
                    detail=error.detail,
                    hint="Check the key set URL registered for this platform.",
                ) from error
            self.fetches += 1
            entry = _KeySet(_parse(document), time.monotonic())
            self._sets[keyset_url] = entry
            return entry


def _parse(document: object) -> dict[str, jwt.PyJWK]:
    keys: dict[str, jwt.PyJWK] = {}
    raw = document.get("keys") if isinstance(document, dict) else None
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict) or item.get("kty") != "RSA" or not item.get("kid"):
            continue
        if item.get("use", "sig") != "sig":
            continue
        try:
            keys[item["kid"]] = jwt.PyJWK(item, algorithm="RS256")
        except (jwt.PyJWKError, ValueError, TypeError):
            continue
    return keys
