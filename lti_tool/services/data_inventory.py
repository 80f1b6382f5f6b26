"""What the tool stores about students and staff, why, and for how long: the answer to a
district's privacy review, shown on the admin console's data page.

Every table is listed in exactly one category (tests/web/test_data_inventory.py checks it, so
a table added later must be described here before the suite passes). Counts are per
registration, through the same foreign-key paths as the registration export and purge.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from ..extensions import db
from ..models import Platform
from .registration_data import GLOBAL_TABLES, counts


@dataclass(frozen=True)
class Category:
    """One kind of stored data."""

    name: str
    tables: tuple[str, ...]
    holds: str  # what, in a reviewer's words
    why: str
    kept: str
    personal: bool  # about a person (student, teacher, parent)


CATEGORIES: tuple[Category, ...] = (
    Category(
        "People",
        ("users",),
        "Each person's LMS user id (the launch's `sub`), name, email, SIS id and Canvas user "
        "id, as the LMS sends them in launches and class lists.",
        "To show teachers their students by name, and to match people in imported files "
        "(gradebook exports name students by these ids).",
        "While the registration lasts; refreshed at each launch and class-list sync. Erased "
        "with the registration, or for one student on request (CLI).",
        True,
    ),
    Category(
        "Enrolments",
        ("enrollments", "course_sections"),
        "Who is in which course with which LMS roles, their sections, whether the LMS lists "
        "them as active, the students a parent or observer is linked to, the last launch time.",
        "To decide who sees what (teachers a course, students themselves, observers their "
        "linked students) and whom grades are sent for.",
        "While the course exists; a student the LMS drops is kept, hidden, with their evidence.",
        True,
    ),
    Category(
        "Evidence of learning",
        ("evidence", "evidence_audits", "current_levels"),
        "Each level a student showed on a standard: date, source, assessment, comment, who "
        "entered it, and every correction (corrections never overwrite); the levels computed "
        "from them.",
        "The purpose of the tool: mastery levels, feedback, and the summary grade.",
        "Until the retention period after the course concludes (see below), or the "
        "registration is purged.",
        True,
    ),
    Category(
        "Exemptions",
        ("exemptions",),
        "A student exempted from a standard or an assessment, with the reason (an IEP, a 504 "
        "plan, a newcomer English learner, other), a note, who set it and when. The reason is "
        "shown to the course's teachers only.",
        "Accommodations: exempt work is left out of every calculation instead of counting as "
        "missing.",
        "While the course exists; lifted exemptions are deleted.",
        True,
    ),
    Category(
        "Grades sent to the LMS",
        ("grade_outbox",),
        "Each student's summary (and priority-standard) grade: the value to send, the value the "
        "LMS last accepted, when, and the LMS's error if it refused one.",
        "To send every grade once, resend after a failure, and show teachers and admins what "
        "the LMS holds.",
        "While the course exists. The LMS keeps its own grade history; the tool never deletes it.",
        True,
    ),
    Category(
        "Family share links",
        ("share_links",),
        "For each read-only link to a student's profile: who made it, when, when it expires, "
        "when it was last opened, whether it was revoked; the link itself only as a hash.",
        "So a family can follow a student's progress without an LMS account, and a teacher "
        "can see and revoke every link.",
        "A link works until it expires (30 days by default) or is revoked; its record stays "
        "while the course exists, so teachers see what was shared.",
        True,
    ),
    Category(
        "Audit log",
        ("audit_events",),
        "Security-relevant actions: registrations, key rotations, administrators' actions, "
        "share links made and revoked, exports and purges; who (by user id) and when. Never "
        "names, emails or tokens.",
        "Accountability for changes a district's review may ask about.",
        "While the registration lasts; a course's events go with its evidence at the "
        "retention period, and a purge leaves one event without personal data.",
        True,
    ),
    Category(
        "Sign-in records",
        ("launches", "login_states", "used_nonces"),
        "A launch's verified claims (roles, course, names as sent) behind an opaque token whose "
        "hash alone is stored; sign-in states and used nonces.",
        "To keep a person signed in inside the LMS frame, and to refuse replayed sign-ins.",
        "Deleted by the worker once expired: sign-ins after {LAUNCH_HOURS:g} hours, sign-in "
        "states after {LOGIN_MINUTES:g} minutes.",
        True,
    ),
    Category(
        "Course setup",
        (
            "courses",
            "course_settings",
            "course_standards",
            "standard_overrides",
            "assessments",
            "alignments",
            "resource_links",
            "grade_columns",
            "lms_export_columns",
            "grading_periods",
        ),
        "Course titles, LMS ids and time zone, grading periods, the standards adopted, scale "
        "and calculation settings, "
        "assessments and their alignments, the LMS columns the tool owns, how columns of the "
        "LMS's gradebook export map to standards.",
        "To compute levels and grades as the teacher set them up, and to bring the setup to "
        "the next term's course.",
        "While the registration lasts. Contains no student data.",
        False,
    ),
    Category(
        "Standards and scales",
        ("frameworks", "standards", "standard_edges", "scales", "levels"),
        "Frameworks of learning standards and mastery scales, imported or created by staff.",
        "Shared by the courses that adopt them.",
        "While the registration lasts. Contains no student data.",
        False,
    ),
    Category(
        "Connection to the LMS",
        ("platforms", "deployments", "access_tokens", "jobs"),
        "The LMS registration (issuer, client id, endpoints), its deployments, short-lived "
        "service tokens, and the worker's queue of background jobs (class-list and grade "
        "syncs) with their last error.",
        "To talk to the LMS on the district's behalf.",
        "While the registration lasts; service tokens expire within the hour.",
        False,
    ),
    Category(
        "Rate limiting",
        ("rate_counters",),
        "Request counts per short window, keyed by a hash of the registration or address.",
        "To protect the service from floods.",
        "Deleted once their window has passed (minutes).",
        False,
    ),
)


@dataclass(frozen=True)
class InventoryRow:
    category: Category
    rows: int
    kept: str


@dataclass(frozen=True)
class Inventory:
    rows: list[InventoryRow]
    retention_days: int | None


def inventory(platform: Platform) -> Inventory:
    """The categories with this registration's row counts and the installation's periods."""
    found = counts(platform)
    config = current_app.config
    periods = {
        "LAUNCH_HOURS": config["LAUNCH_TTL_SECONDS"] / 3600,
        "LOGIN_MINUTES": config["LOGIN_STATE_TTL_SECONDS"] / 60,
    }
    rows = [
        InventoryRow(
            category,
            sum(found.get(table, 0) for table in category.tables if table not in GLOBAL_TABLES),
            category.kept.format(**periods),
        )
        for category in CATEGORIES
    ]
    days = config.get("RETENTION_DAYS")
    return Inventory(rows, int(days) if days else None)


def undescribed_tables() -> list[str]:
    """Tables of the schema no category describes (a mistake the tests catch)."""
    described = {table for category in CATEGORIES for table in category.tables}
    return sorted(t.name for t in db.metadata.sorted_tables if t.name not in described)
