"""Flows of bench_launch.py: the platform side (devplatform), the virtual users' jobs, rows.

A flow is one person's launch: the tool's (or pylti1p3's) login, the platform signing an
id_token with the nonce the login chose, then the launch, which answers with the first page.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from launch_load import Connection, CpuMeter, Job, children, run_pool, timed
from sqlalchemy import create_engine, text

import devplatform
from devplatform.server import serve_in_thread
from devplatform.vocab import Role
from lti_tool.demo_data import demo_roster

LEVELS = {1: 100, 8: 300, 32: 600}  # concurrency -> flows measured
VERIFY_REQUESTS = {1: 600, 8: 2000, 32: 3000}
COURSE, CLIENT_ID, DEPLOYMENT_ID, STUDENTS = "algebra-1-p3", "mastery-tool-demo", "1", 300


@dataclass
class Row:
    """One target at one concurrency: per-flow (or per-request) latencies and server CPU."""

    target: str
    concurrency: int
    latencies: list[float]
    seconds: float
    errors: int
    worker_cpu: float
    db_cpu: float
    # step -> (latency of each flow, server CPU seconds of the phase, PostgreSQL included)
    steps: dict[str, tuple[list[float], float]] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        """Flows (or requests) completed per second."""
        return len(self.latencies) / self.seconds

    def cpu_ms(self, with_db: bool = False) -> float:
        """Server CPU per flow, in ms."""
        return (self.worker_cpu + (self.db_cpu if with_db else 0)) * 1000 / len(self.latencies)


@dataclass
class Flow:
    """One person's launch as it goes: login parameters, then what the login answered."""

    params: dict[str, str]
    state: str = ""
    nonce: str = ""
    cookies: dict[str, str] = field(default_factory=dict)
    id_token: str = ""
    page: str = ""
    ok: bool = False
    steps: dict[str, float] = field(default_factory=dict)  # step -> round trip seconds


class Lms:
    """devplatform, live on localhost (its JWKS), with `students` enrolled and a fast signer.

    The students are the demo course's roster (lti_tool.demo_data), so a tool seeded with the
    demo course knows them, with their evidence."""

    def __init__(self, tool_url: str, students: int = STUDENTS):
        self.app = devplatform.create_app({"TOOL_BASE_URL": tool_url, "SEED_DEMO": True})
        self.handle = serve_in_thread(self.app, host="localhost")
        self.app.config["PLATFORM_ISSUER"] = self.handle.url
        self.platform = self.app.extensions["devplatform"]
        self.users: list[str] = []
        self.enroll(list(demo_roster(students)))
        self.key = self.platform.keys.current.get_private_key()

    def enroll(self, people: list[tuple[str | None, str, str]]) -> None:
        """Enrol (id or None for a new one, given name, family name) as learners of COURSE."""
        for user_id, given, family in people:
            known = self.platform.users.get(user_id) if user_id else None
            user = known or self.platform.add_user(given, family, user_id=user_id)
            self.platform.enroll(COURSE, user.id, [Role.LEARNER])
            self.users.append(user.id)

    def sign(self, nonce: str, user: str, exp_in: int | None = None) -> str:
        """The id_token devplatform would send, signed with its key through PyJWT."""
        claims = self.platform.launch_claims(user, COURSE, nonce=nonce)
        if exp_in:
            claims["exp"] = claims["iat"] + exp_in
        return jwt.encode(claims, self.key, "RS256", headers={"kid": self.platform.kid})

    def flows(
        self, count: int, login_url: str | None = None, users: list[str] | None = None
    ) -> list[Flow]:
        """Login initiations for `count` launches, round robin over `users` (the students)."""
        users = users or self.users
        flows = []
        for n in range(count):
            _url, params = self.platform.login_initiation(users[n % len(users)], COURSE)
            flows.append(Flow({**params, **({"target_link_uri": login_url} if login_url else {})}))
        return flows


class Meters:
    """Server CPU of one phase: gunicorn workers and (for the tool) its PostgreSQL backends."""

    def __init__(self, master: int, db_url: str | None):
        self.workers = CpuMeter(lambda: children(master))
        self.database = CpuMeter(self._backends if db_url else lambda: [])
        self.admin = create_engine(db_url) if db_url else None
        self.name = db_url.rsplit("/", 1)[1] if db_url else ""

    def _backends(self) -> list[int]:
        assert self.admin is not None
        with self.admin.connect() as connection:
            query = text("SELECT pid FROM pg_stat_activity WHERE datname = :name")
            return list(connection.scalars(query, {"name": self.name}))

    def dispose(self) -> None:
        if self.admin is not None:
            self.admin.dispose()

    def measure(self, run: Callable[[], Any]) -> tuple[Any, float, float]:
        """run()'s result, worker CPU seconds, PostgreSQL CPU seconds."""
        self.workers.start()
        self.database.start()
        result = run()
        return result, self.workers.stop(), self.database.stop()


# -- the jobs each virtual user runs --------------------------------------------------------


def login_job(path: str) -> Job:
    """POST the login initiation; keep the state, nonce and cookies the answer carries."""

    async def login(connection: Connection, flow: Flow) -> Flow:
        response, flow.steps["login"] = await timed(
            connection.request("POST", path, form=flow.params)
        )
        query = parse_qs(urlsplit(response.header("location") or "").query)
        flow.ok = response.status == 302 and "state" in query
        if flow.ok:
            flow.state, flow.nonce = query["state"][0], query["nonce"][0]
            flow.cookies = response.cookies()
        return flow

    return login


def launch_job(path: str) -> Job:
    """POST the id_token with the state; both tools answer 200 with their first page (the tool
    names the page's own address in Content-Location)."""

    async def launch(connection: Connection, flow: Flow) -> Flow:
        if flow.ok:
            form = {"id_token": flow.id_token, "state": flow.state}
            request = connection.request("POST", path, form=form, cookies=flow.cookies)
            response, flow.steps["launch"] = await timed(request)
            flow.ok = response.status == 200
            target = urlsplit(response.header("content-location") or "")
            flow.page = f"{target.path}?{target.query}"
        return flow

    return launch


async def verify(connection: Connection, token: str) -> tuple[float, bool]:
    """POST one id_token to the bare verify endpoint."""
    response, seconds = await timed(connection.request("POST", "/verify", form={"id_token": token}))
    return seconds, response.status == 200


# -- one row per target and concurrency -----------------------------------------------------


@dataclass
class Target:
    """A server under test and the steps of a flow on it."""

    name: str
    port: int
    login_path: str
    launch_path: str
    login_url: str | None = None  # the target_link_uri to send, when not the tool's

    def steps(self) -> list[tuple[str, Job]]:
        return [("login", login_job(self.login_path)), ("launch", launch_job(self.launch_path))]


def run_flows(target: Target, lms: Lms, meters: Meters, level: int, count: int) -> Row:
    """One phase per step, every flow through it; the platform signs before the launch phase."""
    address = ("127.0.0.1", target.port)
    flows = lms.flows(count, target.login_url)
    row = Row(target.name, level, [], 0.0, 0, 0.0, 0.0)
    for step, job in target.steps():
        if step == "launch":  # the platform's part, untimed
            for flow in flows:
                flow.id_token = lms.sign(flow.nonce, flow.params["login_hint"]) if flow.ok else ""
        (seconds, _), cpu, db = meters.measure(lambda job=job: run_pool(address, level, flows, job))
        row.seconds, row.worker_cpu, row.db_cpu = (
            row.seconds + seconds,
            row.worker_cpu + cpu,
            row.db_cpu + db,
        )
        row.steps[step] = ([f.steps.get(step, 0.0) for f in flows], cpu + db)
    row.latencies = [sum(f.steps.values()) for f in flows]
    row.errors = sum(1 for f in flows if not f.ok)
    return row


def run_verify(lms: Lms, port: int, meters: Meters, level: int, count: int) -> Row:
    """`count` verify requests over 200 distinct id_tokens (valid for 15 minutes)."""
    users = lms.users
    tokens = [lms.sign(secrets.token_urlsafe(24), users[n % len(users)], 900) for n in range(200)]
    items = [tokens[n % len(tokens)] for n in range(count)]
    address = ("127.0.0.1", port)
    (seconds, results), cpu, _ = meters.measure(lambda: run_pool(address, level, items, verify))
    errors = sum(1 for _, ok in results if not ok)
    return Row("bare RS256 verify", level, [s for s, _ in results], seconds, errors, cpu, 0.0)


def run_levels(target: Target, lms: Lms, meters: Meters) -> list[Row]:
    """A warm-up, then one row per concurrency level."""
    run_flows(target, lms, meters, 4, 40)  # warm-up: imports, pools, the platform's JWKS
    return [run_flows(target, lms, meters, level, count) for level, count in LEVELS.items()]
