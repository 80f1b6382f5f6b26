"""The single error type of the mastery domain."""

from __future__ import annotations


class MasteryError(Exception):
    """A scale, setting or piece of evidence that the mastery domain cannot use."""
