"""The CI's dependency audit decides from PyPI's advisory data (given here as registry pages)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

SPEC = importlib.util.spec_from_file_location(
    "audit_deps", Path(__file__).resolve().parent.parent / ".ci" / "audit_deps.py"
)
audit_deps = importlib.util.module_from_spec(SPEC)
sys.modules["audit_deps"] = audit_deps  # dataclasses look their module up
SPEC.loader.exec_module(audit_deps)

ADVISORY = {"id": "GHSA-xxxx", "fixed_in": ["2.0.1"], "withdrawn": None}


def registry(pages):
    return lambda url: pages.get(url)


def test_a_package_at_its_latest_release_is_audited_from_the_project_page():
    pages = {
        f"{audit_deps.INDEX}/demo/json": {"info": {"version": "2.0"}, "vulnerabilities": [ADVISORY]}
    }
    finding = audit_deps.audit("demo", "2.0", registry(pages))
    assert finding.vulnerabilities == ["GHSA-xxxx (fixed in 2.0.1)"]


def test_a_withdrawn_advisory_does_not_count():
    withdrawn = dict(ADVISORY, withdrawn="2026-01-01T00:00:00Z")
    pages = {
        f"{audit_deps.INDEX}/demo/json": {
            "info": {"version": "2.0"},
            "vulnerabilities": [withdrawn],
        }
    }
    assert audit_deps.audit("demo", "2.0", registry(pages)).vulnerabilities == []


def test_an_older_release_is_audited_per_version_or_reported_as_not_auditable():
    project = {"info": {"version": "3.0"}, "vulnerabilities": []}
    pages = {
        f"{audit_deps.INDEX}/demo/json": project,
        f"{audit_deps.INDEX}/demo/2.0/json": {
            "info": {"version": "2.0"},
            "vulnerabilities": [ADVISORY],
        },
    }
    assert audit_deps.audit("demo", "2.0", registry(pages)).vulnerabilities
    old = audit_deps.audit("demo", "1.0", registry(pages))
    assert (old.vulnerabilities, old.note) == ([], "not auditable here (latest is 3.0)")
