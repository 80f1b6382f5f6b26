"""`Platform`: the Python API the tool's tests and the demo drive the platform with."""

from __future__ import annotations

import secrets
import time
import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from devplatform import grading, messages
from devplatform.faults import Faults, InFlight
from devplatform.keys import KeyRing, ToolKeyCache, generate_key
from devplatform.store import (
    Course,
    Enrollment,
    LineItem,
    Registration,
    ResourceLink,
    Result,
    Store,
    User,
)
from devplatform.vocab import MessageType


class Platform:
    """One LMS: keys, data, registrations and the helpers tests need."""

    def __init__(self, config: Mapping[str, Any]) -> None:
        self.config = config
        self.keys = KeyRing(config.get("PLATFORM_KEY_PATH"))
        self.tool_keys = ToolKeyCache()
        self.store = Store(config.get("PLATFORM_DATA_PATH"))
        self.faults = Faults()
        self.service_calls = InFlight()  # token, AGS and NRPS requests being answered
        self.token_requests = 0
        if config.get("SEED_DEMO", True) and not self.store.loaded:
            from devplatform.seed import seed_demo

            seed_demo(self.store.state, self.default_client_id, str(config["TOOL_DEPLOYMENT_ID"]))
            self.store.save()

    # -- identity and keys -------------------------------------------------
    @property
    def issuer(self) -> str:
        """The issuer, also the base URL of the platform's endpoints."""
        return str(self.config["PLATFORM_ISSUER"]).rstrip("/")

    @property
    def name(self) -> str:
        """The platform's display name."""
        return str(self.config["PLATFORM_NAME"])

    @property
    def guid(self) -> str:
        """A stable instance id for the tool_platform claim."""
        return str(uuid.uuid5(uuid.NAMESPACE_URL, self.issuer))

    @property
    def secret(self) -> str:
        """The HMAC secret of opaque hints (persisted with the data)."""
        return self.store.state.secret

    @property
    def default_client_id(self) -> str:
        """The pre-registered tool's client id."""
        return str(self.config["TOOL_CLIENT_ID"])

    @property
    def kid(self) -> str:
        """The current signing key id."""
        return self.keys.kid

    @property
    def token_url(self) -> str:
        """The OAuth token endpoint URL (the `aud` of client assertions)."""
        return f"{self.issuer}/token"

    def public_jwks(self) -> dict[str, Any]:
        """The platform's public key set."""
        return self.keys.public_jwks()

    def rotate_key(self) -> str:
        """Rotate the signing key; returns the new kid."""
        return self.keys.rotate()

    def new_key(self) -> Any:
        """A fresh RSA key that is NOT in the JWKS (for negative tests)."""
        return generate_key()

    def sign(self, claims: dict[str, Any], *, alg: str = "RS256", kid: str | None = "",
             key: Any = None, headers: dict[str, Any] | None = None) -> str:
        """Sign any claims; kid defaults to the current one (pass None for no kid)."""
        if kid == "":
            kid = self.kid
        return self.keys.sign(claims, alg=alg, kid=kid, key=key, headers=headers)

    # -- tools -------------------------------------------------------------
    def tool_urls(self, client_id: str) -> dict[str, Any]:
        """A tool's endpoints; the seeded tool's follow TOOL_BASE_URL at call time."""
        reg = self.store.state.registrations[client_id]
        if reg.seeded:
            base = str(self.config["TOOL_BASE_URL"]).rstrip("/")
            launch = f"{base}/lti/launch"
            return {
                "login_url": f"{base}/lti/login", "redirect_uris": [launch],
                "target_link_uri": launch, "deep_link_url": launch,
                "jwks_url": f"{base}/.well-known/jwks.json",
                "registration_url": f"{base}/lti/register",
            }
        return {
            "login_url": reg.login_url, "redirect_uris": list(reg.redirect_uris or []),
            "target_link_uri": reg.target_link_uri,
            "deep_link_url": reg.deep_link_url or reg.target_link_uri,
            "jwks_url": reg.jwks_url, "registration_url": reg.registration_url,
        }

    @property
    def registrations(self) -> dict[str, Registration]:
        """Registered tools by client id."""
        return self.store.state.registrations

    def issue_registration_token(self, ttl_s: int = 3600) -> str:
        """A single-use bearer token for the Dynamic Registration endpoint."""
        token = secrets.token_urlsafe(24)
        with self.store.lock:
            self.store.state.registration_tokens[token] = time.time() + ttl_s
            self.store.save()
        return token

    def revoke_tokens(self) -> None:
        """Invalidate every service access token."""
        with self.store.lock:
            self.store.state.tokens.clear()
            self.store.save()

    # -- people and courses ------------------------------------------------
    @property
    def users(self) -> dict[str, User]:
        """Users by id."""
        return self.store.state.users

    @property
    def courses(self) -> dict[str, Course]:
        """Courses by context id."""
        return self.store.state.courses

    def add_user(self, given_name: str, family_name: str, *, user_id: str | None = None,
                 email: str | None = None, system_roles: list[str] | None = None) -> User:
        """Create a user."""
        uid = user_id or self.store.new_id()
        user = User(id=uid, name=f"{given_name} {family_name}", given_name=given_name,
                    family_name=family_name, email=email or f"user{uid}@school.example.edu",
                    system_roles=list(system_roles or []), sourcedid=f"SIS-{uid}")
        with self.store.lock:
            self.store.state.users[uid] = user
            self.store.save()
        return user

    def add_course(self, context_id: str, label: str, title: str,
                   tools: list[str] | None = None) -> Course:
        """Create a course with the given tools (default: the pre-registered one)."""
        course = Course(id=context_id, label=label, title=title, sourcedid=f"SIS-{label}",
                        tools=list(tools if tools is not None else [self.default_client_id]))
        with self.store.lock:
            self.store.state.courses[context_id] = course
            self.store.save()
        return course

    def copy_course(self, source_id: str, context_id: str, label: str, title: str) -> Course:
        """A new term's course copied from another, as Canvas's course copy does: its tools,
        activities and columns (tags and resourceIds kept, no grades, no enrolments), and the
        source in its $Context.id.history."""
        with self.store.lock:
            state = self.store.state
            source = state.courses[source_id]
            course = Course(id=context_id, label=label, title=title, sourcedid=f"SIS-{label}",
                            tools=list(source.tools), history=[source.id, *source.history])
            state.courses[context_id] = course
            links = {}
            for link in [lk for lk in state.links.values() if lk.context_id == source_id]:
                links[link.id] = replace(link, id=self.store.new_id(), context_id=context_id,
                                         custom=dict(link.custom))
                state.links[links[link.id].id] = links[link.id]
            for item in [i for i in state.line_items.values() if i.context_id == source_id]:
                copied = links.get(item.resource_link_id or "")
                new = replace(item, id=self.store.new_id(), context_id=context_id,
                              resource_link_id=copied.id if copied else None)
                state.line_items[new.id] = new
            self.store.save()
        return course

    def enroll(self, context_id: str, user_id: str, roles: list[str], *,
               status: str = "Active", mentees: list[str] | None = None,
               sections: list[str] | None = None) -> Enrollment:
        """Enrol (or re-enrol) a user in a course, in the given sections (ids)."""
        enrollment = Enrollment(user_id, list(roles), status=status, mentees=list(mentees or []),
                                sections=list(sections or []))
        with self.store.lock:
            self.store.state.courses[context_id].enrollments[user_id] = enrollment
            self.store.save()
        return enrollment

    def add_section(self, context_id: str, section_id: str, name: str) -> None:
        """Name a section of a course (Canvas sections)."""
        with self.store.lock:
            self.store.state.courses[context_id].sections[section_id] = name
            self.store.save()

    def add_resource_link(self, context_id: str, title: str, *, client_id: str | None = None,
                          url: str | None = None, custom: dict[str, str] | None = None,
                          description: str = "", link_id: str | None = None) -> ResourceLink:
        """Add an activity that launches a tool."""
        link = ResourceLink(id=link_id or self.store.new_id(), context_id=context_id,
                            client_id=client_id or self.default_client_id, title=title,
                            description=description, url=url, custom=dict(custom or {}))
        with self.store.lock:
            self.store.state.links[link.id] = link
            self.store.save()
        return link

    def resource_links(self, context_id: str) -> list[ResourceLink]:
        """The course's activities."""
        return [lk for lk in self.store.state.links.values() if lk.context_id == context_id]

    # -- grades ------------------------------------------------------------
    def line_items(self, context_id: str) -> list[LineItem]:
        """All columns of the course, native ones included."""
        return [i for i in self.store.state.line_items.values() if i.context_id == context_id]

    def line_item(self, line_item_id: str) -> LineItem:
        """A line item by id or by its AGS URL."""
        return self.store.state.line_items[line_item_id.rstrip("/").rsplit("/", 1)[-1]]

    def add_line_item(self, context_id: str, label: str, score_maximum: float, *,
                      client_id: str | None = None, **fields: Any) -> LineItem:
        """Create a column; client_id None makes a native (teacher-made) column."""
        data = {"label": label, "scoreMaximum": score_maximum, **fields}
        return grading.create_line_item(self.store, context_id, data, client_id)

    def scores(self, line_item_id: str) -> list[dict[str, Any]]:
        """Every score POSTed to the line item, oldest first."""
        return list(self.store.state.score_history.get(self.line_item(line_item_id).id, []))

    def result(self, line_item_id: str, user_id: str) -> Result | None:
        """The current result of a user on a line item."""
        key = grading.result_key(self.line_item(line_item_id).id, user_id)
        return self.store.state.results.get(key)

    def gradebook(self, context_id: str) -> dict[str, dict[str, dict[str, Any]]]:
        """Per line item, per user: score, comment, timestamp, submission count."""
        return grading.gradebook(self.store, context_id)

    def grade(self, line_item_id: str, user_id: str, score: float | None,
              comment: str | None = None) -> Result:
        """Grade in the LMS itself, as a teacher in SpeedGrader would."""
        return grading.set_grade(self.store, self.line_item(line_item_id), user_id, score,
                                 comment)

    # -- messages ------------------------------------------------------------
    def launch_claims(self, user_id: str, context_id: str, *, nonce: str,
                      resource_link_id: str | None = None,
                      message_type: str = MessageType.RESOURCE_LINK,
                      client_id: str | None = None, deployment_id: str | None = None,
                      target_link_uri: str | None = None, custom: dict[str, str] | None = None,
                      locale: str | None = None) -> dict[str, Any]:
        """Exactly the claims the auth endpoint would sign for this launch."""
        return messages.build_launch_claims(
            self, user_id, context_id, nonce=nonce, resource_link_id=resource_link_id,
            message_type=message_type, client_id=client_id, deployment_id=deployment_id,
            target_link_uri=target_link_uri, custom=custom, locale=locale)

    def login_initiation(self, user_id: str, context_id: str, *,
                         resource_link_id: str | None = None,
                         message_type: str = MessageType.RESOURCE_LINK,
                         client_id: str | None = None,
                         storage_target: bool = False) -> tuple[str, dict[str, str]]:
        """The tool's login URL and third-party-initiated login parameters."""
        return messages.build_login_initiation(
            self, user_id, context_id, resource_link_id=resource_link_id,
            message_type=message_type, client_id=client_id, storage_target=storage_target)
