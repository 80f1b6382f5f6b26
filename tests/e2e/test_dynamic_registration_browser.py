"""An admin registers the tool from the LMS's own page: iframe, registration, close message."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import Platform

pytestmark = pytest.mark.browser

ADMIN = "2"


def test_admin_registers_the_tool_by_dynamic_registration(
    make_app, tool_server, lms, page, screenshot
):
    app = make_app(TOOL_BASE_URL=tool_server.url)
    page.goto(f"{lms.issuer}/admin/tools?as={ADMIN}")
    page.get_by_label("Tool registration URL").fill(f"{tool_server.url}/lti/register")
    page.get_by_role("button", name="Start registration").click()
    # The tool's confirmation posts org.imsglobal.lti.close as it loads; the LMS then removes
    # the frame, so its text may be gone before we could read it: wait for the LMS's status.
    page.get_by_text("Tool registered").wait_for()
    screenshot("dynamic-registration")
    page.wait_for_url(f"{lms.issuer}/admin/tools")
    with app.app_context():
        platform = db.session.scalars(select(Platform)).one()
        assert platform.registered_via == "dynamic" and platform.deployments
        client_id = platform.client_id
    assert client_id != "mastery-tool-demo"  # a new registration, not the seeded one
    assert client_id in page.locator("#tools").inner_text()
