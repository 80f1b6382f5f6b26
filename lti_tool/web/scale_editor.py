"""The course's own scale: the teacher defines its levels, previews what switching to it would
do, then switches the course to it.

A saved scale is never edited in place: evidence keeps the scale it was recorded on (and its
points), so each change is a new scale of the course's own (`define_scale`), and the course
switches to it (`change_scale`); the old evidence is rescaled by the calculation, not
rewritten. The preview defines the scale inside the request's transaction, computes the
what-if, and rolls back: nothing is stored before the teacher saves.
"""

from __future__ import annotations

import logging
import secrets

from flask import Blueprint, redirect, render_template, request
from flask_babel import gettext as _

from ..errors import MasteryRejected, PermissionDenied
from ..extensions import db
from ..models import Course, CourseSettings, Scale
from ..services.course_settings import change_scale, define_scale, settings_for
from ..services.views.settings import course_scales
from ..services.whatif import SettingsPreview, preview_settings_change
from .access import Viewer, launch_url, teacher_viewer
from .previews import digest, preview_context, stored_settings
from .scale_form import ScaleForm, form_from_scale, level_proposal, read_scale_form

log = logging.getLogger(__name__)
bp = Blueprint("scale_editor", __name__)


@bp.get("/settings/scale")
def index():
    """The form, filled with the course's current scale as the starting point."""
    viewer = teacher_viewer()
    row = settings_for(viewer.course)
    name = row.scale.name if row.scale.course_id else _("Our scale")
    notice = _("The course now uses this scale.") if request.args.get("saved") == "1" else None
    return _page(viewer, form_from_scale(row.scale, name), notice=notice)


@bp.post("/settings/scale/preview")
def preview():
    """What switching the course to the scale would change; nothing is stored."""
    viewer = teacher_viewer()
    return _previewed(viewer, read_scale_form(request.form))


@bp.post("/settings/scale/save")
def save():
    """Define the previewed scale and switch the course to it; the worker recomputes."""
    viewer = teacher_viewer()
    course = viewer.course
    form = read_scale_form(request.form)
    row = settings_for(course)
    if not form.is_valid or request.form.get("previewed") != _fingerprint(row, form):
        note = _("Check this preview of what you are about to save, then save it.")
        return _previewed(viewer, form, notice=note, status=409)
    try:
        scale = _same_own_scale(course, form) or _defined(course, form)
        change_scale(course, scale)
    except (MasteryRejected, PermissionDenied) as error:
        db.session.rollback()
        log.info("scale not saved: %s", error.detail)
        form.errors["form"] = error.message
        return _page(viewer, form), 400
    db.session.commit()
    log.info("course %s switched to scale %s by user %s", course.id, scale.id, viewer.user.id)
    return redirect(launch_url("scale_editor.index", saved=1), 303)


def _defined(course: Course, form: ScaleForm) -> Scale:
    """A new scale of the course's own (a fresh key: the old ones stay with their evidence)."""
    key = f"course-{course.id}-{secrets.token_hex(4)}"
    return define_scale(course, key, form.name, form.levels)


def _same_own_scale(course: Course, form: ScaleForm) -> Scale | None:
    """The course's own scale with exactly these levels and name, if it has one already."""
    for scale in course_scales(course):
        if scale.course_id != course.id or scale.name != form.name:
            continue
        if [level_proposal(level) for level in scale.levels] == form.proposal():
            return scale
    return None


def _fingerprint(row: CourseSettings, form: ScaleForm) -> str:
    return digest(stored_settings(row), form.name, form.proposal())


def _previewed(viewer: Viewer, form: ScaleForm, *, notice: str | None = None, status: int = 200):
    if not form.is_valid:
        log.info("scale refused: %s", "; ".join(f"{k}: {v}" for k, v in form.errors.items()))
        return _page(viewer, form), 400
    course = viewer.course
    row = settings_for(course)
    previewed = _fingerprint(row, form)
    try:
        scale = _same_own_scale(course, form) or _defined(course, form)
        found = preview_settings_change(course, scale=scale)
    except (MasteryRejected, PermissionDenied) as error:
        db.session.rollback()
        log.info("scale refused by the domain: %s", error.detail)
        form.errors["form"] = error.message
        return _page(viewer, form), 400
    is_same = scale.id == row.scale_id
    page = _page(viewer, form, preview=found, is_same=is_same, previewed=previewed, notice=notice)
    return page, status


def _page(
    viewer: Viewer,
    form: ScaleForm,
    *,
    preview: SettingsPreview | None = None,
    is_same: bool = False,
    previewed: str | None = None,
    notice: str | None = None,
) -> str:
    course = viewer.course
    page = render_template(
        "scale_editor/edit.html",
        viewer=viewer,
        form=form,
        current=settings_for(course).scale,
        previewed=previewed,
        notice=notice,
        **preview_context(course, preview, is_same=is_same),
    )
    db.session.rollback()  # a previewed scale is never kept: it is defined again on saving
    return page
