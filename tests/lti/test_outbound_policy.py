import pytest

from lti_tool.lti.http import OutboundError, OutboundPolicy


def policy(private=False, http=False):
    return OutboundPolicy(timeout=1, user_agent="t", allow_private=private, allow_http=http)


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "https://169.254.10.1/jwks",  # link-local
        "https://[fe80::1]/jwks",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://0.0.0.0/",
        "https://224.0.0.1/",
        "ftp://example.org/jwks",
        "file:///etc/passwd",
        "https:///nohost",
    ],
)
def test_refused_even_with_private_network_allowed(url):
    with pytest.raises(OutboundError):
        policy(private=True, http=True).check_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/jwks",
        "https://10.1.2.3/jwks",
        "https://192.168.1.5/",
        "https://[::1]/jwks",
        "https://localhost/jwks",
    ],
)
def test_private_addresses_need_the_setting(url):
    with pytest.raises(OutboundError, match="private network"):
        policy().check_url(url)
    policy(private=True).check_url(url)


def test_plain_http_needs_the_setting():
    with pytest.raises(OutboundError, match="https"):
        policy(private=True).check_url("http://127.0.0.1:5001/jwks")
    policy(private=True, http=True).check_url("http://127.0.0.1:5001/jwks")


def test_every_call_has_a_user_agent_and_a_timeout(silent_url):
    """Canvas refuses service calls without a User-Agent; a hung platform must not hang us."""
    import time

    from flask import Flask, request

    from devplatform.server import serve_in_thread
    from lti_tool.lti.http import OutboundClient

    seen = {}
    app = Flask("echo")

    @app.get("/ua")
    def user_agent():
        seen["ua"] = request.headers.get("User-Agent")
        return {"ok": True}

    client = OutboundClient(
        OutboundPolicy(
            timeout=0.3, user_agent="MasteryTracker-test/1", allow_private=True, allow_http=True
        )
    )
    with serve_in_thread(app) as handle:
        assert client.get_json(f"{handle.url}/ua") == {"ok": True}
    assert seen["ua"] == "MasteryTracker-test/1"

    started = time.monotonic()
    with pytest.raises(OutboundError, match="Could not reach"):
        client.get_json(f"{silent_url}/hang")
    assert time.monotonic() - started < 3
