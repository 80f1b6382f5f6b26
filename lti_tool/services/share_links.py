"""Share links to a student's profile for family and mentors without an LMS account.

A link is read-only, expires (30 days unless a teacher picks 7 or 90), can be revoked, and
reaches one student in one course. Only the sha256 of its token is stored; the token itself
is returned once, at creation. Teachers may always create links; a student only for their own
profile and only where the registration's admin allows it (off by default). Creation and
revocation are audited in the same transaction.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import N_, LtiToolError, NotFound, PermissionDenied
from ..extensions import db
from ..lti.vocab import CourseRole
from ..models import Course, ShareLink, User
from ..models.types import utcnow
from . import audit
from .roster import require_students

DURATIONS_DAYS = (7, 30, 90)
DEFAULT_DAYS = 30
ASK_THE_TEACHER = N_("Ask the teacher for a new link.")


class LinkGone(LtiToolError):
    """A link that existed but has expired or was revoked."""

    status = 410
    title = N_("This link no longer works")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def may_create(course: Course, role: CourseRole) -> bool:
    """Teachers always; students only where the registration allows it."""
    if role is CourseRole.TEACHER:
        return True
    return role is CourseRole.STUDENT and course.platform.allow_student_share_links


def create(
    course: Course,
    student: User,
    *,
    creator: User,
    role: CourseRole,
    days: int = DEFAULT_DAYS,
    now: datetime | None = None,
) -> tuple[ShareLink, str]:
    """A new link and its token (shown once; only its hash is kept)."""
    if not may_create(course, role):
        raise PermissionDenied(
            N_("Share links cannot be created by students here."),
            hint=N_("Ask your teacher: teachers can share your progress with your family."),
        )
    if role is CourseRole.STUDENT and (creator.id != student.id or days != DEFAULT_DAYS):
        raise PermissionDenied(N_("Students can only share their own progress, for 30 days."))
    if days not in DURATIONS_DAYS:
        raise LtiToolError(
            _("A link lasts 7, 30 or 90 days, not %(days)s.", days=repr(days)),
            detail=f"share link duration {days!r} refused",
            hint=N_("Pick one of the offered durations."),
        )
    require_students(course, [student.id])
    now = now or utcnow()
    token = secrets.token_urlsafe(32)
    link = ShareLink(
        platform_id=course.platform_id,
        course_id=course.id,
        student_id=student.id,
        token_hash=hash_token(token),
        created_by_id=creator.id,
        created_by_role=role.value,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    db.session.add(link)
    db.session.flush()
    audit.record(
        "share_link.created",
        actor=role.value,
        platform=course.platform,
        course=course,
        user=creator,
        target=f"share link {link.id} to student {student.id}",
        details={"link": link.id, "student": student.id, "days": days},
    )
    return link, token


def links_of(course: Course, student: User) -> list[ShareLink]:
    """The student's links in this course, newest first (live, expired and revoked)."""
    return list(
        db.session.scalars(
            select(ShareLink)
            .where(ShareLink.course_id == course.id, ShareLink.student_id == student.id)
            .order_by(ShareLink.created_at.desc(), ShareLink.id.desc())
        )
    )


def revoke(
    course: Course,
    student: User,
    link_id: int,
    *,
    actor: User,
    role: CourseRole,
    now: datetime | None = None,
) -> ShareLink:
    """Turn a link off for good (revoking twice changes nothing and audits once)."""
    link = db.session.get(ShareLink, link_id)
    if link is None or link.course_id != course.id or link.student_id != student.id:
        raise NotFound(N_("That share link is not one of this student's in this course."))
    if role is CourseRole.STUDENT and link.created_by_id != actor.id:
        raise PermissionDenied(
            N_("You can only turn off the links you made."),
            hint=N_("Ask your teacher about a link the teacher made."),
        )
    if link.revoked_at is None:
        link.revoked_at = now or utcnow()
        audit.record(
            "share_link.revoked",
            actor=role.value,
            platform=course.platform,
            course=course,
            user=actor,
            target=f"share link {link.id} to student {student.id}",
            details={"link": link.id, "student": student.id},
        )
        db.session.flush()
    return link


def open_link(token: str, now: datetime | None = None, *, touch: bool = True) -> ShareLink:
    """The live link for this token, its last use updated; 404 unknown, 410 expired/revoked."""
    now = now or utcnow()
    link = db.session.scalar(select(ShareLink).where(ShareLink.token_hash == hash_token(token)))
    if link is None:
        raise NotFound(
            N_("This link does not work: it may be mistyped, or it was removed."),
            detail="share link: no link with this token",
            hint=ASK_THE_TEACHER,
        )
    if not link.is_live(now):
        state = "revoked" if link.revoked_at is not None else "expired"
        raise LinkGone(
            N_("This link no longer works: it has expired or was turned off."),
            detail=f"share link {link.id}: {state}",
            hint=ASK_THE_TEACHER,
        )
    if touch:
        link.last_used_at = now
        db.session.flush()
    return link
