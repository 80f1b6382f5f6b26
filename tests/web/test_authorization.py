"""The authorization table: every route of the tool, for every kind of person, through real
launches. A route missing from the table fails the suite, so a new page cannot ship without
saying who may open it.

Allowed means "not refused" (any answer but 401 and 403: a page, a redirect, a 400 for an
empty form, a 404 for an id that does not exist); everyone else gets 403, and a request
without a launch 401. Student routes are asked about the student themself: another student's
data is covered by tests/web/test_profile.py and test_cells.py. A teacher of another course is
refused every route naming this course's students, standards, evidence or assessments (below);
an administrator of another registration sees none of it (tests/web/test_admin.py).
"""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import Assessment, Evidence, Framework
from tests.live import ADMIN, MENTOR, OTHER_COURSE, STUDENT, TA, TEACHER
from tests.web.conftest import Ids, Visit, launch_as

TEACHERS = {"teacher", "assistant"}
COURSE_PEOPLE = TEACHERS | {"student", "mentor", "admin"}
ABOUT_THE_STUDENT = TEACHERS | {"student", "mentor"}  # the student, their mentor, teachers
LIBRARY = TEACHERS | {"admin"}
ADMINS = {"admin"}
OTHER_TEACHER = "103"  # teaches OTHER_COURSE in the embedded LMS

# endpoint -> who may use it (methods of one endpoint share a rule)
ACCESS: dict[str, set[str]] = {
    "pages.home": COURSE_PEOPLE,
    "gradebook.levels_css": COURSE_PEOPLE,
    "gradebook.index": TEACHERS,
    "profile.show": ABOUT_THE_STUDENT,
    "profile.self_assess": {"student"},  # the student themself (tests/web/test_self_assessment.py)
    "exports.student_report": ABOUT_THE_STUDENT,
    "cells.show": ABOUT_THE_STUDENT,
    "cells.add": TEACHERS,
    "cells.correct": TEACHERS,
    "exemptions.exempt_standard": TEACHERS,
    "exemptions.exempt_assessment": TEACHERS,
    "exemptions.lift": TEACHERS,
    "scoring.index": TEACHERS,
    "scoring.create": TEACHERS,
    "scoring.sheet": TEACHERS,
    "scoring.save": TEACHERS,
    "scoring.publish": TEACHERS,
    "settings.show": TEACHERS,
    "settings.preview": TEACHERS,
    "settings.save": TEACHERS,
    "settings.assistants": {"teacher"},  # teachers decide what assistants may do
    "overrides.index": TEACHERS,
    "overrides.preview": TEACHERS,
    "overrides.save": TEACHERS,
    "scale_editor.index": TEACHERS,
    "scale_editor.preview": TEACHERS,
    "scale_editor.save": TEACHERS,
    "periods.index": TEACHERS,
    "periods.save": TEACHERS,
    "periods.close": TEACHERS,
    "periods.reopen": TEACHERS,
    "periods.time_zone": TEACHERS,
    "sync.status": TEACHERS,
    "sync.retry": TEACHERS,
    "sync.sync_from_lms": TEACHERS,
    "sync.recreate_column": TEACHERS,
    "course_copy.choose": TEACHERS,
    "course_copy.bring": TEACHERS,
    "exports.gradebook": TEACHERS,
    "exports.evidence": TEACHERS,
    "imports.upload": TEACHERS,
    "imports.preview": TEACHERS,
    "imports.save": TEACHERS,
    "imports.template": TEACHERS,
    "imports.standards_template": TEACHERS,
    "lms_imports.upload": TEACHERS,
    "lms_imports.map_page": TEACHERS,
    "lms_imports.map_save": TEACHERS,
    "lms_imports.preview": TEACHERS,
    "lms_imports.save": TEACHERS,
    "alignments.index": TEACHERS,
    "alignments.edit": TEACHERS,
    "alignments.save": TEACHERS,
    "alignments.remove": TEACHERS,
    "cut_scores.edit": TEACHERS,
    "cut_scores.preview": TEACHERS,
    "cut_scores.save": TEACHERS,
    "standards.index": LIBRARY,
    "standards.preview": LIBRARY,
    "standards.save": LIBRARY,
    "standards.framework": LIBRARY,
    "standards.adopt": TEACHERS,
    "standards.edit": TEACHERS,
    "standards.update": TEACHERS,
    "admin.index": ADMINS,
    "admin.data": ADMINS,
    "admin.retry": ADMINS,
    "admin.settings": ADMINS,
    "admin_scales.index": ADMINS,
    "admin_scales.add": ADMINS,  # an empty form: refused with its problems, nothing saved
    "admin_scales.offered": ADMINS,  # no such scale: 404
    "admin.export": ADMINS,
    "admin.purge": ADMINS,  # an empty form: refused (the name is not typed back), nothing goes
    # Share links to the student's profile: teachers always; the student only where the
    # platform's administrator allows it (off by default, as here); never a mentor.
    "share.index": TEACHERS | {"student"},
    "share.create": TEACHERS,
    "share.revoke": TEACHERS | {"student"},
}
# Reached without a launch: the LTI protocol, health probes, static files.
PUBLIC = {
    "lti.jwks",
    "lti.canvas_config",
    "lti.launch",
    "lti.login",
    "lti.register_tool",
    "lti.setup",
    "lti.root",  # a redirect to lti.setup
    "health.healthz",
    "health.readyz",
    "static",
    # A family's link: the token is the credential (tests/web/test_share.py).
    "share.shared",
    "share.levels_css",
    "install.login",
}
# Only a deep-linking launch opens it (tests/lti/test_deep_linking.py); every resource-link
# launch, whoever makes it, is refused.
DEEP_LINKING_ONLY = {"pages.deep_link"}
# The installation console: only its own accounts, signed in with a password
# (tests/web/test_install_console.py). No launch opens it: a page sends to the sign-in, a form
# is refused (401). Its sign-in page is public.
INSTALL_CONSOLE = {
    "install.index",
    "install.platform_status",
    "install.keys",
    "install.rotate_keys",
    "install.grades",
    "install.retry",
    "install.scales",
    "install.logout",
}

PEOPLE = {"teacher": TEACHER, "assistant": TA, "student": STUDENT, "mentor": MENTOR, "admin": ADMIN}


def test_every_route_is_in_the_table(app: Flask):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - set(ACCESS) - PUBLIC - DEEP_LINKING_ONLY - INSTALL_CONSOLE == set()
    assert (set(ACCESS) | INSTALL_CONSOLE) - endpoints == set()


@pytest.fixture
def visits(browser, ids: Ids) -> dict[str, Visit]:
    return {who: launch_as(browser, sub) for who, sub in PEOPLE.items()}


def _values(tool: Flask, ids: Ids) -> dict[str, int]:
    with tool.app_context():
        student, standard = ids.users[STUDENT], ids.standards["F-IF.6"]
        evidence = db.session.scalar(
            select(Evidence.id).where(Evidence.student_id == student).order_by(Evidence.id)
        )
        assessment = db.session.scalar(
            select(Assessment.id).where(Assessment.course_id == ids.course)
        )
        framework = db.session.scalar(select(Framework.id).where(Framework.course_id == ids.course))
    return {
        "student_id": student,
        "standard_id": standard,
        "evidence_id": evidence or 0,
        "assessment_id": assessment or 0,
        "framework_id": framework or 0,
        "column_id": 999_999,
        "link_id": 999_999,
        "exemption_id": 999_999,
        "period_id": 999_999,
        "platform_id": 999_999,
        "scale_id": 999_999,
    }


def _requests(app: Flask, values: dict[str, int], endpoints=ACCESS):
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint not in endpoints:
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", str(values[name]))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, path


def test_each_person_reaches_exactly_their_routes(tool, ids: Ids, visits, browser):
    values = _values(tool, ids)
    wrong = []
    for endpoint, method, path in _requests(tool, values):
        for who, visit in visits.items():
            answer = visit.get(path) if method == "GET" else visit.post(path, {})
            allowed = who in ACCESS[endpoint]
            refused = answer.status_code in (401, 403)
            if allowed == refused:
                wrong.append(f"{method} {path} as {who}: {answer.status_code}")
        anonymous = browser.tool.get(path) if method == "GET" else browser.tool.post(path)
        if anonymous.status_code not in (400, 401, 403, 413):
            wrong.append(f"{method} {path} without a launch: {anonymous.status_code}")
    assert wrong == []


def test_no_launch_opens_the_installation_console(tool, ids: Ids, visits, browser):
    wrong = []
    requests = list(_requests(tool, _values(tool, ids), INSTALL_CONSOLE))
    assert {endpoint for endpoint, _, _ in requests} == INSTALL_CONSOLE
    for _endpoint, method, path in requests:
        for who, visit in [*visits.items(), ("nobody", None)]:
            if visit is None:
                answer = browser.tool.get(path) if method == "GET" else browser.tool.post(path)
            else:
                answer = visit.get(path) if method == "GET" else visit.post(path, {})
            to_sign_in = answer.status_code == 303 and answer.headers["Location"].endswith(
                "/install/login"
            )
            if not (to_sign_in if method == "GET" else answer.status_code == 401):
                wrong.append(f"{method} {path} as {who}: {answer.status_code}")
    assert wrong == []


# Ids that belong to the demo course (its students, its standards, evidence and assessments).
THIS_COURSES_IDS = {"student_id", "standard_id", "evidence_id", "assessment_id"}


def test_a_teacher_of_another_course_reaches_nothing_of_this_one(tool, ids: Ids, browser):
    """Their launch is a teacher's, in their own course: every route naming one of this course's
    students, standards, evidence or assessments is refused (a POST may be refused as a bad
    form before the id is looked at; nothing is saved either way)."""
    other = launch_as(browser, OTHER_TEACHER, OTHER_COURSE)
    values = _values(tool, ids)
    wrong = []
    for rule in sorted(tool.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint not in ACCESS or not (set(rule.arguments) & THIS_COURSES_IDS):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<int:{name}>", str(values[name]))
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            answer = other.get(path) if method == "GET" else other.post(path, {})
            refused = {403, 404} | ({400} if method == "POST" else set())
            if answer.status_code not in refused:
                wrong.append(f"{method} {path}: {answer.status_code}")
    assert wrong == []
