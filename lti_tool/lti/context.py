"""The per-process LTI machinery: key ring, outbound client, platform key cache, tool config."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from .http import OutboundClient, OutboundPolicy
from .keys import KeyRing
from .platform_keys import PlatformKeyCache
from .toolconf import DatabaseToolConf

EXTENSION = "lti_tool.lti"


@dataclass
class LtiContext:
    key_ring: KeyRing
    outbound: OutboundClient
    platform_keys: PlatformKeyCache
    tool_conf: DatabaseToolConf


def init_app(app: Flask) -> None:
    """Build the machinery once; nothing is read, fetched or generated until first use."""
    key_ring = KeyRing(app.config["KEY_DIR"])
    outbound = OutboundClient(OutboundPolicy.from_config(app.config))
    app.extensions[EXTENSION] = LtiContext(
        key_ring=key_ring,
        outbound=outbound,
        platform_keys=PlatformKeyCache(
            outbound,
            app.config["PLATFORM_JWKS_TTL_SECONDS"],
            app.config["PLATFORM_JWKS_REFETCH_SECONDS"],
        ),
        tool_conf=DatabaseToolConf(key_ring),
    )


def lti_of(app: Flask) -> LtiContext:
    return app.extensions[EXTENSION]


def lti() -> LtiContext:
    return lti_of(current_app)  # type: ignore[arg-type]
