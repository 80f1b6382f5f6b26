"""Flask commands for the installation's own administrator accounts (the /install console)."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from .errors import LtiToolError
from .extensions import db
from .services import local_admins

admin_cli = AppGroup("admin", help="Accounts of the installation console (/install).")


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@admin_cli.command("create-user")
@click.argument("email")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin's first line.")
def create_user(email: str, password_stdin: bool) -> None:
    """Create an account that signs in to the installation console."""
    password = _password(password_stdin)
    try:
        admin = local_admins.create(email, password)
    except LtiToolError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Created {admin.email}; it signs in at /install/login.")


@admin_cli.command("list-users")
def list_users() -> None:
    """Every account, with its state and last sign-in."""
    admins = local_admins.list_all()
    if not admins:
        click.echo("No accounts. Create one with `flask --app lti_tool admin create-user EMAIL`.")
    for admin in admins:
        state = "active" if admin.is_active else f"disabled {admin.disabled_at:%Y-%m-%d}"
        last = f"{admin.last_login_at:%Y-%m-%d %H:%M} UTC" if admin.last_login_at else "never"
        created = f"{admin.created_at:%Y-%m-%d}"
        click.echo(f"{admin.email}  {state}  created {created}  last sign-in {last}")


@admin_cli.command("disable-user")
@click.argument("email")
def disable_user(email: str) -> None:
    """Disable an account; its open console sessions end."""
    try:
        admin = local_admins.disable(email)
    except LtiToolError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from error
    db.session.commit()
    click.echo(f"Disabled {admin.email}.")
