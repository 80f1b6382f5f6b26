"""Token endpoint, AGS and NRPS."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from devplatform.platform import Platform
from devplatform.vocab import CLIENT_ASSERTION_TYPE, MediaType, Scope
from tests.devplatform.conftest import CLIENT_ID, ISSUER, FakeTool

COURSE = "algebra-1-p3"
ITEMS = f"/api/lti/courses/{COURSE}/line_items"
GetToken = Callable[..., str]


def token_request(client: FlaskClient, assertion: str, scope: str = Scope.SCORE) -> Any:
    """POST a client_credentials request."""
    return client.post("/token", data={
        "grant_type": "client_credentials", "client_assertion_type": CLIENT_ASSERTION_TYPE,
        "client_assertion": assertion, "scope": scope})


def bearer(token: str, **extra: str) -> dict[str, str]:
    """Authorization headers."""
    return {"Authorization": f"Bearer {token}", **extra}


def ts(seconds: float = 0.0) -> str:
    """An ISO timestamp `seconds` from a fixed base."""
    base = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)
    return (base + timedelta(seconds=seconds)).isoformat(timespec="milliseconds")


def score(user: str = "201", given: float = 8, *, at: float = 0, **extra: Any) -> dict[str, Any]:
    """A score body."""
    return {"userId": user, "scoreGiven": given, "scoreMaximum": 10, "timestamp": ts(at),
            "activityProgress": "Completed", "gradingProgress": "FullyGraded", **extra}


# -- token endpoint -----------------------------------------------------------
def test_token_good_assertion(client: FlaskClient, platform: Platform,
                              fake_tool: FakeTool) -> None:
    resp = token_request(client, fake_tool.assertion(), f"{Scope.SCORE} {Scope.LINEITEM}")
    assert resp.status_code == 200
    body = resp.json
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert body["scope"] == f"{Scope.SCORE} {Scope.LINEITEM}"
    assert platform.token_requests == 1


def test_token_accepts_issuer_as_aud(client: FlaskClient, fake_tool: FakeTool) -> None:
    assert token_request(client, fake_tool.assertion(aud=[ISSUER])).status_code == 200


@pytest.mark.parametrize("kind", ["bad_signature", "wrong_aud", "unknown_client", "expired"])
def test_token_rejects(client: FlaskClient, platform: Platform, fake_tool: FakeTool,
                       kind: str) -> None:
    assertion = {
        "bad_signature": lambda: fake_tool.assertion(key=platform.new_key().get_private_key()),
        "wrong_aud": lambda: fake_tool.assertion(aud="http://localhost:5001/other"),
        "unknown_client": lambda: fake_tool.assertion(client_id="nobody"),
        "expired": lambda: fake_tool.assertion(exp_in=-10),
    }[kind]()
    resp = token_request(client, assertion)
    assert resp.status_code == 400 and resp.json["error"] == "invalid_grant"


def test_token_rejects_replayed_jti(client: FlaskClient, fake_tool: FakeTool) -> None:
    assert token_request(client, fake_tool.assertion(jti="same")).status_code == 200
    resp = token_request(client, fake_tool.assertion(jti="same"))
    assert resp.status_code == 400 and resp.json["error"] == "invalid_grant"


def test_token_rejects_excess_scope(client: FlaskClient, platform: Platform,
                                    fake_tool: FakeTool) -> None:
    platform.registrations["mastery-tool-demo"].scopes = [Scope.SCORE]
    resp = token_request(client, fake_tool.assertion(), f"{Scope.SCORE} {Scope.LINEITEM}")
    assert resp.status_code == 400 and resp.json["error"] == "invalid_scope"


def test_unknown_kid_refetches_once(client: FlaskClient, fake_tool: FakeTool) -> None:
    assert token_request(client, fake_tool.assertion()).status_code == 200
    hits = fake_tool.jwks_hits
    resp = token_request(client, fake_tool.sign({"iss": "x"}, kid="not-there"))
    assert resp.status_code == 400 and fake_tool.jwks_hits == hits  # unknown client first

    now = int(time.time())
    bad = fake_tool.sign({"iss": CLIENT_ID, "sub": CLIENT_ID, "aud": f"{ISSUER}/token",
                          "iat": now, "exp": now + 60, "jti": "k"}, kid="not-there")
    assert token_request(client, bad).status_code == 400
    assert fake_tool.jwks_hits == hits + 1


# -- AGS ----------------------------------------------------------------------
# A JSON body sent with the AGS media type (the embedded platform refuses plain JSON).
AS_ITEM = {"content_type": MediaType.LINEITEM}
AS_SCORE = {"content_type": MediaType.SCORE}

def test_service_auth(client: FlaskClient, platform: Platform, get_token: GetToken) -> None:
    assert client.get(ITEMS).status_code == 401
    assert client.get(ITEMS, headers=bearer("nope")).status_code == 401
    readonly = get_token(client, [Scope.LINEITEM_READONLY])
    assert client.get(ITEMS, headers=bearer(readonly)).status_code == 200
    assert client.post(ITEMS, json={"label": "x", "scoreMaximum": 1},
                       headers=bearer(readonly), **AS_ITEM).status_code == 403
    platform.revoke_tokens()
    assert client.get(ITEMS, headers=bearer(readonly)).status_code == 401


def test_line_items_only_own_and_paginated(client: FlaskClient, platform: Platform,
                                           get_token: GetToken) -> None:
    token = get_token(client)
    platform.add_line_item(COURSE, "Other tool's column", 5, client_id="another-tool")
    for n in range(5):
        resp = client.post(ITEMS, json={"label": f"Target {n}", "scoreMaximum": 4,
                                        "tag": "mastery" if n % 2 else "other",
                                        "resourceLinkId": "501"},
                           headers=bearer(token), **AS_ITEM)
        assert resp.status_code == 201 and resp.content_type == MediaType.LINEITEM
    seen: list[str] = []
    url: str | None = f"{ITEMS}?limit=2"
    while url:
        resp = client.get(url.removeprefix(ISSUER), headers=bearer(token))
        assert resp.content_type == MediaType.LINEITEM_CONTAINER
        seen += [i["label"] for i in resp.json]
        link = resp.headers.get("Link")
        url = link.split(";")[0].strip("<>") if link else None
    assert seen == [f"Target {n}" for n in range(5)]  # no native or foreign columns
    tagged = client.get(f"{ITEMS}?tag=mastery", headers=bearer(token)).json
    assert [i["label"] for i in tagged] == ["Target 1", "Target 3"]
    native = next(i for i in platform.line_items(COURSE) if i.client_id is None)
    assert client.get(f"{ITEMS}/{native.id}", headers=bearer(token)).status_code == 404


def test_scores_and_line_items_need_their_media_types(
    client: FlaskClient, get_token: GetToken
) -> None:
    """As Moodle does: a body sent as plain JSON is refused, so the tool's types are tested."""
    token = get_token(client)
    plain = client.post(ITEMS, json={"label": "A", "scoreMaximum": 10}, headers=bearer(token))
    assert plain.status_code == 415 and MediaType.LINEITEM in plain.get_data(as_text=True)
    path = _item(client, token)
    refused = client.post(f"{path}/scores", json=score(), headers=bearer(token))
    assert refused.status_code == 415


def test_line_item_crud(client: FlaskClient, get_token: GetToken) -> None:
    token = get_token(client)
    item = client.post(ITEMS, json={"label": "A", "scoreMaximum": 10},
                       headers=bearer(token), **AS_ITEM).json
    path = item["id"].removeprefix(ISSUER)
    put = client.put(path, json={"label": "B", "scoreMaximum": 20}, headers=bearer(token),
                     **AS_ITEM)
    assert put.json["label"] == "B" and put.json["scoreMaximum"] == 20
    assert client.delete(path, headers=bearer(token)).status_code == 204
    assert client.get(path, headers=bearer(token)).status_code == 404
    assert client.post(f"{ITEMS}/999999/scores", json=score(),
                       headers=bearer(token), **AS_SCORE).status_code == 404


def send(client: FlaskClient, path: str, token: str, body: dict[str, Any]) -> int:
    """POST a score; return the status code."""
    return client.post(f"{path}/scores", json=body, headers=bearer(token),
                       **AS_SCORE).status_code


def _item(client: FlaskClient, token: str) -> str:
    return str(client.post(ITEMS, json={"label": "Summary", "scoreMaximum": 100},
                           headers=bearer(token),
                           **AS_ITEM).json["id"].removeprefix(ISSUER))


def test_canvas_timestamp_rule(client: FlaskClient, platform: Platform,
                               get_token: GetToken) -> None:
    token = get_token(client)
    path = _item(client, token)
    assert send(client, path, token, score(at=10)) == 200
    assert send(client, path, token, score(at=10)) == 200
    assert send(client, path, token, score(at=5)) == 400
    result = platform.result(path, "201")
    assert result is not None and result.score_given == 80.0  # scaled to the item's maximum


def test_moodle_timestamp_rule(moodle_app: Flask, get_token: GetToken) -> None:
    client = moodle_app.test_client()
    token = get_token(client)
    path = _item(client, token)
    assert send(client, path, token, score(at=10)) == 200
    assert send(client, path, token, score(at=10.5)) == 409  # same second
    assert send(client, path, token, score(at=11)) == 200


def test_scores_submissions_comments_and_clearing(client: FlaskClient, platform: Platform,
                                                  get_token: GetToken) -> None:
    token = get_token(client)
    path = _item(client, token)
    no_new = {"https://canvas.instructure.com/lti/submission": {"new_submission": False}}
    client.post(f"{path}/scores", json=score(at=1, comment="Good"), headers=bearer(token),
                **AS_SCORE)
    client.post(f"{path}/scores", json=score(at=2, comment="Better", **no_new),
                headers=bearer(token), **AS_SCORE)
    result = platform.result(path, "201")
    assert result is not None and result.submission_count == 1
    assert result.comments == ["Good", "Better"]
    client.post(f"{path}/scores", json=score(at=3, gradingProgress="Pending", **no_new),
                headers=bearer(token), **AS_SCORE)
    result = platform.result(path, "201")
    assert result is not None and result.score_given is None
    assert len(platform.scores(path)) == 3


def test_results_have_no_timestamp(client: FlaskClient, platform: Platform,
                                   get_token: GetToken) -> None:
    token = get_token(client)
    path = _item(client, token)
    for n, user in enumerate(["201", "202", "203"]):
        client.post(f"{path}/scores", json=score(user, 5 + n, at=n), headers=bearer(token),
                    **AS_SCORE)
    platform.grade(path, "204", 42)
    resp = client.get(f"{path}/results?limit=2", headers=bearer(token))
    assert resp.content_type == MediaType.RESULT_CONTAINER and 'rel="next"' in resp.headers["Link"]
    assert all("timestamp" not in r for r in resp.json)
    one = client.get(f"{path}/results?user_id=204", headers=bearer(token)).json
    assert one == [{"id": f"{ISSUER}{path}/results/204", "scoreOf": f"{ISSUER}{path}",
                    "userId": "204", "resultScore": 42.0, "resultMaximum": 100.0}]
    assert client.get(f"{path}/results", headers=bearer(get_token(client, [Scope.SCORE]))
                      ).status_code == 403


# -- NRPS ---------------------------------------------------------------------
def test_nrps_paginated(client: FlaskClient, get_token: GetToken) -> None:
    token = get_token(client, [Scope.NRPS_READONLY])
    url: str | None = f"/api/lti/courses/{COURSE}/names_and_roles?limit=4"
    members: list[dict[str, Any]] = []
    while url:
        resp = client.get(url.removeprefix(ISSUER), headers=bearer(token))
        assert resp.content_type == MediaType.MEMBERSHIP_CONTAINER
        assert resp.json["context"]["id"] == COURSE
        members += resp.json["members"]
        link = resp.headers.get("Link")
        url = link.split(";")[0].strip("<>") if link else None
    assert len(members) == 12
    by_id = {m["user_id"]: m for m in members}
    assert by_id["201"]["roles"] == ["Learner"]  # Moodle's short name
    assert by_id["101"]["roles"] == ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]
    assert by_id["209"]["status"] == "Inactive"
    assert client.get(f"/api/lti/courses/{COURSE}/names_and_roles",
                      headers=bearer(get_token(client, [Scope.SCORE]))).status_code == 403


# -- faults -------------------------------------------------------------------
def test_fault_injection(client: FlaskClient, platform: Platform, get_token: GetToken) -> None:
    token = get_token(client)
    platform.faults.inject(r"/line_items$", status=429, retry_after=3)
    platform.faults.inject(r"/names_and_roles", status=403, count=2)
    resp = client.get(ITEMS, headers=bearer(token))
    assert resp.status_code == 429 and resp.headers["Retry-After"] == "3"
    assert client.get(ITEMS, headers=bearer(token)).status_code == 200
    nrps = f"/api/lti/courses/{COURSE}/names_and_roles"
    for _ in range(2):
        resp = client.get(nrps, headers=bearer(token))
        assert resp.status_code == 403 and "Rate Limit Exceeded" in resp.get_data(as_text=True)
    assert client.get(nrps, headers=bearer(token)).status_code == 200


def test_tool_not_in_course_sees_nothing(client: FlaskClient, platform: Platform,
                                         get_token: GetToken) -> None:
    token = get_token(client)
    platform.add_course("chem-1", "CHEM1", "Chemistry I", tools=[])
    assert client.get("/api/lti/courses/chem-1/line_items",
                      headers=bearer(token)).status_code == 404
    assert client.get("/api/lti/courses/chem-1/names_and_roles",
                      headers=bearer(token)).status_code == 404


def test_a_teacher_grades_a_tool_column_in_the_gradebook_page(
        client: FlaskClient, platform: Platform, get_token: GetToken) -> None:
    token = get_token(client)
    path = _item(client, token)
    item_id = path.rsplit("/", 1)[-1]
    page = client.get(f"/courses/{COURSE}/gradebook?as=101").get_data(as_text=True)
    assert 'for="grade-score"' in page and f'<option value="{item_id}">' in page
    form = {"item": item_id, "student": "204", "score": "17.5"}
    resp = client.post(f"/courses/{COURSE}/gradebook/grade?as=101", data=form)
    assert resp.status_code == 303 and resp.headers["Location"].endswith("gradebook?as=101")
    one = client.get(f"{path}/results?user_id=204", headers=bearer(token)).json
    assert one[0]["resultScore"] == 17.5
    # Only the course's teachers, only its students, only numbers; nothing changes otherwise.
    refused = [
        ("201", form, 403), ("101", {**form, "score": "-1"}, 400),
        ("101", {**form, "score": "lots"}, 400), ("101", {**form, "student": "101"}, 400),
        ("101", {**form, "item": "603"}, 404),
    ]
    for who, data, status in refused:
        url = f"/courses/{COURSE}/gradebook/grade?as={who}"
        assert client.post(url, data=data).status_code == status, (who, data)
    assert platform.result(path, "204").score_given == 17.5
    client.post(f"/courses/{COURSE}/gradebook/grade?as=101", data={**form, "score": ""})
    assert platform.result(path, "204").score_given is None
