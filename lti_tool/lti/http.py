"""Outbound HTTP to platforms: always a timeout and a User-Agent, never to forbidden addresses.

Key-set and registration URLs come from whoever calls /lti/register, so they are attacker
chosen: https only in production; never link-local or cloud metadata addresses; private and
loopback addresses only when LTI_TOOL_ALLOW_PRIVATE_NETWORK is on (DESIGN.md correction 14).

A URL is checked twice: its name's addresses before the request (for a clear refusal), and the
address each new connection actually reached, before a byte is sent. The second check is what
stops DNS rebinding: a name that answers a public address to the first lookup and a private
one to the connection's own. Behind an outbound proxy (HTTPS_PROXY) the connection reaches the
proxy, so only the first check applies.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from ..errors import LtiToolError

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA_HOSTS = {"metadata.google.internal", "metadata", "instance-data"}
# Cloud metadata services outside link-local space, refused whatever the settings say:
# AWS's IPv6 endpoint (a unique-local address), Alibaba Cloud's (in the shared 100.64/10
# space) and Oracle Cloud's legacy one. 169.254.169.254 and its kind are link-local.
METADATA_ADDRESSES = {
    ipaddress.ip_address("fd00:ec2::254"),
    ipaddress.ip_address("100.100.100.200"),
    ipaddress.ip_address("192.0.0.192"),
}
SHARED_ADDRESS_SPACE = ipaddress.ip_network("100.64.0.0/10")  # carrier-grade NAT, VPN overlays
NAT64_PREFIX = ipaddress.ip_network("64:ff9b::/96")


class OutboundError(LtiToolError):
    title = "The platform could not be reached"
    status = 502


@dataclass(frozen=True)
class OutboundPolicy:
    timeout: float
    user_agent: str
    allow_private: bool
    allow_http: bool
    # In production plain http, even when allowed, reaches only this machine (a platform on
    # loopback, as the benches run one): everywhere else, https only.
    production: bool = False

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> OutboundPolicy:
        return cls(
            timeout=float(config["HTTP_TIMEOUT_SECONDS"]),
            user_agent=config["HTTP_USER_AGENT"],
            allow_private=bool(config["LTI_TOOL_ALLOW_PRIVATE_NETWORK"]),
            allow_http=bool(config["LTI_TOOL_ALLOW_INSECURE_HTTP"]),
            production=config.get("ENV") == "production",
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
            self.check_address(host, address, plain_http=parts.scheme == "http")

    def check_address(self, host: str, address: Address, *, plain_http: bool = False) -> None:
        """Raise OutboundError unless a connection to `address` (for `host`) is allowed."""
        address = _embedded_ipv4(address)
        if plain_http and self.production and not address.is_loopback:
            raise OutboundError(
                f"Only https addresses are accepted in production: {host} -> {address}",
                hint="Plain http (LTI_TOOL_ALLOW_INSECURE_HTTP) reaches only this machine.",
            )
        if address in METADATA_ADDRESSES:
            raise OutboundError(f"Address refused (cloud metadata): {host} -> {address}")
        if address.is_link_local or address.is_multicast or address.is_unspecified:
            raise OutboundError(f"Address refused (link-local or reserved): {host} -> {address}")
        if address.is_global:
            return
        local = address.is_private or address.is_loopback or address in SHARED_ADDRESS_SPACE
        if not local:
            raise OutboundError(f"Address refused (reserved): {host} -> {address}")
        if not self.allow_private:
            raise OutboundError(
                f"Address refused (private network): {host} -> {address}",
                hint="An on-premises platform needs LTI_TOOL_ALLOW_PRIVATE_NETWORK=1.",
            )


def _embedded_ipv4(address: Address) -> Address:
    """The IPv4 address an IPv6 one stands for (::ffff:a.b.c.d, NAT64's 64:ff9b::a.b.c.d), so
    that ::ffff:169.254.169.254 is judged as 169.254.169.254."""
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return address.ipv4_mapped
        if address in NAT64_PREFIX:
            return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return address


def _resolve(host: str, port: int | None) -> list[Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except OSError as error:
        raise OutboundError(f"Cannot resolve {host}: {error}") from error
    return [_address_of(info[4][0]) for info in infos]


def _address_of(text: str) -> Address:
    return ipaddress.ip_address(text.split("%", 1)[0])  # without an IPv6 zone ("%eth0")


def _checked(
    base: type[HTTPConnection], policy: OutboundPolicy, plain_http: bool
) -> type[HTTPConnection]:
    """`base` whose new sockets are refused, before any byte is sent, when the address they
    reached is not allowed (an HTTPS connection checks before its TLS handshake)."""

    class Checked(base):  # type: ignore[valid-type,misc]
        def _new_conn(self):
            sock = super()._new_conn()
            try:
                peer = _address_of(sock.getpeername()[0])
                policy.check_address(self.host, peer, plain_http=plain_http)
            except OutboundError:
                sock.close()
                raise
            return sock

    return Checked


class _CheckedAdapter(HTTPAdapter):
    def __init__(self, policy: OutboundPolicy):
        self._pools = {
            "http": type(
                "CheckedHTTPPool",
                (HTTPConnectionPool,),
                {"ConnectionCls": _checked(HTTPConnection, policy, plain_http=True)},
            ),
            "https": type(
                "CheckedHTTPSPool",
                (HTTPSConnectionPool,),
                {"ConnectionCls": _checked(HTTPSConnection, policy, plain_http=False)},
            ),
        }
        super().__init__()

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pools


class OutboundClient:
    """A pooled session with the policy applied to every request."""

    def __init__(self, policy: OutboundPolicy):
        self.policy = policy
        self.session = requests.Session()
        self.session.headers["User-Agent"] = policy.user_agent
        adapter = _CheckedAdapter(policy)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)

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
