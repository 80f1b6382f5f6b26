"""The pages a launch lands on read the database in a number of statements that does not
depend on the course's size: the same count for 5 students × 9 standards as for 20 × 33."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from lti_tool.extensions import db
from lti_tool.mastery.framework import FrameworkDraft, StandardDraft
from lti_tool.models import Course, User
from lti_tool.services import evidence, frameworks
from tests.live import MENTOR, STUDENT, TEACHER

from .conftest import Ids, ids_of, launch_as, seed
from .test_gradebook import counted, row_order


def extra_framework(domains: int, per_domain: int) -> FrameworkDraft:
    items, edges = [], []
    for d in range(domains):
        items.append(StandardDraft(key=f"X{d}", code=f"X{d}", title=f"Domain {d}", statement=None))
        for s in range(per_domain):
            key = f"X{d}.{s}"
            items.append(StandardDraft(key=key, code=key, title=key, statement=f"I can {key}"))
            edges.append((f"X{d}", key))
    return FrameworkDraft("Extra", "csv", None, tuple(items), tuple(edges))


def grow(tool, lms, students: int, domains: int, per_domain: int) -> Ids:
    """More students (with the demo's evidence) and a course-local framework, every student
    scored twice on each of its standards."""
    ids = seed(tool, lms, student_count=students)
    with tool.app_context():
        course = db.session.get(Course, ids.course)
        frameworks.save_framework(
            extra_framework(domains, per_domain), platform=course.platform, course=course
        )
        new = [
            sid
            for code, sid in ids_of(course).standards.items()
            if code.count(".") == 1 and code.startswith("X")
        ]
        teacher = db.session.get(User, ids.users[TEACHER])
        start = datetime(2025, 10, 1, 9, tzinfo=UTC)
        items = [
            evidence.EvidenceInput(
                student,
                standard,
                float(1 + (student + standard + k) % 4),
                start + timedelta(days=k),
            )
            for student in ids_of(course).users.values()
            if student not in (ids.users[TEACHER], ids.users[MENTOR])
            for standard in new
            for k in range(2)
        ]
        evidence.record_many(course, items, actor=teacher, source="teacher")
        db.session.commit()
        return ids_of(course)


def page_counts(tool, visits, ids: Ids) -> dict[str, int]:
    student = ids.users[STUDENT]
    pages = {
        "teacher gradebook": (visits[TEACHER], "/gradebook"),
        "teacher: a student's profile": (visits[TEACHER], f"/students/{student}"),
        "student profile": (visits[STUDENT], f"/students/{student}"),
        "mentor: linked students": (visits[MENTOR], "/home"),
        "mentor: a linked student's profile": (visits[MENTOR], f"/students/{student}"),
    }
    found = {}
    for name, (visit, path) in pages.items():
        with counted(tool) as statements:
            response = visit.get(path)
        assert response.status_code == 200, (name, response.get_data(as_text=True))
        found[name] = len(statements)
    return found


def test_statements_per_page_do_not_grow_with_students_or_standards(browser, tool, lms):
    small_ids = seed(tool, lms, student_count=5)
    visits = {who: launch_as(browser, who) for who in (TEACHER, STUDENT, MENTOR)}
    small = page_counts(tool, visits, small_ids)
    large_ids = grow(tool, lms, students=20, domains=4, per_domain=6)
    assert len(large_ids.standards) == 9 + 4 + 24
    grid = visits[TEACHER].get("/gradebook").get_data(as_text=True)
    assert len(row_order(grid)) == 20 and grid.count('class="cell lv-') > 20 * 24
    large = page_counts(tool, visits, large_ids)
    assert large == small
    assert all(count <= 12 for count in small.values()), small
