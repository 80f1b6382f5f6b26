"""The benchmark course, written with bulk inserts.

300 students, a 120-standard framework in 4 levels, 80 assessments aligned to 3 standards
each and scored for every student: 72,000 evidence rows.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select

from lti_tool.extensions import db
from lti_tool.mastery.framework import FrameworkDraft, StandardDraft
from lti_tool.models import (
    Alignment,
    Assessment,
    Course,
    Deployment,
    Enrollment,
    Evidence,
    Platform,
    Standard,
    User,
)
from lti_tool.services import course_settings, frameworks, mastery

STUDENTS, ASSESSMENTS = 300, 80


def framework_draft() -> FrameworkDraft:
    """2 domains > 8 clusters > 32 standards > 78 targets = 120 nodes in 4 levels."""
    items, edges = [], []
    shape = [(None, 2), (2, 4), (8, 4)]
    level_keys: list[list[str]] = [[]]
    for depth, (_, per_parent) in enumerate(shape):
        parents = level_keys[depth] or [None]
        keys = []
        for parent in parents:
            for _ in range(per_parent):
                key = f"N{depth}.{len(keys)}"
                keys.append(key)
                if parent:
                    edges.append((parent, key))
        level_keys.append(keys)
    targets = [f"T{n}" for n in range(78)]
    edges += [(level_keys[3][n % 32], key) for n, key in enumerate(targets)]
    for key in [k for keys in level_keys for k in keys] + targets:
        items.append(StandardDraft(key=key, code=key, title=key, statement=f"I can {key}"))
    return FrameworkDraft("Bench", "csv", None, tuple(items), tuple(edges))


def build_course() -> Course:
    """The large course, written with bulk inserts (the services would take minutes)."""
    platform = Platform(
        name="Bench",
        issuer="https://bench.example",
        client_id="bench",
        auth_login_url="https://bench.example/a",
        auth_token_url="https://bench.example/t",
        keyset_url="https://bench.example/k",
    )
    platform.deployments = [Deployment(deployment_id="1")]
    db.session.add(platform)
    db.session.flush()
    course = Course(
        platform_id=platform.id, deployment_id=platform.deployments[0].id, context_id="c"
    )
    db.session.add(course)
    db.session.flush()
    frameworks.save_framework(framework_draft(), platform=platform, course=course)
    users = db.session.scalars(
        insert(User).returning(User.id, sort_by_parameter_order=True),
        [
            {"platform_id": platform.id, "sub": f"s{n}", "name": f"Student {n}"}
            for n in range(STUDENTS)
        ],
    ).all()
    db.session.execute(
        insert(Enrollment),
        [{"course_id": course.id, "user_id": u, "role": "student"} for u in users],
    )
    add_evidence(course, list(users))
    mastery.recompute_course(course)
    db.session.commit()
    return course


def add_evidence(course: Course, users: list[int]) -> None:
    """80 assessments, each aligned to 3 random standards and scored for every student."""
    standards = list(db.session.scalars(select(Standard.id).order_by(Standard.id)))
    scale_id = course_settings.settings_for(course).scale_id
    rng = random.Random(7)
    start = datetime(2025, 9, 1, 12, tzinfo=UTC)
    rows = []
    for a in range(ASSESSMENTS):
        assessment = Assessment(course_id=course.id, title=f"A{a}", tag=f"a{a}", kind="tool")
        assessment.alignments = [Alignment(standard_id=s) for s in rng.sample(standards[42:], 3)]
        db.session.add(assessment)
        db.session.flush()
        rows += [
            {
                "course_id": course.id,
                "student_id": user,
                "standard_id": alignment.standard_id,
                "assessment_id": assessment.id,
                "points": float(rng.randint(1, 4)),
                "scale_id": scale_id,
                "demonstrated_at": start + timedelta(days=a),
                "source": "teacher",
            }
            for alignment in assessment.alignments
            for user in users
        ]
    for chunk in range(0, len(rows), 5000):
        db.session.execute(insert(Evidence), rows[chunk : chunk + 5000])
