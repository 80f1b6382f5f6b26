"""The mastery domain stays standard-library only."""

from __future__ import annotations

import subprocess
import sys
import textwrap

IMPORT_ALL = """
import importlib, pkgutil, sys
import lti_tool.mastery as mastery
for module in pkgutil.iter_modules(mastery.__path__, "lti_tool.mastery."):
    importlib.import_module(module.name)
print(",".join(sorted({"flask", "sqlalchemy", "pylti1p3"} & set(sys.modules))))
"""

# Stands in for lti_tool/__init__.py, which belongs to the web app, so this
# test checks the mastery package's own imports.
BARE_PARENT = """
import importlib.util, sys, types
parent = types.ModuleType("lti_tool")
parent.__path__ = list(importlib.util.find_spec("lti_tool").submodule_search_locations)
sys.modules["lti_tool"] = parent
"""


def _loaded_after(script: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return done.stdout.strip()


def test_mastery_modules_import_no_web_or_database_library() -> None:
    assert _loaded_after(BARE_PARENT + IMPORT_ALL) == ""


def test_importing_lti_tool_mastery_loads_no_web_or_database_library() -> None:
    assert _loaded_after(IMPORT_ALL) == ""
