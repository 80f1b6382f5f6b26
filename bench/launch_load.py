"""Load driving for bench_launch.py: a small asyncio HTTP/1.1 client, pools, /proc CPU meters.

One event loop drives every virtual user, each on its own keep-alive connection, so the client
costs little CPU next to the servers on the same machine (a thread per user would fight over
the GIL and blur the latencies).
"""

from __future__ import annotations

import asyncio
import math
import os
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name), None)

    def cookies(self) -> dict[str, str]:
        """name -> value of every Set-Cookie."""
        pairs = (v.split(";", 1)[0].split("=", 1) for k, v in self.headers if k == "set-cookie")
        return {pair[0]: pair[1] for pair in pairs if len(pair) == 2}


class Connection:
    """One keep-alive connection; reopened when the server closes it between requests."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        form: dict[str, str] | None = None,
        cookies: dict[str, str] | None = None,
        retry: bool = True,
    ) -> Response:
        """Send one request; `retry` sends it again once if the server closed the connection
        (an idle keep-alive one). Without it every failure is the caller's to count: a POST
        the server may have handled is never sent twice."""
        body = urlencode(form).encode() if form is not None else b""
        head = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if form is not None:
            head += ["Content-Type: application/x-www-form-urlencoded"]
        head += [f"Content-Length: {len(body)}"]
        if cookies:
            head += ["Cookie: " + "; ".join(f"{k}={v}" for k, v in cookies.items())]
        payload = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        for attempt in (0, 1):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
            try:
                self.writer.write(payload)
                await self.writer.drain()
                return await self._read()
            except (ConnectionError, asyncio.IncompleteReadError):
                # The server closed an idle keep-alive connection before reading: send again.
                self.close()
                if attempt or not retry:
                    raise
        raise AssertionError("unreachable")

    async def _read(self) -> Response:
        assert self.reader is not None
        raw = await self.reader.readuntil(b"\r\n\r\n")
        lines = raw.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = []
        for line in lines[1:]:
            if ":" in line:
                name, value = line.split(":", 1)
                headers.append((name.strip().lower(), value.strip()))
        response = Response(status, headers, b"")
        if response.header("transfer-encoding"):
            raise RuntimeError("chunked responses are not expected from these servers")
        response.body = await self.reader.readexactly(int(response.header("content-length") or 0))
        if (response.header("connection") or "").lower() == "close":
            self.close()
        return response

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


Job = Callable[[Connection, Any], Awaitable[Any]]


async def _pool(host: str, port: int, concurrency: int, items: Sequence[Any], job: Job) -> list:
    results: list[Any] = [None] * len(items)
    queue = iter(range(len(items)))

    async def user() -> None:
        connection = Connection(host, port)
        try:
            while (index := next(queue, None)) is not None:
                results[index] = await job(connection, items[index])
        finally:
            connection.close()

    await asyncio.gather(*(user() for _ in range(concurrency)))
    return results


def run_pool(
    address: tuple[str, int], concurrency: int, items: Sequence[Any], job: Job
) -> tuple[float, list]:
    """Run `job` over `items` with `concurrency` virtual users; (seconds, results in order)."""
    started = time.perf_counter()
    results = asyncio.run(_pool(*address, concurrency, items, job))
    return time.perf_counter() - started, results


async def timed(request: Awaitable[Response]) -> tuple[Response, float]:
    """The response and its round trip in seconds."""
    started = time.perf_counter()
    response = await request
    return response, time.perf_counter() - started


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)] if ordered else float("nan")


# -- CPU from /proc ---------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process (0 when it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def children(parent: int) -> list[int]:
    """Processes whose parent is `parent` (gunicorn workers of a master)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == parent:
                found.append(int(entry.name))
    return found


class CpuMeter:
    """CPU seconds spent by a changing set of processes between start() and stop()."""

    def __init__(self, pids: Callable[[], Iterable[int]]):
        self.pids = pids
        self.before: dict[int, float] = {}

    def start(self) -> None:
        self.before = {pid: cpu_seconds(pid) for pid in self.pids()}

    def stop(self) -> float:
        pids = set(self.pids()) | set(self.before)
        return sum(max(0.0, cpu_seconds(pid) - self.before.get(pid, 0.0)) for pid in pids)
