"""Platform signing keys (authlib JOSE), signing and tool-JWT verification."""

from __future__ import annotations

import base64
import json
import os
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from devplatform.vocab import USER_AGENT

# authlib.jose warns on import that joserfc is its successor; the platform
# uses it on purpose (a JWT stack distinct from the tool's PyJWT), and the
# test-suite turns warnings into errors. authlib.deprecate installs an
# "always" filter when first imported, so ours must go in after it.
with warnings.catch_warnings():
    import authlib.deprecate  # noqa: F401

    warnings.simplefilter("ignore")
    from authlib.jose import JsonWebKey, JsonWebToken
    from authlib.jose.errors import JoseError

__all__ = ["JoseError", "JsonWebKey", "KeyRing", "ToolKeyCache", "TokenError", "generate_key"]

FETCH_TIMEOUT_S = 5.0


class TokenError(Exception):
    """A JWT from a tool failed verification."""


def generate_key() -> Any:
    """Return a fresh RSA 2048 private key (authlib JsonWebKey) with a kid."""
    key = JsonWebKey.generate_key("RSA", 2048, is_private=True)
    return JsonWebKey.import_key(key.as_dict(is_private=True, kid=key.thumbprint()))


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unverified_header(token: str) -> dict[str, Any]:
    """Decode a JWT header without checking anything."""
    head = token.split(".", 1)[0]
    try:
        return json.loads(base64.urlsafe_b64decode(head + "=" * (-len(head) % 4)))
    except (ValueError, TypeError) as exc:
        raise TokenError("malformed JWT header") from exc


def unverified_claims(token: str) -> dict[str, Any]:
    """Decode a JWT payload without checking anything (to find whose key to use)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise TokenError("malformed JWT")
    try:
        data = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, TypeError) as exc:
        raise TokenError("malformed JWT payload") from exc
    if not isinstance(data, dict):
        raise TokenError("JWT payload is not an object")
    return data


class KeyRing:
    """The platform's current key plus the previous one (kept in the JWKS after rotation)."""

    def __init__(self, path: str | None = None) -> None:
        self._path = Path(path) if path else None
        self._lock = threading.Lock()
        self._current: Any = None
        self._previous: list[Any] = []
        # Signing keys without their kid, by id() of the key they come from. Importing an RSA
        # key checks it (~40 ms): done once per key, not once per token.
        self._signers: dict[int, tuple[Any, Any]] = {}

    def _ensure(self) -> Any:
        # Key generation is lazy: nothing slow happens in create_app.
        with self._lock:
            if self._current is None:
                self._current = self._load_or_create()
            return self._current

    def _load_or_create(self) -> Any:
        if self._path is None:
            return generate_key()
        if self._path.exists():
            key = JsonWebKey.import_key(self._path.read_bytes(), {"kty": "RSA"})
            return JsonWebKey.import_key(key.as_dict(is_private=True, kid=key.thumbprint()))
        key = generate_key()
        self._write(key)
        return key

    def _write(self, key: Any) -> None:
        assert self._path is not None
        self._path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key.as_pem(is_private=True))

    @property
    def current(self) -> Any:
        """The signing key."""
        return self._ensure()

    @property
    def kid(self) -> str:
        """The current key's id."""
        return str(self.current.as_dict()["kid"])

    def rotate(self) -> str:
        """Make a new current key; the old one stays published for in-flight tokens."""
        old = self._ensure()
        new = generate_key()
        with self._lock:
            self._previous = [old]
            self._current = new
        if self._path is not None:
            self._write(new)
        return self.kid

    def public_jwks(self) -> dict[str, list[dict[str, Any]]]:
        """The public key set: kid, alg, use, and public members only."""
        keys = [self._ensure(), *self._previous]
        return {"keys": [dict(k.as_dict(is_private=False), alg="RS256", use="sig") for k in keys]}

    def sign(
        self,
        claims: dict[str, Any],
        *,
        alg: str = "RS256",
        kid: str | None = None,
        key: Any = None,
        headers: dict[str, Any] | None = None,
    ) -> str:
        """Sign any claims; `alg="none"` gives an unsigned token (for negative tests)."""
        header: dict[str, Any] = {"typ": "JWT", "alg": alg}
        if kid is not None:
            header["kid"] = kid
        header.update(headers or {})
        if alg == "none":
            payload = json.dumps(claims, separators=(",", ":")).encode()
            return f"{_b64(json.dumps(header).encode())}.{_b64(payload)}."
        signing_key = key if key is not None else self.current
        if hasattr(signing_key, "as_dict"):
            signing_key = self._signer(signing_key)
        token = JsonWebToken([alg]).encode(header, claims, signing_key)
        return token.decode("ascii")

    def _signer(self, key: Any) -> Any:
        """The key without its kid (authlib would put the key's own kid in the header; the
        caller's wins), imported once per key."""
        with self._lock:
            cached = self._signers.get(id(key))
            # The key itself is held in the entry, so its id() cannot be reused meanwhile.
            if cached is not None and cached[0] is key:
                return cached[1]
        members = {k: v for k, v in key.as_dict(is_private=True).items() if k != "kid"}
        signer = JsonWebKey.import_key(members)
        with self._lock:
            if len(self._signers) >= 8:  # a few keys at most: current, previous, tests' own
                self._signers.clear()
            self._signers[id(key)] = (key, signer)
        return signer


class ToolKeyCache:
    """Tools' public key sets fetched over HTTP, cached, refetched once on an unknown kid."""

    def __init__(self, fetch: Callable[[str], dict[str, Any]] | None = None) -> None:
        self._cache: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._fetch = fetch or self._http_fetch
        self.fetch_count = 0

    @staticmethod
    def _http_fetch(url: str) -> dict[str, Any]:
        resp = requests.get(url, timeout=FETCH_TIMEOUT_S, headers={"User-Agent": USER_AGENT})
        resp.raise_for_status()
        return dict(resp.json())

    def _keyset(self, url: str, *, refresh: bool) -> dict[str, Any]:
        with self._lock:
            cached = self._cache.get(url)
        if cached is not None and not refresh:
            return cached
        try:
            data = self._fetch(url)
        except (requests.RequestException, ValueError) as exc:
            raise TokenError(f"could not fetch the tool's JWKS at {url}: {exc}") from exc
        self.fetch_count += 1
        with self._lock:
            self._cache[url] = data
        return data

    def _find(self, url: str, kid: str | None, *, refresh: bool) -> dict[str, Any] | None:
        keys = self._keyset(url, refresh=refresh).get("keys", [])
        for jwk in keys:
            if kid is None or jwk.get("kid") == kid:
                return dict(jwk)
        return None

    def verify(self, token: str, jwks_url: str) -> dict[str, Any]:
        """Verify an RS256 JWT against the tool's key set and return its claims."""
        header = unverified_header(token)
        if header.get("alg") != "RS256":
            raise TokenError(f"alg must be RS256, not {header.get('alg')!r}")
        kid = header.get("kid")
        jwk = self._find(jwks_url, kid, refresh=False)
        if jwk is None:
            jwk = self._find(jwks_url, kid, refresh=True)
        if jwk is None:
            raise TokenError(f"unknown kid {kid!r}")
        try:
            claims = JsonWebToken(["RS256"]).decode(token, JsonWebKey.import_key(jwk))
        except (JoseError, ValueError) as exc:
            raise TokenError(f"bad signature: {exc}") from exc
        return dict(claims)


def check_times(claims: dict[str, Any], *, max_lifetime_s: int | None = None) -> None:
    """Check exp (required, future), iat (required, not far future) and the lifetime."""
    now = time.time()
    exp, iat = claims.get("exp"), claims.get("iat")
    if not isinstance(exp, int | float) or not isinstance(iat, int | float):
        raise TokenError("exp and iat are required numbers")
    if exp <= now:
        raise TokenError("token expired")
    if iat > now + 60:
        raise TokenError("iat is in the future")
    if max_lifetime_s is not None and exp - iat > max_lifetime_s:
        raise TokenError(f"exp is more than {max_lifetime_s} s after iat")
