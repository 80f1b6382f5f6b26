"""OIDC third-party initiated login, on pylti1p3's OIDCLogin with state kept in the database.

pylti1p3 keeps the nonce in the Flask session and the state in a cookie set without
`Partitioned`; inside an LMS iframe that cookie is often dropped. Here the state row (with its
nonce) is server-side and single-use, and the browser is bound to it by a secret held in a
`SameSite=None; Secure; Partitioned` cookie, or in the platform's storage when the platform
offers `lti_storage_target` (LTI client-side postMessage storage).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from pylti1p3.contrib.flask import FlaskOIDCLogin, FlaskRequest
from sqlalchemy import insert

from ..errors import LaunchError, LaunchForbidden
from ..extensions import db
from ..models import LoginState, Platform
from ..models.types import utcnow
from ..translatable import N_
from .context import LtiContext

STATE_COOKIE_PREFIX = "lti1p3-state-"
LOGIN_PARAMS = (
    "iss",
    "login_hint",
    "target_link_uri",
    "lti_message_hint",
    "client_id",
    "lti_deployment_id",
)


def secret_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class LoginRedirect:
    """Where to send the browser, and the secret that binds it to the state."""

    auth_url: str
    state: str
    browser_secret: str
    storage_target: str | None
    platform_origin: str
    ttl_seconds: int


class ToolOIDCLogin(FlaskOIDCLogin):
    def __init__(self, request: FlaskRequest, ctx: LtiContext, *, state_ttl: int):
        super().__init__(request, ctx.tool_conf)
        self.ctx = ctx
        self.state_ttl = state_ttl
        self.platform: Platform | None = None

    def validate_oidc_login(self) -> Any:
        iss = self._get_request_param("iss")
        if not iss:
            raise LaunchError(
                N_("The platform did not say who it is (no 'iss' in the login request)."),
                hint=N_("Start the tool from a link inside your LMS."),
            )
        if not self._get_request_param("login_hint"):
            raise LaunchError(N_("The login request has no 'login_hint'."))
        client_id = self._get_request_param("client_id")
        platform = self.ctx.tool_conf.find_platform(iss, client_id)
        if platform is None:
            raise LaunchForbidden(
                N_("This platform is not registered with the tool."),
                detail=f"login for unregistered iss={iss!r} client_id={client_id!r}",
                hint=N_(
                    "An administrator must register the platform (issuer and client id) "
                    "in the tool, by Dynamic Registration or `flask platform add`."
                ),
            )
        if not platform.is_active:
            raise LaunchForbidden(
                N_("This platform's registration is disabled."),
                detail=f"login for disabled platform {platform.id}",
                hint=N_(
                    "Whoever runs the tool can turn it on again in its installation console "
                    "(/install on the tool's own address)."
                ),
            )
        self.platform = platform
        return self.ctx.tool_conf.registration(platform)

    def begin(self, launch_url: str, *, frame_origin: str | None = None) -> LoginRedirect:
        """Validate the login initiation, store the state, and build the auth request.

        `frame_origin` is the origin of the LMS page that sent the login, kept with the state.
        """
        registration = self.validate_oidc_login()
        assert self.platform is not None
        state = secrets.token_urlsafe(24)
        nonce = secrets.token_urlsafe(24)
        browser_secret = secrets.token_urlsafe(24)
        storage_target = self._get_request_param("lti_storage_target") or None
        now = utcnow()
        # One INSERT, no unit of work: nothing in this request reads the row back.
        db.session.execute(
            insert(LoginState).values(
                state=state,
                nonce=nonce,
                platform_id=self.platform.id,
                created_at=now,
                expires_at=now + timedelta(seconds=self.state_ttl),
                storage_target=storage_target,
                browser_secret_hash=secret_hash(browser_secret),
                login_params={k: v for k in LOGIN_PARAMS if (v := self._get_request_param(k))},
                frame_origin=frame_origin,
            )
        )
        params = {
            "scope": "openid",
            "response_type": "id_token",
            "response_mode": "form_post",
            "prompt": "none",
            "client_id": registration.get_client_id(),
            "redirect_uri": launch_url,
            "state": state,
            "nonce": nonce,
            "login_hint": self._get_request_param("login_hint"),
        }
        if hint := self._get_request_param("lti_message_hint"):
            params["lti_message_hint"] = hint
        auth_url = self.platform.auth_login_url
        separator = "&" if urlsplit(auth_url).query else "?"
        # Platform storage answers from the origin of the OIDC auth endpoint (LTI postMessage spec).
        parts = urlsplit(auth_url)
        return LoginRedirect(
            auth_url=auth_url + separator + urlencode(params),
            state=state,
            browser_secret=browser_secret,
            storage_target=storage_target,
            platform_origin=f"{parts.scheme}://{parts.netloc}",
            ttl_seconds=self.state_ttl,
        )
