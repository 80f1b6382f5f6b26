"""The launch token's header and claims, read before anything about them is trusted
(lti/launch.py::unverified_parts): two JSON objects back, or a ValueError (the launch's "not a
valid JWT"), never another exception, whatever the browser posts."""

from __future__ import annotations

import base64
import json

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import given
from hypothesis import strategies as st

from lti_tool.lti.launch import unverified_parts

KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def segment(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)


def test_a_signed_token_reads_as_pyjwt_reads_it():
    claims = {"iss": "https://lms.example", "aud": ["tool"], "nonce": "n", "name": "Zoë ✓"}
    token = jwt.encode(claims, KEY, "RS256", headers={"kid": "k1"})
    header, read = unverified_parts(token)
    complete = jwt.api_jwt.decode_complete(token, options={"verify_signature": False})
    assert (header, read) == (complete["header"], complete["payload"])


@given(st.text(max_size=300))
def test_any_text_is_two_objects_or_a_value_error(text):
    try:
        header, claims = unverified_parts(text)
    except ValueError:
        return
    assert isinstance(header, dict) and isinstance(claims, dict)


@given(JSON, JSON, st.text(alphabet="ABCxyz019-_", max_size=40))
def test_any_json_in_the_segments_is_two_objects_or_a_value_error(first, second, signature):
    token = f"{segment(first)}.{segment(second)}.{signature}"
    if isinstance(first, dict) and isinstance(second, dict):
        assert unverified_parts(token) == (first, second)
    else:
        with pytest.raises(ValueError, match="JSON objects"):
            unverified_parts(token)


@pytest.mark.parametrize(
    "token",
    [
        "",
        "e30.e30",  # two segments
        "e30.e30.sig.more",  # four
        "e30.e30=.sig",  # padding is not base64url
        "e3 0.e30.sig",  # a space
        "e30.e3.sig",  # a length base64 cannot have
        "e30./w.sig",  # "/" is base64, not base64url
        f"e30.{segment('claims')}.sig",  # a JSON string, not an object
        "e30.gA.sig",  # not UTF-8
        "e30." + base64.urlsafe_b64encode(b"[" * 99_999).decode() + ".sig",  # nested too deep
    ],
)
def test_malformed_tokens_are_value_errors(token):
    with pytest.raises(ValueError):
        unverified_parts(token)
