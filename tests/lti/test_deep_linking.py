"""Deep Linking 2.0: the teacher adds the tool and the platform creates the summary column."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import jwt

from lti_tool.lti.vocab import Claim

from .conftest import CLIENT_ID, COURSE, STUDENT, TEACHER, Browser, landed_at

DEEP_LINKING = "LtiDeepLinkingRequest"


def open_picker(browser: Browser, user: str = TEACHER):
    response = browser.launch(user, message_type=DEEP_LINKING)
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def choose(browser: Browser, picker_url: str, title: str = "Mastery tracker") -> tuple[str, str]:
    token = picker_url.split("launch=")[1]
    page = browser.tool.post("/lti/deep-link", data={"launch": token, "title": title})
    assert page.status_code == 200, page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    action = unescape(re.search(r'action="([^"]+)"', html).group(1))
    jwt_value = re.search(r'name="JWT" value="([^"]+)"', html).group(1)
    return action, jwt_value


def test_picker_then_signed_response_creates_link_and_column(browser, lms):
    picker = open_picker(browser)
    assert "Add Mastery Tracker" in browser.tool.get(picker).get_data(as_text=True)
    action, response_jwt = choose(browser, picker, "Algebra mastery")

    claims = jwt.decode(response_jwt, options={"verify_signature": False})
    assert claims["iss"] == CLIENT_ID and claims["aud"] == lms.issuer
    assert claims["exp"] - claims["iat"] <= 600 and claims["nonce"]
    assert claims[Claim.MESSAGE_TYPE] == "LtiDeepLinkingResponse"
    assert claims[Claim.DEPLOYMENT_ID] == "1"
    (item,) = claims[Claim.DL_CONTENT_ITEMS]
    assert item["type"] == "ltiResourceLink" and "custom" not in item  # Moodle 4.5
    assert item["lineItem"] == {
        "label": "Mastery summary",
        "scoreMaximum": 100,
        "resourceId": "mastery-summary",
        "tag": "mastery-summary",
    }
    # The platform's data is echoed exactly (it checks it).
    assert claims[Claim.DL_DATA]

    # The platform verifies the signature against the tool's JWKS over HTTP.
    returned = lms.client().post(urlsplit(action).path, data={"JWT": response_jwt})
    assert returned.status_code == 200, returned.get_data(as_text=True)
    columns = [c for c in lms.platform.line_items(COURSE) if c.client_id == CLIENT_ID]
    assert [(c.label, c.score_maximum, c.tag) for c in columns] == [
        ("Mastery summary", 100, "mastery-summary")
    ]
    titles = [link.title for link in lms.platform.resource_links(COURSE)]
    assert "Algebra mastery" in titles


def test_response_is_signed_with_a_published_key(browser, tool):
    _action, response_jwt = choose(browser, open_picker(browser))
    kid = jwt.get_unverified_header(response_jwt)["kid"]
    published = tool.test_client().get("/.well-known/jwks.json").json["keys"]
    key = jwt.PyJWK(next(k for k in published if k["kid"] == kid))
    jwt.decode(response_jwt, key, algorithms=["RS256"], audience=browser.lms.issuer)


def test_students_cannot_add_the_tool(browser):
    token = open_picker(browser, STUDENT).split("launch=")[1]
    page = browser.tool.post("/lti/deep-link", data={"launch": token})
    assert page.status_code == 403 and "teachers" in page.get_data(as_text=True)


def test_resource_link_session_cannot_answer_deep_linking(browser):
    token = landed_at(browser.launch(TEACHER)).split("launch=")[1]
    page = browser.tool.post("/lti/deep-link", data={"launch": token})
    assert page.status_code == 403
