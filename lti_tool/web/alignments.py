"""LMS columns as evidence, as the teacher sets them up: align each column to standards.

The columns are read from the platform (AGS line items) on every page, so a platform that is
unreachable, or a course without grade services, gets a page saying so (and a logged reason)
instead of an error. A refused form shows the table again with each problem next to its
field; nothing is saved.
"""

from __future__ import annotations

import logging

from flask import Blueprint, redirect, render_template, request
from flask_babel import lazy_gettext

from ..errors import MasteryRejected, NotFound
from ..extensions import db
from ..lti.service import ServiceCallFailed
from ..lti.service_token import ServiceError
from ..services.course_settings import settings_for
from ..services.lms_columns import align_line_item, remove_alignment
from ..services.views.alignments import alignment_editor, column_views, find_column
from .access import Viewer, launch_url, teacher_viewer
from .alignment_form import AlignmentForm, cut_field, read_alignment_form

log = logging.getLogger(__name__)

bp = Blueprint("alignments", __name__)

NOTICES = {
    "saved": lazy_gettext(
        "Alignment saved. Press “Sync from LMS” to read the column's grades as evidence."
    ),
    "removed": lazy_gettext("The column is no longer aligned; the evidence it gave is kept."),
}


@bp.get("/lms-columns")
def index():
    """The course's LMS columns, each with the standards it is aligned to."""
    viewer = teacher_viewer()
    try:
        columns = column_views(viewer.course)
    except ServiceError as error:
        return _unavailable(viewer, error)
    page = render_template(
        "alignments/index.html",
        viewer=viewer,
        columns=columns,
        notice=NOTICES.get(request.args.get("done", "")),
    )
    db.session.commit()
    return page


@bp.get("/lms-columns/align")
def edit():
    """One column's alignment table, prefilled from its alignment or the course's scale."""
    viewer = teacher_viewer()
    try:
        item = find_column(viewer.course, request.args.get("item", ""))
    except ServiceError as error:
        return _unavailable(viewer, error)
    page = _editor_page(viewer, alignment_editor(viewer.course, item), None)
    db.session.commit()
    return page


@bp.post("/lms-columns/align")
def save():
    """Align the column to the ticked standards with their cut scores, all or nothing."""
    viewer = teacher_viewer()
    course = viewer.course
    try:
        item = find_column(course, request.form.get("item", ""))
    except ServiceError as error:
        return _unavailable(viewer, error)
    editor = alignment_editor(course, item)
    form = read_alignment_form(request.form, editor, settings_for(course).scale)
    if form.is_valid:
        try:
            align_line_item(course, item, form.alignments, actor=viewer.user)
        except (MasteryRejected, NotFound) as error:
            form.errors["form"] = error.message
    if not form.is_valid:
        db.session.rollback()
        log.info("alignment of %s refused: %s", item.id, form.errors)
        return _editor_page(viewer, alignment_editor(course, item), form), 400
    db.session.commit()
    return redirect(launch_url("alignments.index", done="saved"), 303)


@bp.post("/lms-columns/remove")
def remove():
    """Align the column to no standard (no call to the platform)."""
    viewer = teacher_viewer()
    remove_alignment(viewer.course, request.form.get("item", ""), actor=viewer.user)
    db.session.commit()
    return redirect(launch_url("alignments.index", done="removed"), 303)


def _editor_page(viewer: Viewer, editor, form: AlignmentForm | None) -> str:
    return render_template(
        "alignments/edit.html",
        viewer=viewer,
        editor=editor,
        rows=form.rows if form else editor.rows,
        errors=form.errors if form else {},
        cut_field=cut_field,
    )


def _unavailable(viewer: Viewer, error: ServiceError):
    """The page saying why the columns cannot be read; the log has the technical reason."""
    db.session.rollback()
    unreachable = isinstance(error, ServiceCallFailed)
    log.warning(
        "LMS columns of course %s unavailable (%s): %s",
        viewer.course.id,
        "platform failed" if unreachable else "no grade services",
        error.detail,
    )
    page = render_template(
        "alignments/index.html", viewer=viewer, columns=None, problem=error, unreachable=unreachable
    )
    return page, 502 if unreachable else 200
