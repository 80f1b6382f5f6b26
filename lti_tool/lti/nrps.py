"""Names and Role Provisioning Services 2.0: a course's members, typed and with tool roles.

Moodle's NRPS sends short context role names (`Learner`) where its id_tokens send full URIs;
both are normalised to full URIs and mapped with roles.course_role.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..models import Platform
from .http import OutboundClient
from .roles import MEMBERSHIP, course_role
from .service import Rejected, ServiceCallFailed, ServiceClient, with_query
from .service_token import ServiceTokens
from .vocab import CourseRole, LisRole, MediaType, Scope

# Short names that are sub-roles: the rest are `membership#<name>`.
SUB_ROLES = {"TeachingAssistant": LisRole.TEACHING_ASSISTANT}


class MemberStatus(StrEnum):
    ACTIVE = "Active"
    INACTIVE = "Inactive"
    DELETED = "Deleted"


def full_role(role: str) -> str:
    """A context role as a full LIS URI: `Learner` -> `...membership#Learner`."""
    if "://" in role or "#" in role or "/" in role:
        return role
    return SUB_ROLES.get(role, f"{MEMBERSHIP}#{role}")


@dataclass(frozen=True)
class Member:
    """One course member as NRPS describes them."""

    user_id: str
    status: MemberStatus
    roles: tuple[str, ...]
    role: CourseRole
    name: str = ""
    given_name: str = ""
    family_name: str = ""
    email: str | None = None
    sis_id: str | None = None  # lis_person_sourcedid

    @property
    def is_active(self) -> bool:
        return self.status == MemberStatus.ACTIVE

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Member:
        roles = tuple(full_role(r) for r in data.get("roles") or [] if isinstance(r, str))
        try:
            # Absent means Active (NRPS 2.0 §2.2.1).
            status = MemberStatus(data.get("status") or MemberStatus.ACTIVE)
        except ValueError:
            status = MemberStatus.ACTIVE
        return cls(
            user_id=str(data["user_id"]),
            status=status,
            roles=roles,
            role=course_role(roles),
            name=str(data.get("name") or ""),
            given_name=str(data.get("given_name") or ""),
            family_name=str(data.get("family_name") or ""),
            email=data.get("email") or None,
            sis_id=str(data.get("lis_person_sourcedid") or "") or None,
        )


class NrpsClient(ServiceClient):
    """NRPS calls for one platform registration."""

    def __init__(
        self, platform: Platform, tokens: ServiceTokens, outbound: OutboundClient, **options: Any
    ):
        super().__init__(platform, tokens, outbound, scopes=(Scope.NRPS,), **options)

    def members(
        self, memberships_url: str, *, role: str | None = None, limit: int | None = None
    ) -> list[Member]:
        """Every member of the context, all pages followed (`role` filters on the platform)."""
        url = with_query(memberships_url, role=role, limit=limit)
        members: list[Member] = []
        for body in self.fetch_pages(url, MediaType.MEMBERSHIP_CONTAINER):
            if not isinstance(body, dict) or not isinstance(body.get("members"), list):
                raise ServiceCallFailed(Rejected(message="not a membership container"))
            members += [Member.from_json(m) for m in body["members"] if isinstance(m, dict)]
        return members
