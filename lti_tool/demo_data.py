"""Demo mastery data: the Algebra course's roster, a small framework, assessments and evidence.

Used by `flask demo` (so the gradebook and profiles show something before anyone scores) and by
the page tests. The roster mirrors devplatform/seed.py's students, so launches from the
embedded LMS land on the same people. Seeding a course that already has standards does nothing.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from .extensions import db
from .mastery.framework import FrameworkDraft, StandardDraft
from .models import (
    Alignment,
    Assessment,
    Course,
    CourseStandard,
    Deployment,
    Enrollment,
    User,
)
from .services import evidence, frameworks

DEMO_CONTEXT_ID = "algebra-1-p3"
TEACHER_SUB = "101"
ROSTER = [
    ("201", "Mateo", "Hernández"),
    ("202", "Aiyana", "Whitehorse"),
    ("203", "Lan", "Nguyen Thi"),
    ("204", "Oluwaseun", "Adeyemi"),
    ("205", "Sofia", "Rossi"),
    ("206", "Liam", "O'Brien"),
    ("207", "Priya", "Raman"),
    ("208", "Jamal", "Carter"),
]
# (code, title, "I can" statement, parent code, priority)
STANDARDS = [
    ("A-CED", "Creating equations", None, None, False),
    (
        "A-CED.1",
        "Create equations and inequalities in one variable and use them to solve problems.",
        "I can write an equation or inequality for a word problem and solve it.",
        "A-CED",
        True,
    ),
    (
        "A-CED.2",
        "Create equations in two variables to represent relationships between quantities.",
        "I can write an equation that links two quantities and graph it.",
        "A-CED",
        False,
    ),
    ("A-REI", "Reasoning with equations and inequalities", None, None, False),
    (
        "A-REI.1",
        "Explain each step in solving a simple equation.",
        "I can explain why each step of my solution is allowed.",
        "A-REI",
        False,
    ),
    (
        "A-REI.3",
        "Solve linear equations and inequalities in one variable.",
        "I can solve a linear equation or inequality in one variable.",
        "A-REI",
        True,
    ),
    ("F-IF", "Interpreting functions", None, None, False),
    (
        "F-IF.1",
        "Understand that a function assigns to each input exactly one output.",
        "I can tell whether a table, graph or rule is a function.",
        "F-IF",
        False,
    ),
    (
        "F-IF.6",
        "Calculate and interpret the average rate of change of a function.",
        "I can find and explain a rate of change from a table or a graph.",
        "F-IF",
        True,
    ),
]
ASSESSMENTS = [
    "Unit 1 quiz: linear equations",
    "Exit ticket: writing equations",
    "Project: slope in real life",
]
FIRST_DAY = datetime(2025, 9, 8, 14, 0, tzinfo=UTC)
COMMENTS = {
    1.0: "Let's go over this together at lunch: bring your notes.",
    2.0: "Good start: check each step against the question before moving on.",
    4.0: "Excellent: you explained every step clearly.",
}


def seed_demo_course(
    deployment: Deployment, *, context_id: str = DEMO_CONTEXT_ID, student_count: int = len(ROSTER)
) -> Course:
    """The demo course with its standards, and `student_count` students with evidence.

    Idempotent: standards are created once, and only students not yet enrolled get evidence,
    so calling again with a larger count adds students.
    """
    course = _course(deployment, context_id)
    adopted = db.session.scalar(
        select(func.count())
        .select_from(CourseStandard)
        .where(CourseStandard.course_id == course.id)
    )
    if not adopted:
        frameworks.save_framework(_draft(), platform=deployment.platform, course=course)
        # Each assessment assesses every standard the demo's evidence puts on it (all of them),
        # so a teacher can open its scoring sheet at once.
        standards = sorted(sid for sid, _code in _adopted_codes(course))
        db.session.add_all(
            Assessment(
                course_id=course.id,
                title=title,
                tag=f"demo-{n}",
                kind="tool",
                alignments=[Alignment(standard_id=sid) for sid in standards],
            )
            for n, title in enumerate(ASSESSMENTS)
        )
        db.session.flush()
    teacher, _ = _enrol(course, TEACHER_SUB, "Amara", "Okafor", "teacher")
    assessments = list(
        db.session.scalars(
            select(Assessment).where(Assessment.course_id == course.id).order_by(Assessment.tag)
        )
    )
    codes = {code: sid for sid, code in _adopted_codes(course)}
    items = []
    for index, person in enumerate(demo_roster(student_count)):
        student, is_new = _enrol(course, *person, "student")
        if is_new:
            items += _evidence_for(index, student, codes, assessments)
    if items:
        evidence.record_many(course, items, actor=teacher, source="teacher")
    return course


def demo_roster(count: int) -> list[tuple[str, str, str]]:
    """The demo course's first `count` students: (LMS user id, given name, family name)."""
    extra = [(str(9000 + n), "Student", f"Number {n:03d}") for n in range(count - len(ROSTER))]
    return [*ROSTER, *extra][:count]


def _course(deployment: Deployment, context_id: str) -> Course:
    course = db.session.scalar(
        select(Course).where(Course.deployment_id == deployment.id, Course.context_id == context_id)
    )
    if course is None:
        course = Course(
            platform_id=deployment.platform_id,
            deployment_id=deployment.id,
            context_id=context_id,
            title="Algebra I — Period 3",
            label="ALG1-P3",
        )
        db.session.add(course)
        db.session.flush()
    return course


def _enrol(course: Course, sub: str, given: str, family: str, role: str) -> tuple[User, bool]:
    """The person, enrolled with this role; True when the enrolment is new."""
    user = db.session.scalar(
        select(User).where(User.platform_id == course.platform_id, User.sub == sub)
    )
    if user is None:
        user = User(
            platform_id=course.platform_id,
            sub=sub,
            name=f"{given} {family}",
            given_name=given,
            family_name=family,
        )
        db.session.add(user)
        db.session.flush()
    enrolled = db.session.scalar(
        select(Enrollment).where(Enrollment.course_id == course.id, Enrollment.user_id == user.id)
    )
    if enrolled is None:
        db.session.add(Enrollment(course_id=course.id, user_id=user.id, role=role))
        db.session.flush()
    return user, enrolled is None


def _draft() -> FrameworkDraft:
    items = tuple(
        StandardDraft(
            key=code, code=code, title=title, statement=title, i_can=i_can, is_priority=priority
        )
        for code, title, i_can, _parent, priority in STANDARDS
    )
    edges = tuple((parent, code) for code, _t, _i, parent, _p in STANDARDS if parent)
    return FrameworkDraft("Algebra I (demo)", "csv", None, items, edges)


def _adopted_codes(course: Course) -> list[tuple[int, str]]:
    tree = frameworks.course_tree(course)
    return [(sid, tree.standards[sid].code) for sid in tree.leaves()]


def _evidence_for(
    index: int, student: User, codes: dict[str, int], assessments: list[Assessment]
) -> list[evidence.EvidenceInput]:
    """A plausible term for one student: a few scores per standard, some standards untouched."""
    rng = random.Random(f"demo-{student.sub}")
    ability = (1.7, 2.4, 2.9, 3.3)[index % 4] + rng.uniform(-0.3, 0.3)
    items = []
    for position, (code, standard_id) in enumerate(codes.items()):
        if code == "F-IF.6" and index % 3 == 0:
            continue  # not yet assessed: shown as such, never as a low level
        offset = rng.uniform(-0.8, 0.8)
        for attempt in range(1 + (index + position) % 3):
            raw = ability + offset + 0.4 * attempt + rng.uniform(-0.4, 0.4)
            points = float(min(4, max(1, round(raw))))
            items.append(
                evidence.EvidenceInput(
                    student_id=student.id,
                    standard_id=standard_id,
                    points=points,
                    demonstrated_at=FIRST_DAY + timedelta(days=14 * attempt + position),
                    assessment_id=assessments[attempt % len(assessments)].id,
                    comment=COMMENTS.get(points) if attempt == 0 else None,
                )
            )
    return items
