"""Demo data: two courses, a teacher, a TA, students, an admin and a mentor."""

from __future__ import annotations

from devplatform.store import Course, Enrollment, LineItem, Registration, ResourceLink, State, User
from devplatform.vocab import ALL_SCOPES, TOOL_CONFIGURATION, MemberStatus, Role

DEMO_CONTEXT_ID = "algebra-1-p3"
OTHER_CONTEXT_ID = "biology-2-p5"

# (id, given name, family name, email local part); ids are Moodle-style numbers.
_STUDENTS = [
    ("201", "Mateo", "Hernández", "mateo.hernandez"),
    ("202", "Aiyana", "Whitehorse", "aiyana.whitehorse"),
    ("203", "Lan", "Nguyen Thi", "lan.nguyen"),
    ("204", "Oluwaseun", "Adeyemi", "oluwaseun.adeyemi"),
    ("205", "Sofia", "Rossi", "sofia.rossi"),
    ("206", "Liam", "O'Brien", "liam.obrien"),
    ("207", "Priya", "Raman", "priya.raman"),
    ("208", "Jamal", "Carter", "jamal.carter"),
]
# A student who dropped the course: NRPS lists them as Inactive.
_DROPPED = ("209", "Hannah", "Kowalski", "hannah.kowalski")


def _user(uid: str, given: str, family: str, local: str, *roles: str,
          name: str | None = None) -> User:
    return User(
        id=uid, name=name or f"{given} {family}", given_name=given, family_name=family,
        email=f"{local}@school.example.edu", system_roles=list(roles), sourcedid=f"SIS-{uid}",
    )


def seed_demo(state: State, client_id: str, deployment_id: str) -> None:
    """Fill an empty state with the demo school and a pre-registered tool."""
    users = [
        _user("101", "Amara", "Okafor", "amara.okafor", Role.INSTITUTION_INSTRUCTOR),
        _user("102", "Diego", "Fernández", "diego.fernandez", Role.INSTITUTION_INSTRUCTOR),
        _user("103", "Hiroshi", "Tanaka", "hiroshi.tanaka", Role.INSTITUTION_INSTRUCTOR),
        _user("2", "Grace", "Lindqvist", "admin", Role.SYSTEM_ADMIN, Role.INSTITUTION_ADMIN),
        _user("301", "Carmen", "Hernández", "carmen.hernandez"),
        _user(*_DROPPED, Role.INSTITUTION_STUDENT),
    ]
    users += [_user(*s, Role.INSTITUTION_STUDENT) for s in _STUDENTS]
    state.users.update({u.id: u for u in users})

    algebra = Course(id=DEMO_CONTEXT_ID, label="ALG1-P3", title="Algebra I — Period 3",
                     sourcedid="SIS-ALG1-P3", tools=[client_id])
    algebra.enrollments["101"] = Enrollment("101", [Role.INSTRUCTOR])
    algebra.enrollments["102"] = Enrollment("102", [Role.TEACHING_ASSISTANT])
    for sid, *_ in _STUDENTS:
        algebra.enrollments[sid] = Enrollment(sid, [Role.LEARNER])
    algebra.enrollments[_DROPPED[0]] = Enrollment(
        _DROPPED[0], [Role.LEARNER], status=MemberStatus.INACTIVE)
    algebra.enrollments["301"] = Enrollment("301", [Role.MENTOR], mentees=["201"])

    biology = Course(id=OTHER_CONTEXT_ID, label="BIO2-P5", title="Biology II — Period 5",
                     sourcedid="SIS-BIO2-P5", tools=[client_id])
    biology.enrollments["103"] = Enrollment("103", [Role.INSTRUCTOR])
    for sid, *_ in _STUDENTS[4:]:
        biology.enrollments[sid] = Enrollment(sid, [Role.LEARNER])
    state.courses.update({c.id: c for c in (algebra, biology)})

    state.registrations[client_id] = Registration(
        client_id=client_id, name="Mastery Tracker", deployment_ids=[deployment_id],
        scopes=list(ALL_SCOPES), seeded=True,
        # As the tool's Canvas developer key asks: the course-copy history, the launching
        # user's Canvas id, sections and time zone, and the course's state on every launch.
        config={TOOL_CONFIGURATION: {"custom_parameters": {
            "ctx_history": "$Context.id.history",
            "canvas_user_id": "$Canvas.user.id",
            "canvas_course_section_ids": "$Canvas.course.sectionIds",
            "canvas_user_section_names": "$com.instructure.User.sectionNames",
            "person_time_zone": "$Person.address.timezone",
            "course_workflow_state": "$Canvas.course.workflowState",
        }}},
    )
    state.links["501"] = ResourceLink(
        id="501", context_id=DEMO_CONTEXT_ID, client_id=client_id, title="Mastery Tracker",
        description="Your progress on the course's learning standards.",
    )
    state.links["502"] = ResourceLink(
        id="502", context_id=OTHER_CONTEXT_ID, client_id=client_id, title="Mastery Tracker",
    )
    # Teacher-made native columns: no tool may see them through AGS.
    state.line_items["601"] = LineItem(id="601", context_id=DEMO_CONTEXT_ID,
                                       label="Unit 1 Quiz: Linear Equations", score_maximum=20)
    state.line_items["602"] = LineItem(id="602", context_id=DEMO_CONTEXT_ID,
                                       label="Discussion: Slope in Real Life", score_maximum=10)
    state.line_items["603"] = LineItem(id="603", context_id=OTHER_CONTEXT_ID,
                                       label="Lab Report: Cells", score_maximum=50)
    state.next_id = max(state.next_id, 1000)
