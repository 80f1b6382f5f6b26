"""The platform's data model: users, courses, links, line items, results, tools."""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from devplatform.vocab import MemberStatus


@dataclass
class User:
    """A person; `id` is both the LTI `sub` and the `login_hint` (Moodle style)."""

    id: str
    name: str
    given_name: str
    family_name: str
    email: str
    system_roles: list[str] = field(default_factory=list)
    sourcedid: str = ""
    # The person's time zone ($Person.address.timezone): Canvas sends the user's setting,
    # else the account's default.
    time_zone: str = "Etc/UTC"
    # The language the person chose in the LMS (launch_presentation.locale and the locale claim).
    locale: str = "en"


@dataclass
class Enrollment:
    """A user's roles in a course; mentors list the users they mentor."""

    user_id: str
    roles: list[str]
    status: str = MemberStatus.ACTIVE
    mentees: list[str] = field(default_factory=list)
    # Ids of the course sections the user is in (Canvas: one enrolment per section).
    sections: list[str] = field(default_factory=list)


@dataclass
class Course:
    """A course (LTI context) with its enrolments and available tools."""

    id: str
    label: str
    title: str
    sourcedid: str = ""
    enrollments: dict[str, Enrollment] = field(default_factory=dict)
    tools: list[str] = field(default_factory=list)
    # Context ids this course was copied from, newest first ($Context.id.history).
    history: list[str] = field(default_factory=list)
    # Section id -> name.
    sections: dict[str, str] = field(default_factory=dict)
    # $Canvas.course.workflowState: "available", or "completed" once the course is concluded.
    workflow_state: str = "available"


@dataclass
class ResourceLink:
    """An activity in a course that launches a tool."""

    id: str
    context_id: str
    client_id: str
    title: str
    description: str = ""
    url: str | None = None
    custom: dict[str, str] = field(default_factory=dict)


@dataclass
class LineItem:
    """A gradebook column; `client_id` None means a teacher-made native column."""

    id: str
    context_id: str
    label: str
    score_maximum: float
    client_id: str | None = None
    resource_id: str = ""
    tag: str = ""
    resource_link_id: str | None = None
    start_date_time: str | None = None
    end_date_time: str | None = None


@dataclass
class Result:
    """The current grade of one user on one line item, plus its history counters."""

    line_item_id: str
    user_id: str
    score_given: float | None = None
    score_maximum: float | None = None
    comment: str | None = None
    timestamp: str | None = None
    activity_progress: str | None = None
    grading_progress: str | None = None
    submission_count: int = 0
    comments: list[str] = field(default_factory=list)


@dataclass
class Registration:
    """A registered tool. URLs left None for the seeded tool are computed from TOOL_BASE_URL."""

    client_id: str
    name: str
    deployment_ids: list[str]
    scopes: list[str]
    login_url: str | None = None
    redirect_uris: list[str] | None = None
    target_link_uri: str | None = None
    jwks_url: str | None = None
    registration_url: str | None = None
    deep_link_url: str | None = None
    active: bool = True
    seeded: bool = False
    domain: str = ""
    config: dict[str, Any] = field(default_factory=dict)


@dataclass
class AccessToken:
    """An OAuth access token for services."""

    token: str
    client_id: str
    scopes: list[str]
    expires_at: float


@dataclass
class State:
    """Everything the platform knows; saved as one JSON document."""

    secret: str = field(default_factory=lambda: secrets.token_hex(32))
    users: dict[str, User] = field(default_factory=dict)
    courses: dict[str, Course] = field(default_factory=dict)
    links: dict[str, ResourceLink] = field(default_factory=dict)
    line_items: dict[str, LineItem] = field(default_factory=dict)
    results: dict[str, Result] = field(default_factory=dict)
    score_history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    registrations: dict[str, Registration] = field(default_factory=dict)
    tokens: dict[str, AccessToken] = field(default_factory=dict)
    registration_tokens: dict[str, float] = field(default_factory=dict)
    used_jtis: dict[str, float] = field(default_factory=dict)
    next_id: int = 1000


_NESTED: dict[str, type] = {
    "users": User, "links": ResourceLink, "line_items": LineItem, "results": Result,
    "registrations": Registration, "tokens": AccessToken,
}


def _course_from(data: dict[str, Any]) -> Course:
    enrollments = {k: Enrollment(**v) for k, v in data.pop("enrollments", {}).items()}
    return Course(enrollments=enrollments, **data)


def state_from_dict(data: dict[str, Any]) -> State:
    """Rebuild a State from its JSON form."""
    kwargs: dict[str, Any] = {}
    names = {f.name for f in fields(State)}
    for key, value in data.items():
        if key not in names:
            continue
        if key in _NESTED:
            kwargs[key] = {k: _NESTED[key](**v) for k, v in value.items()}
        elif key == "courses":
            kwargs[key] = {k: _course_from(dict(v)) for k, v in value.items()}
        else:
            kwargs[key] = value
    return State(**kwargs)


class Store:
    """Holds the State behind a lock and saves it after each change when a path is set."""

    def __init__(self, path: str | None = None) -> None:
        self.path = Path(path) if path else None
        self.lock = threading.RLock()
        self.loaded = False
        if self.path is not None and self.path.exists():
            self.state = state_from_dict(json.loads(self.path.read_text("utf-8")))
            self.loaded = True
        else:
            self.state = State()

    def new_id(self) -> str:
        """Return a fresh Moodle-style numeric id."""
        with self.lock:
            self.state.next_id += 1
            return str(self.state.next_id)

    def save(self) -> None:
        """Persist the state (atomically) when a data path is configured."""
        if self.path is None:
            return
        with self.lock:
            text = json.dumps(asdict(self.state), indent=1, sort_keys=True)
            tmp = self.path.with_suffix(self.path.suffix + ".tmp")
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(text, "utf-8")
            tmp.replace(self.path)
