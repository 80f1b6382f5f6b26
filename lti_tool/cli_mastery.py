"""Flask commands for mastery data: importing frameworks and evidence files."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from .errors import LtiToolError
from .extensions import db
from .importers import ImportFailed, parse_any
from .importers.detect import PARSERS
from .importers.marks import parse_mark_table
from .models import Course, Framework, Platform
from .services import course_settings, evidence_import, framework_rules, frameworks

framework_cli = AppGroup(
    "framework", help="Standards frameworks (CASE, Canvas, Moodle, ESCO, CSV)."
)
evidence_cli = AppGroup("evidence", help="Mastery evidence (scores) for a course.")


def _platform(issuer: str | None, client_id: str | None) -> Platform:
    """The registration named by issuer (and client id), or the only one there is."""
    query = select(Platform).order_by(Platform.id)
    if issuer:
        query = query.where(Platform.issuer == issuer)
    if client_id:
        query = query.where(Platform.client_id == client_id)
    found = db.session.scalars(query).all()
    if len(found) == 1:
        return found[0]
    if not found:
        raise click.ClickException(
            f"No platform registered with issuer {issuer!r}"
            + (f" and client id {client_id!r}." if client_id else ".")
            if issuer
            else "No platform is registered: add one with `flask --app lti_tool platform add`."
        )
    raise click.ClickException(
        f"{len(found)} registrations match; name one with --platform ISSUER"
        + (" and --client-id." if issuer else ".")
    )


def _course(platform: Platform, context_id: str) -> Course:
    courses = db.session.scalars(
        select(Course).where(Course.platform_id == platform.id, Course.context_id == context_id)
    ).all()
    if len(courses) != 1:
        problem = "No course" if not courses else f"{len(courses)} courses (several deployments)"
        raise click.ClickException(
            f"{problem} with context id {context_id!r} on {platform.issuer}."
        )
    return courses[0]


def _report(error: LtiToolError | ImportFailed) -> click.ClickException:
    db.session.rollback()
    return click.ClickException(getattr(error, "message", None) or str(error))


@framework_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "format_", type=click.Choice(sorted(PARSERS)), default=None)
@click.option("--platform", "issuer", default=None, help="Issuer of the platform's library.")
@click.option("--client-id", default=None, help="When several registrations share the issuer.")
@click.option("--course", "context_id", default=None, help="Also adopt it in this course.")
@click.option(
    "--use-scale",
    is_flag=True,
    help="With --course: switch the course to the scale the file's ratings make.",
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def framework_import(
    path: Path,
    format_: str | None,
    issuer: str | None,
    client_id: str | None,
    context_id: str | None,
    use_scale: bool,
    as_json: bool,
) -> None:
    """Import a standards framework into a platform's library (all or nothing).

    The file's ratings and calculation methods are kept with the framework; adopting it
    makes its methods the course's overrides, and never changes the course's scale unless
    --use-scale asks (evidence already given keeps its points and scale).
    """
    if use_scale and not context_id:
        raise click.UsageError("--use-scale needs --course.")
    platform = _platform(issuer, client_id)
    course = _course(platform, context_id) if context_id else None
    try:
        draft = parse_any(path.read_bytes(), filename=path.name, format=format_)
        framework = frameworks.save_framework(draft, platform=platform)
        if course is not None:
            frameworks.adopt(course, framework)
            if use_scale:
                course_settings.use_framework_scale(course, framework)
    except (LtiToolError, ImportFailed) as error:
        raise _report(error) from error
    db.session.commit()
    summary = {
        "framework": framework.name,
        "items": draft.item_count,
        "roots": len(draft.roots()),
        "depth": draft.depth(),
    }
    if as_json:
        click.echo(json.dumps(summary))
    else:
        click.echo(
            f"Imported {summary['framework']!r}: {summary['items']} standards, "
            f"{summary['roots']} roots, depth {summary['depth']}"
            + (f"; adopted by {course.display_name}" if course else "")
        )
        for line in _rules_lines(framework, course, use_scale):
            click.echo(line)


def _rules_lines(framework: Framework, course: Course | None, use_scale: bool) -> list[str]:
    """What the file said about rating, and what it did (or did not do) to the course."""
    lines = []
    if framework.method:
        lines.append(f"Calculation method kept: {framework.method} {framework.params or {}}")
    if problem := framework_rules.why_not_a_scale(framework):
        lines.append(f"Ratings kept, but not offered as a course scale: {problem}")
    elif framework.scale_id is not None:
        lines.append(f"Ratings kept as a scale of {len(framework.ratings or [])} levels.")
        if course is not None:
            kept = "now uses it" if use_scale else "keeps its own (use --use-scale to switch)"
            lines.append(f"The course {kept}.")
    return lines


@evidence_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--platform", "issuer", required=True)
@click.option("--client-id", default=None, help="When several registrations share the issuer.")
@click.option("--course", "context_id", required=True)
@click.option("--format", "format_", type=click.Choice(evidence_import.FORMATS), default=None)
@click.option(
    "--marks",
    default="",
    help='The confirmed mark table, e.g. "M=3,NY=1,P+=Advanced,e=excused" (level points or '
    "label). The scale's own labels and points need no entry; any other mark must have one.",
)
@click.option(
    "--date",
    "shown_on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Wide files: the date the marks were shown (YYYY-MM-DD).",
)
@click.option("--assessment", default=None, help="Wide files: the assessment the marks are for.")
@click.option("--preview", is_flag=True, help="Show students, standards and marks; save nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
def evidence_import_command(
    path: Path,
    issuer: str,
    client_id: str | None,
    context_id: str,
    format_: str | None,
    marks: str,
    shown_on: datetime | None,
    assessment: str | None,
    preview: bool,
    as_json: bool,
) -> None:
    """Import an evidence CSV into a course: all or nothing, idempotent.

    Long (our template: student, standard, level, date, assessment, comment) or wide (a
    gradebook export: a student column, then one column per standard), detected unless
    --format says. Re-importing the same file (and date) adds nothing.
    """
    platform = _platform(issuer, client_id)
    course = _course(platform, context_id)
    data = path.read_bytes()
    try:
        levels = [(lv.label, lv.points) for lv in course_settings.settings_for(course).scale.levels]
        table = parse_mark_table(marks, levels)
        if preview:
            _echo_preview(
                evidence_import.preview_import(
                    course, data, filename=path.name, format=format_, marks=table
                ),
                as_json,
            )
            db.session.rollback()
            return
        summary = evidence_import.import_evidence(
            course,
            data,
            filename=path.name,
            actor=None,
            marks=table,
            shown_on=shown_on.date() if shown_on else None,
            assessment=assessment,
            format=format_,
        )
    except (LtiToolError, ImportFailed) as error:
        raise _report(error) from error
    db.session.commit()
    counts = {
        "evidence": summary.evidence,
        "students": summary.students,
        "standards": summary.standards,
    }
    if as_json:
        click.echo(json.dumps(counts))
    else:
        click.echo(
            f"Imported {counts['evidence']} evidence rows for {counts['students']} students "
            f"on {counts['standards']} standards ({summary.skipped} already imported)."
        )


def _echo_preview(found: evidence_import.ImportPreview, as_json: bool) -> None:
    """The preview as one JSON object or as lines for a person."""
    marks = [
        {"mark": m.mark, "count": m.count, "proposed": m.proposed, "reason": m.reason}
        for m in found.marks
    ]
    if as_json:
        click.echo(
            json.dumps(
                {
                    "format": found.format,
                    "students": len(found.students),
                    "standards": len(found.standards),
                    "marks": marks,
                    "problems": [str(problem) for problem in found.problems],
                }
            )
        )
        return
    click.echo(
        f"{found.format} file: {found.marks_given} marks for {len(found.students)} students "
        f"on {len(found.standards)} standards."
    )
    for mark in marks:
        meaning = "not mapped" if mark["proposed"] is None else f"→ {mark['proposed']}"
        click.echo(f"  {mark['mark']!r} ×{mark['count']}: {meaning} {mark['reason']}".rstrip())
    for problem in found.problems:
        click.echo(f"  problem: {problem}")
