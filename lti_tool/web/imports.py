"""The teacher's evidence import: upload a file, confirm the mark table, save all or nothing.

Stateless between steps (no cookie, no server-side upload store): the preview page carries
the file back in a hidden field, with the launch token, so the save sees exactly what the
teacher previewed. Nothing is written before "Save"; a refused save shows the preview again
with every problem named.
"""

from __future__ import annotations

import base64
import logging
from datetime import date

from flask import Blueprint, make_response, redirect, render_template, request
from flask_babel import gettext as _

from ..errors import ImportRejected
from ..extensions import db
from ..importers.evidence_csv import TEMPLATE_LONG
from ..importers.marks import EXCUSED, Mapped, MarkProposal, level_meaning
from ..importers.ourcsv import TEMPLATE_CSV as STANDARDS_TEMPLATE
from ..models.types import utcnow
from ..services import evidence_import
from ..services.course_settings import settings_for
from ..services.evidence_import import import_evidence, preview_import, readable_size
from ..translatable import N_
from .access import Viewer, launch_url, teacher_viewer
from .forms import EARLIEST, carried_file, latest_day, limit_upload, uploaded_file
from .zones import request_zone, today

bp = Blueprint("imports", __name__)
log = logging.getLogger(__name__)


@bp.get("/evidence/import")
def upload():
    """The upload form."""
    viewer = teacher_viewer()
    saved = request.args.get("saved", type=int)
    skipped = request.args.get("skipped", type=int)
    notice = None
    if saved is not None:
        if skipped:
            notice = _(
                "Saved %(saved)s pieces of evidence; %(skipped)s were already imported.",
                saved=saved,
                skipped=skipped,
            )
        else:
            notice = _("Saved %(saved)s pieces of evidence.", saved=saved)
    page = _upload_page(viewer, notice=notice)
    db.session.commit()
    return page


@bp.get("/evidence/import/template.csv")
def template():
    """Our one-row-per-attempt template, to fill in and import."""
    return _csv_template(TEMPLATE_LONG, "evidence-template.csv")


@bp.get("/standards/template.csv")
def standards_template():
    """Our standards CSV template (code, title, statement, i_can, parent_code, priority)."""
    return _csv_template(STANDARDS_TEMPLATE, "standards-template.csv")


def _csv_template(text: str, filename: str):
    """A template file for the course's teachers to download."""
    teacher_viewer()
    response = make_response(text)
    response.mimetype = "text/csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@bp.post("/evidence/import/preview")
def preview():
    """Read the uploaded file and show what it holds; nothing is saved."""
    _limit_request(len_factor=1)
    viewer = teacher_viewer()
    found = uploaded_file(evidence_import.MAX_UPLOAD_BYTES)
    if found is None:
        return _upload_page(viewer, error=_("Choose a CSV file to import.")), 400
    data, filename = found
    if len(data) > evidence_import.MAX_UPLOAD_BYTES:
        return _too_large(viewer)
    return _preview_page(viewer, data, filename, _form_day(), None)


@bp.post("/evidence/import/save")
def save():
    """Save the previewed file with the confirmed mark table, or show every problem."""
    _limit_request(len_factor=2)  # the file comes back base64-encoded
    viewer = teacher_viewer()
    data, filename = carried_file()
    if data is None:
        return _upload_page(viewer, error=_("The preview was damaged: upload the file again.")), 400
    marks, unanswered = _confirmed_marks(viewer)
    day = _form_day()
    is_wide = request.form.get("format") == "wide"
    if unanswered or (is_wide and not isinstance(day, date)):
        return _preview_page(viewer, data, filename, day, marks, unanswered=unanswered)
    try:
        summary = import_evidence(
            viewer.course,
            data,
            filename=filename,
            actor=viewer.user,
            marks=marks,
            shown_on=day if isinstance(day, date) else None,
            assessment=request.form.get("assessment", "").strip()[:200] or None,
        )
    except ImportRejected as error:
        db.session.rollback()
        log.info("evidence import refused: %s", error.detail)
        return _preview_page(viewer, data, filename, day, marks, refused=error.problems)
    db.session.commit()
    url = launch_url("imports.upload", saved=summary.evidence, skipped=summary.skipped)
    return redirect(url, 303)


def _limit_request(len_factor: int) -> None:
    limit_upload(evidence_import.MAX_UPLOAD_BYTES, len_factor, _size_message())


def _size_message() -> str:
    """Made before the launch is read (the page's language is not known yet): shown translated."""
    return N_(
        "The file is larger than %(size)s, the most one import takes. "
        "Split it (for example by class period) and import each part.",
        size=readable_size(evidence_import.MAX_UPLOAD_BYTES),
    )


def _too_large(viewer: Viewer):
    return _upload_page(viewer, error=_size_message()), 413


def _form_day() -> date | str:
    """The date the marks were shown, or the text typed when it is not a valid date."""
    typed = request.form.get("date", "").strip()
    try:
        day = date.fromisoformat(typed)
    except ValueError:
        return typed
    return day if EARLIEST <= day <= latest_day(utcnow(), request_zone()) else typed


def _confirmed_marks(viewer: Viewer) -> tuple[dict[str, Mapped], list[str]]:
    """The teacher's answers for each mark (`mark-<n>` with `mark-<n>-text`), and the unanswered."""
    levels = _levels(viewer)
    marks: dict[str, Mapped] = {}
    unanswered = []
    for key in request.form:
        if not key.startswith("mark-") or key.endswith("-text"):
            continue
        text = request.form.get(f"{key}-text", "")
        meaning = level_meaning(request.form.get(key, ""), levels)
        if meaning is None:
            unanswered.append(text)
        else:
            marks[text] = meaning
    return marks, unanswered


def _levels(viewer: Viewer) -> list[tuple[str, float]]:
    return [(level.label, level.points) for level in settings_for(viewer.course).scale.levels]


def _preview_page(
    viewer: Viewer,
    data: bytes,
    filename: str | None,
    day: date | str,
    marks: dict[str, Mapped] | None,
    *,
    unanswered: list[str] | None = None,
    refused: list[object] | None = None,
):
    found = preview_import(viewer.course, data, filename=filename, marks=marks)
    errors = {}
    if found.format == "wide" and not isinstance(day, date):
        errors["date"] = _("Enter the date the marks were shown, as YYYY-MM-DD, not in the future.")
    if unanswered:
        errors["marks"] = _(
            "Choose a level for every mark: %(marks)s",
            marks=", ".join(f"'{m}'" for m in unanswered),
        )
    page = render_template(
        "imports/preview.html",
        viewer=viewer,
        found=found,
        rows=_mark_rows(found.marks, marks),
        levels=list(reversed(settings_for(viewer.course).scale.levels)),
        excused=EXCUSED,
        content=base64.b64encode(data).decode("ascii"),
        filename=filename or "",
        day=day.isoformat() if isinstance(day, date) else (day or today().isoformat()),
        max_day=latest_day(utcnow(), request_zone()).isoformat(),
        assessment=request.form.get("assessment", ""),
        errors={k: v for k, v in errors.items() if v},
        refused=refused or [],
    )
    db.session.commit()
    status = 400 if (refused or errors or found.problems) else 200
    return page, status


def _mark_rows(proposals: tuple[MarkProposal, ...], marks: dict[str, Mapped] | None) -> list:
    """(proposal, selected value) per mark: the teacher's last answer, else the proposal."""
    rows = []
    for proposal in proposals:
        chosen = (marks or {}).get(proposal.mark, proposal.proposed)
        if chosen is None:
            value = ""
        elif chosen == EXCUSED:
            value = EXCUSED
        else:
            value = f"{chosen:g}"
        rows.append((proposal, value))
    return rows


def _upload_page(viewer: Viewer, *, error: str | None = None, notice: str | None = None) -> str:
    return render_template(
        "imports/upload.html",
        viewer=viewer,
        error=error,
        notice=notice,
        limit=readable_size(evidence_import.MAX_UPLOAD_BYTES),
        today=today().isoformat(),
    )
