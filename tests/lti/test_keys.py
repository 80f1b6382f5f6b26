import base64
import hashlib
import json
import stat

import jwt

from lti_tool.lti.keys import KeyRing


def test_generate_writes_a_private_pem_named_by_thumbprint(tmp_path):
    ring = KeyRing(tmp_path)
    key = ring.generate()
    assert key.path.name.endswith(f"-{key.kid}.pem")
    assert stat.S_IMODE(key.path.stat().st_mode) == 0o600
    # RFC 7638: SHA-256 of the canonical JSON of the required members.
    canonical = json.dumps(
        {"e": key.jwk["e"], "kty": "RSA", "n": key.jwk["n"]}, separators=(",", ":"), sort_keys=True
    )
    expected = base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=")
    assert key.kid == expected.decode()


def test_jwks_publishes_current_and_previous_without_private_members(tmp_path):
    ring = KeyRing(tmp_path)
    first = ring.generate()
    second = ring.generate()
    third = ring.generate()
    published = ring.jwks()["keys"]
    assert [k["kid"] for k in published] == [third.kid, second.kid]
    assert first.kid not in {k["kid"] for k in published}
    for key in published:
        assert key["alg"] == "RS256" and key["use"] == "sig"
        assert not {"d", "p", "q", "dp", "dq", "qi"} & set(key)
    assert ring.current().kid == third.kid


def test_rotation_seen_by_another_process_ring(tmp_path):
    reader = KeyRing(tmp_path)
    writer = KeyRing(tmp_path)
    first = writer.generate()
    assert reader.current().kid == first.kid
    second = writer.generate()
    assert reader.current().kid == second.kid


def test_signature_verifies_with_published_key(tmp_path):
    ring = KeyRing(tmp_path)
    key = ring.generate()
    token = jwt.encode({"a": 1}, key.private_key, algorithm="RS256", headers={"kid": key.kid})
    public = jwt.PyJWK(ring.jwks()["keys"][0])
    assert jwt.decode(token, public, algorithms=["RS256"]) == {"a": 1}


def test_keys_are_parsed_once(tmp_path, monkeypatch):
    ring = KeyRing(tmp_path)
    ring.generate()
    ring.keys()
    calls = []
    monkeypatch.setattr(ring, "_load", lambda: calls.append(1) or [])
    for _ in range(5):
        ring.current()
    assert calls == []
