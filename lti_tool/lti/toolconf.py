"""pylti1p3 configuration read from the database: one ToolConf over Platform/Deployment rows."""

from __future__ import annotations

from typing import Any

from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import and_, select

from ..extensions import db
from ..models import Deployment, Platform
from .keys import KeyRing


class DatabaseToolConf(ToolConfAbstract):
    """Registrations are keyed by (issuer, client id): an issuer may have many clients (Canvas)."""

    def __init__(self, key_ring: KeyRing):
        super().__init__()
        self.key_ring = key_ring

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_platform(self, iss: str, client_id: str | None) -> Platform | None:
        """The registration for (iss, client id); without a client id, the issuer's only one."""
        query = select(Platform).where(Platform.issuer == iss)
        if client_id:
            return db.session.scalar(query.where(Platform.client_id == client_id))
        candidates = db.session.scalars(query.limit(2)).all()
        return candidates[0] if len(candidates) == 1 else None

    def find_platform_deployment(
        self, iss: str, client_id: str, deployment_id: str | None
    ) -> tuple[Platform | None, Deployment | None]:
        """The registration for (iss, client id) and its deployment, in one statement."""
        on = and_(Deployment.platform_id == Platform.id, Deployment.deployment_id == deployment_id)
        found = db.session.execute(
            select(Platform, Deployment)
            .outerjoin(Deployment, on)
            .where(Platform.issuer == iss, Platform.client_id == client_id)
        ).first()
        return (found[0], found[1]) if found else (None, None)

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> Registration:
        platform = self.find_platform(iss, None)
        return self.registration(platform) if platform else None  # type: ignore[return-value]

    def find_registration_by_params(
        self, iss: str, client_id: str, *args: Any, **kwargs: Any
    ) -> Registration:
        platform = self.find_platform(iss, client_id)
        return self.registration(platform) if platform else None  # type: ignore[return-value]

    def find_deployment(self, iss: str, deployment_id: str) -> LtiDeployment | None:
        raise NotImplementedError("issuers may have many client ids: use find_deployment_by_params")

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> LtiDeployment | None:
        row = db.session.scalar(
            select(Deployment)
            .join(Platform)
            .where(
                Platform.issuer == iss,
                Platform.client_id == client_id,
                Deployment.deployment_id == deployment_id,
            )
        )
        return LtiDeployment().set_deployment_id(row.deployment_id) if row else None

    def registration(self, platform: Platform) -> Registration:
        """A pylti1p3 Registration for the platform. The key set is ours to fetch (cached)."""
        registration = (
            Registration()
            .set_issuer(platform.issuer)
            .set_client_id(platform.client_id)
            .set_auth_login_url(platform.auth_login_url)
            .set_auth_token_url(platform.auth_token_url)
            .set_key_set_url(platform.keyset_url)
        )
        if platform.auth_audience:
            registration.set_auth_audience(platform.auth_audience)
        return registration
