"""The virtual users of bench/load.py and what they saw: every request timed and classified.

Three kinds of users share one event loop: people launching the tool from the LMS (OIDC login,
the platform signing, launch, first page), teachers reloading the gradebook, and teachers
entering evidence on a cell page (open it, post the form, follow the 303). Every request has
a timeout and is sent once (a POST the server may have handled is never repeated); a failure
is named by its status (a 503 carrying the tool's "cannot reach its database" page apart from
any other 503) or by what the connection did.
"""

from __future__ import annotations

import asyncio
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlencode, urlsplit

from launch_flows import Flow, Lms, launch_job, login_job
from launch_load import Connection, Response

TIMEOUT_S = 15.0
THINK_S = (0.2, 0.6)  # pause between one user's actions
DB_DOWN_PAGE = b"The tool cannot reach its database"
OK = "ok"
EXPECTED = {"login": 302, "evidence post": 303}  # anything else (the launch too): 200


@dataclass(frozen=True)
class Call:
    """One request: its kind, when it ended (seconds into the run), its round trip, outcome."""

    kind: str
    ended: float
    seconds: float
    outcome: str  # OK, or e.g. "503 page", "500", "timeout", "connection reset"


@dataclass(frozen=True)
class Posted:
    """One evidence form sent: its unique comment, the cell, and how the request ended."""

    comment: str
    student: int
    standard: int
    outcome: str


@dataclass(frozen=True)
class Course:
    """What the users work on: tool ids of students and leaf standards, LMS ids, the levels."""

    students: list[int]
    standards: list[int]
    levels: list[str]
    teacher: str  # the teacher's LMS user id


@dataclass
class Record:
    """Everything the users saw; times are seconds since `began` (time.monotonic())."""

    began: float
    calls: list[Call] = field(default_factory=list)
    posts: list[Posted] = field(default_factory=list)

    def now(self) -> float:
        return time.monotonic() - self.began


def kind_of(method: str, path: str) -> str:
    route = urlsplit(path).path
    if route.startswith("/lti/"):
        return route.removeprefix("/lti/")
    if route.startswith("/students/"):
        return "evidence post" if method == "POST" else "cell page"
    return {"/gradebook": "gradebook", "/home": "first page"}.get(route, route)


def failure(error: BaseException) -> str:
    if isinstance(error, TimeoutError):
        return "timeout"
    if isinstance(error, asyncio.IncompleteReadError):
        return "connection closed mid-answer"
    if isinstance(error, ConnectionResetError | BrokenPipeError):
        return "connection reset"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    return type(error).__name__


class RecordingConnection(Connection):
    """A connection whose every request is timed out, sent once, and recorded.

    A request that fails at the connection answers a Response with status 0, so the launch
    jobs of launch_flows.py treat it as any other failed step.
    """

    def __init__(self, port: int, record: Record):
        super().__init__("127.0.0.1", port)
        self.record = record
        self.outcome = OK

    async def request(self, method: str, path: str, **options) -> Response:  # type: ignore[override]
        kind = kind_of(method, path)
        started = time.monotonic()
        try:
            coroutine = super().request(method, path, retry=False, **options)
            response = await asyncio.wait_for(coroutine, TIMEOUT_S)
        except (OSError, TimeoutError, asyncio.IncompleteReadError) as error:
            self.close()
            response, self.outcome = Response(0, [], b""), failure(error)
        else:
            if response.status == EXPECTED.get(kind, 200):
                self.outcome = OK
            elif response.status == 503 and DB_DOWN_PAGE in response.body:
                self.outcome = "503 page"
            else:
                self.outcome = str(response.status)
        ended = self.record.now()
        self.record.calls.append(Call(kind, ended, time.monotonic() - started, self.outcome))
        return response


class Users:
    """The users' actions against the tool on `port`, launched from `lms`."""

    def __init__(self, lms: Lms, port: int, course: Course, record: Record):
        self.lms, self.port, self.course, self.record = lms, port, course, record
        self.login, self.launch = login_job("/lti/login"), launch_job("/lti/launch")
        self.today = datetime.now(UTC).date().isoformat()

    async def launch_as(self, connection: Connection, user: str) -> str | None:
        """One full launch; the launch token of the page it landed on, None if it failed."""
        [flow] = self.lms.flows(1, users=[user])
        flow = await self.login(connection, flow)
        if flow.ok:
            flow.id_token = self.lms.sign(flow.nonce, user)
        flow = await self.launch(connection, flow)  # answered with the first page
        return _token(flow) if flow.ok else None

    def launch_once(self, user: str) -> str | None:
        """One launch outside the run (its requests recorded apart); its launch token."""

        async def once() -> str | None:
            connection = RecordingConnection(self.port, Record(time.monotonic()))
            try:
                return await self.launch_as(connection, user)
            finally:
                connection.close()

        return asyncio.run(once())

    async def student_launches(self, connection: RecordingConnection, state: dict) -> None:
        await self.launch_as(connection, random.choice(self.lms.users))

    async def teacher_launches(self, connection: RecordingConnection, state: dict) -> None:
        await self.launch_as(connection, self.course.teacher)

    async def _token(self, connection: RecordingConnection, state: dict) -> str | None:
        if not state.get("token"):
            state["token"] = await self.launch_as(connection, self.course.teacher)
        return state["token"]

    async def gradebook(self, connection: RecordingConnection, state: dict) -> None:
        if token := await self._token(connection, state):
            await connection.request("GET", "/gradebook?" + urlencode({"launch": token}))
            self._forget_refused(connection, state)

    async def score(self, connection: RecordingConnection, state: dict) -> None:
        """Open a random cell, post a level with a unique comment, follow the redirect."""
        token = await self._token(connection, state)
        if not token:
            return
        student, standard = (
            random.choice(self.course.students),
            random.choice(self.course.standards),
        )
        cell = f"/students/{student}/standards/{standard}"
        await connection.request("GET", f"{cell}?" + urlencode({"launch": token}))
        if connection.outcome != OK:
            self._forget_refused(connection, state)
            return
        comment = f"load {uuid.uuid4().hex}"
        form = {
            "launch": token,
            "level": random.choice(self.course.levels),
            "date": self.today,
            "comment": comment,
        }
        response = await connection.request("POST", f"{cell}/evidence", form=form)
        self.record.posts.append(Posted(comment, student, standard, connection.outcome))
        if connection.outcome == OK:
            await connection.request("GET", response.header("location") or cell)

    @staticmethod
    def _forget_refused(connection: RecordingConnection, state: dict) -> None:
        """A token refused (401, 403) is launched again; an outage keeps it."""
        if connection.outcome in ("401", "403"):
            state["token"] = None

    async def _user(self, action, deadline: float) -> None:
        connection = RecordingConnection(self.port, self.record)
        state: dict = {}
        try:
            while time.monotonic() < deadline:
                await action(connection, state)
                await asyncio.sleep(random.uniform(*THINK_S))
        finally:
            connection.close()

    def run(self, mix: dict[str, int], seconds: float) -> None:
        """`mix`: action name -> users doing it, all for `seconds`."""
        deadline = time.monotonic() + seconds

        async def everyone() -> None:
            actions = [getattr(self, name) for name, count in mix.items() for _ in range(count)]
            await asyncio.gather(*(self._user(action, deadline) for action in actions))

        asyncio.run(everyone())


def _token(flow: Flow) -> str | None:
    return parse_qs(urlsplit(flow.page).query).get("launch", [None])[0]
