from __future__ import annotations

from pathlib import Path

# The repo sits at <root>/main and the shared data at <root>/shared (same in CI).
DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
STANDARDS = DATA / "standards"
GRADEBOOKS = DATA / "gradebooks"
