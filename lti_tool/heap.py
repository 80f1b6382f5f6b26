"""Long-running processes and Python's cyclic garbage collector.

A full collection walks every tracked object. In a process that has loaded the app (modules,
templates, SQLAlchemy's mappers: about 160,000 objects), that walk, not the work, was most of
the time of some requests and jobs: a whole course's evidence (72,000 rows) read in 192 ms,
116 ms once what was loaded had been frozen (bench, SQLite, one run each).
"""

from __future__ import annotations

import gc


def freeze_loaded() -> None:
    """Collect once, then move everything alive now out of the collector's sight for good
    (`gc.freeze`): later collections walk only what requests and jobs create. Call it once a
    process has loaded what it will keep: gunicorn's workers, the outbox worker."""
    gc.collect()
    gc.freeze()
