"""WINIT open API request signing (MD5), exactly as the vendor documents it.

``sign = upper(md5(token + "action"+action + "app_key"+app_key + "data"+data_json
+ "format"+format + "platform"+platform + "sign_method"+sign_method
+ "timestamp"+timestamp + "version"+version + token))``; ``client_sign`` is the same with
the client secret in place of the token. ``data_json`` must be byte-identical to the
``data`` the request carries, so :func:`build_body` writes that exact text into the body
instead of serialising ``data`` a second time.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

#: The signed parameters, in the order the text is built (alphabetical, as documented).
SIGNED_FIELDS = ("action", "app_key", "data", "format", "platform", "sign_method",
                 "timestamp", "version")

#: WINIT documents its timestamps in China time (UTC+8), format ``yyyy-MM-dd HH:mm:ss``.
CHINA_TIME = timezone(timedelta(hours=8))


@dataclass(frozen=True, slots=True)
class SignedParams:
    """The request fields that take part in the signature (everything but the secrets)."""

    action: str
    app_key: str
    data_json: str
    platform: str = ""
    timestamp: str = ""
    format: str = "json"
    sign_method: str = "md5"
    version: str = "1.0"

    def values(self) -> dict[str, str]:
        return {"action": self.action, "app_key": self.app_key, "data": self.data_json,
                "format": self.format, "platform": self.platform,
                "sign_method": self.sign_method, "timestamp": self.timestamp,
                "version": self.version}


def data_json(data: Mapping[str, Any] | None) -> str:
    """The one serialisation of ``data``: compact, key order kept, non-ASCII as UTF-8."""
    return json.dumps(dict(data or {}), ensure_ascii=False, separators=(",", ":"))


def sign_text(secret: str, params: SignedParams) -> str:
    """The exact text that is hashed: ``secret + name1 + value1 + ... + secret``."""
    values = params.values()
    return secret + "".join(name + values[name] for name in SIGNED_FIELDS) + secret


def _md5_upper(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest().upper()


def sign(token: str, params: SignedParams) -> str:
    """The ``sign`` field: keyed with the account's API token."""
    return _md5_upper(sign_text(token, params))


def client_sign(client_secret: str, params: SignedParams) -> str:
    """The ``client_sign`` field: keyed with the client (app) secret."""
    return _md5_upper(sign_text(client_secret, params))


def timestamp_text(now: datetime) -> str:
    """``yyyy-MM-dd HH:mm:ss`` in China time, whatever zone ``now`` is in."""
    if now.tzinfo is None:
        raise ValueError("timestamp needs an aware datetime")
    return now.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M:%S")


def build_body(params: SignedParams, *, token: str, client_id: str, client_secret: str | None,
               language: str = "zh_CN") -> bytes:
    """The request body, with ``data`` written as exactly ``params.data_json``.

    ``client_sign`` is sent only when a client secret is configured (the field is for
    ISV apps; a seller's own token alone signs ``sign``).
    """
    fields: list[tuple[str, str]] = [
        ("action", json.dumps(params.action, ensure_ascii=False)),
        ("app_key", json.dumps(params.app_key, ensure_ascii=False)),
        ("client_id", json.dumps(client_id, ensure_ascii=False)),
    ]
    if client_secret:
        fields.append(("client_sign", json.dumps(client_sign(client_secret, params))))
    fields += [
        ("data", params.data_json),
        ("format", json.dumps(params.format)),
        ("language", json.dumps(language)),
        ("platform", json.dumps(params.platform, ensure_ascii=False)),
        ("sign", json.dumps(sign(token, params))),
        ("sign_method", json.dumps(params.sign_method)),
        ("timestamp", json.dumps(params.timestamp)),
        ("version", json.dumps(params.version)),
    ]
    return ("{" + ",".join(f'"{name}":{value}' for name, value in fields) + "}").encode("utf-8")


def verify_body(body: bytes, *, token: str, client_secret: str | None) -> tuple[bool, dict[str, Any]]:
    """Check a request body's ``sign`` (and ``client_sign`` when a secret is given).

    Used by the loopback WINIT sandbox. ``data_json`` is recovered from the raw text, so a
    body whose ``data`` was re-serialised differently fails, as it would at WINIT.
    """
    parsed = json.loads(body)
    if not isinstance(parsed, dict):
        return False, {}
    raw = extract_data_json(body.decode("utf-8"))
    if raw is None:
        return False, parsed
    params = SignedParams(
        action=str(parsed.get("action", "")), app_key=str(parsed.get("app_key", "")),
        data_json=raw, platform=str(parsed.get("platform", "")),
        timestamp=str(parsed.get("timestamp", "")), format=str(parsed.get("format", "")),
        sign_method=str(parsed.get("sign_method", "")), version=str(parsed.get("version", "")))
    ok = hmac.compare_digest(str(parsed.get("sign", "")), sign(token, params))
    if client_secret is not None:
        ok = ok and hmac.compare_digest(str(parsed.get("client_sign", "")),
                                        client_sign(client_secret, params))
    return ok, parsed


def extract_data_json(text: str) -> str | None:
    """The raw text of the top-level ``"data"`` value of a JSON object, as sent."""
    decoder = json.JSONDecoder()
    index = 0
    length = len(text)

    def skip_ws(i: int) -> int:
        while i < length and text[i] in " \t\r\n":
            i += 1
        return i

    index = skip_ws(index)
    if index >= length or text[index] != "{":
        return None
    index += 1
    while True:
        index = skip_ws(index)
        if index < length and text[index] == "}":
            return None
        key, index = decoder.raw_decode(text, index)
        index = skip_ws(index)
        if index >= length or text[index] != ":":
            return None
        index = skip_ws(index + 1)
        _, end = decoder.raw_decode(text, index)
        if key == "data":
            return text[index:end]
        index = skip_ws(end)
        if index < length and text[index] == ",":
            index += 1
            continue
        return None
