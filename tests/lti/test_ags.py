"""AGS through the embedded platform: real tokens, real HTTP on loopback, Canvas/Moodle rules."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from devplatform import grading
from devplatform.server import ServerHandle
from lti_tool.extensions import db
from lti_tool.lti.ags import CANVAS_SUBMISSION, AgsClient, Score
from lti_tool.lti.context import lti
from lti_tool.lti.service import (
    Delivered,
    Gone,
    Rejected,
    Retry,
    ServiceCallFailed,
    Superseded,
    Unauthorized,
    with_path_suffix,
)
from lti_tool.lti.service_token import service_tokens
from lti_tool.models import Platform
from tests.lti.conftest import CLIENT_ID, COURSE, STUDENT, Lms

T0 = datetime(2026, 3, 2, 9, 30, 0, 250_000, tzinfo=UTC)
SCORES = r"/line_items/\d+/scores$"


@pytest.fixture
def ags(tool: Flask) -> Iterator[AgsClient]:
    with tool.app_context():
        platform = db.session.scalars(select(Platform)).one()
        yield AgsClient(platform, service_tokens(), lti().outbound, pace_seconds=0)


def container(lms: Lms, course: str = COURSE) -> str:
    return f"{lms.issuer}/api/lti/courses/{course}/line_items"


def score(given: float = 8, *, at: datetime = T0, user: str = STUDENT, **extra) -> Score:
    return Score(user_id=user, score_given=given, score_maximum=10, timestamp=at, **extra)


@pytest.fixture
def item_url(ags: AgsClient, lms: Lms) -> str:
    item = ags.find_or_create_line_item(
        container(lms), label="Summary", score_maximum=100, tag="mastery", resource_id="summary"
    )
    return item.id


def test_score_json() -> None:
    body = score(7.5, comment="Solving equations: Proficient").to_json()
    assert body["timestamp"] == "2026-03-02T09:30:00.250Z"
    assert body[CANVAS_SUBMISSION] == {"new_submission": False}
    assert body["activityProgress"] == "Completed" and body["gradingProgress"] == "FullyGraded"
    assert "comment" not in score().to_json()
    with pytest.raises(ValueError):
        score(at=datetime(2026, 1, 1)).to_json()


def test_scores_url_keeps_query_string() -> None:
    moodle = "https://moodle.example/mod/lti/services.php/2/lineitems/7/lineitem?type_id=3"
    assert with_path_suffix(moodle, "/scores") == (
        "https://moodle.example/mod/lti/services.php/2/lineitems/7/lineitem/scores?type_id=3"
    )


def test_line_items_follow_pages_without_changing_case(ags: AgsClient, lms: Lms) -> None:
    lms.platform.add_course("Geometry-B7", "GEO-B7", "Geometry")
    for number in range(25):
        lms.platform.add_line_item("Geometry-B7", f"Unit {number}", 10, client_id=CLIENT_ID)
    items = ags.line_items(container(lms, "Geometry-B7"), limit=4)
    assert [i.label for i in items] == [f"Unit {n}" for n in range(25)]
    assert lms.platform.token_requests == 1


def test_only_own_line_items_visible(ags: AgsClient, lms: Lms) -> None:
    lms.platform.add_line_item(COURSE, "Other tool", 10, client_id="another-tool", tag="mastery")
    mine = lms.platform.add_line_item(COURSE, "Ours", 10, client_id=CLIENT_ID, tag="mastery")
    items = ags.line_items(container(lms))
    # Native columns (the seeded quiz and discussion) and another tool's never appear.
    assert [i.label for i in items] == ["Ours"] and items[0].id.endswith(f"/{mine.id}")


def test_find_or_create_does_not_duplicate(ags: AgsClient, lms: Lms) -> None:
    fields = dict(label="Standard 1.2", score_maximum=4, tag="standard", resource_id="std-1.2")
    first = ags.find_or_create_line_item(container(lms), **fields, resource_link_id="501")
    again = ags.find_or_create_line_item(container(lms), **fields, resource_link_id="501")
    other = ags.find_or_create_line_item(container(lms), **{**fields, "resource_id": "std-1.3"})
    assert first == again and other.id != first.id
    assert first.resource_link_id == "501" and first.score_maximum == 4
    owned = [i for i in lms.platform.line_items(COURSE) if i.client_id == CLIENT_ID]
    assert len(owned) == 2


def test_post_score_reaches_the_gradebook(ags: AgsClient, lms: Lms, item_url: str) -> None:
    outcome = ags.post_score(item_url, score(8, comment="3 of 4 standards at Proficient"))
    assert isinstance(outcome, Delivered) and outcome.status == 200
    line_item_id = lms.platform.line_item(item_url).id
    result = lms.platform.gradebook(COURSE)[line_item_id][STUDENT]
    assert result["score_given"] == 80 and result["comment"] == "3 of 4 standards at Proficient"
    assert result["submission_count"] == 0  # new_submission: false honoured
    ags.post_score(item_url, score(9, at=T0 + timedelta(seconds=2)))
    assert lms.platform.result(item_url, STUDENT).comment is None


@pytest.mark.parametrize("mode", ["canvas", "moodle"])
def test_older_timestamp_is_superseded(ags: AgsClient, lms: Lms, item_url: str, mode: str) -> None:
    lms.app.config["SCORE_TIMESTAMP_MODE"] = mode
    assert isinstance(ags.post_score(item_url, score(8)), Delivered)
    outcome = ags.post_score(item_url, score(6, at=T0 - timedelta(seconds=5)))
    assert (
        isinstance(outcome, Superseded) and outcome.status == {"canvas": 400, "moodle": 409}[mode]
    )
    assert lms.platform.result(item_url, STUDENT).score_given == 80


@pytest.mark.parametrize(("mode", "kind"), [("canvas", Delivered), ("moodle", Superseded)])
def test_same_second_newer_score(ags: AgsClient, lms: Lms, item_url: str, mode, kind) -> None:
    # Moodle keeps whole seconds: a newer score within the same second is refused.
    lms.app.config["SCORE_TIMESTAMP_MODE"] = mode
    ags.post_score(item_url, score(8))
    assert isinstance(ags.post_score(item_url, score(9, at=T0 + timedelta(milliseconds=500))), kind)


@pytest.mark.parametrize(
    ("fault", "after", "status"),
    [
        (dict(status=500), 0, 500),  # no wait asked: the worker's own backoff applies
        (dict(status=503, retry_after=45), 45, 503),
        (dict(status=429, retry_after=7), 7, 429),
        (dict(status=403), 60, 403),  # Canvas: "403 Forbidden (Rate Limit Exceeded)"
        (dict(status=403, retry_after=3), 3, 403),
    ],
)
def test_transient_failures_retry(ags: AgsClient, lms: Lms, item_url: str, fault, after, status):
    lms.platform.faults.inject(SCORES, **fault)
    outcome = ags.post_score(item_url, score())
    assert isinstance(outcome, Retry) and outcome.after_seconds == after
    assert outcome.status == status
    assert isinstance(ags.post_score(item_url, score()), Delivered)


def test_rate_limit_slows_down(tool: Flask, lms: Lms, item_url: str) -> None:
    pauses: list[float] = []
    client = AgsClient(
        db.session.scalars(select(Platform)).one(),
        service_tokens(),
        lti().outbound,
        pace_seconds=0.25,
        sleep=pauses.append,
    )
    lms.platform.faults.inject(SCORES, status=403)
    outcome = client.post_score(item_url, score())
    assert outcome.rate_limit_remaining == 0.0 and outcome.should_slow_down
    assert isinstance(client.post_score(item_url, score()), Delivered) and pauses == [0.25]


def test_other_403_is_rejected(ags: AgsClient, lms: Lms, item_url: str) -> None:
    lms.platform.faults.inject(SCORES, status=403, body='{"errors":[{"message":"no scope"}]}')
    outcome = ags.post_score(item_url, score())
    assert isinstance(outcome, Rejected) and outcome.message == "no scope"


def test_bad_score_is_rejected(ags: AgsClient, lms: Lms, item_url: str) -> None:
    outcome = ags.post_score(item_url, score(user="999"))
    assert isinstance(outcome, Rejected) and outcome.status == 400
    assert "not in the course" in outcome.message


def test_timeout_is_retry(make_app, item_url: str, tool_server: ServerHandle, lms: Lms) -> None:
    # The line item and the token come from the usual client (item_url); only the score is
    # sent with a 0.3 s timeout, so a busy machine cannot time out anything else.
    app = make_app(TOOL_BASE_URL=tool_server.url, HTTP_TIMEOUT_SECONDS=0.3)
    lms.platform.faults.inject(SCORES, delay_s=1.0)
    with app.app_context():
        client = AgsClient(
            db.session.scalars(select(Platform)).one(), service_tokens(), lti().outbound
        )
        outcome = client.post_score(item_url, score())
    assert isinstance(outcome, Retry) and outcome.status is None
    assert "ReadTimeout" in outcome.message


def test_deleted_line_item_is_gone(ags: AgsClient, lms: Lms, item_url: str) -> None:
    grading.delete_line_item(lms.platform.store, lms.platform.line_item(item_url))
    assert isinstance(ags.post_score(item_url, score()), Gone)
    with pytest.raises(ServiceCallFailed) as caught:
        ags.results(item_url)
    assert isinstance(caught.value.outcome, Gone)


def test_revoked_token_is_refetched(ags: AgsClient, lms: Lms, item_url: str) -> None:
    lms.platform.revoke_tokens()
    assert isinstance(ags.post_score(item_url, score()), Delivered)
    assert lms.platform.token_requests == 2


def test_a_platform_that_keeps_answering_401_gets_one_fresh_token_only(
    ags: AgsClient, lms: Lms, item_url: str
) -> None:
    """On 401 the token is fetched again once: a platform that refuses every token is not
    asked for new ones in a loop."""
    ags.results(item_url)  # a token in hand
    fault = lms.platform.faults.inject(r"/scores$", status=401, count=10)
    outcome = ags.post_score(item_url, score())
    assert isinstance(outcome, Unauthorized)
    assert fault.hits == 2 and lms.platform.token_requests == 2


def test_results_paginated(ags: AgsClient, lms: Lms, item_url: str) -> None:
    students = ["201", "202", "203", "204", "205"]
    for number, student in enumerate(students):
        ags.post_score(item_url, score(number + 5, user=student, comment=f"c{number}"))
    results = ags.results(item_url, limit=2)
    assert [r.user_id for r in results] == students
    assert [r.result_score for r in results] == [50, 60, 70, 80, 90]
    assert results[0].result_maximum == 100 and results[0].comment == "c0"
    assert [r.result_score for r in ags.results(item_url, "203")] == [70]
    assert lms.platform.token_requests == 1
