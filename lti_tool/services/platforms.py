"""Registering platforms and deployments: by hand (CLI), by Dynamic Registration, or (a
deployment) by an administrator's first launch from it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from ..errors import RegistrationError
from ..extensions import db
from ..lti.registration import RegistrationResult
from ..lti.roles import is_admin
from ..lti.vocab import Claim
from ..models import Deployment, Platform, RegistrationStatus, User
from . import audit


def find_platform(issuer: str, client_id: str) -> Platform | None:
    return db.session.scalar(
        select(Platform).where(Platform.issuer == issuer, Platform.client_id == client_id)
    )


def add_platform(
    *,
    name: str,
    issuer: str,
    client_id: str,
    auth_login_url: str,
    auth_token_url: str,
    keyset_url: str,
    auth_audience: str | None = None,
    product_family_code: str | None = None,
    registered_via: str = "manual",
    deployment_ids: Iterable[str] = (),
    actor: str = audit.COMMAND_LINE,
) -> Platform:
    """Add a registration (and its deployments), audited; an existing one is never overwritten."""
    if find_platform(issuer, client_id) is not None:
        raise RegistrationError(
            f"A registration for {issuer} with client id {client_id} already exists.",
            hint="Remove the old registration first if you really mean to replace it.",
        )
    platform = Platform(
        name=name,
        issuer=issuer,
        client_id=client_id,
        auth_login_url=auth_login_url,
        auth_token_url=auth_token_url,
        keyset_url=keyset_url,
        auth_audience=auth_audience,
        product_family_code=product_family_code,
        registered_via=registered_via,
    )
    db.session.add(platform)
    db.session.flush()
    deployments = list(deployment_ids)
    for deployment_id in deployments:
        add_deployment(platform, deployment_id)
    audit.record(
        "registration.created",
        actor=actor,
        platform=platform,
        target=f"{issuer} client {client_id}",
        details={"via": registered_via, "deployments": deployments},
    )
    return platform


def add_deployment(platform: Platform, deployment_id: str) -> Deployment:
    existing = db.session.scalar(
        select(Deployment).where(
            Deployment.platform_id == platform.id, Deployment.deployment_id == deployment_id
        )
    )
    if existing is not None:
        return existing
    deployment = Deployment(platform_id=platform.id, deployment_id=deployment_id)
    db.session.add(deployment)
    db.session.flush()
    return deployment


def add_deployment_at_admin_launch(
    platform: Platform, deployment_id: str, claims: dict[str, Any]
) -> Deployment | None:
    """A deployment the registration does not know, added by the verified launch of an
    administrator of the platform (installing the tool in an account gives it a new
    deployment id, which Dynamic Registration cannot know yet); None for anyone else."""
    roles = claims.get(Claim.ROLES)
    if not isinstance(roles, list) or not is_admin(roles):
        return None
    deployment = add_deployment(platform, deployment_id)
    audit.record(
        "deployment.added",
        actor=f"first launch of an administrator ({claims.get('sub') or 'anonymous'})",
        platform=platform,
        target=deployment_id,
    )
    return deployment


def save_dynamic_registration(result: RegistrationResult) -> Platform:
    config = result.configuration
    return add_platform(
        name=config.name,
        issuer=config.issuer,
        client_id=result.client_id,
        auth_login_url=config.authorization_endpoint,
        auth_token_url=config.token_endpoint,
        keyset_url=config.jwks_uri,
        product_family_code=config.product_family_code,
        registered_via="dynamic",
        actor="dynamic registration",
        deployment_ids=[result.deployment_id] if result.deployment_id else [],
    )


def list_platforms() -> list[Platform]:
    return list(db.session.scalars(select(Platform).order_by(Platform.id)))


def allow_student_share_links(platform: Platform, allowed: bool, *, by: User | None) -> bool:
    """Switch whether students may share their own profile; audited when it changes."""
    if platform.allow_student_share_links == allowed:
        return False
    platform.allow_student_share_links = allowed
    audit.record(
        "registration.settings_changed",
        actor="administrator",
        platform=platform,
        user=by,
        target=f"{platform.issuer} client {platform.client_id}",
        details={"allow_student_share_links": allowed},
    )
    return True


def set_active(platform: Platform, active: bool, *, actor: str) -> bool:
    """Enable or disable a registration (a disabled one's logins and launches are refused);
    audited when it changes."""
    status = RegistrationStatus.ACTIVE if active else RegistrationStatus.DISABLED
    if platform.status == status:
        return False
    platform.status = status
    audit.record(
        "registration.enabled" if active else "registration.disabled",
        actor=actor,
        platform=platform,
        target=f"{platform.issuer} client {platform.client_id}",
    )
    return True
