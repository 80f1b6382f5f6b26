"""Service access tokens against the embedded platform's real token endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from flask import Flask
from sqlalchemy import select, update

from lti_tool.extensions import db
from lti_tool.lti.ags import AGS_SCOPES, AgsClient
from lti_tool.lti.context import lti
from lti_tool.lti.nrps import NrpsClient
from lti_tool.lti.service import Delivered, Rejected, Retry
from lti_tool.lti.service_token import ServiceError, ServiceTokens, service_tokens
from lti_tool.lti.vocab import Scope
from lti_tool.models import AccessToken, Platform
from lti_tool.models.types import utcnow
from tests.lti.conftest import COURSE, Lms

SCOPES = [Scope.SCORE, Scope.LINEITEM]


@pytest.fixture
def platform(tool: Flask) -> Iterator[Platform]:
    with tool.app_context():
        yield db.session.scalars(select(Platform)).one()


def new_tokens(**options) -> ServiceTokens:
    """A ServiceTokens with its own memory, as in another process."""
    return ServiceTokens(lti().key_ring, lti().outbound, **options)


def test_assertion_claims(platform: Platform, lms: Lms) -> None:
    tokens = new_tokens()
    first, second = tokens.assertion(platform), tokens.assertion(platform)
    key = lti().key_ring.current()
    assert key is not None
    header = jwt.get_unverified_header(first)
    assert header["alg"] == "RS256" and header["kid"] == key.kid
    claims = jwt.decode(
        first, key.private_key.public_key(), algorithms=["RS256"], audience=lms.platform.token_url
    )
    assert claims["iss"] == claims["sub"] == platform.client_id
    assert 0 < claims["exp"] - claims["iat"] <= 300
    assert claims["jti"] != jwt.decode(second, options={"verify_signature": False})["jti"]
    # The platform verifies it against the tool's JWKS, fetched over HTTP.
    assert tokens.token(platform, SCOPES)


def test_auth_audience_overrides_token_url(platform: Platform, lms: Lms) -> None:
    platform.auth_audience = lms.issuer
    assertion = new_tokens().assertion(platform)
    assert jwt.decode(assertion, options={"verify_signature": False})["aud"] == lms.issuer
    assert new_tokens().token(platform, SCOPES)


def test_token_shared_across_processes(platform: Platform, lms: Lms) -> None:
    one, two = new_tokens(), new_tokens()
    seen = {one.token(platform, SCOPES) for _ in range(20)}
    seen |= {two.token(platform, reversed(SCOPES)) for _ in range(20)}
    assert len(seen) == 1 and lms.platform.token_requests == 1
    row = db.session.scalars(select(AccessToken)).one()
    assert row.scopes == " ".join(sorted(SCOPES)) and row.token in seen
    assert row.expires_at > utcnow() + timedelta(minutes=59)


def test_expired_cache_fetches_a_new_token(platform: Platform, lms: Lms) -> None:
    first = new_tokens().token(platform, SCOPES)
    db.session.execute(update(AccessToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    second = new_tokens().token(platform, SCOPES)
    assert second != first and lms.platform.token_requests == 2
    assert db.session.scalars(select(AccessToken.token)).one() == second


def test_token_renewed_within_the_margin(platform: Platform, lms: Lms) -> None:
    offset = timedelta(0)
    tokens = new_tokens(clock=lambda: utcnow() + offset)
    first = tokens.token(platform, SCOPES)
    offset = timedelta(seconds=3600 - 120)
    assert tokens.token(platform, SCOPES) == first
    offset = timedelta(seconds=3600 - 30)
    assert tokens.token(platform, SCOPES) != first
    assert lms.platform.token_requests == 2


def test_revoked_token_refetched_once(platform: Platform, lms: Lms) -> None:
    tokens = service_tokens()
    nrps = NrpsClient(platform, tokens, lti().outbound)
    url = f"{lms.issuer}/api/lti/courses/{COURSE}/names_and_roles"
    assert nrps.members(url)
    lms.platform.revoke_tokens()
    assert nrps.members(url)
    assert lms.platform.token_requests == 2
    # Another process holding the revoked token: its 401 must not delete the fresh one.
    stale = "revoked-by-the-platform"
    fresh = tokens.token(platform, [Scope.NRPS])
    new_tokens().invalidate(platform, [Scope.NRPS], stale)
    assert db.session.scalars(select(AccessToken.token)).one() == fresh


def test_private_key_not_parsed_per_assertion(
    platform: Platform, lms: Lms, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert lti().key_ring.current() is not None  # loaded once, before counting
    parsed = []
    original = serialization.load_pem_private_key

    def counting(*args, **kwargs):
        parsed.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(serialization, "load_pem_private_key", counting)
    monkeypatch.setattr(jwt.algorithms, "load_pem_private_key", counting, raising=False)
    tokens = new_tokens()
    for _ in range(5):
        tokens.assertion(platform)
    tokens.token(platform, SCOPES)
    assert parsed == []


def test_refused_grant_is_a_clear_error(platform: Platform, lms: Lms) -> None:
    platform.client_id = "not-registered"
    with pytest.raises(ServiceError) as caught:
        new_tokens().token(platform, SCOPES)
    assert caught.value.status_code == 400 and caught.value.retry_after is None
    assert "invalid_grant" in caught.value.message and "not-registered" in caught.value.message


def test_scope_not_granted(platform: Platform, lms: Lms) -> None:
    with pytest.raises(ServiceError, match="invalid_scope"):
        new_tokens().token(platform, ["https://example.com/scope/unknown"])


def test_token_endpoint_failure_maps_to_outcomes(platform: Platform, lms: Lms) -> None:
    ags = AgsClient(platform, new_tokens(), lti().outbound)
    url = f"{lms.issuer}/api/lti/courses/{COURSE}/line_items/1/scores"
    lms.platform.faults.inject(r"^/token$", status=503, retry_after=12)
    outcome = ags.call("GET", url, accept="application/json")
    assert isinstance(outcome, Retry) and outcome.after_seconds == 12
    platform.client_id = "not-registered"
    outcome = AgsClient(platform, new_tokens(), lti().outbound, scopes=AGS_SCOPES).call(
        "GET", url, accept="application/json"
    )
    assert isinstance(outcome, Rejected) and outcome.status == 400
    assert not isinstance(outcome, Delivered)
