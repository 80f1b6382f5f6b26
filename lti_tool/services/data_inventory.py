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
from ..translatable import N_, Text
from .registration_data import GLOBAL_TABLES, counts


@dataclass(frozen=True)
class Category:
    """One kind of stored data."""

    name: str
    tables: tuple[str, ...]
    # The texts are English, marked for the page to translate.
    holds: str  # what, in a reviewer's words
    why: str
    kept: str
    personal: bool  # about a person (student, teacher, parent)


CATEGORIES: tuple[Category, ...] = (
    Category(
        N_("People"),
        ("users",),
        N_(
            "Each person's LMS user id (the launch's `sub`), name, email, SIS id and Canvas user "
            "id, as the LMS sends them in launches and class lists."
        ),
        N_(
            "To show teachers their students by name, and to match people in imported files "
            "(gradebook exports name students by these ids)."
        ),
        N_(
            "While the registration lasts; refreshed at each launch and class-list sync. Erased "
            "with the registration, or for one student on request (CLI)."
        ),
        True,
    ),
    Category(
        N_("Enrolments"),
        ("enrollments", "course_sections"),
        N_(
            "Who is in which course with which LMS roles, their sections, whether the LMS lists "
            "them as active, the students a parent or observer is linked to, the last launch time."
        ),
        N_(
            "To decide who sees what (teachers a course, students themselves, observers their "
            "linked students) and whom grades are sent for."
        ),
        N_(
            "While the course exists; a student the LMS drops is kept, hidden, with their evidence."
        ),
        True,
    ),
    Category(
        N_("Evidence of learning"),
        ("evidence", "evidence_audits", "current_levels"),
        N_(
            "Each level a student showed on a standard: date, source, assessment, comment, who "
            "entered it, and every correction (corrections never overwrite); the levels computed "
            "from them."
        ),
        N_("The purpose of the tool: mastery levels, feedback, and the summary grade."),
        N_(
            "Until the retention period after the course concludes (see below), or the "
            "registration is purged."
        ),
        True,
    ),
    Category(
        N_("Exemptions"),
        ("exemptions",),
        N_(
            "A student exempted from a standard or an assessment, with the reason (an IEP, a 504 "
            "plan, a newcomer English learner, other), a note, who set it and when. The reason is "
            "shown to the course's teachers only."
        ),
        N_(
            "Accommodations: exempt work is left out of every calculation instead of counting as "
            "missing."
        ),
        N_("While the course exists; lifted exemptions are deleted."),
        True,
    ),
    Category(
        N_("Grades sent to the LMS"),
        ("grade_outbox",),
        N_(
            "Each student's summary (and priority-standard) grade: the value to send, the value "
            "the LMS last accepted, when, and the LMS's error if it refused one."
        ),
        N_(
            "To send every grade once, resend after a failure, and show teachers and admins what "
            "the LMS holds."
        ),
        N_(
            "While the course exists. The LMS keeps its own grade history; the tool never "
            "deletes it."
        ),
        True,
    ),
    Category(
        N_("Family share links"),
        ("share_links",),
        N_(
            "For each read-only link to a student's profile: who made it, when, when it expires, "
            "when it was last opened, whether it was revoked; the link itself only as a hash."
        ),
        N_(
            "So a family can follow a student's progress without an LMS account, and a teacher "
            "can see and revoke every link."
        ),
        N_(
            "A link works until it expires (30 days by default) or is revoked; its record stays "
            "while the course exists, so teachers see what was shared."
        ),
        True,
    ),
    Category(
        N_("Audit log"),
        ("audit_events",),
        N_(
            "Security-relevant actions: registrations, key rotations, administrators' actions, "
            "share links made and revoked, exports and purges; who (by user id) and when. Never "
            "names, emails or tokens."
        ),
        N_("Accountability for changes a district's review may ask about."),
        N_(
            "While the registration lasts; a course's events go with its evidence at the "
            "retention period, and a purge leaves one event without personal data."
        ),
        True,
    ),
    Category(
        N_("Sign-in records"),
        ("launches", "login_states", "used_nonces"),
        N_(
            "A launch's verified claims (roles, course, names as sent) behind an opaque token "
            "whose hash alone is stored; sign-in states and used nonces."
        ),
        N_("To keep a person signed in inside the LMS frame, and to refuse replayed sign-ins."),
        N_(
            "Deleted by the worker once expired: sign-ins after %(hours)s hours, sign-in "
            "states after %(minutes)s minutes."
        ),
        True,
    ),
    Category(
        N_("Course setup"),
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
        N_(
            "Course titles, LMS ids and time zone, grading periods, the standards adopted, scale "
            "and calculation settings, "
            "assessments and their alignments, the LMS columns the tool owns, how columns of the "
            "LMS's gradebook export map to standards."
        ),
        N_(
            "To compute levels and grades as the teacher set them up, and to bring the setup to "
            "the next term's course."
        ),
        N_("While the registration lasts. Contains no student data."),
        False,
    ),
    Category(
        N_("Standards and scales"),
        ("frameworks", "standards", "standard_edges", "scales", "levels"),
        N_("Frameworks of learning standards and mastery scales, imported or created by staff."),
        N_("Shared by the courses that adopt them."),
        N_("While the registration lasts. Contains no student data."),
        False,
    ),
    Category(
        N_("Connection to the LMS"),
        ("platforms", "deployments", "access_tokens", "jobs"),
        N_(
            "The LMS registration (issuer, client id, endpoints), its deployments, short-lived "
            "service tokens, and the worker's queue of background jobs (class-list and grade "
            "syncs) with their last error."
        ),
        N_("To talk to the LMS on the district's behalf."),
        N_("While the registration lasts; service tokens expire within the hour."),
        False,
    ),
    Category(
        N_("Rate limiting"),
        ("rate_counters",),
        N_("Request counts per short window, keyed by a hash of the registration or address."),
        N_("To protect the service from floods."),
        N_("Deleted once their window has passed (minutes)."),
        False,
    ),
    Category(
        N_("Installation console accounts"),
        ("local_admins",),
        N_(
            "The installation's own administrators: email, a scrypt hash of the password, when "
            "each last signed in. No student data."
        ),
        N_("To sign in to the installation console where no LMS administrator launch is used."),
        N_("While the installation runs; a disabled account can no longer sign in."),
        True,
    ),
)


@dataclass(frozen=True)
class InventoryRow:
    category: Category
    rows: int
    kept: Text


@dataclass(frozen=True)
class Inventory:
    rows: list[InventoryRow]
    retention_days: int | None


def inventory(platform: Platform) -> Inventory:
    """The categories with this registration's row counts and the installation's periods."""
    found = counts(platform)
    config = current_app.config
    periods = {
        "hours": f"{config['LAUNCH_TTL_SECONDS'] / 3600:g}",
        "minutes": f"{config['LOGIN_STATE_TTL_SECONDS'] / 60:g}",
    }
    rows = [
        InventoryRow(
            category,
            sum(found.get(table, 0) for table in category.tables if table not in GLOBAL_TABLES),
            Text(category.kept, **periods),
        )
        for category in CATEGORIES
    ]
    days = config.get("RETENTION_DAYS")
    return Inventory(rows, int(days) if days else None)


def undescribed_tables() -> list[str]:
    """Tables of the schema no category describes (a mistake the tests catch)."""
    described = {table for category in CATEGORIES for table in category.tables}
    return sorted(t.name for t in db.metadata.sorted_tables if t.name not in described)
