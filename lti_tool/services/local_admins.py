"""The installation's own administrator accounts: create, list, disable, and sign in.

Passwords are hashed with werkzeug's scrypt and never stored, logged or audited. Signing in
with an unknown email costs the same hash check as a wrong password, and both get the same
answer, so the console does not tell which emails have accounts.
"""

from __future__ import annotations

import logging
import re

from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import LtiToolError
from ..extensions import db
from ..models import LocalAdmin
from ..models.types import utcnow
from . import audit

log = logging.getLogger(__name__)

HASH_METHOD = "scrypt"
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 1024
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Checked against when the email is unknown, so that answer takes as long as a wrong password.
_UNKNOWN = generate_password_hash("not a password of anyone", method=HASH_METHOD)


class AccountRefused(LtiToolError):
    title = "The account could not be saved"


def normal_email(email: str) -> str:
    return email.strip().lower()


def find(email: str) -> LocalAdmin | None:
    return db.session.scalar(select(LocalAdmin).where(LocalAdmin.email == normal_email(email)))


def actor(admin: LocalAdmin) -> str:
    """How the audit log names what an account did in the console."""
    return f"installation console (local admin {admin.id})"


def create(email: str, password: str, *, by: str = audit.COMMAND_LINE) -> LocalAdmin:
    """A new active account, audited; a taken or malformed email or a short password refused."""
    email = normal_email(email)
    if len(email) > 320 or not EMAIL.match(email):
        raise AccountRefused(f"{email!r} is not an email address.")
    if find(email) is not None:
        raise AccountRefused(f"An account for {email} exists already.")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountRefused(f"Use a password of at least {MIN_PASSWORD_LENGTH} characters.")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise AccountRefused(f"Use a password of at most {MAX_PASSWORD_LENGTH} characters.")
    admin = LocalAdmin(email=email, password_hash=generate_password_hash(password, HASH_METHOD))
    db.session.add(admin)
    db.session.flush()
    audit.record("local_admin.created", actor=by, target=f"local admin {admin.id}")
    return admin


def list_all() -> list[LocalAdmin]:
    return list(db.session.scalars(select(LocalAdmin).order_by(func.lower(LocalAdmin.email))))


def disable(email: str, *, by: str = audit.COMMAND_LINE) -> LocalAdmin:
    """Disable an account (its open console sessions end with it), audited."""
    admin = find(email)
    if admin is None:
        raise AccountRefused(f"No account for {normal_email(email)}.")
    if admin.is_active:
        admin.disabled_at = utcnow()
        admin.session_version += 1
        audit.record("local_admin.disabled", actor=by, target=f"local admin {admin.id}")
    return admin


def authenticate(email: str, password: str) -> LocalAdmin | None:
    """The active account with this email and password, else None (the reason is logged)."""
    admin = find(email) if len(password) <= MAX_PASSWORD_LENGTH else None
    password_hash = admin.password_hash if admin is not None else _UNKNOWN
    matches = check_password_hash(password_hash, password[:MAX_PASSWORD_LENGTH])
    if admin is None:
        log.info("installation console sign-in refused: no such account")
        return None
    if not matches:
        log.info("installation console sign-in refused: wrong password (local admin %s)", admin.id)
        return None
    if not admin.is_active:
        log.info("installation console sign-in refused: local admin %s is disabled", admin.id)
        return None
    admin.last_login_at = utcnow()
    audit.record("local_admin.signed_in", actor=actor(admin), target=f"local admin {admin.id}")
    return admin


def end_sessions(admin: LocalAdmin) -> None:
    """Every console cookie of this account stops working (a logout)."""
    admin.session_version += 1
    audit.record("local_admin.signed_out", actor=actor(admin), target=f"local admin {admin.id}")
