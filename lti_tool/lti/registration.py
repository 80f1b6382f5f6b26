"""LTI Dynamic Registration 1.0, tool side: read the platform's configuration, register.

The issuer's host need not equal the configuration URL's host: Canvas serves the configuration
from the school's own domain under the shared issuer https://canvas.instructure.com.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..errors import RegistrationError
from .http import OutboundClient, OutboundError
from .vocab import TOOL_SCOPES, MessageType

PLATFORM_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
CANVAS_PRIVACY_LEVEL = "https://canvas.instructure.com/lti/privacy_level"
REQUIRED_ENDPOINTS = (
    "issuer",
    "authorization_endpoint",
    "token_endpoint",
    "jwks_uri",
    "registration_endpoint",
)
CLAIMS = ("iss", "sub", "name", "given_name", "family_name", "email")
# Canvas substitutes these; other platforms ignore what they do not know.
CUSTOM_PARAMETERS = {
    "ctx_history": "$Context.id.history",
    "canvas_course_section_ids": "$Canvas.course.sectionIds",
    "canvas_user_section_names": "$com.instructure.User.sectionNames",
    # The "ID" column of Canvas's gradebook export (services/lms_gradebook_import.py).
    "canvas_user_id": "$Canvas.user.id",
    # The launching person's time zone (Canvas; Moodle too): an instructor's sets the course's.
    "person_time_zone": "$Person.address.timezone",
    # "completed" when the Canvas course is concluded: no more grades are sent.
    "course_workflow_state": "$Canvas.course.workflowState",
}


@dataclass(frozen=True)
class ToolUrls:
    name: str
    description: str
    login: str
    launch: str
    jwks: str
    logo: str

    @property
    def domain(self) -> str:
        """host, or host:port when not the default port (Moodle compares it with the launch URL)."""
        return urlsplit(self.launch).netloc


@dataclass(frozen=True)
class PlatformConfiguration:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    registration_endpoint: str
    product_family_code: str | None
    name: str


@dataclass(frozen=True)
class RegistrationResult:
    configuration: PlatformConfiguration
    client_id: str
    deployment_id: str | None


def fetch_configuration(client: OutboundClient, url: str) -> PlatformConfiguration:
    try:
        document = client.get_json(url)
    except OutboundError as error:
        raise RegistrationError(
            f"The platform's configuration could not be read: {error.message}",
            detail=error.detail,
            hint=error.hint,
        ) from error
    if not isinstance(document, dict):
        raise RegistrationError("The platform's configuration is not a JSON object.")
    missing = [k for k in REQUIRED_ENDPOINTS if not isinstance(document.get(k), str)]
    if missing:
        raise RegistrationError(
            "The platform's configuration lacks: " + ", ".join(missing) + ".",
            detail=f"{url}: missing {missing}",
        )
    lti = document.get(PLATFORM_CONFIGURATION)
    lti = lti if isinstance(lti, dict) else {}
    family = lti.get("product_family_code")
    return PlatformConfiguration(
        issuer=document["issuer"],
        authorization_endpoint=document["authorization_endpoint"],
        token_endpoint=document["token_endpoint"],
        jwks_uri=document["jwks_uri"],
        registration_endpoint=document["registration_endpoint"],
        product_family_code=family if isinstance(family, str) else None,
        name=str(family or urlsplit(document["issuer"]).netloc),
    )


def client_registration(tool: ToolUrls, configuration: PlatformConfiguration) -> dict[str, Any]:
    """The OpenID Connect client registration body the tool sends."""
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": tool.login,
        "redirect_uris": [tool.launch],
        "client_name": tool.name,
        "jwks_uri": tool.jwks,
        "logo_uri": tool.logo,
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(TOOL_SCOPES),
        TOOL_CONFIGURATION: {
            "domain": tool.domain,
            "description": tool.description,
            "target_link_uri": tool.launch,
            "custom_parameters": dict(CUSTOM_PARAMETERS),
            "claims": list(CLAIMS),
            "messages": [
                {
                    "type": MessageType.RESOURCE_LINK.value,
                    "target_link_uri": tool.launch,
                    "label": tool.name,
                },
                {
                    "type": MessageType.DEEP_LINKING.value,
                    "target_link_uri": tool.launch,
                    "label": tool.name,
                    "placements": ["ContentArea", "assignment_selection", "link_selection"],
                },
            ],
            CANVAS_PRIVACY_LEVEL: "public",
        },
    }


def register(
    client: OutboundClient, configuration: PlatformConfiguration, token: str | None, tool: ToolUrls
) -> RegistrationResult:
    """POST the client registration; the platform answers with our client id (and deployment)."""
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        response = client.request(
            "POST",
            configuration.registration_endpoint,
            json=client_registration(tool, configuration),
            headers=headers,
        )
    except OutboundError as error:
        raise RegistrationError(
            f"The platform could not be reached: {error.message}", detail=error.detail
        ) from error
    if response.status_code not in (200, 201):
        raise RegistrationError(
            f"The platform refused the registration ({response.status_code}).",
            detail=f"{configuration.registration_endpoint}: {response.text[:500]!r}",
            hint="The platform's message: " + response.text[:200],
        )
    try:
        body = response.json()
    except ValueError as error:
        raise RegistrationError("The platform's answer was not JSON.") from error
    client_id = body.get("client_id") if isinstance(body, dict) else None
    if not isinstance(client_id, str) or not client_id:
        raise RegistrationError("The platform's answer has no client id.")
    lti = body.get(TOOL_CONFIGURATION)
    deployment_id = lti.get("deployment_id") if isinstance(lti, dict) else None
    return RegistrationResult(
        configuration, client_id, str(deployment_id) if deployment_id else None
    )
