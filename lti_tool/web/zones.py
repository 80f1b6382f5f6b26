"""The time zone of the request's course: dates are shown and read in it, stored in UTC."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import Flask, g

from ..mastery.periods import local_day
from ..models import Course
from ..models.types import utcnow
from ..services.periods import course_zone


def use_course_zone(course: Course | None) -> None:
    """Remember the launch's course zone for this request (set when the viewer is read)."""
    g.time_zone = course_zone(course)


def request_zone() -> ZoneInfo:
    """The zone of the request's course, else the installation's default."""
    zone = g.get("time_zone")
    return zone if zone is not None else course_zone(None)


def today() -> date:
    """Today in the course's time zone."""
    return local_day(utcnow(), request_zone())


def local_date(instant: datetime) -> str:
    """Template filter: the day an instant falls on in the course's zone, as YYYY-MM-DD."""
    return local_day(instant, request_zone()).isoformat()


def init_app(app: Flask) -> None:
    app.add_template_filter(local_date)
