"""A new term's course brings the setup of an earlier one: "bring the setup from <course>"."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import ngettext

from ..extensions import db
from ..services import course_copy
from .access import Viewer, teacher_viewer

bp = Blueprint("course_copy", __name__)


def offers(viewer: Viewer) -> list[course_copy.Candidate]:
    """The courses this teacher may bring the setup from (copy history first)."""
    return course_copy.candidates(viewer.course, viewer.user, _history(viewer))


@bp.get("/course/copy")
def choose():
    """The earlier courses, each with what bringing its setup would add."""
    viewer = teacher_viewer()
    page = render_template("course/copy.html", viewer=viewer, offers=offers(viewer))
    db.session.commit()
    return page


@bp.post("/course/copy")
def bring():
    """Bring the chosen course's setup here, in one transaction; evidence never comes."""
    viewer = teacher_viewer()
    source = course_copy.source_for(
        viewer.course, viewer.user, request.form.get("source", type=int) or 0, _history(viewer)
    )
    report = course_copy.bring_setup(source, viewer.course)
    db.session.commit()
    notice = _(
        "The setup of %(source)s is here: %(standards)s, %(assessments)s, the scale “%(scale)s” "
        "and its settings. No evidence was copied.",
        source=source.display_name,
        standards=ngettext("%(num)d standard", "%(num)d standards", report.standards),
        assessments=ngettext("%(num)d assessment", "%(num)d assessments", report.assessments),
        scale=report.scale,
    )
    return render_template("course/copied.html", viewer=viewer, notice=notice, source=source)


def _history(viewer: Viewer) -> list[str]:
    return course_copy.history_ids(viewer.launch.claims)
