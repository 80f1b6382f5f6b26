"""Outbound HTTP to platforms: always a timeout and a User-Agent, never to forbidden addresses.

Key-set and registration URLs come from whoever calls /lti/register, so they are attacker
chosen: https only in production; never link-local or cloud metadata addresses; private and
loopback addresses only when LTI_TOOL_ALLOW_PRIVATE_NETWORK is on (DESIGN.md correction 14).
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests

from ..errors import LtiToolError

METADATA_HOSTS = {"metadata.google.internal", "metadata", "instance-data"}


class OutboundError(LtiToolError):
    title = "The platform could not be reached"
    status = 502


@dataclass(frozen=True)
class OutboundPolicy:
    timeout: float
    user_agent: str
    allow_private: bool
    allow_http: bool

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> OutboundPolicy:
        return cls(
            timeout=float(config["HTTP_TIMEOUT_SECONDS"]),
            user_agent=config["HTTP_USER_AGENT"],
            allow_private=bool(config["LTI_TOOL_ALLOW_PRIVATE_NETWORK"]),
            allow_http=bool(config["LTI_TOOL_ALLOW_INSECURE_HTTP"]),
        )

    def check_url(self, url: str) -> None:
        """Raise OutboundError unless the URL may be fetched under this policy."""
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise OutboundError(f"Not a web address: {url!r}")
        if parts.scheme == "http" and not self.allow_http:
            raise OutboundError(f"Only https addresses are accepted: {url}")
        host = parts.hostname.lower()
        if host in METADATA_HOSTS:
            raise OutboundError(f"Address refused (cloud metadata): {host}")
        for address in _resolve(host, parts.port):
            self._check_address(host, address)

    def _check_address(self, host: str, address: ipaddress.IPv4Address | ipaddress.IPv6Address):
        if address.is_link_local or address.is_multicast or address.is_unspecified:
            raise OutboundError(f"Address refused (link-local or reserved): {host} -> {address}")
        if address.is_reserved and not address.is_private:
            raise OutboundError(f"Address refused (reserved): {host} -> {address}")
        if (address.is_private or address.is_loopback) and not self.allow_private:
            raise OutboundError(
                f"Address refused (private network): {host} -> {address}",
                hint="An on-premises platform needs LTI_TOOL_ALLOW_PRIVATE_NETWORK=1.",
            )


def _resolve(host: str, port: int | None) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except OSError as error:
        raise OutboundError(f"Cannot resolve {host}: {error}") from error
    return [ipaddress.ip_address(info[4][0].split("%", 1)[0]) for info in infos]


class OutboundClient:
    """A pooled session with the policy applied to every request."""

    def __init__(self, policy: OutboundPolicy):
        self.policy = policy
        self.session = requests.Session()
        self.session.headers["User-Agent"] = policy.user_agent

    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        self.policy.check_url(url)
        kwargs.setdefault("timeout", self.policy.timeout)
        # Redirects would bypass the address check.
        kwargs.setdefault("allow_redirects", False)
        try:
            return self.session.request(method, url, **kwargs)
        except requests.RequestException as error:
            raise OutboundError(
                f"Could not reach {urlsplit(url).netloc}: {type(error).__name__}",
                detail=f"{method} {url}: {error}",
            ) from error

    def get_json(self, url: str, **kwargs: Any) -> Any:
        response = self.request("GET", url, **kwargs)
        if response.status_code != 200:
            raise OutboundError(
                f"{urlsplit(url).netloc} answered {response.status_code} for {url}",
                detail=f"GET {url}: {response.status_code} {response.text[:300]!r}",
            )
        try:
            return response.json()
        except ValueError as error:
            raise OutboundError(f"{url} did not return JSON") from error
