"""Scoring an assessment: create or pick one, then one row per student × aligned standard.

Saving records every mark in one transaction through the scoring service. If the launch has
expired when the teacher saves, nothing typed is lost: the sheet comes back (from the page's
own snapshot, not the database) with every value and a request to relaunch; the browser also
keeps the values (sessionStorage, static/scoring.js) and puts them back after the relaunch.
"""

from __future__ import annotations

import logging

from flask import Blueprint, redirect, render_template, request
from flask_babel import gettext as _

from ..errors import MasteryRejected, NotFound, SessionExpired
from ..extensions import db
from ..models import Launch
from ..models.types import utcnow
from ..services import published, scoring
from ..services.course_settings import domain_scale, settings_for
from ..services.frameworks import course_tree
from ..services.launches import token_hash
from ..services.views.common import ScaleView
from .access import Viewer, launch_origins, launch_url, teacher_viewer
from .forms import latest_day
from .scoring_form import (
    ScoreForm,
    SheetView,
    filled,
    read_score_form,
    sheet_view,
    typed_values,
    view_from_snapshot,
)
from .security import allow_framing_by
from .zones import request_zone, today

log = logging.getLogger(__name__)
bp = Blueprint("scoring", __name__)


@bp.get("/assessments")
def index():
    """The course's tool-made assessments, and a form to create one."""
    viewer = teacher_viewer()
    return index_page(viewer, title="", chosen=set(), errors={})


@bp.post("/assessments")
def create():
    """Create a tool-made assessment aligned to the chosen standards, then score it."""
    viewer = teacher_viewer()
    title = request.form.get("title", "").strip()
    raw = request.form.getlist("standard")
    chosen = {int(value) for value in raw if value.isdigit()}
    errors = {}
    if not title:
        errors["title"] = _("Give the assessment a title.")
    elif len(title) > scoring.TITLE_LIMIT:
        errors["title"] = _("Keep the title under %(limit)s characters.", limit=scoring.TITLE_LIMIT)
    if not chosen or len(chosen) != len(raw):
        errors["standards"] = _("Choose at least one of the course's standards.")
    if not errors:
        try:
            assessment = scoring.create_assessment(viewer.course, title, chosen)
        except (MasteryRejected, NotFound) as error:
            errors["standards"] = error.message
    if errors:
        db.session.rollback()
        log.info("assessment not created: %s", "; ".join(errors.values()))
        return index_page(viewer, title=title, chosen=chosen, errors=errors), 400
    db.session.commit()
    return redirect(launch_url("scoring.sheet", assessment_id=assessment.id), 303)


@bp.get("/assessments/<int:assessment_id>/score")
def sheet(assessment_id: int):
    """The sheet with the marks saved so far."""
    viewer = teacher_viewer()
    view, saved = _sheet(viewer, assessment_id)
    form = ScoreForm(date=today().isoformat())
    for cell, mark in saved.items():
        form.levels[cell] = f"{mark.points:g}"
        form.comments[cell] = mark.comment or ""
    notice = _saved_notice(request.args.get("saved", ""))
    return _sheet_page(view, form, notice=notice, is_saved=notice is not None)


def _saved_notice(counts: str) -> str | None:
    """The summary of a save, from the counts the redirect carries ("added-corrected-same")."""
    parts = counts.split("-")
    if len(parts) != 3 or not all(part.isdigit() for part in parts):
        return None
    added, corrected, unchanged = (int(part) for part in parts)
    return scoring.ScoreReport(added, corrected, unchanged).summary


@bp.post("/assessments/<int:assessment_id>/score")
def save(assessment_id: int):
    """Save every mark at once, or fill every cell with one level (nothing saved then)."""
    try:
        viewer = teacher_viewer()
    except SessionExpired:
        return _kept(assessment_id)
    view, _saved = _sheet(viewer, assessment_id)
    if request.form.get("action") == "fill":
        form = filled(typed_values(request.form, view), view, request.form.get("fill", ""))
        return _sheet_page(view, form), 400 if form.errors else 200
    form = read_score_form(request.form, view, utcnow())
    if not form.is_valid:
        log.info("scores not saved (assessment %s): %s", assessment_id, len(form.errors))
        return _sheet_page(view, form), 400
    course = viewer.course
    assessment = scoring.course_assessment(course, assessment_id)
    try:
        report = scoring.score_assessment(
            course,
            assessment,
            form.marks,
            actor=viewer.user,
            demonstrated_at=form.when,  # type: ignore[arg-type]  (checked by the form)
        )
    except (MasteryRejected, NotFound) as error:
        db.session.rollback()
        log.info("scores refused (assessment %s): %s", assessment_id, error.detail)
        form.errors["form"] = error.message
        return _sheet_page(view, form), 400
    db.session.commit()
    counts = f"{report.added}-{report.corrected}-{report.unchanged}"
    return redirect(launch_url("scoring.sheet", assessment_id=assessment_id, saved=counts), 303)


def _sheet(viewer: Viewer, assessment_id: int):
    course = viewer.course
    assessment = scoring.course_assessment(course, assessment_id)
    found = scoring.scoring_sheet(course, assessment)
    scale = ScaleView(domain_scale(settings_for(course).scale))
    return sheet_view(course.id, found, scale), found.saved


def _kept(assessment_id: int):
    """The launch ended: the sheet again with what was typed, and a request to relaunch."""
    view = view_from_snapshot(request.form.get("sheet", ""), assessment_id)
    if view is None:
        raise SessionExpired(
            _("Your session with the tool has ended."),
            hint=_("Open the tool again from your course; nothing you saved is lost."),
        )
    log.info("scores not saved: the launch expired (assessment %s)", assessment_id)
    _frame_like_the_launch(request.form.get("launch", ""))
    return _sheet_page(view, typed_values(request.form, view), is_expired=True), 401


def _frame_like_the_launch(token: str) -> None:
    """Let the expired launch's platform frame the kept page, as it framed the sheet.

    Only the platform's origins are read from the launch: nothing it granted access to.
    """
    row = db.session.get(Launch, token_hash(token)) if token else None
    if row is not None:
        allow_framing_by(launch_origins(row.platform, row.claims))


def _sheet_page(
    view: SheetView,
    form: ScoreForm,
    *,
    notice: str | None = None,
    is_saved: bool = False,
    is_expired: bool = False,
) -> str:
    page = render_template(
        "scoring/sheet.html",
        view=view,
        form=form,
        notice=notice,
        is_saved=is_saved,
        is_expired=is_expired,
        max_day=latest_day(utcnow(), request_zone()).isoformat(),
    )
    if not is_expired:
        db.session.commit()  # after rendering: the course's default settings row, if new
    return page


def index_page(viewer: Viewer, *, title: str, chosen: set[int], errors: dict[str, str]) -> str:
    course = viewer.course
    tree = course_tree(course)
    page = render_template(
        "scoring/index.html",
        viewer=viewer,
        assessments=scoring.tool_assessments(course),
        gradings=published.GRADINGS,
        published_id=request.args.get("published", type=int),
        standards=[(tree.standards[sid], depth) for sid, depth in tree.with_depths()],
        title=title,
        chosen=chosen,
        errors=errors,
    )
    db.session.commit()
    return page
