"""The receiver's request and response plumbing: headers and bodies read straight from the
ASGI scope and messages, small JSON answers, structured log lines, cached keyring values."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from app.returnhelper.signature import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    decode_key,
    verify_with_key,
)

log = logging.getLogger("app.webhooks")
SECRET_CACHE_S = 30.0                   # keyring reads are cached this long (rotation works)
KEPT_HEADERS = ("content-type", "content-length", "user-agent", TIMESTAMP_HEADER,
                "x-event-signature-timestamp", "x-forwarded-for")
#: The request headers the receiver reads, by their raw (lower-case, per ASGI) name.
_READ_HEADERS = {name.encode("latin-1"): name for name in (*KEPT_HEADERS, SIGNATURE_HEADER)}


_NEEDS_QUOTES = re.compile(r'[ ="]')


def log_event(level: int, **fields: object) -> None:
    """One structured line: ``webhook k=v k="v with spaces"`` (values never secrets)."""
    if not log.isEnabledFor(level):
        return
    parts = []
    for name, value in fields.items():
        if value is None:
            continue
        text = str(value).replace("\n", " ")
        if not text or _NEEDS_QUOTES.search(text):
            text = '"' + text.replace('"', "'") + '"'
        parts.append(f"{name}={text}")
    log.log(level, "webhook %s", " ".join(parts))


class _SecretCache:
    """A keyring value, re-read at most every ``ttl`` seconds, off the event loop."""

    def __init__(self, read: Callable[[], str | None], ttl: float = SECRET_CACHE_S) -> None:
        self._read = read
        self._ttl = ttl
        self._value: str | None = None
        self._at = float("-inf")

    async def get(self, *, fresh: bool = False) -> str | None:
        now = time.monotonic()
        if fresh or now - self._at > self._ttl:
            self._value = await asyncio.to_thread(self._read)
            self._at = now
        return self._value


class _BodyTooLarge(Exception):
    pass


async def _read_body(request: Request, cap: int, declared: str | None = None) -> bytes:
    """The whole body, refused early when the declared or received size passes ``cap``.
    Reads the ASGI messages directly (the common case is one message)."""
    if declared is None:
        declared = request.headers.get("content-length")
    if declared is not None:
        try:
            if int(declared) > cap:
                raise _BodyTooLarge
        except ValueError:
            raise _BodyTooLarge from None
    chunks: list[bytes] = []
    size = 0
    receive = request.receive
    while True:
        message = await receive()
        if message["type"] == "http.request":
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > cap:
                raise _BodyTooLarge
            if not message.get("more_body", False):
                if not chunks:
                    return bytes(chunk)
                chunks.append(chunk)
                return b"".join(chunks)
            chunks.append(chunk)
        elif message["type"] == "http.disconnect":
            raise ClientDisconnect


def _read_headers(request: Request) -> dict[str, str]:
    """The headers the receiver uses (first value of each), in one pass over the request's."""
    found: dict[str, str] = {}
    for raw_name, raw_value in request.scope["headers"]:
        name = _READ_HEADERS.get(raw_name)
        if name is not None and name not in found:
            found[name] = raw_value.decode("latin-1")
    return found


def _kept_headers(request: Request, read: dict[str, str] | None = None) -> dict[str, str]:
    if read is None:
        read = _read_headers(request)
    return {name: read[name] for name in KEPT_HEADERS if name in read}


_OUTCOME_BODIES: dict[str, bytes] = {}


def _outcome_response(status: int, outcome: str, detail: str | None) -> Response:
    """``{"outcome": ..., "detail": ...}`` as JSON (the bytes JSONResponse would send)."""
    if detail:
        body = json.dumps({"outcome": outcome, "detail": detail}, ensure_ascii=False,
                          separators=(",", ":")).encode("utf-8")
    else:
        cached = _OUTCOME_BODIES.get(outcome)
        if cached is None:
            cached = _OUTCOME_BODIES[outcome] = json.dumps(
                {"outcome": outcome}, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        body = cached
    return Response(body, status_code=status, media_type="application/json")


class _Verifier:
    """:func:`app.returnhelper.signature.verify` with the signing key decoded once per key
    text (not per request). The decoded key lives only in this object's memory, like the
    key text in :class:`_SecretCache`; it is never logged or written anywhere."""

    def __init__(self) -> None:
        self._text: str | None = None
        self._key = b""

    def __call__(self, key_text: str, url: str, timestamp: str, body: bytes,
                 signature: str | None) -> bool:
        if key_text != self._text:
            self._key = decode_key(key_text)  # SigningKeyError: a configuration problem
            self._text = key_text
        return verify_with_key(self._key, url, timestamp, body, signature)
