"""bench/load.py's markdown: requests by kind, what each fault did, the checks, the targets.

A fault's window runs from the moment it began until GRACE_S after it was over (PostgreSQL
accepting connections again, the master's new worker started, the new outbox worker started):
a failure ending in no window counts against the "0 errors outside the fault windows" target.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from bench_launch import check_log
from launch_load import percentile
from load_checks import Findings
from load_faults import Fault, Faults
from load_traffic import OK, Call, Course, Record

from lti_tool.services.outbox import LEASE_SECONDS

GRACE_S = 5.0


def _outcomes(calls: list[Call]) -> str:
    counted = Counter(call.outcome for call in calls)
    return ", ".join(f"{count} {outcome}" for outcome, count in counted.most_common()) or "none"


def _in_window(call: Call, fault: Fault) -> bool:
    return fault.began <= call.ended <= fault.over + GRACE_S


def requests_table(record: Record, seconds: float) -> list[str]:
    out = [
        "| request | sent | failed | per second | p50 ms | p99 ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    kinds = sorted(
        {c.kind for c in record.calls}, key=lambda k: [c.kind for c in record.calls].index(k)
    )
    for kind in [*kinds, "all"]:
        calls = [c for c in record.calls if kind in ("all", c.kind)]
        good = [c.seconds for c in calls if c.outcome == OK]
        p50, p99 = (percentile(good, q) * 1000 for q in (0.5, 0.99))
        failed = len(calls) - len(good)
        out.append(
            f"| {kind} | {len(calls)} | {failed} | {len(calls) / seconds:.1f} | {p50:.0f} "
            f"| {p99:.0f} |"
        )
    return out


def faults_table(record: Record, faults: list[Fault]) -> list[str]:
    out = [
        "| fault | at s | over after s | failed requests in its window | first success after "
        "it was over, s | last failure, s after it began |",
        "|---|---:|---:|---|---:|---:|",
    ]
    for fault in faults:
        failed = [c for c in record.calls if c.outcome != OK and _in_window(c, fault)]
        after = [c.ended for c in record.calls if c.outcome == OK and c.ended > fault.over]
        first = f"{min(after) - fault.over:.2f}" if after else "never"
        last = f"{max(c.ended for c in failed) - fault.began:.2f}" if failed else "—"
        out.append(
            f"| {fault.name} | {fault.began:.0f} | {fault.over - fault.began:.1f} "
            f"| {_outcomes(failed)} | {first} | {last} |"
        )
    return out


def problems(path: Path, most: int = 4) -> list[str]:
    """The log's warnings and errors grouped by message (request ids dropped), commonest first."""
    counted: Counter[str] = Counter()
    for line in path.read_text().splitlines():
        entry = json.loads(line) if line.startswith("{") else {}
        if entry.get("level") in ("WARNING", "ERROR"):
            message = re.sub(r" \(request \w+\)", "", entry["message"])
            reason = (entry.get("exception") or "").strip().splitlines()[-1:]
            counted[
                f"{entry['level']} {message}" + (f" — {reason[0][:200]}" if reason else "")
            ] += 1
    return [f"  - {count} × {message}" for message, count in counted.most_common(most)]


def report(
    *,
    about: str,
    seconds: float,
    students: int,
    course: Course,
    mix: dict[str, int],
    record: Record,
    faults: Faults,
    found: Findings,
    resent: list[float],
    load: list[float],
    logs: tuple[Path, Path],
) -> str:
    done = faults.done
    outside = [
        c for c in record.calls if c.outcome != OK and not any(_in_window(c, f) for f in done)
    ]
    users = ", ".join(f"{count} {name.replace('_', ' ')}" for name, count in mix.items())
    lines = [
        f"Machine: {about}; load average (1 min) during the run {min(load):.1f}–{max(load):.1f}.",
        "",
        f"{seconds / 60:g} minutes; {students} students × {len(course.standards)} standards; "
        f"virtual users: {users} (0.2–0.6 s between actions, {len(record.calls)} requests).",
        "",
        *requests_table(record, seconds),
        "",
        *faults_table(record, done),
        "",
        *[f"- {f.name}: {'; '.join(f.notes)}." for f in done],
        *[f"- Fault not injected: {error}" for error in faults.errors],
        f"- Failures outside the fault windows (each window ends {GRACE_S:g} s after the fault "
        f"is over): {_outcomes(outside)}"
        + (f" ({', '.join(sorted({c.kind for c in outside}))})" if outside else "")
        + ".",
    ]
    if resent:
        lines.append(
            f"- The {len(resent)} rows the killed outbox worker held were delivered "
            f"{min(resent):.0f}–{max(resent):.0f} s after the kill (lease {LEASE_SECONDS:g} s)."
        )
    lines += [
        f"- Outbox drained {found.drain_seconds:.0f} s after the load ended.",
        "",
        "| check after the run | count |",
        "|---|---:|",
        *[f"| {name} | {value} |" for name, value in found.counts.items()],
        "",
        f"- Targets missed: {'; '.join(found.problems)}."
        if found.problems
        else "- Every check met its target.",
        f"- Tool log (gunicorn): {check_log(logs[0])}.",
        *problems(logs[0]),
        f"- Outbox worker log: {check_log(logs[1])}.",
        *problems(logs[1]),
    ]
    if outside:
        lines.append(f"- Target missed: {len(outside)} failures outside the fault windows.")
    return "\n".join(lines)
