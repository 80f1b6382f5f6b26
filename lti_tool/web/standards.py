"""The course's standards and the library they come from: import a framework (CASE JSON,
Canvas or Moodle CSV, ESCO, our CSV) with a preview, adopt whole frameworks or branches, edit
"I can" statements and priority.

Importing is stateless between steps, as the evidence import is: the preview page carries the
file back in a hidden field, so "Save" stores exactly what was previewed. A teacher's import
belongs to the course; a platform administrator may put it in the platform's library instead.
"""

from __future__ import annotations

import base64
import logging

from flask import Blueprint, redirect, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext

from ..errors import ImportRejected, LtiToolError, NotFound
from ..extensions import db
from ..importers import ImportFailed
from ..importers.detect import parse_any
from ..mastery.framework import FrameworkDraft
from ..models import Course
from ..services import frameworks, jobs
from ..services.evidence_import import readable_size
from ..services.frameworks import CourseTree, course_tree
from ..services.views.standards import (
    draft_outline,
    framework_nodes,
    library,
    visible_framework,
)
from ..translatable import N_
from .access import Viewer, launch_url, library_viewer, teacher_viewer
from .forms import carried_file, limit_upload, uploaded_file

bp = Blueprint("standards", __name__)
log = logging.getLogger(__name__)

MAX_FRAMEWORK_BYTES = 4 * 1024 * 1024
I_CAN_LIMIT = 1000


@bp.get("/standards")
def index():
    """The course's adopted standards, the library, and the import form."""
    viewer = library_viewer()
    return _index_page(viewer, notice=_notice())


def _course(viewer: Viewer) -> Course | None:
    """The course a teacher adopts into; None for an administrator managing the library."""
    return viewer.course if viewer.is_teacher else None


def _notice() -> str | None:
    adopted = request.args.get("adopted", type=int)
    if adopted is not None:
        return ngettext("%(num)d standard adopted.", "%(num)d standards adopted.", adopted)
    if request.args.get("saved") == "1":
        return _("Saved.")
    return None


def _index_page(viewer: Viewer, *, notice: str | None = None, error: str | None = None):
    course = _course(viewer)
    tree = course_tree(course) if course else None
    order = tree.preorder() if tree else []
    page = render_template(
        "standards/index.html",
        viewer=viewer,
        tree=tree,
        order=order,
        depth=_depths(tree, order) if tree else {},
        entries=library(viewer.launch.platform_id, course),
        notice=notice,
        error=error,
        limit=readable_size(MAX_FRAMEWORK_BYTES),
    )
    db.session.commit()
    return page, 400 if error else 200


def _depths(tree: CourseTree, order: list[int]) -> dict[int, int]:
    """Each adopted standard's depth under its first adopted parent (roots 0)."""
    depth: dict[int, int] = {}
    for node in order:
        for child in tree.children.get(node, []):
            depth.setdefault(child, depth.get(node, 0) + 1)
    return depth


def _size_message() -> str:
    """Made before the launch is read (the page's language is not known yet): shown translated."""
    return N_(
        "The file is larger than %(size)s. Import the framework from the command line "
        "(flask framework import), or split it by subject.",
        size=readable_size(MAX_FRAMEWORK_BYTES),
    )


@bp.post("/standards/import/preview")
def preview():
    """Parse the file and show its tree and every problem; nothing is saved."""
    limit_upload(MAX_FRAMEWORK_BYTES, 1, _size_message())
    viewer = library_viewer()
    found = uploaded_file(MAX_FRAMEWORK_BYTES)
    if found is None:
        return _index_page(viewer, error=_("Choose a standards file to import."))
    data, filename = found
    if len(data) > MAX_FRAMEWORK_BYTES:
        return _index_page(viewer, error=_size_message())
    return _preview_page(viewer, data, filename)


@bp.post("/standards/import/save")
def save():
    """Store the previewed framework (all or nothing), and adopt it if asked."""
    limit_upload(MAX_FRAMEWORK_BYTES, 2, _size_message())
    viewer = library_viewer()
    course = _course(viewer)
    data, filename = carried_file()
    if data is None:
        return _index_page(viewer, error=_("The preview was damaged: choose the file again."))
    # Only administrators add to the platform's library; a teacher's import is the course's.
    to_library = viewer.is_platform_admin and (
        course is None or request.form.get("where") == "library"
    )
    adopt_all = course is not None and request.form.get("adopt") == "all"
    try:
        draft = parse_any(data, filename=filename)
        framework = frameworks.save_framework(
            draft,
            platform=viewer.launch.platform,
            course=None if to_library else course,
            adopt_all=adopt_all,
        )
        adopted = 0
        if adopt_all and course is not None:
            adopted = frameworks.adopt(course, framework) if to_library else draft.item_count
    except (ImportFailed, ImportRejected, LtiToolError) as error:
        db.session.rollback()
        log.info("framework import refused: %s", error)
        return _preview_page(viewer, data, filename)
    db.session.commit()
    log.info(
        "framework %s imported by user %s (%d standards, %s; %d adopted)",
        framework.id,
        viewer.user.id,
        draft.item_count,
        "library" if to_library else f"course {course.id if course else '-'}",
        adopted,
    )
    if adopted:
        return redirect(launch_url("standards.index", adopted=adopted), 303)
    return redirect(launch_url("standards.framework", framework_id=framework.id), 303)


def _preview_page(viewer: Viewer, data: bytes, filename: str | None):
    problems: list[object] = []
    draft: FrameworkDraft | None = None
    try:
        draft = parse_any(data, filename=filename)
        problems = list(draft.validate())
    except ImportFailed as error:
        problems = list(error.problems)
    page = render_template(
        "standards/preview.html",
        viewer=viewer,
        draft=draft,
        outline=draft_outline(draft) if draft else [],
        problems=problems,
        content=base64.b64encode(data).decode("ascii"),
        filename=filename or "",
    )
    db.session.commit()
    return page, 400 if problems else 200


@bp.get("/standards/frameworks/<int:framework_id>")
def framework(framework_id: int):
    """The framework's tree: adopt it whole, or the branches ticked."""
    viewer = library_viewer()
    course = _course(viewer)
    found = visible_framework(viewer.launch.platform_id, course, framework_id)
    page = render_template(
        "standards/framework.html",
        viewer=viewer,
        framework=found,
        nodes=framework_nodes(course, found),
        may_adopt=course is not None,
    )
    db.session.commit()
    return page


@bp.post("/standards/frameworks/<int:framework_id>/adopt")
def adopt(framework_id: int):
    """Adopt the ticked standards with everything under them (or the whole framework)."""
    viewer = teacher_viewer()
    found = visible_framework(viewer.launch.platform_id, viewer.course, framework_id)
    if request.form.get("all") == "1":
        added = frameworks.adopt(viewer.course, found)
    else:
        chosen = {int(v) for v in request.form.getlist("standard") if v.isdigit()}
        if not chosen:
            raise LtiToolError(
                _("Tick the standards or branches to adopt."),
                hint=_("A ticked branch brings every standard under it."),
            )
        in_framework = {node.standard.id for node in framework_nodes(viewer.course, found)}
        if not chosen <= in_framework:
            raise LtiToolError(_("Those standards are not in this framework."))
        added = frameworks.adopt(viewer.course, chosen)
    db.session.commit()
    log.info("course %s adopted %d standards of framework %s", viewer.course.id, added, found.id)
    return redirect(launch_url("standards.index", adopted=added), 303)


@bp.get("/standards/<int:standard_id>/edit")
def edit(standard_id: int):
    """The "I can" statement and priority of one adopted standard."""
    viewer = teacher_viewer()
    return _edit_page(viewer, standard_id)


def _edit_page(viewer: Viewer, standard_id: int, *, error: str | None = None, typed=None):
    tree = course_tree(viewer.course)
    standard = tree.standards.get(standard_id)
    if standard is None:
        raise NotFound(_("This course has not adopted that standard."))
    page = render_template(
        "standards/edit.html",
        viewer=viewer,
        standard=standard,
        is_priority=standard_id in tree.priority,
        i_can=standard.i_can or "" if typed is None else typed,
        error=error,
        limit=I_CAN_LIMIT,
    )
    db.session.commit()
    return page, 400 if error else 200


@bp.post("/standards/<int:standard_id>/edit")
def update(standard_id: int):
    """Save the statement and priority; a priority change recomputes grades in the worker."""
    viewer = teacher_viewer()
    typed = request.form.get("i_can", "")
    if len(typed) > I_CAN_LIMIT:
        return _edit_page(
            viewer,
            standard_id,
            error=_(
                "Keep the statement under %(limit)s characters (%(typed)s now).",
                limit=I_CAN_LIMIT,
                typed=len(typed),
            ),
            typed=typed,
        )
    tree = course_tree(viewer.course)
    was_priority = standard_id in tree.priority
    frameworks.edit_i_can(viewer.course, standard_id, typed)
    is_priority = request.form.get("priority") == "1"
    if is_priority != was_priority:
        frameworks.set_priority(viewer.course, [standard_id], is_priority)
        jobs.enqueue("recompute", viewer.course)
    db.session.commit()
    return redirect(launch_url("standards.index", saved=1), 303)
