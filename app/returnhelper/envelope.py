"""Return Helper's response envelope, interpreted in one place.

Every answer looks like ``{"correlationId": ..., "meta": {"status", "data", "errorCode",
"error"}, ...payload}``. Success is ``meta.status`` in 2xx, *not* HTTP 200: validation
failures arrive as HTTP 200 with ``meta.status: 400``. :func:`interpret` turns an HTTP
status, headers and body into an :class:`Envelope` or raises the matching
:class:`~app.returnhelper.errors.ApiError`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from app.model import as_aware
from app.returnhelper.errors import (
    ApiError,
    AuthError,
    ClientRequestError,
    ConflictApiError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    ServerError,
    SoftError,
)

CORRELATION_HEADERS = ("x-correlation-id", "x-correlationid", "correlation-id")


@dataclass(frozen=True, slots=True)
class Envelope:
    """A successful answer: ``payload`` is the whole JSON object, ``data`` is ``meta.data``."""

    http_status: int
    status: int
    correlation_id: str | None
    data: Any
    payload: Mapping[str, Any] = field(default_factory=dict)

    def field(self, *names: str) -> Any:
        """The first of ``names`` set as a top-level payload field, else in ``meta.data``."""
        for name in names:
            if self.payload.get(name) is not None:
                return self.payload[name]
        if isinstance(self.data, Mapping):
            for name in names:
                if self.data.get(name) is not None:
                    return self.data[name]
        return None


def parse_field_errors(error: object) -> dict[str, list[str]]:
    """``meta.error`` in whatever shape it comes, as ``{field: [messages]}``.

    Accepts ``{"field": ["a", "b"]}``, ``{"field": "a"}``, ``[{"field": .., "message": ..}]``,
    ``["a", "b"]``, ``"a"``; messages not tied to a field go under ``""``.
    """
    result: dict[str, list[str]] = {}

    def add(name: str, message: object) -> None:
        if message is None or message == "" or message == [] or message == {}:
            return
        if isinstance(message, list | tuple):
            for item in message:
                add(name, item)
            return
        if isinstance(message, Mapping):
            text = message.get("message") or message.get("errorMessage") or message.get("error")
            sub = message.get("field") or message.get("fieldName") or message.get("name")
            if text is not None:
                add(str(sub) if sub is not None else name, text)
            else:
                for key, value in message.items():
                    add(f"{name}.{key}" if name else str(key), value)
            return
        result.setdefault(name, []).append(str(message))

    if isinstance(error, Mapping):
        for key, value in error.items():
            add(str(key), value)
    else:
        add("", error)
    return result


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds (a number or an HTTP date); ``None`` when absent or unreadable."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        seconds = (as_aware(when) - (now or datetime.now(UTC))).total_seconds()
    if seconds != seconds:  # NaN
        return None
    return max(0.0, seconds)


def header_value(headers: Mapping[str, str], name: str) -> str | None:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    return None


def interpret(http_status: int, headers: Mapping[str, str], body: bytes, *,
              what: str = "request") -> Envelope:
    """Classify one answer. ``what`` names the call in messages (``"GET ReturnInventory/list"``)."""
    parsed: Any = None
    parse_problem: str | None = None
    if body.strip():
        try:
            parsed = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            parse_problem = "the answer is not JSON"
    else:
        parse_problem = "the answer is empty"
    payload: Mapping[str, Any] | None = parsed if isinstance(parsed, Mapping) else None
    meta = payload.get("meta") if payload is not None else None
    if payload is not None and not isinstance(meta, Mapping):
        parse_problem = "the answer has no 'meta' object"
        meta = None
    cid_value = payload.get("correlationId") if payload is not None else None
    if cid_value not in (None, ""):
        correlation_id: str | None = str(cid_value)
    else:  # the headers are searched only when the body does not say
        correlation_id = None
        for name in CORRELATION_HEADERS:
            correlation_id = correlation_id or header_value(headers, name)

    meta_status: int | None = None
    if meta is not None:
        raw_status = meta.get("status")
        try:
            meta_status = int(raw_status) if raw_status is not None and not isinstance(
                raw_status, bool) else None
        except (TypeError, ValueError):
            meta_status = None
    error_code = None
    field_errors: dict[str, list[str]] = {}
    if meta is not None:
        code = meta.get("errorCode")
        error_code = str(code) if code not in (None, "") else None
        field_errors = parse_field_errors(meta.get("error"))

    # The HTTP status decides first for transport-level failures, then meta.status.
    status = http_status
    if 200 <= http_status < 300 and meta_status is not None:
        status = meta_status
    elif http_status < 200 or http_status >= 300:
        status = http_status
    if 200 <= status < 300:
        if parse_problem is not None or payload is None:
            raise ProtocolError(f"{what}: {parse_problem or 'the answer is not a JSON object'}",
                                correlation_id=correlation_id, http_status=http_status)
        if meta_status is None:
            raise ProtocolError(f"{what}: the answer's meta.status is missing or not a number",
                                correlation_id=correlation_id, http_status=http_status)
        return Envelope(http_status=http_status, status=status, correlation_id=correlation_id,
                        data=meta.get("data") if meta is not None else None, payload=payload)
    raise _error_for(status, http_status, what, correlation_id, error_code, field_errors,
                     headers, soft=200 <= http_status < 300)


def _error_for(status: int, http_status: int, what: str, correlation_id: str | None,
               error_code: str | None, field_errors: dict[str, list[str]],
               headers: Mapping[str, str], *, soft: bool) -> ApiError:
    kwargs: dict[str, Any] = {"correlation_id": correlation_id, "http_status": http_status,
                              "error_code": error_code}
    code_text = f" [{error_code}]" if error_code else ""
    if status in (401, 403):
        return AuthError(f"{what}: Return Helper refused the API key or token "
                         f"(status {status}){code_text}; check the credentials", **kwargs,
                         field_errors=field_errors)
    if status == 404:
        return NotFoundError(f"{what}: not found (status 404){code_text}", **kwargs,
                             field_errors=field_errors)
    if status == 409:
        return ConflictApiError(f"{what}: conflict (status 409){code_text}", **kwargs,
                                field_errors=field_errors)
    if status == 429:
        retry_after = parse_retry_after(header_value(headers, "retry-after"))
        wait = f"; retry after {retry_after:g} s" if retry_after is not None else ""
        return RateLimitedError(f"{what}: too many requests (status 429){wait}",
                                retry_after=retry_after, correlation_id=correlation_id,
                                http_status=http_status, error_code=error_code)
    if status >= 500:
        error = ServerError(f"{what}: Return Helper failed (status {status}){code_text}",
                            **kwargs, field_errors=field_errors)
        error.retry_after = parse_retry_after(header_value(headers, "retry-after"))
        return error
    if soft or (status in (400, 422) and (error_code or field_errors)):
        return SoftError(f"{what}: Return Helper refused the request (status {status})"
                         f"{code_text}", **kwargs, field_errors=field_errors)
    return ClientRequestError(f"{what}: unexpected answer (status {status}){code_text}",
                              **kwargs, field_errors=field_errors)
