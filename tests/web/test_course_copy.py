"""A new term's course brings the setup of the course it was copied from (Canvas's
$Context.id.history) — standards, priority flags, scale, settings, overrides, assessments and
alignments — and never a piece of evidence; through real launches from the embedded LMS."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from devplatform.vocab import Role
from lti_tool.extensions import db
from lti_tool.models import (
    Alignment,
    Assessment,
    Course,
    CourseStandard,
    Evidence,
    GradeColumn,
    GradeOutbox,
    Level,
    Scale,
    Standard,
    StandardOverride,
)
from lti_tool.models.assessments import GRADED_IN_LMS
from lti_tool.services import course_settings, frameworks, published
from tests.live import COURSE, OTHER_COURSE, STUDENT, TEACHER
from tests.web.conftest import Ids, launch_as

NEXT_TERM = "algebra-1-next"


@pytest.fixture
def source(tool, ids: Ids):
    """The seeded course, set up as a teacher would: own scale, method, override, alignment."""
    with tool.app_context():
        course = db.session.get(Course, ids.course)
        scale = Scale(platform_id=course.platform_id, course_id=course.id, key="dept", name="Dept")
        scale.levels = [
            Level(label=label, points=points, colour="#336699", is_mastery=points >= 3, position=n)
            for n, (label, points) in enumerate([("Not yet", 1), ("Almost", 2), ("Got it", 3)])
        ]
        db.session.add(scale)
        db.session.flush()
        course_settings.change_scale(course, scale)
        course_settings.change_settings(course, method="highest", min_evidence=2)
        first, second = sorted(ids.standards.values())[-2:]
        db.session.add(StandardOverride(course_id=course.id, standard_id=first, method="mean"))
        frameworks.set_priority(course, [second])
        assessment = db.session.scalars(
            select(Assessment).where(Assessment.course_id == course.id).order_by(Assessment.tag)
        ).first()
        # The demo's assessments assess every standard: this one gets its own cut scores.
        aligned = next(a for a in assessment.alignments if a.standard_id == second)
        aligned.cut_scores = [[80, 3], [0, 1]]
        db.session.flush()
        published.publish_assessment(course, assessment, GRADED_IN_LMS, actor=None)
        db.session.commit()
        return course.id


@pytest.fixture
def next_term(lms):
    lms.platform.copy_course(COURSE, NEXT_TERM, "ALG1-NEXT", "Algebra I — next term")
    lms.platform.enroll(NEXT_TERM, TEACHER, [Role.INSTRUCTOR])
    lms.platform.enroll(NEXT_TERM, STUDENT, [Role.LEARNER])
    return NEXT_TERM


def _setup(course_id: int) -> dict:
    """What a course's setup is, in terms that survive a copy (keys, tags, labels)."""
    course = db.session.get(Course, course_id)
    settings = course_settings.settings_for(course)
    adopted = db.session.execute(
        select(Standard.key, CourseStandard.is_priority)
        .join(CourseStandard, CourseStandard.standard_id == Standard.id)
        .where(CourseStandard.course_id == course_id)
    ).all()
    overrides = db.session.execute(
        select(Standard.key, StandardOverride.method)
        .join(StandardOverride, StandardOverride.standard_id == Standard.id)
        .where(StandardOverride.course_id == course_id)
    ).all()
    alignments = db.session.execute(
        select(Assessment.tag, Assessment.title, Standard.key, Alignment.cut_scores)
        .join(Alignment, Alignment.assessment_id == Assessment.id)
        .join(Standard, Standard.id == Alignment.standard_id)
        .where(Assessment.course_id == course_id)
    ).all()
    tags = db.session.execute(
        select(Assessment.tag, Assessment.grading).where(Assessment.course_id == course_id)
    )
    columns = db.session.scalars(
        select(GradeColumn.tag).where(
            GradeColumn.course_id == course_id, GradeColumn.assessment_id.is_not(None)
        )
    )
    return {
        "standards": sorted(adopted),
        "scale": (settings.scale.name, [(lv.label, lv.points) for lv in settings.scale.levels]),
        "method": (settings.method, settings.min_evidence, settings.policy, settings.rollup),
        "overrides": sorted(overrides),
        "assessments": sorted(tags.all(), key=str),
        "assessment columns": sorted(columns),
        "alignments": sorted(map(tuple, ((t, ti, k, c) for t, ti, k, c in alignments)), key=str),
    }


def _count(model, course_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(model).where(model.course_id == course_id)
    )


def _outbox(course_id: int) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(GradeOutbox)
        .join(GradeColumn, GradeColumn.id == GradeOutbox.column_id)
        .where(GradeColumn.course_id == course_id)
    )


def test_copied_course_brings_the_setup_and_no_evidence(tool, browser, source, next_term):
    teacher = launch_as(browser, TEACHER, next_term)
    assert "This course was copied from Algebra I — Period 3" in teacher.landing
    page = teacher.get("/course/copy").get_data(as_text=True)
    assert "this course was copied from it" in page

    done = teacher.post("/course/copy", {"source": str(source)})
    assert done.status_code == 200
    text = done.get_data(as_text=True)
    assert "No evidence was copied" in text and "“Dept”" in text

    with tool.app_context():
        target = db.session.scalar(select(Course).where(Course.context_id == next_term))
        assert _setup(target.id) == _setup(source)
        # The course's own framework and scale are copies the new course owns, not shared.
        theirs = set(
            db.session.scalars(
                select(CourseStandard.standard_id).where(CourseStandard.course_id == source)
            )
        )
        ours = set(
            db.session.scalars(
                select(CourseStandard.standard_id).where(CourseStandard.course_id == target.id)
            )
        )
        assert ours and not ours & theirs
        assert course_settings.settings_for(target).scale.course_id == target.id
        assert _count(Evidence, source) > 0
        assert _count(Evidence, target.id) == 0 and _outbox(target.id) == 0
        assert not db.session.scalars(
            select(Assessment.line_item_url).where(
                Assessment.course_id == target.id, Assessment.line_item_url.is_not(None)
            )
        ).all()
        before = {model: _count(model, target.id) for model in (CourseStandard, Assessment)}

    again = teacher.post("/course/copy", {"source": str(source)}).get_data(as_text=True)
    assert "0 standards, 0 assessments" in again
    with tool.app_context():
        assert {model: _count(model, target.id) for model in before} == before


def test_only_a_course_the_teacher_teaches_or_copied_from(tool, browser, source, next_term):
    other_teacher = launch_as(browser, "103", OTHER_COURSE)
    page = other_teacher.get("/course/copy").get_data(as_text=True)
    assert "Algebra" not in page
    refused = other_teacher.post("/course/copy", {"source": str(source)})
    assert refused.status_code == 404
    with tool.app_context():
        biology = db.session.scalar(select(Course).where(Course.context_id == OTHER_COURSE))
        assert _count(CourseStandard, biology.id) == 0


def test_a_student_cannot_bring_a_setup(browser, source, next_term):
    student = launch_as(browser, STUDENT, next_term)
    assert student.get("/course/copy").status_code == 403
    assert student.post("/course/copy", {"source": str(source)}).status_code == 403
