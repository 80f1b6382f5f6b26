"""The LMS gradebook export import: upload a Canvas or Moodle export, map columns, save.

Stateless between steps like the evidence import (web/imports.py): every form carries the
file back base64-encoded, so a save sees exactly what was previewed. Mapping a column saves
that column's mapping at once (remembered per course); nothing else is written until
"Import". A refused step shows its page again with every problem named.
"""

from __future__ import annotations

import base64
import logging
import math
from datetime import date
from typing import Any, NamedTuple

from flask import Blueprint, redirect, render_template, request
from flask_babel import gettext as _

from ..errors import MasteryRejected
from ..extensions import db
from ..i18n import failure_text
from ..importers import ImportFailed
from ..models.types import utcnow
from ..services import evidence_import
from ..services.course_settings import settings_for
from ..services.frameworks import course_tree
from ..services.lms_gradebook_import import (
    GradebookReport,
    column_plans,
    import_gradebook,
    map_column,
    preview_gradebook,
    read_export,
    summary_of,
)
from ..services.views.alignments import column_editor
from ..translatable import N_
from .access import Viewer, launch_url, teacher_viewer
from .alignment_form import cut_field, read_alignment_form
from .forms import carried_file, uploaded_file
from .imports import _form_day, _limit_request, _too_large

bp = Blueprint("lms_imports", __name__)
log = logging.getLogger(__name__)


@bp.get("/evidence/lms-import")
def upload():
    viewer = teacher_viewer()
    page = _upload_page(viewer, notice=_done())
    db.session.commit()
    return page


@bp.post("/evidence/lms-import/preview")
def preview():
    """Read the export; show its columns with their remembered mapping and its students."""
    _limit_request(len_factor=1)
    viewer = teacher_viewer()
    found = uploaded_file(evidence_import.MAX_UPLOAD_BYTES)
    if found is None:
        return _upload_page(viewer, error=_("Choose the CSV file your LMS exported.")), 400
    data, filename = found
    if len(data) > evidence_import.MAX_UPLOAD_BYTES:
        return _too_large(viewer)
    return _preview_page(viewer, data, filename)


@bp.post("/evidence/lms-import/map")
def map_page():
    """The standards and cut scores of one column, prefilled from memory or the scale."""
    viewer = _teacher_with_file()
    chosen = _chosen_column(viewer)
    if not isinstance(chosen, _Chosen):
        return chosen
    data, filename, plan = chosen
    editor = column_editor(viewer.course, plan.column.title, plan.alignments)
    return _map_page(viewer, data, filename, plan, editor, {}, None)


@bp.post("/evidence/lms-import/map/save")
def map_save():
    """Remember the column's mapping (or that it is not imported), then preview again."""
    viewer = _teacher_with_file()
    chosen = _chosen_column(viewer)
    if not isinstance(chosen, _Chosen):
        return chosen
    data, filename, plan = chosen
    course = viewer.course
    editor = column_editor(course, plan.column.title, plan.alignments)
    if request.form.get("skip"):
        map_column(course, plan.column, None, actor=viewer.user)
        db.session.commit()
        return _preview_page(viewer, data, filename)
    form = read_alignment_form(request.form, editor, settings_for(course).scale)
    typed = request.form.get("points", "").strip()
    points = _points(typed) if plan.needs_points or typed else None
    if plan.needs_points and points is None:
        form.errors["points"] = _("Enter the points this column is out of (a number above 0).")
    if form.is_valid:
        try:
            map_column(
                course, plan.column, form.alignments, points_possible=points, actor=viewer.user
            )
        except MasteryRejected as error:
            db.session.rollback()
            form.errors["form"] = error.message
        else:
            db.session.commit()
            return _preview_page(viewer, data, filename)
    editor = type(editor)(editor.title, editor.levels, form.rows)
    return _map_page(viewer, data, filename, plan, editor, form.errors, typed, status=400)


@bp.post("/evidence/lms-import/save")
def save():
    """Import the mapped columns as evidence dated on the day given."""
    viewer = _teacher_with_file()
    data, filename = carried_file()
    if data is None:
        return _upload_page(viewer, error=_DAMAGED), 400
    day = _form_day()
    if not isinstance(day, date):
        return _preview_page(viewer, data, filename, error=_NO_DATE)
    try:
        report = import_gradebook(
            viewer.course, data, shown_on=day, filename=filename, actor=viewer.user
        )
    except ImportFailed as error:
        db.session.rollback()
        return _upload_page(viewer, error=failure_text(error.problems)), 400
    db.session.commit()
    return redirect(launch_url("lms_imports.upload", done=1, **report.counts()), 303)


def _done() -> str | None:
    """What the import just did (its figures are in the address), in the page's language."""
    if not request.args.get("done"):
        return None
    names = GradebookReport().counts()
    counts = {name: request.args.get(name, type=int) for name in names}
    known = {name: value for name, value in counts.items() if value is not None}
    return summary_of(known) if len(known) == len(names) else None


_DAMAGED = N_("The preview was damaged: upload the file again.")
_NO_DATE = N_("Enter the date of the export, as YYYY-MM-DD, not in the future.")


def _teacher_with_file() -> Viewer:
    """The teacher, once the request (a previewed file carried back) is within the cap."""
    _limit_request(len_factor=2)
    return teacher_viewer()


class _Chosen(NamedTuple):
    data: bytes
    filename: str | None
    plan: Any


def _chosen_column(viewer: Viewer):
    """The carried file and the column the form names, or the page to answer instead."""
    data, filename = carried_file()
    if data is None:
        return _upload_page(viewer, error=_DAMAGED), 400
    plan = _plan_for(viewer, data, filename)
    if plan is None:
        return _preview_page(viewer, data, filename, error=_("Choose a column of the file."))
    return _Chosen(data, filename, plan)


def _plan_for(viewer: Viewer, data: bytes, filename: str | None):
    key = request.form.get("column", "")
    try:
        plans = column_plans(viewer.course, read_export(data, filename))
    except ImportFailed:
        return None
    return next((plan for plan in plans if plan.column.key == key), None)


def _points(text: str) -> float | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if math.isfinite(value) and value > 0 else None


def _preview_page(viewer: Viewer, data: bytes, filename: str | None, *, error: str | None = None):
    try:
        found = preview_gradebook(viewer.course, data, filename=filename)
    except ImportFailed as failed:
        log.info("LMS export refused: %s", failed)
        return _upload_page(viewer, error=failure_text(failed.problems)), 400
    page = render_template(
        "lms_imports/preview.html",
        viewer=viewer,
        found=found,
        content=base64.b64encode(data).decode("ascii"),
        filename=filename or "",
        day=request.form.get("date") or utcnow().date().isoformat(),
        error=error,
        standards={sid: s.label for sid, s in course_tree(viewer.course).standards.items()},
        levels={lv.points: lv.label for lv in settings_for(viewer.course).scale.levels},
    )
    db.session.commit()
    return page, 400 if error else 200


def _map_page(viewer, data, filename, plan, editor, errors, typed, *, status=200):
    page = render_template(
        "lms_imports/map.html",
        viewer=viewer,
        plan=plan,
        editor=editor,
        levels=editor.levels,
        rows=editor.rows,
        errors=errors,
        cut_field=cut_field,
        points=typed
        if typed is not None
        else (f"{plan.points_possible:g}" if plan.points_possible else ""),
        content=base64.b64encode(data).decode("ascii"),
        filename=filename or "",
        day=request.form.get("date", ""),
    )
    db.session.commit()
    return page, status


def _upload_page(viewer: Viewer, *, error: str | None = None, notice: str | None = None) -> str:
    return render_template(
        "lms_imports/upload.html",
        viewer=viewer,
        error=error,
        notice=notice,
        limit=evidence_import.readable_size(evidence_import.MAX_UPLOAD_BYTES),
        today=utcnow().date().isoformat(),
    )
