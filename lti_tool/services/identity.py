"""Sync what a launch says about the course and the person, in small named steps.

Every step is an upsert keyed by the platform's own identifiers, scoped to the registration:
nothing found under one platform is ever matched under another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from sqlalchemy import and_, false, select

from ..extensions import db, upsert_insert
from ..lti.launch import ValidatedLaunch
from ..lti.roles import course_role, is_admin
from ..lti.vocab import Claim, CourseRole
from ..models import Course, Deployment, Enrollment, GradeColumn, Platform, ResourceLink, User
from ..models.types import utcnow
from . import grades, jobs, periods
from .sections import from_custom, sync_sections

# How often a returning person's launch time is written (the usage page counts by the day).
LAUNCH_RECORDED_EVERY = timedelta(hours=1)


@dataclass(frozen=True)
class LaunchIdentity:
    course: Course | None
    user: User | None
    enrollment: Enrollment | None
    resource_link: ResourceLink | None
    role: CourseRole


def sync_launch(launch: ValidatedLaunch) -> LaunchIdentity:
    claims = launch.claims
    known = _known_rows(launch.platform, launch.deployment, claims)
    course = sync_course(launch.platform, launch.deployment, claims, known=known)
    user = sync_user(launch.platform, claims, known=known)
    roles = [r for r in claims.get(Claim.ROLES, []) if isinstance(r, str)]
    role = (
        course_role(roles) if course else (CourseRole.ADMIN if is_admin(roles) else CourseRole.NONE)
    )
    enrollment = (
        sync_enrollment(course, user, roles, role, claims, known=known) if course and user else None
    )
    link = sync_resource_link(course, claims, known=known) if course else None
    if course:
        periods.sync_course_state(course, claims, role)
        roster_before = course.nrps_url
        sync_service_endpoints(course, claims)
        if course.nrps_url != roster_before:  # the first launch with a roster service
            jobs.schedule_course_sync(course)
    return LaunchIdentity(course, user, enrollment, link, role)


def sync_course(
    platform: Platform, deployment: Deployment, claims: dict[str, Any], *, known: Known = None
) -> Course | None:
    context_id = _context_id(claims)
    if context_id is None:
        return None
    context = claims[Claim.CONTEXT]
    course = _existing_or_new(
        Course,
        {"deployment_id": deployment.id, "context_id": context_id},
        known,
        platform_id=platform.id,
    )
    course.title = str(context.get("title") or course.title or "")
    course.label = str(context.get("label") or course.label or "")
    return course


def sync_user(platform: Platform, claims: dict[str, Any], *, known: Known = None) -> User | None:
    """The launching person; None for an anonymous launch (no `sub`)."""
    sub = claims.get("sub")
    if not sub:
        return None
    user = _existing_or_new(User, {"platform_id": platform.id, "sub": str(sub)}, known)
    # Platforms send names only when their privacy settings allow: keep what we knew.
    for field in ("name", "given_name", "family_name"):
        if isinstance(value := claims.get(field), str) and value:
            setattr(user, field, value)
    if isinstance(email := claims.get("email"), str) and email:
        user.email = email
    _sync_lms_ids(user, claims)
    if user.id is None or db.session.is_modified(user):  # an unchanged person: no write
        user.updated_at = utcnow()
    return user


def _sync_lms_ids(user: User, claims: dict[str, Any]) -> None:
    """The SIS id (LIS person_sourcedid) and Canvas's user id, as gradebook exports name people.

    A custom parameter the platform does not substitute arrives as written ("$Canvas.user.id"
    from Moodle): not an id.
    """
    lis, custom = claims.get(Claim.LIS), claims.get(Claim.CUSTOM)
    sis = lis.get("person_sourcedid") if isinstance(lis, dict) else None
    if isinstance(sis, str) and sis.strip():
        user.sis_id = sis.strip()[:255]
    lms_id = custom.get("canvas_user_id") if isinstance(custom, dict) else None
    if isinstance(lms_id, str | int) and str(lms_id).strip() and not str(lms_id).startswith("$"):
        user.lms_user_id = str(lms_id).strip()[:255]


def sync_enrollment(
    course: Course,
    user: User,
    roles: list[str],
    role: CourseRole,
    claims: dict[str, Any],
    *,
    known: Known = None,
) -> Enrollment:
    enrollment = _existing_or_new(
        Enrollment, {"course_id": course.id, "user_id": user.id}, known, role=role
    )
    enrollment.role = role
    enrollment.lis_roles = roles
    mentees = claims.get(Claim.ROLE_SCOPE_MENTOR)
    enrollment.mentees = [str(m) for m in mentees] if isinstance(mentees, list) else []
    now = utcnow()
    last = enrollment.last_launch_at
    if last is None or now - last >= LAUNCH_RECORDED_EVERY:
        enrollment.last_launch_at = now
    enrollment.status = "active"  # a launch proves membership, whatever the last roster said
    sync_sections(course, enrollment, from_custom(claims.get(Claim.CUSTOM)))
    return enrollment


def sync_resource_link(
    course: Course, claims: dict[str, Any], *, known: Known = None
) -> ResourceLink | None:
    link_id = _link_id(claims)
    if link_id is None:
        return None
    link_claim = claims[Claim.RESOURCE_LINK]
    link = _existing_or_new(
        ResourceLink, {"course_id": course.id, "resource_link_id": link_id}, known
    )
    link.title = str(link_claim.get("title") or link.title or "")
    ags = claims.get(Claim.AGS_ENDPOINT)
    if isinstance(ags, dict) and isinstance(ags.get("lineitem"), str):
        if link.lineitem_url != ags["lineitem"]:
            _look_for_new_column(course, ags["lineitem"])
        link.lineitem_url = ags["lineitem"]
    return link


def _look_for_new_column(course: Course, line_item_url: str) -> None:
    """A link's line item the tool does not know, once it has columns: perhaps another placement
    of the summary (deep linked again); the worker looks (one query here, on a link's first
    launch only)."""
    columns = db.session.scalars(
        select(GradeColumn.line_item_url).where(GradeColumn.course_id == course.id)
    ).all()
    if any(columns) and line_item_url not in columns:
        jobs.enqueue("columns", course)


def sync_service_endpoints(course: Course, claims: dict[str, Any]) -> None:
    ags = claims.get(Claim.AGS_ENDPOINT)
    if isinstance(ags, dict):
        if isinstance(ags.get("lineitems"), str):
            if course.ags_lineitems_url is None and course.id is not None:
                grades.release_held(course)  # grades waiting for these services go now
            course.ags_lineitems_url = ags["lineitems"]
        if isinstance(ags.get("scope"), list):
            course.ags_scopes = [s for s in ags["scope"] if isinstance(s, str)]
    nrps = claims.get(Claim.NRPS)
    if isinstance(nrps, dict) and isinstance(nrps.get("context_memberships_url"), str):
        course.nrps_url = nrps["context_memberships_url"]


Row = TypeVar("Row", Course, User, Enrollment, ResourceLink)
# The rows a launch names (one of each model), found ahead by _known_rows.
Known = dict[type, Any] | None


def _context_id(claims: dict[str, Any]) -> str | None:
    context = claims.get(Claim.CONTEXT)
    return str(context["id"]) if isinstance(context, dict) and context.get("id") else None


def _link_id(claims: dict[str, Any]) -> str | None:
    link = claims.get(Claim.RESOURCE_LINK)
    return str(link["id"]) if isinstance(link, dict) and link.get("id") else None


def _known_rows(platform: Platform, deployment: Deployment, claims: dict[str, Any]) -> Known:
    """The course, person, enrolment and resource link a returning launch names, in one
    statement (each step would otherwise read its own). Nothing for a course not seen yet."""
    context_id, sub, link_id = _context_id(claims), claims.get("sub"), _link_id(claims)
    if context_id is None or not sub:
        return None
    link_on = (
        and_(ResourceLink.course_id == Course.id, ResourceLink.resource_link_id == link_id)
        if link_id
        else false()
    )
    query = (
        select(Course, User, Enrollment, ResourceLink)
        .select_from(Course)
        .outerjoin(User, and_(User.platform_id == platform.id, User.sub == str(sub)))
        .outerjoin(
            Enrollment, and_(Enrollment.course_id == Course.id, Enrollment.user_id == User.id)
        )
        .outerjoin(ResourceLink, link_on)
        .where(Course.deployment_id == deployment.id, Course.context_id == context_id)
    )
    found = db.session.execute(query).first()
    if found is None:
        return None
    return {type(row): row for row in found if row is not None}


def _existing_or_new(
    model: type[Row], identity: dict[str, Any], known: Known = None, **required: Any
) -> Row:
    """The row with this identity (found ahead in `known`, the launch's own rows looked up by
    the same identities, or read), inserted when missing.

    INSERT ... ON CONFLICT DO NOTHING, then read: when a class opens the tool in a new course
    at once, every launch gets the one course row instead of a unique-constraint error.
    """
    if known and (row := known.get(model)) is not None:
        return row
    query = select(model).filter_by(**identity)
    found = db.session.scalar(query)
    if found is not None:
        return found
    db.session.execute(upsert_insert(model).values(**identity, **required).on_conflict_do_nothing())
    return db.session.scalars(query).one()
