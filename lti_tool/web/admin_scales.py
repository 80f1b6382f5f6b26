"""Scales an administrator offers to every course of the registration (presets).

The built-in presets come with the tool; an administrator adds more with the same form a
teacher uses for a course's own scale (web/scale_form.py). A preset is never edited afterwards
(evidence keeps the scale it was recorded on): a changed scale is a new one. One added by
mistake, or out of use, is no longer offered to courses that do not use it, and can be offered
again.
"""

from __future__ import annotations

import logging

from flask import Blueprint, redirect, render_template, request

from ..errors import MasteryRejected
from ..extensions import db
from ..mastery import DEFAULT_SCALE
from ..services.course_settings import (
    courses_using_each,
    define_preset,
    preset_of,
    registration_scales,
    set_offered,
)
from .access import Viewer, admin_viewer, launch_url
from .scale_form import ScaleForm, read_scale_form

bp = Blueprint("admin_scales", __name__)
log = logging.getLogger(__name__)


@bp.get("/admin/scales")
def index():
    """The registration's scales and the form to add one."""
    viewer = admin_viewer()
    return _page(viewer, ScaleForm(), added=request.args.get("added"))


@bp.post("/admin/scales")
def add():
    """Add a preset; every problem is named next to its field and nothing is saved."""
    viewer = admin_viewer()
    form = read_scale_form(request.form)
    if not form.is_valid:
        log.info("preset refused: %s", "; ".join(f"{k}: {v}" for k, v in form.errors.items()))
        return _page(viewer, form), 400
    try:
        scale = define_preset(viewer.launch.platform, form.name, form.levels, by=viewer.launch.user)
    except MasteryRejected as error:
        db.session.rollback()
        log.info("preset refused by the domain: %s", error.detail)
        form.errors["form"] = error.message
        return _page(viewer, form), 400
    db.session.commit()
    log.info("registration %s: preset scale %s added", viewer.launch.platform.id, scale.id)
    return redirect(launch_url("admin_scales.index", added=scale.name), 303)


@bp.post("/admin/scales/<int:scale_id>/offered")
def offered(scale_id: int):
    """Stop offering a preset to courses that do not use it, or offer it again."""
    viewer = admin_viewer()
    platform = viewer.launch.platform
    scale = preset_of(platform, scale_id)
    offer = request.form.get("offered") == "yes"
    try:
        set_offered(platform, scale, offer, by=viewer.launch.user)
    except MasteryRejected as error:
        db.session.rollback()
        return _page(viewer, ScaleForm(), refused=error.message), 400
    db.session.commit()
    log.info("registration %s: preset scale %s offered=%s", platform.id, scale.id, offer)
    changed = "offered" if offer else "retired"
    return redirect(launch_url("admin_scales.index", **{changed: scale.name}), 303)


def _page(
    viewer: Viewer,
    form: ScaleForm,
    *,
    added: str | None = None,
    refused: str | None = None,
) -> str:
    platform = viewer.launch.platform
    scales = registration_scales(platform)
    page = render_template(
        "admin/scales.html",
        viewer=viewer,
        offered=[scale for scale in scales if scale.retired_at is None],
        retired=[scale for scale in scales if scale.retired_at is not None],
        using=courses_using_each(platform),
        form=form,
        added=added,
        changed={
            "offered": request.args.get("offered"),
            "retired": request.args.get("retired"),
        },
        refused=refused,
        default_scale_key=DEFAULT_SCALE.key,
    )
    db.session.commit()  # after rendering: the built-in presets, if this is their first use
    return page
