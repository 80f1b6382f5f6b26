"""One student's evidence on one standard: timeline, chart, and the teacher's add/correct forms.

Teachers change evidence here; students and mentors who may see the student read it only.
A refused form shows the page again with what was typed and each problem named: nothing is
saved, the request commits only after the service succeeded.
"""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint, g, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext

from ..errors import MasteryRejected, NotFound
from ..extensions import db
from ..mastery.periods import local_day
from ..models import Evidence, User
from ..models.types import utcnow
from ..services.evidence import correct_evidence, record_evidence
from ..services.views.cell import CellView, build_cell
from .access import Viewer, current_viewer, launch_url, teacher_viewer, visible_student
from .charts import evidence_chart
from .forms import EvidenceForm, blank_form, latest_day, read_evidence_form
from .gradebook import grid_view
from .zones import local_date, request_zone

bp = Blueprint("cells", __name__)

CELL = "/students/<int:student_id>/standards/<int:standard_id>"
SAVED = {
    "added": lazy_gettext("Evidence added."),
    "corrected": lazy_gettext("Correction saved; the old entry is kept."),
    "exempted": lazy_gettext("Exemption saved: what it covers is left out of every calculation."),
    "lifted": lazy_gettext("Exemption lifted: everything it left out counts again."),
}


@bp.get(CELL)
def show(student_id: int, standard_id: int):
    """The drill-down page."""
    viewer = current_viewer()
    student = visible_student(viewer, student_id)
    view = build_cell(viewer.course, student, standard_id)
    page = _page(viewer, view, notice=SAVED.get(request.args.get("saved", "")))
    db.session.commit()  # after rendering (a commit expires the rows the page reads)
    return page


@bp.post(CELL + "/evidence")
def add(student_id: int, standard_id: int):
    """Record a teacher's evidence on this cell."""
    viewer = teacher_viewer()
    student = visible_student(viewer, student_id)
    view = build_cell(viewer.course, student, standard_id)
    ids = {a.id: a for a in view.assessments}
    form = read_evidence_form(request.form, view.scale, ids, utcnow(), request_zone())
    if not form.is_valid:
        return _refused(viewer, student, standard_id, form, None)
    try:
        record_evidence(
            viewer.course,
            student,
            standard_id,
            form.points,  # type: ignore[arg-type]  (checked by the form)
            actor=viewer.user,
            source="teacher",
            demonstrated_at=form.when,  # type: ignore[arg-type]
            assessment=ids.get(form.assessment_id) if form.assessment_id else None,
            comment=form.comment or None,
        )
    except (MasteryRejected, NotFound) as error:
        form.errors["form"] = error.message
        return _refused(viewer, student, standard_id, form, None)
    db.session.commit()
    return saved(student_id, standard_id, "added")


@bp.post(CELL + "/evidence/<int:evidence_id>/correct")
def correct(student_id: int, standard_id: int, evidence_id: int):
    """Supersede one piece of evidence of this cell with a corrected copy."""
    viewer = teacher_viewer()
    student = visible_student(viewer, student_id)
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or (evidence.course_id, evidence.student_id, evidence.standard_id) != (
        viewer.course.id,
        student.id,
        standard_id,
    ):
        raise NotFound(_("That evidence is not part of this student's record on this standard."))
    view = build_cell(viewer.course, student, standard_id)
    form = read_evidence_form(request.form, view.scale, (), utcnow(), request_zone())
    if not form.is_valid:
        return _refused(viewer, student, standard_id, form, evidence_id)
    same_day = form.date == local_date(evidence.demonstrated_at)
    try:
        correct_evidence(
            evidence,
            actor=viewer.user,
            points=form.points,  # type: ignore[arg-type]
            comment=form.comment,
            demonstrated_at=None if same_day else form.when,
        )
    except MasteryRejected as error:
        form.errors["form"] = error.message
        return _refused(viewer, student, standard_id, form, evidence_id)
    db.session.commit()
    return saved(student_id, standard_id, "corrected")


def saved(student_id: int, standard_id: int, what: str):
    """Post/redirect/get, keeping the launch token (and the gradebook view to go back to)."""
    url = launch_url(
        "cells.show",
        student_id=student_id,
        standard_id=standard_id,
        saved=what,
        grid=_grid_view() or None,
    )
    return redirect(url, code=303)


def _grid_view() -> str:
    """The gradebook view this cell page was opened from (its `grid` argument, checked)."""
    return urlencode(grid_view(request.values.get("grid", "")))


def _refused(viewer: Viewer, student: User, standard_id: int, form: EvidenceForm, target):
    """The page again with the problems named; whatever the attempt flushed is rolled back."""
    db.session.rollback()
    view = build_cell(viewer.course, student, standard_id)
    return _page(viewer, view, form=form, target=target), 400


def refused(viewer: Viewer, student: User, standard_id: int, *, exempt_error: str):
    """The page again with an exemption form's problem named; nothing is saved."""
    db.session.rollback()
    view = build_cell(viewer.course, student, standard_id)
    return _page(viewer, view, exempt_error=exempt_error), 400


def _page(
    viewer: Viewer,
    view: CellView,
    *,
    form: EvidenceForm | None = None,
    target: int | None = None,
    notice: str | None = None,
    exempt_error: str | None = None,
) -> str:
    now = utcnow()
    today = local_day(now, request_zone())
    g.grid_view = _grid_view()  # every form of the page carries it (access.launch_field)
    return render_template(
        "cells/show.html",
        viewer=viewer,
        view=view,
        chart=evidence_chart(view.items, view.scale),
        add_form=form if form is not None and target is None else blank_form(today),
        failed_form=form if target is not None else None,
        target=target,
        max_day=latest_day(now, request_zone()).isoformat(),
        notice=notice,
        exempt_error=exempt_error,
        back=_back_link(viewer, view),
    )


def _back_link(viewer: Viewer, view: CellView) -> tuple[str, str]:
    if viewer.is_teacher:
        # The view the teacher came from, at this cell (static/gradebook.js focuses it).
        grid = launch_url("gradebook.index", **grid_view(g.grid_view))
        return f"{grid}#cell-{view.student.id}-{view.standard.id}", _("Back to the gradebook")
    if viewer.user.id == view.student.id:
        text = _("Back to your profile")
    else:
        text = _("Back to %(name)s", name=view.student.display_name)
    return launch_url("profile.show", student_id=view.student.id), text
