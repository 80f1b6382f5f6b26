"""Map LIS role URIs to what a person may do in the tool.

Course access comes from context (membership) roles only: an institution role such as
`institution/person#Instructor` never makes a Learner a teacher in a course (DESIGN.md,
correction 9). System and institution Administrators are admins of the platform registration.
"""

from __future__ import annotations

from collections.abc import Iterable

from .vocab import CourseRole, LisRole

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
TEACHING_ROLES = {"Instructor", "TeachingAssistant", "ContentDeveloper"}
ADMIN_ROLES = {LisRole.SYSTEM_ADMINISTRATOR, LisRole.INSTITUTION_ADMINISTRATOR}


def context_role_names(roles: Iterable[str]) -> set[str]:
    """Short names of the membership (context) roles; short names alone are context roles too.

    `membership#Instructor` -> Instructor; `membership/Instructor#TeachingAssistant` ->
    TeachingAssistant; Moodle's NRPS sends bare `Learner`.
    """
    names: set[str] = set()
    for role in roles:
        if not isinstance(role, str):
            continue
        if role.startswith(MEMBERSHIP):
            names.add(role.rsplit("#", 1)[-1] if "#" in role else role.rsplit("/", 1)[-1])
        elif "://" not in role and "#" not in role and "/" not in role:
            names.add(role)
    return names


def is_admin(roles: Iterable[str]) -> bool:
    return any(role in ADMIN_ROLES for role in roles if isinstance(role, str))


def course_role(roles: Iterable[str]) -> CourseRole:
    """The strongest role a person holds in the course, teaching first."""
    roles = list(roles)
    names = context_role_names(roles)
    if names & TEACHING_ROLES:
        return CourseRole.TEACHER
    if "Learner" in names:
        return CourseRole.STUDENT
    if "Mentor" in names:
        return CourseRole.OBSERVER
    if is_admin(roles) or "Administrator" in names:
        return CourseRole.ADMIN
    return CourseRole.NONE
