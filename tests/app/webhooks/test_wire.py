"""The receiver's signature check with a cached key decode agrees with the reference verify."""

from __future__ import annotations

import base64
import secrets

import pytest

from app.returnhelper.signature import SigningKeyError, sign, verify
from app.webhooks.wire import _Verifier

URL = "https://desk.example/webhooks/returnhelper"
STAMP = "2026-11-20T08:00:00Z"
BODY = b'{"category":"newInventoryCreated","notificationId":"n-1"}'


def _key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def test_agrees_with_verify_for_good_bad_and_malformed_signatures() -> None:
    key, other = _key(), _key()
    check = _Verifier()
    good = sign(key, URL, STAMP, BODY)
    cases = [good, f"  {good} ", sign(other, URL, STAMP, BODY), "not base64!", "", None,
             sign(key, URL, STAMP, BODY + b" ")]
    for signature in cases:
        assert check(key, URL, STAMP, BODY, signature) == verify(key, URL, STAMP, BODY, signature)
    assert check(key, URL, STAMP, BODY, good) is True
    assert check(key, URL, STAMP, BODY + b"x", good) is False


def test_a_rotated_key_is_decoded_again() -> None:
    old, new = _key(), _key()
    check = _Verifier()
    assert check(old, URL, STAMP, BODY, sign(old, URL, STAMP, BODY))
    assert check(new, URL, STAMP, BODY, sign(new, URL, STAMP, BODY))
    assert not check(new, URL, STAMP, BODY, sign(old, URL, STAMP, BODY))
    assert check(old, URL, STAMP, BODY, sign(old, URL, STAMP, BODY))


def test_a_key_that_is_not_base64_is_a_configuration_error_every_time() -> None:
    check = _Verifier()
    for _ in range(2):  # never cached as if it were good
        with pytest.raises(SigningKeyError):
            check("***not a key***", URL, STAMP, BODY, "c2ln")
