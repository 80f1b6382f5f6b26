"""Flask commands: keys, platforms, deployments, the worker, and the demo."""

from __future__ import annotations

import json
from typing import TextIO

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlalchemy import select

from .cli_install import admin_cli
from .cli_mastery import evidence_cli, framework_cli
from .errors import LtiToolError
from .extensions import db
from .heap import freeze_loaded
from .lti.context import lti
from .models import Platform, User
from .services import audit, installation, platforms, registration_data, student_data
from .worker import Worker, WorkerReport

keys_cli = AppGroup("keys", help="The tool's signing keys (PEM files in KEY_DIR).")
platform_cli = AppGroup("platform", help="Platform registrations (issuer + client id).")
deployment_cli = AppGroup("deployment", help="Deployments of the tool inside a platform.")
sync_cli = AppGroup("sync", help="Grades to the LMS and jobs, outside the worker loop.")
student_cli = AppGroup("student", help="One student's data: export or erase (FERPA, GDPR).")


@keys_cli.command("generate")
def keys_generate() -> None:
    """Create the first key (does nothing if one exists)."""
    ring = lti().key_ring
    if (key := ring.current()) is not None:
        click.echo(f"A key exists already: {key.kid} (use `keys rotate` for a new one)")
        return
    key = ring.generate()
    installation.record_key_event("keys.generated", key.kid, actor=audit.COMMAND_LINE)
    db.session.commit()
    click.echo(f"Generated {key.kid} in {key.path}")


@keys_cli.command("rotate")
def keys_rotate() -> None:
    """Make a new current key; the previous one stays published until the next rotation."""
    key = installation.rotate_keys(actor=audit.COMMAND_LINE)
    db.session.commit()
    click.echo(f"New current key {key.kid}; the JWKS now publishes it and the previous one.")


@keys_cli.command("list")
def keys_list() -> None:
    keys = lti().key_ring.keys()
    if not keys:
        click.echo("No keys. Run `flask --app lti_tool keys generate`.")
    for index, key in enumerate(keys):
        status = "current" if index == 0 else "previous (published)" if index == 1 else "retired"
        click.echo(f"{key.kid}  {key.created}  {status}")


@platform_cli.command("add")
@click.option("--name", required=True)
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.option("--auth-login-url", required=True, help="The platform's OIDC authorization URL.")
@click.option("--auth-token-url", required=True, help="The platform's OAuth 2 token URL.")
@click.option("--keyset-url", required=True, help="The platform's public JWKS URL.")
@click.option("--auth-audience", default=None, help="Token audience, if not the token URL.")
@click.option("--deployment-id", "deployment_ids", multiple=True)
def platform_add(deployment_ids: tuple[str, ...], **fields: str) -> None:
    """Register a platform by hand."""
    try:
        platform = platforms.add_platform(**fields, deployment_ids=deployment_ids)
    except LtiToolError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Registered platform {platform.id}: {platform.issuer} client {platform.client_id}")


@platform_cli.command("list")
def platform_list() -> None:
    rows = platforms.list_platforms()
    if not rows:
        click.echo("No platforms registered.")
    for platform in rows:
        deployments = ", ".join(d.deployment_id for d in platform.deployments) or "none"
        click.echo(
            f"{platform.id}  {platform.name}  {platform.issuer}  client={platform.client_id}  "
            f"deployments={deployments}  {platform.status}  via {platform.registered_via}"
        )


def _registration(issuer: str, client_id: str) -> Platform:
    platform = platforms.find_platform(issuer, client_id)
    if platform is None:
        raise click.ClickException(f"No platform {issuer} with client id {client_id}.")
    return platform


@platform_cli.command("export")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.option("--out", type=click.File("w"), default="-", help="File to write (default stdout).")
def platform_export(issuer: str, client_id: str, out: TextIO) -> None:
    """Everything one registration holds, as JSON (for a district at contract end)."""
    data = registration_data.export(_registration(issuer, client_id))
    json.dump(data, out, ensure_ascii=False, indent=1)
    out.write("\n")
    db.session.commit()  # the export's audit event
    rows = sum(len(table) for table in data["tables"].values())
    click.echo(f"Exported {rows} rows of {data['registration']['name']}.", err=True)


@platform_cli.command("purge")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.option("--confirm", "typed_name", required=True, help="The registration's name, typed back.")
def platform_purge(issuer: str, client_id: str, typed_name: str) -> None:
    """Delete every row of one registration: courses, people, evidence, grades, standards."""
    platform = _registration(issuer, client_id)
    try:
        deleted = registration_data.purge(platform, typed_name)
    except LtiToolError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message} {error.hint or ''}".strip()) from error
    db.session.commit()
    for table, count in sorted(deleted.items()):
        if count:
            click.echo(f"{table}: {count}")
    click.echo(f"Purged {sum(deleted.values())} rows.")


@deployment_cli.command("add")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.option("--deployment-id", required=True)
def deployment_add(issuer: str, client_id: str, deployment_id: str) -> None:
    """Allow launches from another deployment of a registered platform."""
    platform = _registration(issuer, client_id)
    platforms.add_deployment(platform, deployment_id)
    db.session.commit()
    click.echo(f"Deployment {deployment_id} added to platform {platform.id}.")


@click.command("worker")
@click.option("--batch-size", default=200, show_default=True, help="Grades claimed at once.")
@click.option("--idle-seconds", default=1.0, show_default=True, help="Sleep when nothing is due.")
def worker(batch_size: int, idle_seconds: float) -> None:
    """Send grades and run jobs until SIGTERM (the batch in hand is finished first)."""
    import signal

    app = current_app._get_current_object()  # type: ignore[attr-defined]
    runner = Worker(app, batch_size=batch_size, idle_seconds=idle_seconds)

    def stop(signum: int, _frame: object) -> None:
        click.echo(f"worker {runner.name}: {signal.Signals(signum).name}, finishing the batch")
        runner.stop.set()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    freeze_loaded()  # a recompute's evidence rows then cost no walk over the loaded app
    click.echo(f"worker {runner.name} running (Ctrl+C or SIGTERM stops it)")
    _echo_report(runner.run())


@sync_cli.command("once")
def sync_once() -> None:
    """Send every grade and run every job that is due now, then exit."""
    _echo_report(Worker(current_app._get_current_object()).drain())  # type: ignore[attr-defined]


def _echo_report(report: WorkerReport) -> None:
    grades = report.grades
    click.echo(
        f"grades: {grades.delivered} delivered, {grades.retried} to retry, {grades.dead} failed, "
        f"{grades.paused} waiting for a deleted column; "
        f"jobs: {report.jobs_done} done, {report.jobs_failed} failed"
    )
    for line in grades.errors:
        click.echo(f"  {line}", err=True)


@click.command("demo")
@click.option("--tool-port", default=5000, show_default=True)
@click.option("--platform-port", default=5001, show_default=True)
def demo(tool_port: int, platform_port: int) -> None:
    """Run the tool and the embedded platform together, with a demo course (SQLite)."""
    from .demo import run_demo

    run_demo(current_app._get_current_object(), tool_port, platform_port)  # type: ignore[attr-defined]


def _student(issuer: str, client_id: str, sub: str) -> User:
    platform = _registration(issuer, client_id)
    student = db.session.scalar(
        select(User).where(User.platform_id == platform.id, User.sub == sub)
    )
    if student is None:
        raise click.ClickException(f"No person with LMS user id {sub} in {platform.name}.")
    return student


@student_cli.command("export")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.option("--sub", required=True, help="The student's LMS user id (the launch's `sub`).")
@click.option("--out", type=click.File("w"), default="-", help="File to write (default stdout).")
def student_export(issuer: str, client_id: str, sub: str, out: TextIO) -> None:
    """Everything stored about one student, as JSON."""
    data = student_data.export_student(_student(issuer, client_id, sub))
    db.session.commit()  # the export's audit event
    json.dump(data, out, ensure_ascii=False, indent=1)
    out.write("\n")
    rows = sum(len(table) for table in data["tables"].values())
    click.echo(f"Exported {rows} rows about user {sub}.", err=True)


@student_cli.command("erase")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
@click.option("--sub", required=True, help="The student's LMS user id (the launch's `sub`).")
@click.option("--confirm", "typed_sub", required=True, help="The same id, typed back.")
def student_erase(issuer: str, client_id: str, sub: str, typed_sub: str) -> None:
    """Erase one student's data from the tool (the LMS keeps its own grade history)."""
    student = _student(issuer, client_id, sub)
    try:
        rows = student_data.erase_student(student, typed_sub)
    except LtiToolError as error:
        db.session.rollback()
        raise click.ClickException(f"{error.message} {error.hint or ''}".strip()) from error
    db.session.commit()
    click.echo(f"Erased {rows} rows about user {sub}.")


def init_app(app: Flask) -> None:
    groups = (
        keys_cli,
        platform_cli,
        deployment_cli,
        sync_cli,
        student_cli,
        framework_cli,
        evidence_cli,
        admin_cli,
    )
    for group in groups:
        app.cli.add_command(group)
    app.cli.add_command(worker)
    app.cli.add_command(demo)
