"""A Flask adapter for `lti1p3platform` (it ships Django and FastAPI ones only): a platform we
did not write, served live so the tool fetches its JWKS over HTTP as it would a real LMS's.

Everything LTI here is lti1p3platform's own code: login initiation (`OIDCLoginAbstract`), the
id_token (`LTIAdvantageMessageLaunchAbstract`), its key/JWKS (`Registration`), the deep-linking
response check (`validate_deeplinking_resp`) and the token endpoint (`get_access_token`). The
adapter only translates Flask requests and responses, as its framework/ adapters do.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, Response, jsonify, redirect, request
from lti1p3platform import exceptions as lti_errors
from lti1p3platform.framework.templates import template
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request, TRequest

CLIENT_ID = "interop-tool"
DEPLOYMENT_ID = "1"
CONTEXT_ID = "interop-course-7"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
DEEP_LINK_DATA = {"csrf": "opaque-to-the-tool", "section": 3}


@dataclass(frozen=True)
class Person:
    user_id: str
    name: str
    roles: list[str]


PEOPLE = {
    "t-1": Person("t-1", "Ada Instructor", [INSTRUCTOR]),
    "s-1": Person("s-1", "Lin Learner", [LEARNER]),
}


@dataclass
class PlatformState:
    """Keys and what the platform received, for the tests to inspect."""

    tool_url: str
    private_pem: str
    public_pem: str
    issuer: str = ""
    content_items: list[dict[str, Any]] = field(default_factory=list)
    access_tokens: list[dict[str, Any]] = field(default_factory=list)


def _new_key_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    public = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    return private, public


class FlaskPlatformRequest(Request):
    """lti1p3platform's request shape, built from the current Flask request."""

    def build_metadata(self, request: Any) -> TRequest:
        return {
            "method": request.method,
            "form_data": request.form.to_dict(),
            "get_data": request.args.to_dict(),
            "headers": request.headers,
            "content_type": request.content_type,
            "path": request.path,
            "json": request.get_json(silent=True),
        }


class PlatformConf(LTI1P3PlatformConfAbstract):
    """One registration: our tool, as lti1p3platform's platform sees it."""

    def init_platform_config(self, **kwargs: Any) -> None:
        self.state: PlatformState = kwargs["state"]

    def get_registration_by_params(self, **kwargs: Any) -> Registration:
        tool = self.state.tool_url
        return (
            Registration()
            .set_iss(self.state.issuer)
            .set_client_id(CLIENT_ID)
            .set_deployment_id(DEPLOYMENT_ID)
            .set_oidc_login_url(f"{tool}/lti/login")
            .set_launch_url(f"{tool}/lti/launch")
            # Our tool takes both messages at /lti/launch and routes on message_type.
            .set_deeplink_launch_url(f"{tool}/lti/launch")
            .set_tool_key_set_url(f"{tool}/.well-known/jwks.json")
            .set_platform_public_key(self.state.public_pem)
            .set_platform_private_key(self.state.private_pem)
        )


class FlaskOIDCLogin(OIDCLoginAbstract):
    def set_lti_message_hint(self, **kwargs: Any) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> Response:
        return redirect(url)


class FlaskMessageLaunch(LTIAdvantageMessageLaunchAbstract):
    """Fills the claims for whoever `login_hint` names, as a platform's launch view would."""

    def __init__(self, request: Request, platform_config: PlatformConf) -> None:
        super().__init__(request, platform_config)
        self.state = platform_config.state

    def prepare_launch(self, preflight_response: dict[str, Any]) -> None:
        person = PEOPLE[preflight_response["login_hint"]]
        self.set_user_data(person.user_id, person.roles, full_name=person.name)
        self.set_launch_context_claim(
            CONTEXT_ID,
            context_types=["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
            context_title="Interop Algebra",
            context_label="INT-ALG",
        )
        issuer = self.state.issuer
        if preflight_response.get("lti_message_hint") == "deep_link":
            self.set_dl(
                f"{issuer}/deep_linking/return",
                title="Add an activity",
                accept_types={"ltiResourceLink"},
                extra_data=DEEP_LINK_DATA,
            )
            return
        self.set_resource_link_claim("interop-link-1", title="Mastery")
        self.set_ags(
            lineitems_url=f"{issuer}/ags/{CONTEXT_ID}/lineitems",
            allow_creating_lineitems=True,
        )
        self.set_nrps(f"{issuer}/nrps/{CONTEXT_ID}/memberships")

    def render_launch_form(self, launch_data: dict[str, Any], **kwargs: Any) -> str:
        # The package's own auto-submitting form (framework/templates/launch.html).
        return template.render(launch_data)


def create_platform_app(tool_url: str) -> Flask:
    private_pem, public_pem = _new_key_pair()
    state = PlatformState(tool_url=tool_url, private_pem=private_pem, public_pem=public_pem)
    app = Flask("lti1p3platform_interop")
    app.config["TESTING"] = True
    app.extensions["interop"] = state

    def conf() -> PlatformConf:
        platform = PlatformConf(state=state)
        platform.get_registration()
        return platform

    @app.get("/initiate")
    def initiate() -> Response:
        """Third-party initiated login: `?user=t-1&message=resource_link|deep_link`."""
        login = FlaskOIDCLogin(FlaskPlatformRequest(request), conf())
        message = request.args.get("message", "resource_link")
        login.set_lti_message_hint(hint=message)
        if message == "deep_link":
            login.set_deeplinking_launch_url()
        return login.initiate_login(request.args["user"])

    @app.get("/authorize")
    def authorize() -> Any:
        launch = FlaskMessageLaunch(FlaskPlatformRequest(request), conf())
        try:
            return launch.lti_launch()
        except lti_errors.PreflightRequestValidationException:
            return "invalid authentication request", 400

    @app.get("/jwks")
    def jwks() -> Response:
        return jsonify(conf().get_jwks())

    @app.post("/deep_linking/return")
    def deep_linking_return() -> Any:
        try:
            items = conf().validate_deeplinking_resp(request.form.to_dict())
        # lti1p3platform lets PyJWT's errors (bad signature, expired) escape unwrapped; an
        # adapter that did not catch them would answer 500 to a forged response.
        except (
            jwt.PyJWTError,
            lti_errors.LtiException,
            lti_errors.LtiDeepLinkingResponseException,
        ) as error:
            return jsonify(error=str(error)), 400
        state.content_items.extend(items)
        return jsonify(content_items=items)

    @app.post("/token")
    def token() -> Any:
        try:
            answer = conf().get_access_token(request.form.to_dict())
        except lti_errors.MissingRequiredClaim as error:
            return jsonify(error="invalid_request", error_description=str(error)), 400
        except (jwt.PyJWTError, lti_errors.LtiException) as error:
            # RFC 6749 §5.2: a client assertion that fails verification is invalid_client.
            return jsonify(error="invalid_client", error_description=str(error)), 401
        except lti_errors.UnsupportedGrantType:
            return jsonify(error="unsupported_grant_type"), 400
        state.access_tokens.append(dict(answer))
        return jsonify(answer)

    return app


def platform_state(app: Flask) -> PlatformState:
    return app.extensions["interop"]
