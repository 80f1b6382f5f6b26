"""Student profiles, mentors' read-only views, and rules every mastery page keeps."""

from __future__ import annotations

import re

from devplatform.vocab import Role
from tests.live import COURSE, MENTOR, OTHER_STUDENT, STUDENT, TEACHER

from .conftest import cell_path, launch_as


def test_student_profile_puts_the_todo_first_and_the_grade_lower(browser, ids):
    page = launch_as(browser, STUDENT).landing
    assert "<h1>My mastery</h1>" in page and "Mateo Hernández" in page
    todo = page.index("What do I do now?")
    tree = page.index("My standards")
    grade = page.index("Summary grade")
    assert todo < tree < grade
    top = page[: page.index("<main")] + page[page.index("<main") : todo]
    assert "out of 100" not in top and "Average level" not in top  # no average at the top
    assert re.search(r"Average level [\d.]+ across \d+ assessed standards", page[grade:])
    # Each standard: level as text, "I can" statement, evidence behind it.
    assert "I can find and explain a rate of change from a table or a graph." in page
    assert "Not yet assessed" in page  # F-IF.6 for Mateo
    assert 'class="badge lv-' in page and "Unit 1 quiz: linear equations" in page
    assert "Not yet assessed: ask your teacher when it will be." in page
    # Feedback in the to-do list says which evidence it was given on, and when: it may be
    # older than the latest evidence the step speaks of.
    feedback = re.findall(r'<p class="feedback"><span class="label">(.*?)</span>', page, re.S)
    assert feedback, "the demo student has teacher feedback"
    for label in feedback:
        assert re.fullmatch(r"Teacher's feedback on .+, \d{4}-\d{2}-\d{2}:", label), label


def test_a_course_without_standards_says_so_and_shows_nothing_empty(browser, ids, lms):
    lms.platform.add_course("biology-7", "BIO-7", "Biology")
    lms.platform.add_resource_link("biology-7", "Mastery tracker")
    lms.platform.enroll("biology-7", STUDENT, [Role.LEARNER])
    page = launch_as(browser, STUDENT, "biology-7").landing
    assert "Your teacher has not chosen this course's standards yet." in page
    # No empty legend, tree, grade or report: nothing there says something untrue.
    for empty in ("Summary grade", "Clave", "Key to the levels", "sent to the LMS", "report"):
        assert empty not in page, empty
    # Where there is a grade, the page still says where it goes.
    assert "sent to the LMS gradebook" in launch_as(browser, STUDENT).landing


def test_student_sees_only_their_own_data(browser, ids):
    visit = launch_as(browser, STUDENT)
    page = visit.landing
    for other in ("Aiyana Whitehorse", "Jamal Carter", "Sofia Rossi"):
        assert other not in page
    assert visit.get(f"/students/{ids.users[STUDENT]}").status_code == 200
    assert visit.get(f"/students/{ids.users[OTHER_STUDENT]}").status_code == 403
    assert visit.get(cell_path(ids, OTHER_STUDENT, "A-CED.1")).status_code == 403


def test_teacher_opens_any_student_profile_of_the_course(browser, ids):
    visit = launch_as(browser, TEACHER)
    page = visit.get(f"/students/{ids.users[OTHER_STUDENT]}").get_data(as_text=True)
    assert "Aiyana Whitehorse" in page and "What to work on next" in page
    assert "Back to the gradebook" in page
    # The next steps speak of the student to the teacher, by first name.
    steps = re.findall(r'<p class="next-step">(.*?)</p>', page, re.S)
    assert steps and not any("your" in step.lower() for step in steps)
    assert any(step.startswith("Aiyana") for step in steps), steps


def test_mentor_sees_the_linked_student_read_only(browser, ids):
    visit = launch_as(browser, MENTOR)
    assert "Student progress" in visit.landing and "Mateo Hernández" in visit.landing
    assert "Aiyana Whitehorse" not in visit.landing
    profile = visit.get(f"/students/{ids.users[STUDENT]}")
    page = profile.get_data(as_text=True)
    assert profile.status_code == 200 and "read-only" in page and "<form" not in page
    assert "Not yet assessed: the teacher decides when it will be." in page
    assert "ask your teacher" not in page
    assert visit.get(f"/students/{ids.users[OTHER_STUDENT]}").status_code == 403
    assert visit.get(cell_path(ids, OTHER_STUDENT, "A-CED.1")).status_code == 403
    cell = visit.get(cell_path(ids, STUDENT, "A-CED.1"))
    assert cell.status_code == 200 and "<form" not in cell.get_data(as_text=True)


def test_mentor_without_mentees_sees_no_student(browser, ids, lms):
    lms.platform.add_user("Pat", "Parent", user_id="302")
    lms.platform.enroll(COURSE, "302", [Role.MENTOR])
    visit = launch_as(browser, "302")
    assert "No student in this course is linked to your account" in visit.landing
    assert "Mateo Hernández" not in visit.landing and "/students/" not in visit.landing
    for sub in (STUDENT, OTHER_STUDENT):
        assert visit.get(f"/students/{ids.users[sub]}").status_code == 403


INTERNAL = re.compile(r'(?:href|src)="(/[^"]*)"')


def test_every_link_and_form_carries_the_launch_token(browser, ids):
    teacher = launch_as(browser, TEACHER)
    student = launch_as(browser, STUDENT)
    mentor = launch_as(browser, MENTOR)
    pages = [
        (teacher, teacher.landing),
        (teacher, teacher.get(cell_path(ids, STUDENT, "A-REI.3")).get_data(as_text=True)),
        (teacher, teacher.get(f"/students/{ids.users[STUDENT]}").get_data(as_text=True)),
        (student, student.landing),
        (student, student.get(cell_path(ids, STUDENT, "A-REI.3")).get_data(as_text=True)),
        (mentor, mentor.landing),
        (mentor, mentor.get(f"/students/{ids.users[STUDENT]}").get_data(as_text=True)),
    ]
    for visit, page in pages:
        for url in INTERNAL.findall(page):
            if url.startswith("/static/"):
                continue
            assert f"launch={visit.token}" in url, url
        forms = re.findall(r"<form.*?</form>", page, re.S)
        assert page.count("<form") == len(forms)
        for form in forms:
            assert f'<input type="hidden" name="launch" value="{visit.token}">' in form


def test_no_inline_script_style_or_event_handler(browser, ids):
    teacher = launch_as(browser, TEACHER)
    pages = [
        teacher.landing,
        teacher.get(cell_path(ids, STUDENT, "A-REI.3")).get_data(as_text=True),
        launch_as(browser, STUDENT).landing,
        launch_as(browser, MENTOR).landing,
    ]
    for page in pages:
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page)
        assert "<style" not in page
        assert not re.search(r"\sstyle=", page)
        assert not re.search(r"\son[a-z]+=", page)


def test_form_fields_have_labels(browser, ids):
    teacher = launch_as(browser, TEACHER)
    for page in (
        teacher.landing,
        teacher.get(cell_path(ids, STUDENT, "A-REI.3")).get_data(as_text=True),
    ):
        for field_id in re.findall(
            r'<(?:select|textarea|input)(?![^>]*type="hidden")[^>]*id="([^"]+)"', page
        ):
            assert f'<label for="{field_id}">' in page, field_id
