"""Reading the evidence form: every field checked, each problem named, nothing saved on error."""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import request

from ..errors import UploadTooLarge
from ..importers import Problem
from ..mastery.periods import local_day, local_noon
from ..services.views.common import ScaleView

log = logging.getLogger(__name__)

COMMENT_LIMIT = 2000
EARLIEST = date(2000, 1, 1)
# Form fields around an uploaded file (launch token, date, choices) fit well within this.
FORM_OVERHEAD = 200_000


def uploaded_file(max_bytes: int) -> tuple[bytes, str] | None:
    """The form's `file` and its name, at most `max_bytes` + 1 read (so the caller can tell a
    file over the limit); None when no file was chosen. A large upload is spooled to a
    temporary file: it is closed here."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return None
    try:
        return upload.read(max_bytes + 1), upload.filename
    finally:
        upload.close()


def carried_file() -> tuple[bytes | None, str | None]:
    """The file a preview page carried back (base64 `content`, `filename`); None if damaged."""
    try:
        data = base64.b64decode(request.form.get("content", ""), validate=True)
    except (binascii.Error, ValueError):
        return None, None
    return data, request.form.get("filename", "")[:200] or None


def limit_upload(max_bytes: int, len_factor: int, message: str) -> None:
    """Cap what Flask reads for this view; a larger body gets a 413 before any parsing.

    `len_factor` 2: the file comes back base64-encoded from a preview page. Refused before
    the launch token (in the form) is read, so the page names the limit only.
    """
    limit = max_bytes * len_factor * 4 // 3 + FORM_OVERHEAD
    request.max_content_length = limit
    request.max_form_memory_size = limit
    if request.content_length is not None and request.content_length > limit:
        log.info(
            "upload to %s refused: %s bytes over %s", request.path, request.content_length, limit
        )
        raise UploadTooLarge(message, [Problem("file", "size", message)])


@dataclass
class EvidenceForm:
    """What was typed (kept to show again) and what it means once checked."""

    level: str = ""
    date: str = ""
    comment: str = ""
    assessment: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    points: float | None = None
    when: datetime | None = None
    assessment_id: int | None = None

    @property
    def is_valid(self) -> bool:
        return not self.errors


def blank_form(today: date) -> EvidenceForm:
    """An empty form dated today: the level is the teacher's to choose (a level chosen in
    advance is recorded again by a teacher who saves without looking)."""
    return EvidenceForm(level="", date=today.isoformat())


def read_evidence_form(
    values: Mapping[str, str],
    scale: ScaleView,
    assessment_ids: Collection[int],
    now: datetime,
    zone: ZoneInfo,
) -> EvidenceForm:
    """The submitted fields, checked against the course scale and today's date."""
    form = EvidenceForm(
        level=values.get("level", "").strip(),
        date=values.get("date", "").strip(),
        comment=values.get("comment", "").strip(),
        assessment=values.get("assessment", "").strip(),
    )
    form.points = _points(form, scale)
    form.when = _when(form, now, zone)
    form.assessment_id = _assessment(form, assessment_ids)
    if len(form.comment) > COMMENT_LIMIT:
        form.errors["comment"] = f"Keep the comment under {COMMENT_LIMIT} characters."
    return form


def _points(form: EvidenceForm, scale: ScaleView) -> float | None:
    if not form.level:
        form.errors["level"] = "Choose a level."
        return None
    try:
        points = float(form.level)
    except ValueError:
        points = None
    if points is None or points not in {level.points for level in scale.levels}:
        form.errors["level"] = "Choose one of the levels of the course's scale."
        return None
    return points


def _when(form: EvidenceForm, now: datetime, zone: ZoneInfo) -> datetime | None:
    when, error = read_day(form.date, now, zone)
    if error:
        form.errors["date"] = error
    return when


def read_day(text: str, now: datetime, zone: ZoneInfo) -> tuple[datetime | None, str | None]:
    """A typed date, a day in the course's time zone, as a UTC instant; or its problem.

    Today is `now` (so it counts as the latest evidence); another day is its local midday.
    """
    if not text:
        return None, "Enter the date the evidence was shown."
    try:
        day = date.fromisoformat(text)
    except ValueError:
        return None, "Enter the date as YYYY-MM-DD, for example 2025-09-30."
    if day > latest_day(now, zone):
        return None, "The date cannot be in the future."
    if day < EARLIEST:
        return None, f"The date cannot be before {EARLIEST.isoformat()}."
    return (now if day >= local_day(now, zone) else local_noon(day, zone)), None


def latest_day(now: datetime, zone: ZoneInfo) -> date:
    """The last date a teacher may enter: the course's today, and a day's leeway for a
    teacher whose own clock is ahead of the course's zone."""
    return local_day(now, zone) + timedelta(days=1)


def _assessment(form: EvidenceForm, assessment_ids: Collection[int]) -> int | None:
    if not form.assessment:
        return None
    if not form.assessment.isdigit() or int(form.assessment) not in assessment_ids:
        form.errors["assessment"] = "Choose one of the course's assessments, or none."
        return None
    return int(form.assessment)
