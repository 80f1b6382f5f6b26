"""The tool's RSA signing keys: PEM files in KEY_DIR, parsed once per process.

Files are named `<created UTC>-<kid>.pem`, so the order survives copies and backups. The newest
key is current (it signs); the one before it stays published in the JWKS so platforms that
cached it keep verifying during a rotation. `kid` is the RFC 7638 thumbprint.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

KEY_SUFFIX = ".pem"
PUBLISHED = 2  # current + previous


def _b64(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def public_jwk(public_key: rsa.RSAPublicKey) -> dict[str, str]:
    """The public JWK with its RFC 7638 thumbprint as kid."""
    numbers = public_key.public_numbers()
    members = {"e": _b64(numbers.e), "kty": "RSA", "n": _b64(numbers.n)}
    canonical = json.dumps(members, separators=(",", ":"), sort_keys=True).encode()
    kid = base64.urlsafe_b64encode(hashlib.sha256(canonical).digest()).rstrip(b"=").decode()
    return {**members, "kid": kid, "alg": "RS256", "use": "sig"}


@dataclass(frozen=True)
class SigningKey:
    kid: str
    created: str
    private_key: rsa.RSAPrivateKey
    jwk: dict[str, str]
    path: Path


class KeyRing:
    """The keys in one folder, reloaded only when the folder changes (e.g. after `keys rotate`)."""

    def __init__(self, key_dir: str | os.PathLike[str]):
        self.key_dir = Path(key_dir)
        self._lock = threading.Lock()
        self._stamp: tuple[Any, ...] | None = None
        self._keys: list[SigningKey] = []

    def keys(self) -> list[SigningKey]:
        """Every key, newest first."""
        stamp = self._folder_stamp()
        if stamp != self._stamp:
            with self._lock:
                if stamp != self._stamp:
                    self._keys = self._load()
                    self._stamp = stamp
        return self._keys

    def current(self) -> SigningKey | None:
        keys = self.keys()
        return keys[0] if keys else None

    def published(self) -> list[SigningKey]:
        return self.keys()[:PUBLISHED]

    def jwks(self) -> dict[str, list[dict[str, str]]]:
        return {"keys": [key.jwk for key in self.published()]}

    def generate(self) -> SigningKey:
        """Create a new key; it becomes the current one."""
        self.key_dir.mkdir(parents=True, exist_ok=True)
        private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        jwk = public_jwk(private_key.public_key())
        created = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        path = self.key_dir / f"{created}-{jwk['kid']}{KEY_SUFFIX}"
        pem = private_key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        self._stamp = None
        return SigningKey(jwk["kid"], created, private_key, jwk, path)

    def ensure(self) -> SigningKey:
        return self.current() or self.generate()

    def _folder_stamp(self) -> tuple[Any, ...]:
        # Adding or removing a file changes the folder's mtime: one stat per call, no listing.
        try:
            stat = self.key_dir.stat()
        except OSError:
            return ()
        return (stat.st_ino, stat.st_mtime_ns)

    def _load(self) -> list[SigningKey]:
        keys = []
        for path in sorted(self.key_dir.glob(f"*{KEY_SUFFIX}"), reverse=True):
            private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
            if not isinstance(private_key, rsa.RSAPrivateKey):
                continue
            jwk = public_jwk(private_key.public_key())
            created = path.name.split("-", 1)[0]
            keys.append(SigningKey(jwk["kid"], created, private_key, jwk, path))
        return keys
