"""Known vulnerabilities in the installed Python packages, from PyPI's own advisory data.

pip-audit asks PyPI per version (`/pypi/<name>/<version>/json`) or OSV; the registry this project
reaches answers only per project (`/pypi/<name>/json`), whose `vulnerabilities` are those of the
latest release. So: a package at its latest release is audited from that list; an older one is
audited per version when the registry answers, else reported as not auditable. Exit status 1
when any installed package has a known, not withdrawn, vulnerability; a registry that cannot be
reached is reported and does not fail the run (the tests already passed; nothing is known).

    .venv/bin/python .ci/audit_deps.py
"""

from __future__ import annotations

import importlib.metadata
import json
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from typing import Any

INDEX = "https://pypi.org/pypi"
SELF = {"lti-mastery-tool"}


@dataclass
class Finding:
    name: str
    version: str
    vulnerabilities: list[str] = field(default_factory=list)
    note: str = ""


def known(advisories: list[dict[str, Any]]) -> list[str]:
    """The advisories that still stand, as "ID (fixed in X)"."""
    return [
        f"{item.get('id')} (fixed in {', '.join(item.get('fixed_in') or []) or 'no release yet'})"
        for item in advisories
        if not item.get("withdrawn")
    ]


def audit(name: str, version: str, fetch) -> Finding:
    """One package: `fetch(url)` returns the parsed JSON, or None when the registry has no page."""
    project = fetch(f"{INDEX}/{name}/json")
    if project is None:
        return Finding(name, version, note="not on the registry")
    if project["info"]["version"] == version:
        return Finding(name, version, known(project.get("vulnerabilities") or []))
    release = fetch(f"{INDEX}/{name}/{version}/json")
    if release is None:
        latest = project["info"]["version"]
        return Finding(name, version, note=f"not auditable here (latest is {latest})")
    return Finding(name, version, known(release.get("vulnerabilities") or []))


def _fetch(url: str) -> dict[str, Any] | None:
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return None
        raise


def main() -> int:
    installed = sorted(
        {(d.metadata["Name"].lower(), d.version) for d in importlib.metadata.distributions()}
    )
    findings = []
    try:
        for name, version in installed:
            if name not in SELF:
                findings.append(audit(name, version, _fetch))
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        print(f"dependency audit: the registry could not be reached ({error}); nothing checked")
        return 0
    vulnerable = [f for f in findings if f.vulnerabilities]
    for finding in findings:
        if finding.note:
            print(f"dependency audit: {finding.name} {finding.version}: {finding.note}")
    for finding in vulnerable:
        print(f"VULNERABLE {finding.name} {finding.version}: {'; '.join(finding.vulnerabilities)}")
    audited = len(findings) - sum(1 for f in findings if f.note)
    print(
        f"dependency audit: {audited} of {len(findings)} packages audited, "
        f"{len(vulnerable)} with known vulnerabilities"
    )
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
