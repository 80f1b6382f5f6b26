"""The override editor: a standard or a whole branch gets its own calculation, or loses it.

Every change is previewed with the what-if ("3 students' levels change; 2 summary grades
change") and saved only with that preview's fingerprint, as on the settings page. Saving goes
through `services.overrides` (which queues the recompute); the page lists the course's
overrides, the standards each decides, and the standards whose parents' overrides conflict.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from flask import Blueprint, redirect, render_template, request
from flask_babel import gettext as _

from ..errors import MasteryRejected, NotFound
from ..extensions import db
from ..mastery import METHODS, Calculation
from ..mastery.calculation import MAX_MIN_EVIDENCE
from ..models import Course
from ..services.course_settings import settings_for
from ..services.frameworks import CourseTree, course_tree
from ..services.overrides import clear_override, node_overrides, set_override
from ..services.rejections import reported
from ..services.views.overrides import overrides_view
from ..services.whatif import SettingsPreview, preview_settings_change
from .access import Viewer, launch_url, teacher_viewer
from .previews import digest, preview_context, stored_settings
from .settings_form import SettingsForm, _choice, _number, _params, param_field

log = logging.getLogger(__name__)
bp = Blueprint("overrides", __name__)

SET, CLEAR = "set", "clear"


@dataclass
class OverrideForm(SettingsForm):
    """The node, what to do with it, and (to set) the checked calculation."""

    node: int | None = None
    action: str = SET
    calculation: Calculation | None = None

    def proposal(self) -> dict[int, Calculation | None]:
        assert self.node is not None
        return {self.node: self.calculation if self.action == SET else None}


@bp.get("/settings/overrides")
def index():
    """The course's overrides, their conflicts, and the form to set one."""
    viewer = teacher_viewer()
    form = OverrideForm(values={"method": "highest", "min_evidence": "1"})
    notice = _("Override saved.") if request.args.get("saved") == "1" else None
    return _page(viewer, form, notice=notice)


@bp.post("/settings/overrides/preview")
def preview():
    """What setting or removing the override would change, before anything is saved."""
    viewer = teacher_viewer()
    tree = course_tree(viewer.course)
    return _previewed(viewer, read_override_form(request.form, viewer.course, tree), tree)


@bp.post("/settings/overrides/save")
def save():
    """Save a previewed override change; the worker recomputes the levels and grades."""
    viewer = teacher_viewer()
    course = viewer.course
    tree = course_tree(course)
    form = read_override_form(request.form, course, tree)
    if not form.is_valid or request.form.get("previewed") != _fingerprint(course, form):
        note = _("Check this preview of what you are about to save, then save it.")
        return _previewed(viewer, form, tree, notice=note, status=409)
    try:
        if form.action == SET and form.calculation is not None:
            calculation = form.calculation
            set_override(
                course,
                form.node,  # type: ignore[arg-type]  (checked)
                calculation.method,
                dict(calculation.params),
                calculation.min_evidence,
            )
        else:
            clear_override(course, form.node)  # type: ignore[arg-type]  (checked)
    except (MasteryRejected, NotFound) as error:
        db.session.rollback()
        log.info("override not saved: %s", error.detail)
        form.errors["form"] = error.message
        return _page(viewer, form, tree=tree), 400
    db.session.commit()
    log.info(
        "course %s: override %s on standard %s by user %s",
        course.id,
        form.action,
        form.node,
        viewer.user.id,
    )
    return redirect(launch_url("overrides.index", saved=1), 303)


def read_override_form(values: Mapping[str, str], course: Course, tree: CourseTree) -> OverrideForm:
    """The node (an adopted standard or branch), the action, and the calculation to set."""
    form = OverrideForm(values={k: v.strip() for k, v in values.items() if isinstance(v, str)})
    node_text = form.value("node")
    node = int(node_text) if node_text.isdigit() else None
    if node is None or node not in tree.standards:
        form.errors["node"] = _("Choose one of the course's standards or branches.")
    else:
        form.node = node
    form.action = CLEAR if form.value("action") == CLEAR else SET
    if form.action == CLEAR:
        if form.node is not None and form.node not in node_overrides(course):
            form.errors["node"] = _("That standard has no override of its own to remove.")
        return form
    method = _choice(form, "method", METHODS, _("Choose one of the calculation methods."))
    params = _params(form, method) if method else {}
    min_evidence = _number(
        form,
        "min_evidence",
        1,
        MAX_MIN_EVIDENCE,
        is_integer=True,
        what=_("Minimum evidence"),
    )
    if form.is_valid:
        try:
            with reported():
                form.calculation = Calculation(method, params, int(min_evidence or 1))
        except MasteryRejected as error:
            form.errors["method"] = error.message
    return form


def _fingerprint(course: Course, form: OverrideForm) -> str:
    """The stored settings and overrides, and the proposal: saving needs the preview's."""
    row = settings_for(course)
    stored = {
        node: [calculation.method, dict(calculation.params), calculation.min_evidence]
        for node, calculation in node_overrides(course).items()
    }
    calculation = form.calculation
    proposed = [
        form.node,
        form.action,
        calculation and [calculation.method, dict(calculation.params), calculation.min_evidence],
    ]
    return digest(sorted(stored.items()), stored_settings(row), proposed)


def _previewed(
    viewer: Viewer,
    form: OverrideForm,
    tree: CourseTree,
    *,
    notice: str | None = None,
    status: int = 200,
):
    if not form.is_valid:
        log.info("override refused: %s", "; ".join(f"{k}: {v}" for k, v in form.errors.items()))
        return _page(viewer, form, tree=tree), 400
    course = viewer.course
    try:
        found = preview_settings_change(course, overrides=form.proposal())
    except (MasteryRejected, NotFound) as error:
        db.session.rollback()
        log.info("override refused by the domain: %s", error.detail)
        form.errors["form"] = error.message
        return _page(viewer, form, tree=tree), 400
    is_same = form.action == SET and node_overrides(course).get(form.node) == form.calculation  # type: ignore[arg-type]
    page = _page(
        viewer,
        form,
        tree=tree,
        preview=found,
        is_same=is_same,
        previewed=_fingerprint(course, form),
        notice=notice,
    )
    return page, status


def _page(
    viewer: Viewer,
    form: OverrideForm,
    *,
    tree: CourseTree | None = None,
    preview: SettingsPreview | None = None,
    is_same: bool = False,
    previewed: str | None = None,
    notice: str | None = None,
) -> str:
    course = viewer.course
    tree = tree or course_tree(course)
    page = render_template(
        "overrides/index.html",
        viewer=viewer,
        form=form,
        view=overrides_view(course, tree),
        target=tree.standards.get(form.node) if form.node else None,
        methods=list(METHODS.values()),
        param_field=param_field,
        previewed=previewed,
        notice=notice,
        **preview_context(course, preview, is_same=is_same),
    )
    db.session.commit()  # after rendering: the default settings row, if new
    return page
