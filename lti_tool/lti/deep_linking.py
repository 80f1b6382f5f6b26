"""Deep Linking 2.0 responses: the content items the teacher chose, signed for the platform.

pylti1p3's DeepLink re-parses the PEM on every signature and always echoes `data` (as null when
the platform sent none); DeepLinkResource always sends `"custom": {}`, which Moodle 4.5 rejects.
Here the key object is the key ring's, loaded once, and empty members are left out.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, field
from typing import Any

import jwt
from pylti1p3.deep_link import DeepLink
from pylti1p3.registration import Registration

from .keys import SigningKey
from .vocab import LTI_VERSION, Claim, MessageType

RESPONSE_LIFETIME_SECONDS = 600


@dataclass(frozen=True)
class LineItemRequest:
    """The gradebook column the platform creates with the link."""

    label: str
    score_maximum: float
    resource_id: str
    tag: str

    def to_claim(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "scoreMaximum": self.score_maximum,
            "resourceId": self.resource_id,
            "tag": self.tag,
        }


@dataclass(frozen=True)
class ResourceLinkItem:
    title: str
    url: str
    text: str = ""
    line_item: LineItemRequest | None = None
    custom: dict[str, str] = field(default_factory=dict)

    def to_claim(self) -> dict[str, Any]:
        item: dict[str, Any] = {"type": "ltiResourceLink", "title": self.title, "url": self.url}
        if self.text:
            item["text"] = self.text
        if self.line_item:
            item["lineItem"] = self.line_item.to_claim()
        if self.custom:  # Moodle 4.5 fails on "custom": {}
            item["custom"] = dict(self.custom)
        return item


class ToolDeepLink(DeepLink):
    def __init__(
        self,
        registration: Registration,
        deployment_id: str,
        settings: dict[str, Any],
        key: SigningKey,
    ):
        super().__init__(registration, deployment_id, settings)
        self.key = key

    def get_message_jwt(self, resources: Any) -> dict[str, object]:
        now = int(time.time())
        message: dict[str, object] = {
            "iss": self._registration.get_client_id(),
            "aud": self._registration.get_issuer(),
            "iat": now,
            "exp": now + RESPONSE_LIFETIME_SECONDS,
            "nonce": secrets.token_urlsafe(24),
            Claim.DEPLOYMENT_ID: self._deployment_id,
            Claim.MESSAGE_TYPE: MessageType.DEEP_LINKING_RESPONSE,
            Claim.VERSION: LTI_VERSION,
            Claim.DL_CONTENT_ITEMS: [item.to_claim() for item in resources],
        }
        if "data" in self._deep_link_settings and self._deep_link_settings["data"] is not None:
            message[Claim.DL_DATA] = self._deep_link_settings["data"]
        return message

    def encode_jwt(self, message: dict[str, object]) -> str:
        return jwt.encode(
            {str(k): v for k, v in message.items()},
            self.key.private_key,
            algorithm="RS256",
            headers={"kid": self.key.kid},
        )

    @property
    def return_url(self) -> str:
        return str(self._deep_link_settings["deep_link_return_url"])
