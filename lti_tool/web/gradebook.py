"""The teacher's standards-first gradebook, and the stylesheet of the course scale's colours."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlencode

from flask import Blueprint, Response, make_response, render_template, request
from flask_babel import gettext as _
from markupsafe import Markup, escape

from ..extensions import db
from ..mastery import MasteryResult, Status
from ..mastery.results import NOT_ASSESSED
from ..models import Course
from ..services import grades
from ..services.course_settings import domain_scale, settings_for
from ..services.views.gradebook import Gradebook, Row, build_gradebook
from . import course_copy
from .access import Viewer, current_viewer, launch_url_pattern, teacher_viewer

bp = Blueprint("gradebook", __name__)

# The query arguments that make a gradebook view: a cell page opened from it links back to it.
VIEW_ARGUMENTS = ("priority", "sort", "branch", "section")


def grid_view(encoded: str) -> dict[str, str]:
    """The gradebook view named by a cell page's `grid` argument (the view's own query string):
    its known arguments only, each a short value."""
    try:
        found = parse_qs(encoded[:500], max_num_fields=len(VIEW_ARGUMENTS))
    except ValueError:  # more fields than a view has: not one of ours
        return {}
    return {name: found[name][0][:100] for name in VIEW_ARGUMENTS if found.get(name)}


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
    branch_arg = request.args.get("branch", "")
    branch = int(branch_arg) if branch_arg.isdigit() else None
    section = request.args.get("section") or None
    book = build_gradebook(
        viewer.course,
        priority_only=priority_only,
        sort="level" if by is not None else sort,
        by=by,
        branch=branch,
        section=section,
    )
    page = render_template(
        "gradebook/index.html",
        viewer=viewer,
        book=book,
        sort=sort,
        sorted_by=by,
        priority_only=priority_only,
        branch=branch,
        section=section,
        row_cells=GridCells(book, _cell_pattern()),
        profile_href=launch_url_pattern("profile.show", "student_id"),  # one url_for, not 300
        copy_offers=[] if book.adopted else course_copy.offers(viewer),
        gone_columns=grades.gone_columns(viewer.course),
    )
    # After rendering: a commit expires every loaded row, and the page would reload each.
    db.session.commit()  # the course's default settings are created on first use
    return page


def _cell_pattern() -> str:
    """The cell links of this view: they carry the view, so the cell page's way back keeps the
    sort, the branch and the section."""
    view = {name: request.args[name] for name in VIEW_ARGUMENTS if request.args.get(name)}
    extra = {"grid": urlencode(view)} if view else {}
    return launch_url_pattern("cells.show", "student_id", "standard_id", **extra)


class GridCells:
    """A student's level cells as HTML, built in Python: the grid of a large course has tens of
    thousands of cells, which per-cell template logic renders ten times slower. The markup of
    a (status, level, roll-up) triple is made once; a linked cell only adds its link, the
    student's part of which is made once per row."""

    def __init__(self, book: Gradebook, cell_href: str) -> None:
        self.book = book
        self.href = str(escape(cell_href))  # only digits are put into it
        self.abbreviations = book.scale.abbreviations()
        self.columns = [(c.standard.id, str(c.standard.id), c.has_children) for c in book.columns]
        # By status and level: a page's levels are its scale's own objects, alive while it
        # renders, so their ids stand for them (and any other level gets its own entry).
        self.pieces: dict[tuple[Status, int, bool], tuple[str, str]] = {}

    def __call__(self, row: Row) -> Markup:
        # The cell link split around the standard: "\0" cannot occur in a URL.
        head, tail = self.href.format(student_id=row.student.id, standard_id="\0").split("\0")
        result_of, pieces, piece = row.results.get, self.pieces, self._piece
        cells = []
        for standard, digits, rolled_up in self.columns:
            result = result_of(standard, NOT_ASSESSED)
            key = (result.status, id(result.level), rolled_up)
            start, end = pieces.get(key) or piece(key, result)
            cells.append(start if rolled_up else f"{start}{head}{digits}{tail}{end}")
        return Markup("\n".join(cells))

    def _piece(self, key: tuple[Status, int, bool], result: MasteryResult) -> tuple[str, str]:
        index = self.book.scale.index(result.level) if result.is_assessed else None
        found = self.pieces[key] = self._markup(result, index, key[2])
        return found

    def _markup(self, result: MasteryResult, index: int | None, rolled_up: bool):
        if index is not None:
            text, words = self.abbreviations[result.level.points], result.level.label
            kind = f"lv-{index}"
        elif result.status.value == "insufficient":
            text, words, kind = "…", _("Not enough evidence yet"), "insufficient"
        elif result.status.value == "exempt":
            text, words, kind = "Ex", _("Exempt"), "exempt"
        else:
            text, words, kind = "—", _("Not yet assessed"), "na"
        shown = f'<span aria-hidden="true">{escape(text)}</span>'
        if rolled_up:
            words = _("%(level)s, rolled up", level=words)
            cell = f'<td class="cell {kind} rollup">{shown}<span class="vh">{escape(words)}'
            return f"{cell}</span></td>", ""
        start = f'<td class="cell {kind}"><a href="'
        return start, f'">{shown}<span class="vh">{escape(words)}</span></a></td>'


@bp.get("/levels.css")
def levels_css():
    """`.lv-<n>` background and text colours for the launch course's scale levels."""
    return levels_stylesheet(current_viewer().course)


def levels_stylesheet(course: Course) -> Response:
    """The level colours of this course's scale, as CSS (the launch's and a share link's)."""
    scale = domain_scale(settings_for(course).scale)
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
