"""OAuth 2 access tokens for platform services (AGS, NRPS), cached in the database.

One token per (registration, scope set), fetched with a client_credentials grant and an RS256
client assertion, reused by every process until shortly before it expires. A platform that
answers 401 to a service call gets `invalidate` and one fresh token (LTI-CHECKLIST "Services").
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import jwt
import requests
from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session

from ..errors import LtiToolError
from ..extensions import db
from ..models import Platform
from ..models.tokens import AccessToken, scope_key
from ..models.types import utcnow
from .context import lti
from .http import OutboundClient, OutboundError
from .keys import KeyRing

log = logging.getLogger(__name__)

GRANT_TYPE = "client_credentials"
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
ASSERTION_LIFETIME_SECONDS = 300
EXPIRY_MARGIN_SECONDS = 60
# RFC 6749 makes expires_in optional; an hour is what Canvas and Moodle grant.
DEFAULT_EXPIRES_IN = 3600
DEFAULT_RETRY_SECONDS = 30.0
EXTENSION = "lti_tool.service_tokens"


class ServiceError(LtiToolError):
    """A platform service (or its token endpoint) could not serve the request.

    `retry_after` is None when retrying cannot help (a refused grant, a missing scope).
    """

    status = 502
    title = "The platform's grade or roster service failed"

    def __init__(
        self,
        message: str,
        *,
        detail: str | None = None,
        hint: str | None = None,
        status_code: int | None = None,
        retry_after: float | None = None,
    ):
        super().__init__(message, detail=detail, hint=hint)
        self.status_code = status_code
        self.retry_after = retry_after


def retry_after_seconds(response: requests.Response, default: float) -> float:
    """Seconds from a Retry-After header (delta or HTTP date), else `default`."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return default
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def platform_message(response: requests.Response) -> str:
    """The platform's own words: OAuth error, Canvas `errors`, or the start of the body."""
    try:
        body: Any = response.json()
    except ValueError:
        return response.text[:300].strip() or response.reason or str(response.status_code)
    if isinstance(body, dict):
        if "error" in body:
            described = body.get("error_description")
            return f"{body['error']}: {described}" if described else str(body["error"])
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("message", errors[0]))
        if isinstance(errors, dict) and errors:
            return str(errors)
    return str(body)[:300]


@dataclass(frozen=True)
class _Cached:
    token: str
    expires_at: datetime
    fetched_at: datetime

    def is_fresh(self, now: datetime, margin: float) -> bool:
        # Short-lived tokens keep at least half their life usable.
        lifetime = (self.expires_at - self.fetched_at).total_seconds()
        return now < self.expires_at - timedelta(seconds=min(margin, lifetime / 2))


class ServiceTokens:
    """Access tokens per (platform, scopes): memory first, then the database, then the platform.

    The database row is written in its own short transaction: a token outlives the caller's
    unit of work (on SQLite, call this outside a write transaction).
    """

    def __init__(
        self,
        key_ring: KeyRing,
        outbound: OutboundClient,
        *,
        margin_seconds: float = EXPIRY_MARGIN_SECONDS,
        clock: Callable[[], datetime] = utcnow,
    ):
        self.key_ring = key_ring
        self.outbound = outbound
        self.margin_seconds = margin_seconds
        self.clock = clock
        self._memo: dict[tuple[int, str], _Cached] = {}
        self._locks: dict[tuple[int, str], threading.Lock] = {}
        self._guard = threading.Lock()

    def token(self, platform: Platform, scopes: Iterable[str]) -> str:
        """A usable access token; at most one token request per key and process at a time."""
        key = (platform.id, scope_key(scopes))
        cached = self._memo.get(key)
        if cached and cached.is_fresh(self.clock(), self.margin_seconds):
            return cached.token
        with self._lock_for(key):
            cached = self._memo.get(key)
            if not (cached and cached.is_fresh(self.clock(), self.margin_seconds)):
                cached = self._load(key)
            if not (cached and cached.is_fresh(self.clock(), self.margin_seconds)):
                cached = self._fetch(platform, key[1])
                self._store(key, cached)
            self._memo[key] = cached
            return cached.token

    def invalidate(
        self, platform: Platform, scopes: Iterable[str], token: str | None = None
    ) -> None:
        """Forget a refused token; given `token`, a newer one another process stored stays."""
        key = (platform.id, scope_key(scopes))
        cached = self._memo.get(key)
        if cached and (token is None or cached.token == token):
            del self._memo[key]
        query = delete(AccessToken).where(
            AccessToken.platform_id == key[0], AccessToken.scopes == key[1]
        )
        if token is not None:
            query = query.where(AccessToken.token == token)
        try:
            with Session(db.engine) as session, session.begin():
                session.execute(query)
        except SQLAlchemyError as error:
            # The refused token fails everywhere anyway; other processes will drop it on 401.
            log.warning("could not drop the access token of platform %s: %s", key[0], error)

    def assertion(self, platform: Platform) -> str:
        """A signed client assertion (private_key_jwt) for the platform's token endpoint."""
        key = self.key_ring.current()
        if key is None:
            raise ServiceError(
                "The tool has no signing key.",
                hint="Run `flask --app lti_tool keys generate`.",
            )
        now = int(time.time())
        claims = {
            "iss": platform.client_id,
            "sub": platform.client_id,
            "aud": platform.auth_audience or platform.auth_token_url,
            "iat": now,
            "exp": now + ASSERTION_LIFETIME_SECONDS,
            "jti": uuid.uuid4().hex,
        }
        # The key ring's parsed key object: no PEM parsing per assertion.
        return jwt.encode(claims, key.private_key, algorithm="RS256", headers={"kid": key.kid})

    def _lock_for(self, key: tuple[int, str]) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def _load(self, key: tuple[int, str]) -> _Cached | None:
        with Session(db.engine) as session:
            row = session.scalar(
                select(AccessToken).where(
                    AccessToken.platform_id == key[0], AccessToken.scopes == key[1]
                )
            )
            return _Cached(row.token, row.expires_at, row.fetched_at) if row else None

    def _store(self, key: tuple[int, str], cached: _Cached) -> None:
        try:
            with Session(db.engine) as session, session.begin():
                row = session.scalar(
                    select(AccessToken)
                    .where(AccessToken.platform_id == key[0], AccessToken.scopes == key[1])
                    .with_for_update()
                )
                if row is None:
                    row = AccessToken(platform_id=key[0], scopes=key[1])
                    session.add(row)
                row.token, row.expires_at = cached.token, cached.expires_at
                row.fetched_at = cached.fetched_at
        except IntegrityError:
            pass  # another process stored its token first: both are valid
        except SQLAlchemyError as error:
            # The token still works for this process; only the sharing is lost.
            log.warning("could not cache the access token of platform %s: %s", key[0], error)

    def _fetch(self, platform: Platform, scopes: str) -> _Cached:
        url = platform.auth_token_url
        form = {
            "grant_type": GRANT_TYPE,
            "client_assertion_type": CLIENT_ASSERTION_TYPE,
            "client_assertion": self.assertion(platform),
            "scope": scopes,
        }
        fetched_at = self.clock()
        try:
            response = self.outbound.request(
                "POST", url, data=form, headers={"Accept": "application/json"}
            )
        except OutboundError as error:
            retry = DEFAULT_RETRY_SECONDS if error.__cause__ is not None else None
            raise ServiceError(error.message, detail=error.detail, retry_after=retry) from error
        if response.status_code != 200:
            raise _token_refused(url, response)
        try:
            body = response.json()
            token = str(body["access_token"])
            expires_in = float(body.get("expires_in") or DEFAULT_EXPIRES_IN)
        except (ValueError, KeyError, TypeError) as error:
            raise ServiceError(f"{url} answered without an access token") from error
        return _Cached(token, fetched_at + timedelta(seconds=expires_in), fetched_at)


def _token_refused(url: str, response: requests.Response) -> ServiceError:
    status = response.status_code
    message = platform_message(response)
    host = urlsplit(url).netloc
    retryable = status >= 500 or status == 429
    return ServiceError(
        f"{host} refused the service token request ({status}): {message}",
        detail=f"POST {url}: {status} {response.text[:300]!r}",
        hint=None
        if retryable
        else "Check the client id, the tool's key set URL and the scopes granted on the platform.",
        status_code=status,
        retry_after=retry_after_seconds(response, DEFAULT_RETRY_SECONDS) if retryable else None,
    )


def service_tokens() -> ServiceTokens:
    """This process's ServiceTokens (one per app, so the memory cache is shared)."""
    app = current_app
    tokens = app.extensions.get(EXTENSION)
    if tokens is None:
        context = lti()
        tokens = app.extensions.setdefault(
            EXTENSION, ServiceTokens(context.key_ring, context.outbound)
        )
    return tokens
