"""Cut scores of an LMS column already aligned: changed after a preview of the evidence they
re-map.

The column's results are read from the platform for the preview: the evidence already read
through the old cut scores whose level the new ones change is listed, by student, then what
re-mapping it would do to those students' levels and summary grades. Saving stores
the cut scores (through `lms_columns.set_alignments`, checked against the course's scale) and
queues a sync from the LMS, which re-maps that evidence keeping its dates (the evidence service
supersedes, history kept); later reads use the new cut scores too.
"""

from __future__ import annotations

import logging

from flask import Blueprint, redirect, render_template, request
from flask_babel import gettext as _

from ..errors import MasteryRejected, NotFound
from ..extensions import db
from ..lti.service import ServiceCallFailed
from ..lti.service_token import ServiceError
from ..models import Assessment, Course
from ..services import jobs
from ..services.course_settings import settings_for
from ..services.lms_columns import aligned_columns, set_alignments
from ..services.lms_results import Remap, preview_cut_scores
from ..services.views.alignments import ColumnEditor, column_editor
from ..services.views.cut_scores import remap_rows
from ..services.views.settings import PreviewRow, preview_rows
from ..services.whatif import preview_evidence_change
from .access import Viewer, launch_url, teacher_viewer
from .alignment_form import AlignmentForm, cut_field, read_alignment_form
from .previews import digest

log = logging.getLogger(__name__)
bp = Blueprint("cut_scores", __name__)


@bp.get("/lms-columns/cut-scores")
def edit():
    """The aligned column's cut scores, one row per standard it is aligned to."""
    viewer = teacher_viewer()
    assessment = _aligned(viewer.course, request.args.get("item", ""))
    notice = None
    if request.args.get("saved") == "1":
        notice = _(
            "Cut scores saved. A sync from the LMS is queued: it re-maps the evidence already "
            "read from this column, keeping its dates."
        )
    return _page(viewer, assessment, None, notice=notice)


@bp.post("/lms-columns/cut-scores/preview")
def preview():
    """The evidence the new cut scores would re-map; nothing is saved."""
    viewer = teacher_viewer()
    assessment = _aligned(viewer.course, request.form.get("item", ""))
    return _previewed(viewer, assessment, _read(viewer.course, assessment))


@bp.post("/lms-columns/cut-scores/save")
def save():
    """Store previewed cut scores and queue the sync that re-maps the evidence already read."""
    viewer = teacher_viewer()
    course = viewer.course
    assessment = _aligned(course, request.form.get("item", ""))
    form = _read(course, assessment)
    if not form.is_valid or request.form.get("previewed") != _fingerprint(assessment, form):
        note = _("Check this preview of what you are about to save, then save it.")
        return _previewed(viewer, assessment, form, notice=note, status=409)
    try:
        set_alignments(course, assessment, form.alignments)
    except (MasteryRejected, NotFound) as error:
        db.session.rollback()
        log.info("cut scores of %s not saved: %s", assessment.tag, error.detail)
        form.errors["form"] = error.message
        return _page(viewer, assessment, form), 400
    jobs.enqueue("lms_results", course)
    db.session.commit()
    log.info("cut scores of %s changed by user %s", assessment.tag, viewer.user.id)
    return redirect(launch_url("cut_scores.edit", item=assessment.line_item_url, saved=1), 303)


def _aligned(course: Course, line_item_url: str) -> Assessment:
    """The course's LMS column read through cut scores, aligned to at least one standard."""
    assessment = aligned_columns(course).get(line_item_url)
    if assessment is None or not assessment.alignments:
        raise NotFound(
            _("That LMS column is not aligned to any standard of this course."),
            hint=_("Align it first on the LMS columns page."),
        )
    return assessment


def _editor(course: Course, assessment: Assessment) -> ColumnEditor:
    """The alignment editor's rows for the standards the column is aligned to, and only those."""
    editor = column_editor(course, assessment.title, assessment.alignments)
    return ColumnEditor(editor.title, editor.levels, [r for r in editor.rows if r.is_aligned])


def _read(course: Course, assessment: Assessment) -> AlignmentForm:
    """The typed cut scores; every aligned standard needs its own (none is dropped here)."""
    form = read_alignment_form(
        request.form, _editor(course, assessment), settings_for(course).scale
    )
    aligned = {alignment.standard_id for alignment in assessment.alignments}
    if form.is_valid and set(form.alignments) != aligned:
        form.errors["form"] = _(
            "Give the cut scores of every standard the column is aligned to; to align it to "
            "other standards, use the alignment page."
        )
    return form


def _fingerprint(assessment: Assessment, form: AlignmentForm) -> str:
    current = {a.standard_id: a.cut_scores for a in assessment.alignments}
    return digest(sorted(current.items()), sorted(form.alignments.items()))


def _previewed(
    viewer: Viewer,
    assessment: Assessment,
    form: AlignmentForm,
    *,
    notice: str | None = None,
    status: int = 200,
):
    if not form.is_valid:
        log.info("cut scores of %s refused: %s", assessment.tag, form.errors)
        return _page(viewer, assessment, form), 400
    course = viewer.course
    try:
        remaps = preview_cut_scores(course, assessment, form.alignments)
    except ServiceError as error:
        db.session.rollback()
        unreachable = isinstance(error, ServiceCallFailed)
        log.warning("cut score preview of %s: no LMS results: %s", assessment.tag, error.detail)
        page = _page(viewer, assessment, form, problem=error)
        return page, 502 if unreachable else 200
    is_same = all(form.alignments[a.standard_id] == a.cut_scores for a in assessment.alignments)
    consequences = preview_evidence_change(course, {r.evidence_id: r.after for r in remaps})
    page = _page(
        viewer,
        assessment,
        form,
        remaps=remaps,
        who=preview_rows(course, consequences),
        is_same=is_same,
        previewed=_fingerprint(assessment, form),
        notice=notice,
    )
    return page, status


def _page(
    viewer: Viewer,
    assessment: Assessment,
    form: AlignmentForm | None,
    *,
    remaps: list[Remap] | None = None,
    who: list[PreviewRow] | None = None,
    is_same: bool = False,
    previewed: str | None = None,
    notice: str | None = None,
    problem: ServiceError | None = None,
) -> str:
    course = viewer.course
    editor = _editor(course, assessment)
    page = render_template(
        "cut_scores/edit.html",
        viewer=viewer,
        assessment=assessment,
        editor=editor,
        rows=form.rows if form else editor.rows,
        errors=form.errors if form else {},
        cut_field=cut_field,
        previewed=previewed,
        is_previewed=remaps is not None,
        is_same=is_same,
        moves=remap_rows(course, remaps or []),
        who=who or [],
        notice=notice,
        problem=problem,
    )
    db.session.commit()  # after rendering: the default settings row, if new
    return page
