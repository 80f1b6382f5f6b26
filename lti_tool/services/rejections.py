"""Domain and importer errors turned into tool errors, so they render as a 400 with the report."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from ..errors import LtiToolError
from ..importers import ImportFailed, Problem
from ..mastery import MasteryError


class ImportRejected(LtiToolError):
    """A file or draft was refused; `problems` lists every (line, field, reason) found."""

    status = 400
    title = "The file could not be imported"

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(
            message, hint="Nothing was saved. Fix the rows listed and import the file again."
        )
        self.problems = list(problems)


class MasteryRejected(LtiToolError):
    """Settings or evidence the mastery domain refused (bad scale, method, points)."""

    status = 400
    title = "These mastery settings cannot be used"


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
