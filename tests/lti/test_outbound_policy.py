import pytest

from lti_tool.lti.http import OutboundError, OutboundPolicy


def policy(private=False, http=False, production=False):
    return OutboundPolicy(
        timeout=1, user_agent="t", allow_private=private, allow_http=http, production=production
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "https://169.254.10.1/jwks",  # link-local
        "https://[fe80::1]/jwks",
        "https://metadata.google.internal/computeMetadata/v1/",
        "https://0.0.0.0/",
        "https://224.0.0.1/",
        "https://[::ffff:169.254.169.254]/latest/",  # metadata, written as IPv6
        "https://[64:ff9b::a9fe:a9fe]/latest/",  # the same through NAT64
        "https://[fd00:ec2::254]/latest/",  # AWS's IPv6 metadata endpoint
        "https://100.100.100.200/latest/",  # Alibaba Cloud's metadata endpoint
        "https://192.0.0.192/",  # Oracle Cloud's legacy metadata endpoint
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
        "https://[::ffff:10.0.0.7]/jwks",
        "https://100.70.1.2/jwks",  # shared address space: a VPN overlay, carrier-grade NAT
        "https://localhost/jwks",
    ],
)
def test_private_addresses_need_the_setting(url):
    with pytest.raises(OutboundError, match="private network"):
        policy().check_url(url)
    policy(private=True).check_url(url)


def test_public_addresses_are_allowed_without_the_setting():
    policy().check_url("https://93.184.216.34/jwks")
    policy().check_url("https://[2606:2800:220:1:248:1893:25c8:1946]/jwks")


def test_the_address_a_connection_reaches_is_checked_again(monkeypatch):
    """DNS rebinding: the name answers a public address to the check and a private one to the
    connection. The connection is refused before the request is sent."""
    import ipaddress

    from flask import Flask

    from devplatform.server import serve_in_thread
    from lti_tool.lti import http
    from lti_tool.lti.http import OutboundClient

    hits = []
    app = Flask("inside")

    @app.get("/secret")
    def secret():
        hits.append(1)
        return {"secret": True}

    public = [ipaddress.ip_address("93.184.216.34")]
    monkeypatch.setattr(http, "_resolve", lambda host, port: public)
    client = OutboundClient(policy(private=False, http=True))
    with serve_in_thread(app) as handle:
        url = handle.url.replace("127.0.0.1", "localhost") + "/secret"
        with pytest.raises(OutboundError, match="private network"):
            client.get_json(url)
        assert hits == []
        # With the setting on, the same connection goes through.
        assert OutboundClient(policy(private=True, http=True)).get_json(url) == {"secret": True}
    assert hits == [1]


def test_plain_http_needs_the_setting():
    with pytest.raises(OutboundError, match="https"):
        policy(private=True).check_url("http://127.0.0.1:5001/jwks")
    policy(private=True, http=True).check_url("http://127.0.0.1:5001/jwks")


def test_in_production_plain_http_reaches_only_this_machine():
    """https only in production: the flag still lets a platform on loopback in (the benches)."""
    production = policy(private=True, http=True, production=True)
    for url in ("http://10.1.2.3/jwks", "http://93.184.216.34/jwks", "http://[fd12::1]/"):
        with pytest.raises(OutboundError, match="https addresses are accepted in production"):
            production.check_url(url)
    production.check_url("http://127.0.0.1:5001/jwks")
    production.check_url("https://10.1.2.3/jwks")
    assert OutboundPolicy.from_config(
        {
            "ENV": "production",
            "HTTP_TIMEOUT_SECONDS": 5,
            "HTTP_USER_AGENT": "t",
            "LTI_TOOL_ALLOW_PRIVATE_NETWORK": True,
            "LTI_TOOL_ALLOW_INSECURE_HTTP": True,
        }
    ).production


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
