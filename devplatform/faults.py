"""Fault injection for service endpoints: errors, throttling and slowness on demand."""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass

from flask import Response


@dataclass
class Fault:
    """One injected fault: answer `status` (or just sleep) for the next `count` matches."""

    pattern: re.Pattern[str]
    status: int | None
    count: int
    retry_after: int | None
    delay_s: float
    body: str | None
    hits: int = 0


class Faults:
    """Faults applied to the token, AGS and NRPS endpoints before they run."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()
        self.response_delay_s = 0.0

    def inject(self, path_regex: str, *, status: int | None = None, count: int = 1,
               retry_after: int | None = None, delay_s: float = 0.0,
               body: str | None = None) -> Fault:
        """Queue a fault for request paths matching `path_regex` (re.search)."""
        fault = Fault(re.compile(path_regex), status, count, retry_after, delay_s, body)
        with self._lock:
            self._faults.append(fault)
        return fault

    def clear(self) -> None:
        """Drop every pending fault and the global delay."""
        with self._lock:
            self._faults.clear()
        self.response_delay_s = 0.0

    def _take(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self._faults:
                if fault.pattern.search(path):
                    fault.hits += 1
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def apply(self, path: str) -> Response | None:
        """Sleep and/or return the injected response for this path, if any."""
        if self.response_delay_s:
            time.sleep(self.response_delay_s)
        fault = self._take(path)
        if fault is None:
            return None
        if fault.delay_s:
            time.sleep(fault.delay_s)
        if fault.status is None:
            return None
        body = fault.body
        if body is None:
            # Canvas throttles with 403 and this text rather than 429.
            text = "Rate Limit Exceeded" if fault.status == 403 else "Injected fault"
            body = json.dumps({"errors": [{"message": text}]})
        resp = Response(body, status=fault.status, content_type="application/json")
        if fault.retry_after is not None:
            resp.headers["Retry-After"] = str(fault.retry_after)
        if fault.status in (403, 429):
            resp.headers["X-Rate-Limit-Remaining"] = "0.0"
        return resp


class InFlight:
    """Service calls being answered right now, and the most seen at once (Canvas allows a tool
    at most a few concurrent calls per client id; tests check the tool keeps to it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now = 0
        self.most = 0

    def enter(self) -> None:
        with self._lock:
            self.now += 1
            self.most = max(self.most, self.now)

    def leave(self) -> None:
        with self._lock:
            self.now -= 1
