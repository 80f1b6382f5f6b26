"""Course settings: scale, calculation, minimum evidence, roll-up, summary grade policy.

Every change is previewed first ("7 students' levels change; 3 summary grades change", with
who); saving needs the fingerprint of that preview, so a change nobody previewed (a field
edited after the preview, or another teacher's save in between) is previewed again instead of
saved. Saving queues the recompute; the worker runs it and this page shows its progress.
"""

from __future__ import annotations

import logging

from flask import Blueprint, redirect, render_template, request
from flask_babel import gettext as _

from ..errors import LtiToolError, MasteryRejected, PermissionDenied
from ..extensions import db
from ..mastery import METHODS, POLICIES
from ..services.course_settings import change_scale, change_settings, mastery_settings, settings_for
from ..services.views.settings import latest_recompute, offered_scales, preview_rows
from ..services.whatif import SettingsPreview, preview_settings_change
from .access import Viewer, launch_url, teacher_viewer
from .settings_form import (
    POLICY_HELP,
    ROLLUP_LABELS,
    SettingsForm,
    fingerprint,
    form_from_settings,
    param_field,
    read_settings_form,
)

log = logging.getLogger(__name__)
bp = Blueprint("settings", __name__)


@bp.get("/settings")
def show():
    """The form with the course's current settings, and the last recompute's progress."""
    viewer = teacher_viewer()
    row = settings_for(viewer.course)
    form = form_from_settings(row, mastery_settings(viewer.course, row))
    saved = request.args.get("saved") == "1"
    return _page(viewer, form, notice=_("Settings saved.") if saved else None)


@bp.post("/settings/preview")
def preview():
    """What the change would do, before anything is saved."""
    viewer = teacher_viewer()
    return _previewed(viewer, *_read(viewer))


@bp.post("/settings/save")
def save():
    """Apply a previewed change; the worker recomputes the stored levels and grades."""
    viewer = teacher_viewer()
    form, scales = _read(viewer)
    row = settings_for(viewer.course)
    if not form.is_valid or request.form.get("previewed") != fingerprint(row, form):
        note = _("Check this preview of what you are about to save, then save it.")
        return _previewed(viewer, form, scales, notice=note, status=409)
    course = viewer.course
    try:
        change_settings(course, **form.changes)
        if form.scale is not None and form.scale.id != row.scale_id:
            change_scale(course, form.scale)
    except (MasteryRejected, PermissionDenied) as error:
        db.session.rollback()
        log.info("settings not saved: %s", error.detail)
        form.errors["form"] = error.message
        return _page(viewer, form), 400
    db.session.commit()
    log.info("course %s settings changed by user %s", course.id, viewer.user.id)
    return redirect(launch_url("settings.show", saved=1), 303)


@bp.post("/settings/assistants")
def assistants():
    """Whether teaching assistants change the course as teachers do (teachers decide)."""
    viewer = teacher_viewer()
    if viewer.is_assistant:
        raise PermissionDenied(_("Only the course's teachers decide what teaching assistants do."))
    choice = request.form.get("assistants")
    if choice not in ("edit", "view"):
        raise LtiToolError(_("Choose what teaching assistants may do."))
    settings_for(viewer.course).assistants_may_edit = choice == "edit"
    db.session.commit()
    log.info("course %s: assistants may edit = %s", viewer.course.id, choice == "edit")
    return redirect(launch_url("settings.show", saved=1), 303)


def _read(viewer: Viewer):
    scales = {scale.id: scale for scale in offered_scales(viewer.course)}
    return read_settings_form(request.form, scales), scales


def _previewed(viewer: Viewer, form: SettingsForm, scales, *, notice=None, status=200):
    if not form.is_valid:
        log.info("settings refused: %s", "; ".join(f"{k}: {v}" for k, v in form.errors.items()))
        return _page(viewer, form), 400
    course = viewer.course
    try:
        found = preview_settings_change(course, scale=form.scale, **form.changes)
    except (MasteryRejected, PermissionDenied) as error:
        db.session.rollback()
        log.info("settings refused by the domain: %s", error.detail)
        form.errors["form"] = error.message
        return _page(viewer, form), 400
    row = settings_for(course)
    return _page(viewer, form, preview=found, previewed=fingerprint(row, form), notice=notice), (
        status
    )


def _page(
    viewer: Viewer,
    form: SettingsForm,
    *,
    preview: SettingsPreview | None = None,
    previewed: str | None = None,
    notice: str | None = None,
) -> str:
    course = viewer.course
    is_same = preview is not None and _effective(preview.current) == _effective(preview.proposed)
    page = render_template(
        "settings/show.html",
        viewer=viewer,
        form=form,
        scales=offered_scales(course),
        methods=list(METHODS.values()),
        policies=list(POLICIES.values()),
        rollups=ROLLUP_LABELS,
        policy_help=POLICY_HELP,
        param_field=param_field,
        preview=preview,
        who=preview_rows(course, preview) if preview and not is_same else [],
        is_same=is_same,
        previewed=previewed,
        notice=notice,
        job=latest_recompute(course),
        assistants_may_edit=settings_for(course).assistants_may_edit,
    )
    db.session.commit()  # after rendering: presets and the default settings row, if new
    return page


def _effective(settings) -> tuple:
    """What decides every level and grade, comparable between two settings."""
    policy = POLICIES[settings.policy]
    return (
        settings.scale,
        settings.method,
        dict(settings.params),
        settings.min_evidence,
        settings.rollup,
        settings.policy,
        policy.resolve(dict(settings.policy_params)),
        settings.maximum,
    )
