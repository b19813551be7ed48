"""Webhook signatures against vectors computed by OpenSSL (not by this code)."""

from __future__ import annotations

import base64
import shutil
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from app.returnhelper.signature import SigningKeyError, is_fresh, sign, signed_bytes, verify

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")

KEY = base64.b64encode(bytes(range(7, 39))).decode()  # a 32-byte key
URL = "https://desk.example.com/webhooks/returnhelper"
TIMESTAMP = "2026-11-21T10:15:30.123Z"


def openssl_signature(key_b64: str, text: bytes) -> str:
    """base64(HMAC-SHA256) computed by the openssl command line."""
    hexkey = base64.b64decode(key_b64).hex()
    digest = subprocess.run(
        ["openssl", "dgst", "-sha256", "-mac", "HMAC", "-macopt", f"hexkey:{hexkey}", "-binary"],
        input=text, capture_output=True, check=True).stdout
    assert len(digest) == 32
    return base64.b64encode(digest).decode()


BODIES = [
    b'{"category":"newInventoryCreated","action":"newInventoryCreated","eventTime":"x"}',
    '{"description":"Kaffeemühle, 咖啡研磨机","weight":1250}'.encode(),
    b"",
    b'{\n  "spaced" :  true\n}\n',
]


@pytest.mark.parametrize("body", BODIES)
def test_sign_matches_openssl(body):
    # the vendor's steps: text = "POST" + url + timestamp + body, HMAC over its UTF-8 bytes
    text = ("POST" + URL + TIMESTAMP + body.decode("utf-8")).encode("utf-8")
    # step 2 (message = base64(utf8(text)), HMAC input = its decoded bytes) changes nothing
    assert base64.b64decode(base64.b64encode(text)) == text
    expected = openssl_signature(KEY, text)
    assert sign(KEY, URL, TIMESTAMP, body) == expected
    assert verify(KEY, URL, TIMESTAMP, body, expected)


def test_a_random_key_from_openssl():
    key = subprocess.run(["openssl", "rand", "-base64", "32"], capture_output=True,
                         check=True, text=True).stdout.strip()
    body = BODIES[1]
    expected = openssl_signature(key, signed_bytes(URL, TIMESTAMP, body))
    assert sign(key, URL, TIMESTAMP, body) == expected


@pytest.mark.parametrize("change", ["url", "timestamp", "body", "key", "signature"])
def test_any_change_fails_verification(change):
    body = BODIES[0]
    good = openssl_signature(KEY, b"POST" + URL.encode() + TIMESTAMP.encode() + body)
    args = {"key": KEY, "url": URL, "timestamp": TIMESTAMP, "body": body, "signature": good}
    if change == "url":
        args["url"] = URL + "/"
    elif change == "timestamp":
        args["timestamp"] = "2026-11-21T10:15:31.123Z"
    elif change == "body":
        args["body"] = body.replace(b"x", b"y")
    elif change == "key":
        args["key"] = base64.b64encode(bytes(range(8, 40))).decode()
    else:
        raw = bytearray(base64.b64decode(good))
        raw[0] ^= 1
        args["signature"] = base64.b64encode(bytes(raw)).decode()
    assert not verify(args["key"], args["url"], args["timestamp"], args["body"],
                      args["signature"])


def test_reserialised_json_does_not_verify():
    import json

    body = b'{"b": 1, "a": 2}'
    good = sign(KEY, URL, TIMESTAMP, body)
    again = json.dumps(json.loads(body), separators=(",", ":")).encode()
    assert again != body
    assert not verify(KEY, URL, TIMESTAMP, again, good)


@pytest.mark.parametrize("signature", [None, "", "not base64 !!", "AAAA"])
def test_missing_or_malformed_signatures_are_false(signature):
    assert verify(KEY, URL, TIMESTAMP, b"{}", signature) is False


@pytest.mark.parametrize("key", ["", "not base64 !!", "===="])
def test_a_bad_signing_key_is_a_configuration_error(key):
    with pytest.raises(SigningKeyError):
        sign(key, URL, TIMESTAMP, b"{}")


def test_freshness_window_is_15_minutes():
    now = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
    assert is_fresh("2026-11-21T11:45:00Z", now=now)
    assert is_fresh("2026-11-21T12:15:00+00:00", now=now)
    assert not is_fresh("2026-11-21T11:44:59Z", now=now)
    assert not is_fresh(now + timedelta(minutes=15, seconds=1), now=now)
    assert is_fresh(int((now - timedelta(minutes=3)).timestamp() * 1000), now=now)
    assert not is_fresh("yesterday", now=now)
    assert not is_fresh(None, now=now)
    assert is_fresh(datetime.now(UTC).isoformat())
