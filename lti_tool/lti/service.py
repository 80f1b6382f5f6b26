"""Calling LTI services (AGS, NRPS): bearer tokens, paging, and outcomes the worker acts on.

Every answer is classified into an Outcome the outbox worker can act on without reading HTTP:
Delivered, Superseded (Canvas 400 / Moodle 409 on an older timestamp, DESIGN.md correction 2),
Retry (network, 5xx, 429, Canvas's `403 Rate Limit Exceeded`, correction 4), Unauthorized,
Gone (404: the line item was deleted) and Rejected.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests

from ..models import Platform
from .http import OutboundClient, OutboundError
from .service_token import (
    ServiceError,
    ServiceTokens,
    platform_message,
    retry_after_seconds,
)

LOW_RATE_LIMIT = 100.0
RATE_LIMIT_RETRY_SECONDS = 60.0
PACE_SECONDS = 1.0
MAX_PAGES = 1000


def running_low(remaining: float | None) -> bool:
    """Whether the platform's X-Rate-Limit-Remaining says to pace the next calls (Canvas)."""
    return remaining is not None and remaining < LOW_RATE_LIMIT


@dataclass(frozen=True, kw_only=True)
class Outcome:
    """What became of a service call; subclasses say what the caller should do."""

    status: int | None = None
    message: str = ""
    rate_limit_remaining: float | None = None

    @property
    def should_slow_down(self) -> bool:
        return running_low(self.rate_limit_remaining)


@dataclass(frozen=True, kw_only=True)
class Delivered(Outcome):
    body: Any = None
    next_url: str | None = None


@dataclass(frozen=True, kw_only=True)
class Superseded(Outcome):
    """The platform holds a newer score: resend with a fresh timestamp only if ours is newest."""


@dataclass(frozen=True, kw_only=True)
class Retry(Outcome):
    # 0: the platform asked for no particular wait; the caller's own backoff applies.
    after_seconds: float = 0.0


@dataclass(frozen=True, kw_only=True)
class Unauthorized(Outcome):
    """401 even with a freshly fetched token."""


@dataclass(frozen=True, kw_only=True)
class Gone(Outcome):
    """404: the line item (or course) no longer exists for this tool."""


@dataclass(frozen=True, kw_only=True)
class Rejected(Outcome):
    """Any other refusal; retrying the same request cannot help."""


class ServiceCallFailed(ServiceError):
    """A read (line items, results, members) that did not deliver; `outcome` says why."""

    def __init__(self, outcome: Outcome):
        retry = outcome.after_seconds if isinstance(outcome, Retry) else None
        super().__init__(
            outcome.message or type(outcome).__name__,
            status_code=outcome.status,
            retry_after=retry,
        )
        self.outcome = outcome


def _remaining(response: requests.Response) -> float | None:
    try:
        return float(response.headers["X-Rate-Limit-Remaining"])
    except (KeyError, ValueError):
        return None


def _json_or_none(response: requests.Response) -> Any:
    # Some platforms answer a score with an empty or plain-text 200/204.
    try:
        return response.json() if response.content else None
    except ValueError:
        return None


def classify(response: requests.Response, *, is_score: bool = False) -> Outcome:
    """The Outcome of one HTTP answer."""
    status = response.status_code
    facts: dict[str, Any] = {"status": status, "rate_limit_remaining": _remaining(response)}
    if status < 300:
        return Delivered(
            body=_json_or_none(response),
            next_url=response.links.get("next", {}).get("url"),
            **facts,
        )
    message = platform_message(response)
    facts["message"] = message
    if is_score and (status == 409 or (status == 400 and "timestamp" in message.lower())):
        return Superseded(**facts)
    if status == 403 and "rate limit exceeded" in message.lower():
        after = retry_after_seconds(response, RATE_LIMIT_RETRY_SECONDS)
        return Retry(after_seconds=after, **facts)
    if status in (408, 429) or status >= 500:
        return Retry(after_seconds=retry_after_seconds(response, 0.0), **facts)
    if status == 401:
        return Unauthorized(**facts)
    if status in (404, 410):
        return Gone(**facts)
    return Rejected(**facts)


class ServiceClient:
    """Authorized calls to one platform's services: token, one refetch on 401, pagination."""

    def __init__(
        self,
        platform: Platform,
        tokens: ServiceTokens,
        outbound: OutboundClient,
        *,
        scopes: Sequence[str],
        pace_seconds: float = PACE_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
    ):
        self.platform = platform
        self.tokens = tokens
        self.outbound = outbound
        self.scopes = tuple(scopes)
        self.pace_seconds = pace_seconds
        self.sleep = sleep
        self.rate_limit_remaining: float | None = None

    def call(
        self,
        method: str,
        url: str,
        *,
        accept: str,
        body: Any = None,
        content_type: str | None = None,
        is_score: bool = False,
    ) -> Outcome:
        """One request, retried once with a fresh token when the platform answers 401."""
        outcome: Outcome = Unauthorized()
        for _attempt in range(2):
            try:
                token = self.tokens.token(self.platform, self.scopes)
            except ServiceError as error:
                return _token_outcome(error)
            outcome = self._send(method, url, token, accept, body, content_type, is_score)
            if not isinstance(outcome, Unauthorized):
                return outcome
            self.tokens.invalidate(self.platform, self.scopes, token)
        return outcome

    def fetch_pages(self, url: str, accept: str) -> Iterator[Any]:
        """The body of every page, following `Link: rel="next"` exactly as given."""
        origin = urlsplit(url).netloc.lower()
        seen: set[str] = set()
        next_url: str | None = url
        while next_url and len(seen) < MAX_PAGES:
            if urlsplit(next_url).netloc.lower() != origin:
                # The bearer token must not follow a link to another host.
                raise ServiceCallFailed(Rejected(message=f"next page on another host: {next_url}"))
            seen.add(next_url)
            outcome = self.call("GET", next_url, accept=accept)
            if not isinstance(outcome, Delivered):
                raise ServiceCallFailed(outcome)
            yield outcome.body
            next_url = outcome.next_url if outcome.next_url not in seen else None

    def _send(
        self,
        method: str,
        url: str,
        token: str,
        accept: str,
        body: Any,
        content_type: str | None,
        is_score: bool,
    ) -> Outcome:
        if running_low(self.rate_limit_remaining):
            self.sleep(self.pace_seconds)
        headers = {"Authorization": f"Bearer {token}", "Accept": accept}
        data = None
        if body is not None:
            headers["Content-Type"] = content_type or "application/json"
            data = json.dumps(body)
        try:
            response = self.outbound.request(method, url, headers=headers, data=data)
        except OutboundError as error:
            if error.__cause__ is None:  # refused by the address policy: no point retrying
                return Rejected(message=error.message)
            return Retry(message=error.message)
        outcome = classify(response, is_score=is_score)
        self.rate_limit_remaining = outcome.rate_limit_remaining
        return outcome


def _token_outcome(error: ServiceError) -> Outcome:
    if error.retry_after is not None:
        return Retry(
            status=error.status_code, message=error.message, after_seconds=error.retry_after
        )
    return Rejected(status=error.status_code, message=error.message)


def with_path_suffix(url: str, suffix: str) -> str:
    """`suffix` appended to the path, before any query string (Moodle's `?type_id=`)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + suffix))


def with_query(url: str, **params: str | int | None) -> str:
    """Query parameters added to a URL that may already carry some."""
    extra = [(name, str(value)) for name, value in params.items() if value not in (None, "")]
    if not extra:
        return url
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True) + extra
    return urlunsplit(parts._replace(query=urlencode(query)))
