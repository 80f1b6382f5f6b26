"""Domain and importer errors turned into tool errors, so they render as a 400 with the report."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from ..errors import ImportRejected, MasteryRejected
from ..importers import ImportFailed, Problem
from ..mastery import MasteryError


def rejected(problems: Sequence[Problem]) -> ImportRejected:
    """An ImportRejected whose message is the importer's own report."""
    return ImportRejected(str(ImportFailed(problems)), problems)


@contextmanager
def reported() -> Iterator[None]:
    """Re-raise ImportFailed and MasteryError as tool errors (400 with the report)."""
    try:
        yield
    except ImportFailed as error:
        raise ImportRejected(str(error), error.problems) from error
    except MasteryError as error:
        raise MasteryRejected(str(error)) from error
