"""Return Helper webhook signatures, exactly per the vendor's steps.

1. ``text = "POST" + <endpoint URL exactly as registered> + <timestamp header> + <raw body>``
2. the HMAC input is the UTF-8 bytes of ``text`` (the vendor base64-encodes it and decodes
   it again, which changes nothing)
3. ``signature = base64(HMAC-SHA256(key=base64decode(signing key), input))``
4. compare in constant time, over the raw body bytes (never re-serialised JSON)
5. reject events whose ``eventTime`` is more than 15 minutes from the local clock.

The raw body is used as bytes, so a body that is not valid UTF-8 is still signed and
verified deterministically (for valid UTF-8 it is the same as encoding ``text``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from datetime import datetime, timedelta

from app.model import parse_time, utcnow

SIGNATURE_HEADER = "returnhelper-signature"
TIMESTAMP_HEADER = "timestamp"
FRESHNESS = timedelta(minutes=15)


class SigningKeyError(ValueError):
    """The configured signing key is not base64 (a configuration problem, not a bad event)."""


def decode_key(signing_key_b64: str) -> bytes:
    try:
        key = base64.b64decode(signing_key_b64.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SigningKeyError("the Return Helper signing key is not valid base64") from None
    if not key:
        raise SigningKeyError("the Return Helper signing key is empty")
    return key


def signed_bytes(url: str, timestamp: str, raw_body: bytes) -> bytes:
    """The HMAC input of step 1-2: ``"POST" + url + timestamp + body`` as bytes."""
    return b"POST" + url.encode("utf-8") + timestamp.encode("utf-8") + raw_body


def sign(signing_key_b64: str, url: str, timestamp: str, raw_body: bytes) -> str:
    """The ``returnhelper-signature`` header value for this delivery."""
    digest = hmac.new(decode_key(signing_key_b64), signed_bytes(url, timestamp, raw_body),
                      hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify(signing_key_b64: str, url: str, timestamp: str, raw_body: bytes,
           signature: str | None) -> bool:
    """Whether ``signature`` is right for this delivery, compared in constant time.

    A missing or malformed signature is simply ``False``; a bad *key* raises
    :class:`SigningKeyError` because that is a configuration error, not a forged event.
    """
    return verify_with_key(decode_key(signing_key_b64), url, timestamp, raw_body, signature)


def verify_with_key(key: bytes, url: str, timestamp: str, raw_body: bytes,
                    signature: str | None) -> bool:
    """:func:`verify` with the signing key already decoded (:func:`decode_key`)."""
    expected = hmac.new(key, signed_bytes(url, timestamp, raw_body), hashlib.sha256).digest()
    if not signature:
        return False
    try:
        given = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    return hmac.compare_digest(expected, given)


def is_fresh(event_time: object, *, now: datetime | None = None,
             tolerance: timedelta = FRESHNESS) -> bool:
    """Step 5: ``eventTime`` (any form :func:`app.model.parse_time` reads) within 15 minutes.

    An unreadable or missing time is not fresh.
    """
    try:
        when = parse_time(event_time)
    except ValueError:
        return False
    if when is None:
        return False
    return abs((now or utcnow()) - when) <= tolerance
