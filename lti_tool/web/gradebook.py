"""The teacher's standards-first gradebook, and the stylesheet of the course scale's colours."""

from __future__ import annotations

import re

from flask import Blueprint, make_response, render_template, request

from ..extensions import db
from ..services import grades
from ..services.course_settings import domain_scale, settings_for
from ..services.views.gradebook import build_gradebook
from . import course_copy
from .access import Viewer, current_viewer, launch_url_pattern, teacher_viewer

bp = Blueprint("gradebook", __name__)

_HEX = re.compile(r"^#[0-9A-Fa-f]{6}$")


@bp.get("/gradebook")
def index():
    """Students × standards, filtered and sorted by the query string."""
    return render_grid(teacher_viewer())


def render_grid(viewer: Viewer) -> str:
    """The grid page for a teacher's launch (also what /home shows a teacher)."""
    priority_only = request.args.get("priority") == "1"
    sort = request.args.get("sort", "name")
    by = int(sort) if sort.isdigit() else None
    book = build_gradebook(
        viewer.course,
        priority_only=priority_only,
        sort="level" if by is not None else sort,
        by=by,
    )
    page = render_template(
        "gradebook/index.html",
        viewer=viewer,
        book=book,
        sort=sort,
        sorted_by=by,
        priority_only=priority_only,
        cell_href=launch_url_pattern("cells.show", "student_id", "standard_id"),
        copy_offers=[] if book.adopted else course_copy.offers(viewer),
        gone_columns=grades.gone_columns(viewer.course),
    )
    # After rendering: a commit expires every loaded row, and the page would reload each.
    db.session.commit()  # the course's default settings are created on first use
    return page


@bp.get("/levels.css")
def levels_css():
    """`.lv-<n>` background and text colours for the launch course's scale levels."""
    viewer = current_viewer()
    scale = domain_scale(settings_for(viewer.course).scale)
    db.session.commit()
    rules = []
    for index, level in enumerate(scale.levels):
        colour = level.colour if _HEX.match(level.colour) else "#767676"
        rules.append(f".lv-{index} {{ background-color: {colour}; color: {text_on(colour)}; }}")
        rules.append(f".chart .dot.lv-{index} {{ fill: {colour}; }}")
    response = make_response("\n".join(rules) + "\n")
    response.mimetype = "text/css"
    response.headers["Cache-Control"] = "private, max-age=300"
    return response


def text_on(colour: str) -> str:
    """Black or white, whichever contrasts more with the background colour (WCAG formula)."""
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    on_black = (luminance + 0.05) / 0.05
    on_white = 1.05 / (luminance + 0.05)
    return "#000000" if on_black >= on_white else "#ffffff"
