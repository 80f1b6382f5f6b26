"""What the worker deletes on schedule: sign-in records once expired.

A launch's claims name the person; nothing keeps them after the launch has expired.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete

from ..extensions import db
from ..models import Launch, LoginState, UsedNonce
from ..models.types import utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepReport:
    launches: int
    login_states: int
    nonces: int

    @property
    def total(self) -> int:
        return self.launches + self.login_states + self.nonces


def sweep_expired(now: datetime | None = None) -> SweepReport:
    """Delete expired launches, login states and used nonces, in the caller's transaction.

    A used nonce is kept until its id_token could no longer be accepted (`expires_at` is set
    past the token's expiry and leeway), so deleting it never reopens a replay.
    """
    now = now or utcnow()
    deleted = [
        db.session.execute(delete(model).where(model.expires_at < now)).rowcount or 0
        for model in (Launch, LoginState, UsedNonce)
    ]
    report = SweepReport(*deleted)
    if report.total:
        log.info(
            "expired sign-in records deleted: %d launches, %d login states, %d nonces",
            *deleted,
        )
    return report
