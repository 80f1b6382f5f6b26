"""Validate an id_token launch, closing the gaps measured in pylti1p3 2.0.0.

pylti1p3's MessageLaunch gives the shape (a chain of small validators); each link here
replaces one that was too weak:
- nonce: consumed atomically in the database (pylti1p3 never consumes it: replays pass);
- audience: a string or an array with our client id anywhere, `azp` checked (pylti1p3 takes
  aud[0] and ignores azp);
- signature: RS256 only, platform keys cached per process with one refetch on unknown kid and a
  timeout (pylti1p3 fetches with no timeout and never refetches), clock skew allowed for `iat`;
- state: a single-use database row bound to the browser by a cookie or platform storage;
- anonymous launches (no `sub`) and empty roles are accepted, as LTI Core allows.
"""

from __future__ import annotations

import base64
import hmac
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import jwt
from pylti1p3.contrib.flask import FlaskMessageLaunch, FlaskRequest
from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from ..errors import LaunchError, LaunchForbidden, LaunchUnauthorized
from ..extensions import db
from ..models import Deployment, LoginState, Platform, UsedNonce
from ..models.types import utcnow
from ..translatable import N_
from .context import LtiContext
from .login import STATE_COOKIE_PREFIX, secret_hash
from .vocab import LTI_VERSION, Claim, MessageType

CHECK_REGISTRATION = N_(
    "Ask an administrator to compare the tool's registration with the platform's."
)
BASE64URL = re.compile(r"[A-Za-z0-9_-]*")


class BrowserNotBound(LaunchError):
    """The browser could not show it started this login: cookies blocked, no platform storage."""

    status = 401
    title = "Your browser blocked the tool's cookie"

    def __init__(self, login_state: LoginState, **kwargs: Any):
        super().__init__(
            "Your browser did not keep the tool's cookie inside the LMS frame.", **kwargs
        )
        self.login_state = login_state


class NeedsPlatformStorage(LaunchError):
    """No cookie came back, but the platform offers storage: fetch the secret from it first."""

    def __init__(self, login_state: LoginState):
        super().__init__("Checking the launch with the platform's storage.")
        self.login_state = login_state


@dataclass(frozen=True)
class ValidatedLaunch:
    platform: Platform
    deployment: Deployment
    claims: dict[str, Any]

    @property
    def message_type(self) -> str:
        return self.claims[Claim.MESSAGE_TYPE]


NewDeployment = Callable[[Platform, str, dict[str, Any]], Deployment | None]


class ToolMessageLaunch(FlaskMessageLaunch):
    """A launch arriving at /lti/launch, validated link by link; `validate()` runs them all."""

    def __init__(
        self,
        request: FlaskRequest,
        ctx: LtiContext,
        *,
        launch_url: str,
        leeway: int,
        new_deployment: NewDeployment | None = None,
    ):
        super().__init__(request, ctx.tool_conf)
        self.ctx = ctx
        self.launch_url = launch_url
        self.leeway = leeway
        # Asked, once the launch is verified, for a deployment the registration does not know:
        # the Deployment it adds, or None to refuse the launch (web/lti.py decides who may).
        self.new_deployment = new_deployment
        self.platform: Platform | None = None
        self.deployment: Deployment | None = None
        self.claims: dict[str, Any] = {}
        self.header: dict[str, Any] = {}
        self._registered_deployment: Deployment | None = None
        # The origin of the LMS page that sent this launch's login, once its state is found.
        self.login_frame_origin: str | None = None

    def validate(self) -> ValidatedLaunch:  # type: ignore[override]
        self.validate_jwt_format()
        self.validate_registration()
        self.validate_jwt_signature()
        self.validate_state()
        self.validate_nonce()
        self.validate_deployment()
        self.validate_message()
        assert self.platform and self.deployment
        return ValidatedLaunch(self.platform, self.deployment, self.claims)

    # -- the token itself -------------------------------------------------------------------

    def validate_jwt_format(self) -> ToolMessageLaunch:
        token = self._get_request_param("id_token")
        if not token:
            raise LaunchError(
                N_("The launch carried no id_token."), hint=N_("Start the tool from your LMS.")
            )
        try:
            self.header, self.claims = unverified_parts(token)
        except ValueError as error:
            raise LaunchError(
                N_("The launch token is not a valid JWT."), detail=str(error)
            ) from error
        if self.header.get("alg") != "RS256":
            raise LaunchUnauthorized(
                N_("The launch was not signed with RS256, the only algorithm LTI 1.3 allows."),
                detail=f"alg={self.header.get('alg')!r}",
                hint=CHECK_REGISTRATION,
            )
        if not self.header.get("kid"):
            raise LaunchUnauthorized(N_("The launch token names no signing key (kid)."))
        self._jwt = {"header": self.header, "body": self.claims}
        return self

    def validate_registration(self) -> ToolMessageLaunch:
        iss = self.claims.get("iss")
        if not iss or not isinstance(iss, str):
            raise LaunchError(N_("The launch token has no issuer (iss)."))
        client_id = _client_id(self.claims)
        deployment_id = self.claims.get(Claim.DEPLOYMENT_ID)
        # The deployment comes in the same statement; it is judged after the signature.
        platform, self._registered_deployment = self.ctx.tool_conf.find_platform_deployment(
            iss, client_id, deployment_id if isinstance(deployment_id, str) else None
        )
        if platform is None:
            raise LaunchForbidden(
                N_("This platform is not registered with the tool."),
                detail=f"launch from unregistered iss={iss!r} client_id={client_id!r}",
                hint=CHECK_REGISTRATION,
            )
        if not platform.is_active:
            raise LaunchForbidden(N_("This platform's registration is disabled."))
        self.platform = platform
        return self

    def validate_jwt_signature(self) -> ToolMessageLaunch:
        assert self.platform is not None
        key = self.ctx.platform_keys.key_for(self.platform.keyset_url, self.header["kid"])
        try:
            jwt.decode(
                self._get_request_param("id_token"),
                key,
                algorithms=["RS256"],
                audience=self.platform.client_id,
                issuer=self.platform.issuer,
                leeway=self.leeway,
                options={"require": ["exp", "iat", "iss", "aud", "nonce"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise LaunchUnauthorized(
                N_("The launch has expired. Open the tool again from your LMS."), detail=str(error)
            ) from error
        except jwt.ImmatureSignatureError as error:
            raise LaunchUnauthorized(
                N_("The launch was issued in the future: the platform's clock is wrong."),
                detail=str(error),
                hint=N_("The platform's server clock is more than a minute ahead."),
            ) from error
        except jwt.InvalidSignatureError as error:
            raise LaunchUnauthorized(
                N_("The launch's signature does not match the platform's published key."),
                detail=str(error),
                hint=CHECK_REGISTRATION,
            ) from error
        except jwt.MissingRequiredClaimError as error:
            raise LaunchError(
                N_("The launch token lacks the %(claim)s claim.", claim=error.claim)
            ) from error
        except jwt.PyJWTError as error:
            raise LaunchUnauthorized(
                N_("The launch token failed verification."),
                detail=f"{type(error).__name__}: {error}",
            ) from error
        return self

    # -- this browser, this login, once -------------------------------------------------------

    def validate_state(self) -> ToolMessageLaunch:
        assert self.platform is not None
        state = self._get_request_param("state")
        if not state:
            raise LaunchError(
                N_("The launch has no state: it did not start with the tool's login.")
            )
        # Consume the state as it is read: of two concurrent uses, only one gets the row. A
        # refusal below rolls the request back, so the state survives a NeedsPlatformStorage.
        row = db.session.scalars(
            delete(LoginState).where(LoginState.state == state).returning(LoginState)
        ).one_or_none()
        if row is None or row.platform_id != self.platform.id or row.expires_at < utcnow():
            raise LaunchUnauthorized(
                N_("This launch's login is unknown, already used or expired."),
                detail=f"state {state[:8]}… not found, expired or for another platform",
                hint=N_("Open the tool again from your LMS."),
            )
        self.login_frame_origin = row.frame_origin
        secret = self._request.get_cookie(STATE_COOKIE_PREFIX + state) or self._get_request_param(
            "lti_storage_secret"
        )
        if not secret:
            if row.storage_target and not self._get_request_param("lti_storage_checked"):
                raise NeedsPlatformStorage(row)
            raise BrowserNotBound(row, detail="no state cookie and no platform storage secret")
        if not hmac.compare_digest(secret_hash(secret), row.browser_secret_hash or ""):
            raise LaunchUnauthorized(
                N_("This launch was started in another browser."), detail="state secret mismatch"
            )
        if self.claims.get("nonce") != row.nonce:
            raise LaunchUnauthorized(
                N_("The launch does not belong to this login."), detail="nonce differs from state's"
            )
        return self

    def validate_nonce(self) -> ToolMessageLaunch:
        assert self.platform is not None
        nonce = str(self.claims["nonce"])
        expires = datetime.fromtimestamp(int(self.claims["exp"]), UTC)
        # One statement (no savepoint): a nonce already used inserts nothing.
        insert = postgresql.insert if db.engine.dialect.name == "postgresql" else sqlite.insert
        accepted = db.session.execute(
            insert(UsedNonce)
            .values(
                platform_id=self.platform.id,
                nonce=nonce[:255],
                expires_at=expires + timedelta(seconds=self.leeway),
            )
            .on_conflict_do_nothing()
            .returning(UsedNonce.nonce)
        ).first()
        if accepted is None:
            raise LaunchUnauthorized(
                N_("This launch was already used (replayed)."), detail=f"nonce replay {nonce[:8]}…"
            )
        return self

    # -- what the launch says ---------------------------------------------------------------

    def validate_deployment(self) -> ToolMessageLaunch:
        assert self.platform is not None
        deployment_id = self.claims.get(Claim.DEPLOYMENT_ID)
        if not deployment_id or not isinstance(deployment_id, str):
            raise LaunchError(N_("The launch has no deployment id."))
        self.deployment = self._registered_deployment
        if self.deployment is None and self.new_deployment is not None:
            self.deployment = self.new_deployment(self.platform, deployment_id, self.claims)
        if self.deployment is None:
            raise LaunchForbidden(
                N_("This deployment of the tool is not registered."),
                detail=f"unknown deployment {deployment_id!r} for platform {self.platform.id}",
                hint=(
                    N_(
                        "An administrator of your LMS opens the tool once to add it (or, on the "
                        "tool's server: `flask --app lti_tool deployment add`)."
                    )
                ),
            )
        return self

    def validate_message(self) -> ToolMessageLaunch:
        claims = self.claims
        message_type = claims.get(Claim.MESSAGE_TYPE)
        if message_type not in (MessageType.RESOURCE_LINK, MessageType.DEEP_LINKING):
            raise LaunchError(
                N_("The tool cannot handle this kind of LTI message."),
                detail=f"message_type={message_type!r}",
            )
        if claims.get(Claim.VERSION) != LTI_VERSION:
            raise LaunchError(
                N_("The launch is not LTI 1.3.0."), detail=repr(claims.get(Claim.VERSION))
            )
        self._check_target_link_uri(claims.get(Claim.TARGET_LINK_URI))
        roles = claims.get(Claim.ROLES)
        if not isinstance(roles, list):
            raise LaunchError(N_("The launch has no roles claim."))
        if message_type == MessageType.RESOURCE_LINK:
            link = claims.get(Claim.RESOURCE_LINK)
            if not isinstance(link, dict) or not link.get("id"):
                raise LaunchError(N_("The launch has no resource link id."))
        else:
            _check_deep_linking_settings(claims.get(Claim.DEEP_LINKING_SETTINGS))
        return self

    def _check_target_link_uri(self, target: object) -> None:
        if not target or not isinstance(target, str):
            raise LaunchError(N_("The launch has no target link URI."))
        ours = urlsplit(self.launch_url)
        theirs = urlsplit(target)
        if (theirs.scheme, theirs.netloc) != (ours.scheme, ours.netloc):
            raise LaunchError(
                N_("The launch was meant for another tool."),
                detail=f"target_link_uri {target!r} is not on {ours.netloc}",
                hint=N_("Check the launch URL configured for the tool in the platform."),
            )
        # Every link the tool makes (registration, deep linking) targets its launch URL; a
        # query string (placement parameters) may differ.
        if theirs.path.rstrip("/") != ours.path.rstrip("/"):
            raise LaunchError(
                N_("The launch was meant for another address of the tool."),
                detail=f"target_link_uri {target!r} is not the launch URL {self.launch_url}",
                hint=N_(
                    "Set the tool's launch URL in the platform to %(url)s.", url=self.launch_url
                ),
            )


def unverified_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A compact JWS's header and claims, read before anything about them is trusted: three
    strict base64url segments, the first two JSON objects. (PyJWT's own unverified read costs
    as much as its verification, for the same answer: the signature is checked once, later.)"""
    segments = token.split(".")
    if len(segments) != 3 or not all(BASE64URL.fullmatch(part) for part in segments):
        raise ValueError("a JWT is three base64url segments separated by dots")
    try:
        header, claims = (
            json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
            for part in segments[:2]
        )
    except RecursionError as error:  # JSON nested deeper than Python's stack
        raise ValueError("a JWT's JSON is nested too deep") from error
    if not isinstance(header, dict) or not isinstance(claims, dict):
        raise ValueError("a JWT's header and claims are JSON objects")
    return header, claims


def _client_id(claims: dict[str, Any]) -> str | None:
    aud = claims.get("aud")
    audiences = [aud] if isinstance(aud, str) else aud if isinstance(aud, list) else []
    azp = claims.get("azp")
    if azp is not None:
        if azp not in audiences:
            raise LaunchUnauthorized(N_("The launch's authorized party (azp) is not an audience."))
        return str(azp)
    if len(audiences) != 1:
        raise LaunchUnauthorized(
            N_("The launch names several audiences without saying which is this tool (azp).")
            if audiences
            else N_("The launch has no audience (aud).")
        )
    return str(audiences[0])


def _check_deep_linking_settings(settings: object) -> None:
    if not isinstance(settings, dict) or not settings.get("deep_link_return_url"):
        raise LaunchError(N_("The deep linking request has no return URL."))
    accept = settings.get("accept_types")
    if not isinstance(accept, list) or "ltiResourceLink" not in accept:
        raise LaunchError(N_("The platform does not accept LTI resource links here."))
    if not settings.get("accept_presentation_document_targets"):
        raise LaunchError(N_("The deep linking request accepts no presentation target."))
