"""Course rosters from Names and Role Provisioning Services: late enrolments and drops.

Every page of the roster is read before anything is written, so a platform failure changes
nothing (and, on SQLite, the service token is stored before this unit of work writes). A
member the platform reports Inactive or Deleted, or no longer lists, keeps their enrolment and
evidence; the status hides them from the gradebook and from grade passback. A member listed
Active again is restored. Flushes only: the caller (a worker job) commits.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import select

from ..errors import NotFound
from ..extensions import db
from ..lti.context import lti
from ..lti.nrps import Member, MemberStatus, NrpsClient
from ..lti.service import Retry, ServiceCallFailed
from ..lti.service_token import ServiceError, service_tokens
from ..lti.vocab import CourseRole
from ..models import Course, Enrollment, User
from ..models.types import utcnow
from ..translatable import N_
from .sections import in_section

ACTIVE, INACTIVE, DELETED = "active", "inactive", "deleted"
STATUS_OF = {
    MemberStatus.ACTIVE: ACTIVE,
    MemberStatus.INACTIVE: INACTIVE,
    MemberStatus.DELETED: DELETED,
}
USER_FIELDS = ("name", "given_name", "family_name", "email", "sis_id")
# Bound IN lists: a large course's roster is looked up in chunks.
CHUNK = 500


@dataclass
class RosterReport:
    """What a roster sync changed: enrolments added or updated, members dropped or back."""

    members: int = 0
    added: int = 0
    updated: int = 0
    deactivated: int = 0
    reactivated: int = 0

    def summary(self) -> str:
        """One line for the job log and the sync status page."""
        return (
            f"{self.members} members: {self.added} added, {self.updated} updated, "
            f"{self.deactivated} dropped, {self.reactivated} back"
        )


@dataclass(frozen=True)
class Learner:
    """An active student of a course and the sections the platform placed them in."""

    user: User
    section_ids: tuple[str, ...]


def learners(course: Course) -> list[Learner]:
    """The course's active learners (one query); dropped ones keep their evidence, hidden."""
    rows = db.session.execute(
        select(User, Enrollment.section_ids)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(
            Enrollment.course_id == course.id,
            Enrollment.role == CourseRole.STUDENT.value,
            Enrollment.status == ACTIVE,
            User.platform_id == course.platform_id,
        )
    )
    return [Learner(user, tuple(section_ids or ())) for user, section_ids in rows]


def name_key(student: User) -> tuple[str, str, int]:
    """Family name, then given name: the order of a class list."""
    family = student.family_name or student.display_name
    return (family.casefold(), (student.given_name or "").casefold(), student.id)


def require_students(course: Course, student_ids: Collection[int]) -> None:
    """NotFound unless each is a student of the course (enrolled as one, of its platform; one
    who left is still one, with their history): every write about a student checks this."""
    wanted = set(student_ids)
    if not wanted:
        return
    found = set(
        db.session.scalars(
            select(Enrollment.user_id)
            .join(User, User.id == Enrollment.user_id)
            .where(
                Enrollment.course_id == course.id,
                Enrollment.role == CourseRole.STUDENT.value,
                Enrollment.user_id.in_(wanted),
                User.platform_id == course.platform_id,
            )
        )
    )
    if found != wanted:
        raise NotFound(N_("That student is not in this course."))


def active_students(course: Course, section: str | None = None) -> list[User]:
    """The course's active learners, in one section (sections.UNKNOWN: not placed) or all."""
    return [s.user for s in learners(course) if in_section(s.section_ids, section)]


def described(error: ServiceCallFailed, doing: str) -> ServiceCallFailed:
    """The same failure (outcome kind, status, retry delay) with a message naming what failed."""
    outcome = error.outcome
    answer = f"the platform answered {outcome.status}" if outcome.status else "no answer"
    message = f"{doing} failed ({answer}): {outcome.message or type(outcome).__name__}"
    failed = ServiceCallFailed(replace(outcome, message=message))
    failed.detail = f"{doing}: {outcome!r}"
    failed.hint = (
        "The platform may be busy or unreachable; the sync will be tried again."
        if isinstance(outcome, Retry)
        else "Check that the tool is still installed in the course with its services enabled."
    )
    return failed


def fetch_members(course: Course, *, page_size: int | None = None) -> list[Member]:
    """Every member of the course as the platform lists them now; writes nothing."""
    if not course.nrps_url:
        raise ServiceError(
            f"{course.display_name} has no roster service address yet.",
            hint="Launch the tool once from the course: each launch carries the address.",
        )
    client = NrpsClient(course.platform, service_tokens(), lti().outbound)
    try:
        members = client.members(course.nrps_url, limit=page_size)
    except ServiceCallFailed as error:
        raise described(error, f"Reading the roster of {course.display_name}") from error
    unique: dict[str, Member] = {}
    for member in members:
        unique.setdefault(member.user_id, member)  # listed twice: the first entry stands
    return list(unique.values())


def sync_roster(
    course: Course, *, page_size: int | None = None, now: datetime | None = None
) -> RosterReport:
    """Bring the course's users and enrolments in line with the platform's roster (NRPS)."""
    members = fetch_members(course, page_size=page_size)
    now = now or utcnow()
    report = RosterReport(members=len(members))
    users, renamed = _users(course, members, now)
    enrollments = {
        e.user_id: e
        for e in db.session.scalars(select(Enrollment).where(Enrollment.course_id == course.id))
    }
    for member in members:
        user = users[member.user_id]
        enrollment = enrollments.get(user.id)
        if enrollment is None:
            _add_enrollment(course, user, member)
            report.added += 1
        elif _update_enrollment(enrollment, member, report) or user.id in renamed:
            report.updated += 1
    # An empty roster is a platform glitch far more often than a course everyone left.
    if members:
        listed = {user.id for user in users.values()}
        _drop_missing([e for uid, e in enrollments.items() if uid not in listed], report)
    course.roster_synced_at = now
    db.session.flush()
    return report


def _users(
    course: Course, members: list[Member], now: datetime
) -> tuple[dict[str, User], set[int]]:
    """Users by sub, created or given the names and email the platform sends; ids of renamed."""
    subs = [member.user_id for member in members]
    found: dict[str, User] = {}
    for start in range(0, len(subs), CHUNK):
        query = select(User).where(
            User.platform_id == course.platform_id, User.sub.in_(subs[start : start + CHUNK])
        )
        found.update({user.sub: user for user in db.session.scalars(query)})
    renamed: set[int] = set()
    for member in members:
        user = found.get(member.user_id)
        if user is None:
            user = found[member.user_id] = User(platform_id=course.platform_id, sub=member.user_id)
            db.session.add(user)
            _apply_names(user, member, now)
        elif _apply_names(user, member, now):
            renamed.add(user.id)
    db.session.flush()
    return found, renamed


def _apply_names(user: User, member: Member, now: datetime) -> bool:
    """Copy non-empty names and email as given; a platform's privacy setting may withhold them."""
    changed = False
    for field in USER_FIELDS:
        value = getattr(member, field)
        if value and getattr(user, field) != value:
            setattr(user, field, value)
            changed = True
    if changed:
        user.updated_at = now
    return changed


def _add_enrollment(course: Course, user: User, member: Member) -> None:
    db.session.add(
        Enrollment(
            course_id=course.id,
            user_id=user.id,
            role=str(member.role),
            lis_roles=list(member.roles),
            status=STATUS_OF[member.status],
        )
    )


def _update_enrollment(enrollment: Enrollment, member: Member, report: RosterReport) -> bool:
    """The course role and status NRPS reports now; whether the role changed.

    A launch's role list (institution roles included) is kept while the course role agrees.
    """
    _set_status(enrollment, STATUS_OF[member.status], report)
    if enrollment.role == member.role:
        return False
    # Institution roles never make a teacher: member.role comes from context roles only.
    enrollment.role = str(member.role)
    enrollment.lis_roles = list(member.roles)
    return True


def _set_status(enrollment: Enrollment, status: str, report: RosterReport) -> None:
    if enrollment.status == status:
        return
    if status == ACTIVE:
        report.reactivated += 1
    elif enrollment.status == ACTIVE:
        report.deactivated += 1
    enrollment.status = status


def _drop_missing(enrollments: list[Enrollment], report: RosterReport) -> None:
    """People the roster no longer lists are deleted members; admins are never members."""
    for enrollment in enrollments:
        # An admin launching from an account is not a course member: not listed, not dropped.
        if enrollment.role != CourseRole.ADMIN:
            _set_status(enrollment, DELETED, report)
