"""Share links as a service: the hash is stored, never the token; expiry, revocation and last
use; a link reaches one student in one course only; creation and revocation are audited in the
action's own transaction."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lti_tool.errors import LtiToolError, NotFound, PermissionDenied
from lti_tool.extensions import db
from lti_tool.lti.vocab import CourseRole
from lti_tool.models import AuditEvent, Enrollment, Evidence, ShareLink
from lti_tool.models.types import utcnow
from lti_tool.services import audit, evidence, share_links
from lti_tool.services.views.profile import build_profile

from .conftest import standard_ids

TEACHER = CourseRole.TEACHER
STUDENT = CourseRole.STUDENT


@pytest.fixture
def course(make_course):
    return make_course()


@pytest.fixture
def people(course, make_student):
    return make_student(course, role="teacher"), make_student(course), make_student(course)


def audit_rows() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_only_the_hash_of_the_token_is_stored_and_the_link_opens(course, people):
    teacher, mateo, _ = people
    link, token = share_links.create(course, mateo, creator=teacher, role=TEACHER)
    db.session.commit()
    assert len(token) >= 43  # token_urlsafe(32)
    row = db.session.get(ShareLink, link.id)
    assert row.token_hash == hashlib.sha256(token.encode()).hexdigest() != token
    stored = db.session.execute(select(ShareLink.__table__)).mappings().one()
    assert token not in {str(value) for value in stored.values()}
    assert (row.expires_at - row.created_at) == timedelta(days=30)
    assert share_links.open_link(token).id == link.id


@pytest.mark.parametrize("days", [7, 30, 90])
def test_a_teacher_picks_how_long_a_link_works_and_it_expires(course, people, days):
    teacher, mateo, _ = people
    start = utcnow()
    _link, token = share_links.create(
        course, mateo, creator=teacher, role=TEACHER, days=days, now=start
    )
    last_moment = start + timedelta(days=days) - timedelta(seconds=1)
    assert share_links.open_link(token, now=last_moment).student_id == mateo.id
    with pytest.raises(share_links.LinkGone) as gone:
        share_links.open_link(token, now=start + timedelta(days=days))
    assert gone.value.status == 410 and "ask the teacher" in gone.value.hint.lower()


def test_other_durations_and_unknown_tokens_are_refused(course, people):
    teacher, mateo, _ = people
    with pytest.raises(LtiToolError, match="7, 30 or 90"):
        share_links.create(course, mateo, creator=teacher, role=TEACHER, days=365)
    with pytest.raises(NotFound):
        share_links.open_link("not-a-token")
    assert db.session.scalar(select(func.count(ShareLink.id))) == 0
    assert audit_rows() == []


def test_revoked_links_stop_working_and_revoking_is_audited_once(course, people):
    teacher, mateo, _ = people
    link, token = share_links.create(course, mateo, creator=teacher, role=TEACHER)
    share_links.revoke(course, mateo, link.id, actor=teacher, role=TEACHER)
    share_links.revoke(course, mateo, link.id, actor=teacher, role=TEACHER)
    with pytest.raises(share_links.LinkGone):
        share_links.open_link(token)
    actions = [event.action for event in audit_rows()]
    assert actions == ["share_link.created", "share_link.revoked"]
    event = audit_rows()[-1]
    assert event.platform_id == course.platform_id and event.course_id == course.id
    assert event.actor_user_id == teacher.id and event.details == {
        "link": link.id,
        "student": mateo.id,
    }


def test_opening_records_the_last_use(course, people):
    teacher, mateo, _ = people
    link, token = share_links.create(course, mateo, creator=teacher, role=TEACHER)
    assert link.last_used_at is None
    when = utcnow() + timedelta(hours=2)
    share_links.open_link(token, now=when)
    db.session.commit()
    assert db.session.get(ShareLink, link.id).last_used_at == when
    share_links.open_link(token, now=when + timedelta(hours=1), touch=False)
    assert db.session.get(ShareLink, link.id).last_used_at == when


def test_students_share_only_their_own_profile_and_only_when_allowed(course, people):
    teacher, mateo, aiyana = people
    with pytest.raises(PermissionDenied):
        share_links.create(course, mateo, creator=mateo, role=STUDENT)
    course.platform.allow_student_share_links = True
    with pytest.raises(PermissionDenied):
        share_links.create(course, aiyana, creator=mateo, role=STUDENT)
    with pytest.raises(PermissionDenied):
        share_links.create(course, mateo, creator=mateo, role=STUDENT, days=90)
    own, _ = share_links.create(course, mateo, creator=mateo, role=STUDENT)
    teachers, _ = share_links.create(course, mateo, creator=teacher, role=TEACHER)
    # A student turns off their own links, never the one the teacher made for their family.
    with pytest.raises(PermissionDenied):
        share_links.revoke(course, mateo, teachers.id, actor=mateo, role=STUDENT)
    assert share_links.revoke(course, mateo, own.id, actor=mateo, role=STUDENT).revoked_at
    assert [link.id for link in share_links.links_of(course, mateo)] == [teachers.id, own.id]


def test_a_link_is_for_a_student_of_its_own_course(course, people, make_course):
    teacher, mateo, _ = people
    other = make_course(course.platform)
    with pytest.raises(NotFound):
        share_links.create(other, mateo, creator=teacher, role=TEACHER)
    link, _ = share_links.create(course, mateo, creator=teacher, role=TEACHER)
    with pytest.raises(NotFound):  # revoking through another course's page reaches nothing
        share_links.revoke(other, mateo, link.id, actor=teacher, role=TEACHER)


def test_a_link_of_course_a_never_shows_course_b_data(course, people, make_course, make_framework):
    teacher, mateo, _ = people
    course_b = make_course(course.platform)
    db.session.add(Enrollment(course_id=course_b.id, user_id=mateo.id, role="student"))
    make_framework(course, {"ALG": ["A1", "A2"]})
    make_framework(course_b, {"BIO": ["B1"]})
    for target, code in ((course, "A1"), (course_b, "B1")):
        evidence.record_evidence(
            target,
            mateo,
            standard_ids(target)[code],
            3,
            actor=teacher,
            source="teacher",
            demonstrated_at=utcnow(),
            comment=f"secret of {code}",
        )
    _link, token = share_links.create(course, mateo, creator=teacher, role=TEACHER)
    db.session.commit()

    link = share_links.open_link(token)
    profile = build_profile(link.course, link.student, read_by_student=False)
    codes = {node.standard.code for root in profile.roots for node in (root, *root.children)}
    comments = [
        item.comment for root in profile.roots for n in root.children for item in n.evidence
    ]
    assert link.course_id == course.id and codes == {"ALG", "A1", "A2"}
    assert comments == ["secret of A1"]
    assert db.session.scalar(select(func.count(Evidence.id))) == 2  # B1's exists, unseen


def test_a_failed_action_leaves_no_audit_row(course, people):
    teacher, mateo, _ = people
    db.session.commit()
    share_links.create(course, mateo, creator=teacher, role=TEACHER)
    assert len(audit_rows()) == 1  # flushed in the action's transaction...
    db.session.rollback()  # ...so when the action fails, its event goes with it
    assert audit_rows() == []
    assert db.session.scalar(select(func.count(ShareLink.id))) == 0


def test_audit_details_refuse_tokens_secrets_and_names(course):
    for key in ("token", "client_secret", "student_name", "email"):
        with pytest.raises(ValueError):
            audit.record("x", actor="test", platform=course.platform, details={key: "v"})
    assert audit_rows() == []
