"""The grading periods page through real launches: validated forms, nothing half-saved."""

from __future__ import annotations

from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import Course, GradingPeriod
from lti_tool.services import grades
from tests.live import STUDENT, TEACHER

from .conftest import launch_as

TERM_1 = {"title": "Term 1", "starts_on": "2030-09-02", "ends_on": "2030-12-20", "grace_days": "3"}


def _periods(tool) -> list[tuple[str, str, str, bool]]:
    with tool.app_context():
        return [
            (p.title, p.starts_on.isoformat(), p.ends_on.isoformat(), p.closed_at is not None)
            for p in db.session.scalars(select(GradingPeriod).order_by(GradingPeriod.id))
        ]


def test_a_teacher_adds_edits_and_closes_a_period(browser, ids, tool) -> None:
    visit = launch_as(browser, TEACHER)
    settings = visit.get("/settings").get_data(as_text=True)
    assert 'href="/periods?launch=' in settings  # linked from the course settings
    page = visit.get("/periods").get_data(as_text=True)
    assert "No grading periods yet" in page
    saved = visit.post("/periods", TERM_1)
    assert saved.status_code == 303
    page = visit.get(saved.headers["Location"].split("?")[0]).get_data(as_text=True)
    assert "Grading period added." not in page  # the notice rides on the redirect only
    page = browser.tool.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Grading period added." in page and "2030-09-02 to 2030-12-20" in page
    assert _periods(tool) == [("Term 1", "2030-09-02", "2030-12-20", False)]

    [(period_id,)] = _ids(tool)
    edited = visit.post("/periods", {**TERM_1, "title": "Autumn", "period": str(period_id)})
    assert edited.status_code == 303
    assert _periods(tool) == [("Autumn", "2030-09-02", "2030-12-20", False)]
    assert visit.post(f"/periods/{period_id}/close", {}).status_code == 303
    assert _periods(tool)[0][3] is True
    page = visit.get("/periods").get_data(as_text=True)
    assert "closed by a teacher" in page and "Reopen Autumn" in page


def _ids(tool) -> list[tuple[int]]:
    with tool.app_context():
        return list(db.session.execute(select(GradingPeriod.id)))


def test_bad_dates_are_refused_next_to_their_field_and_nothing_is_saved(browser, ids, tool) -> None:
    visit = launch_as(browser, TEACHER)
    assert visit.post("/periods", TERM_1).status_code == 303
    cases = [
        (
            {**TERM_1, "title": "Term 2", "starts_on": "2031-03-01", "ends_on": "2031-01-06"},
            "ends_on",
            "The end date must be after the start date.",
        ),
        (
            {**TERM_1, "title": "Term 2", "starts_on": "2030-12-20", "ends_on": "2031-03-01"},
            "starts_on",
            "These dates overlap &#39;Term 1&#39;",
        ),
        (
            {**TERM_1, "title": "Term 2", "starts_on": "next monday"},
            "starts_on",
            "Enter the start date as YYYY-MM-DD",
        ),
        (
            {
                **TERM_1,
                "title": "Term 2",
                "starts_on": "2031-01-06",
                "ends_on": "2031-03-01",
                "grace_days": "many",
            },
            "grace_days",
            "Enter a whole number of days",
        ),
    ]
    for form, field, message in cases:
        refused = visit.post("/periods", form)
        page = refused.get_data(as_text=True)
        assert refused.status_code == 400, field
        assert f'<p class="field-error" id="add-{field}-error">{message}' in page
        assert f'id="add-{field}" name="{field}"' in page
        assert 'aria-invalid="true" aria-describedby="add-' + field + '-error"' in page
        assert "Nothing was saved" in page
        assert _periods(tool) == [("Term 1", "2030-09-02", "2030-12-20", False)]
    # An edit that would end before it starts keeps the period as it was.
    [(period_id,)] = _ids(tool)
    bad = {**TERM_1, "ends_on": "2030-08-01", "period": str(period_id)}
    page = visit.post("/periods", bad).get_data(as_text=True)
    assert f'id="edit-{period_id}-ends_on-error"' in page
    assert _periods(tool) == [("Term 1", "2030-09-02", "2030-12-20", False)]


def test_the_time_zone_is_chosen_from_real_names(browser, ids, tool) -> None:
    visit = launch_as(browser, TEACHER)
    assert visit.post("/periods/time-zone", {"time_zone": "America/Denver"}).status_code == 303
    refused = visit.post("/periods/time-zone", {"time_zone": "Mars/Olympus"})
    assert refused.status_code == 400
    assert "Choose a time zone from the list." in refused.get_data(as_text=True)
    with tool.app_context():
        course = db.session.get(Course, ids.course)
        assert (course.time_zone, course.time_zone_source) == ("America/Denver", "teacher")


def test_students_cannot_see_or_change_periods(browser, ids, tool) -> None:
    visit = launch_as(browser, STUDENT)
    assert visit.get("/periods").status_code == 403
    assert visit.post("/periods", TERM_1).status_code == 403
    assert _periods(tool) == []


def test_the_sync_page_says_a_closed_periods_grades_are_not_sent(browser, ids, tool) -> None:
    visit = launch_as(browser, TEACHER)
    whole = {"title": "Year", "starts_on": "2000-01-03", "ends_on": "2099-12-31"}
    assert visit.post("/periods", whole).status_code == 303
    with tool.app_context():
        course = db.session.get(Course, ids.course)
        assert grades.queue_grades(course) > 0  # what the worker's recompute does
        db.session.commit()
    [(period_id,)] = _ids(tool)
    page = visit.get("/sync").get_data(as_text=True)
    assert "Mastery summary: Year" in page and "Period closed" not in page
    visit.post(f"/periods/{period_id}/close", {})
    page = visit.get("/sync").get_data(as_text=True)
    assert "■ Period closed: not sent" in page
    assert "Grades of a closed grading period are not sent" in page
