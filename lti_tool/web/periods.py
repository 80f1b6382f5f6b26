"""Grading periods and the course's time zone: a small page linked from the course settings.

Every form is checked whole; a refused one comes back with each problem next to its field and
nothing saved. Saving a period queues the recompute (the worker queues its grades).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from zoneinfo import TZPATH

from flask import Blueprint, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from ..errors import NotFound
from ..extensions import db
from ..mastery.periods import MAX_GRACE_DAYS, PeriodDates
from ..services import periods
from ..services.periods import PeriodRejected
from .access import Viewer, launch_url, teacher_viewer

log = logging.getLogger(__name__)
bp = Blueprint("periods", __name__)

NOTICES = {
    "added": lazy_gettext("Grading period added."),
    "changed": lazy_gettext("Grading period saved."),
    "closed": lazy_gettext("Grading period closed: no more grades go to its column."),
    "reopened": lazy_gettext("Grading period reopened."),
    "zone": lazy_gettext("Time zone saved."),
}


@dataclass
class PeriodForm:
    """What was typed (shown again when refused) and the problems, by field."""

    title: str = ""
    starts_on: str = ""
    ends_on: str = ""
    grace_days: str = "0"
    errors: dict[str, str] = field(default_factory=dict)

    def dates(self) -> PeriodDates | None:
        """The typed period, or None with each unreadable field's problem recorded."""
        starts, ends = self._day("starts_on"), self._day("ends_on")
        try:
            grace = int(self.grace_days or "0")
        except ValueError:
            self.errors["grace_days"] = _(
                "Enter a whole number of days, 0 to %(most)s.", most=MAX_GRACE_DAYS
            )
            grace = 0
        if starts is None or ends is None or self.errors:
            return None
        return PeriodDates(self.title, starts, ends, grace)

    def _day(self, name: str) -> date | None:
        text = getattr(self, name)
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.errors[name] = (
                _("Enter the start date as YYYY-MM-DD, for example 2026-09-01.")
                if name == "starts_on"
                else _("Enter the end date as YYYY-MM-DD, for example 2026-09-01.")
            )
            return None


@cache
def zone_names() -> list[str]:
    """The system's time zones, one per region (its zone1970.tab), plus UTC."""
    for folder in TZPATH:
        table = Path(folder) / "zone1970.tab"
        if table.is_file():
            lines = table.read_text(encoding="utf-8").splitlines()
            found = {line.split("\t")[2] for line in lines if line and not line.startswith("#")}
            return ["UTC", *sorted(found)]
    return ["UTC"]


@bp.get("/periods")
def index():
    viewer = teacher_viewer()
    return _page(viewer, notice=NOTICES.get(request.args.get("saved", "")))


@bp.post("/periods")
def save():
    """Add a period, or change one (`period` names it)."""
    viewer = teacher_viewer()
    form = PeriodForm(
        title=request.form.get("title", "").strip(),
        starts_on=request.form.get("starts_on", "").strip(),
        ends_on=request.form.get("ends_on", "").strip(),
        grace_days=request.form.get("grace_days", "0").strip(),
    )
    target = request.form.get("period", "")
    period_id = int(target) if target.isdigit() else None
    dates = form.dates()
    try:
        if dates is None:
            raise PeriodRejected(form.errors)
        periods.save_period(viewer.course, dates, period_id)
    except PeriodRejected as error:
        db.session.rollback()
        form.errors = dict(error.problems)
        log.info("grading period not saved: %s", "; ".join(form.errors.values()))
        return _page(viewer, form=form, target=period_id), 400
    db.session.commit()
    return _saved("changed" if period_id else "added")


@bp.post("/periods/<int:period_id>/close")
def close(period_id: int):
    viewer = teacher_viewer()
    periods.close_period(viewer.course, period_id)
    db.session.commit()
    return _saved("closed")


@bp.post("/periods/<int:period_id>/reopen")
def reopen(period_id: int):
    viewer = teacher_viewer()
    periods.reopen_period(viewer.course, period_id)
    db.session.commit()
    return _saved("reopened")


@bp.post("/periods/time-zone")
def time_zone():
    viewer = teacher_viewer()
    try:
        periods.set_time_zone(viewer.course, request.form.get("time_zone", "").strip())
    except PeriodRejected as error:
        db.session.rollback()
        return _page(viewer, zone_error=error.problems["time_zone"]), 400
    db.session.commit()
    return _saved("zone")


def _saved(what: str):
    return redirect(launch_url("periods.index", saved=what), 303)


def _page(
    viewer: Viewer,
    *,
    form: PeriodForm | None = None,
    target: int | None = None,
    notice: str | None = None,
    zone_error: str | None = None,
) -> str:
    course = viewer.course
    statuses = periods.period_statuses(course)
    zone = periods.course_zone(course).key
    zones = zone_names() if zone in zone_names() else [zone, *zone_names()]
    if target is not None and target not in {s.period.id for s in statuses}:
        raise NotFound(_("That grading period is not part of this course."))
    return render_template(
        "periods/index.html",
        viewer=viewer,
        statuses=statuses,
        add_form=form if form is not None and target is None else PeriodForm(),
        failed_form=form if target is not None else None,
        target=target,
        zone=zone,
        zone_source=course.time_zone_source,
        zones=zones,
        zone_error=zone_error,
        concluded=course.concluded_at,
        notice=notice,
        max_grace=MAX_GRACE_DAYS,
    )
