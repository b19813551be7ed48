"""The response envelope, interpreted in one place (unit tests; no server needed)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import httpx
import pytest

from app.returnhelper.client import ReturnHelperClient
from app.returnhelper.envelope import interpret, parse_field_errors, parse_retry_after
from app.returnhelper.errors import (
    AuthError,
    ClientRequestError,
    ConflictApiError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    ServerError,
    SoftError,
)


def body(status: int, **extra: object) -> bytes:
    meta = {"status": status, "data": extra.pop("data", None),
            "errorCode": extra.pop("errorCode", None), "error": extra.pop("error", None)}
    return json.dumps({"correlationId": "cid-1", "meta": meta, **extra}).encode()


def test_success_is_meta_status_2xx():
    env = interpret(200, {}, body(200, data={"a": 1}, handlings=[1]))
    assert env.status == 200 and env.correlation_id == "cid-1"
    assert env.data == {"a": 1} and env.field("handlings") == [1]
    assert env.field("a") == 1  # falls back to meta.data
    assert interpret(200, {}, body(201)).status == 201
    nested = interpret(200, {}, body(200, data={"data": [1], "totalNumberOfRecords": 1}))
    assert nested.field("data") == [1] and nested.field("totalNumberOfRecords") == 1


def test_http_200_with_meta_400_is_a_soft_error():
    with pytest.raises(SoftError) as info:
        interpret(200, {}, body(400, errorCode="VALIDATION_FAILED",
                                error={"handlingCode": ["bad code"], "returnInventoryId": "gone"}),
                  what="POST X")
    error = info.value
    assert error.http_status == 200 and error.error_code == "VALIDATION_FAILED"
    assert error.field_errors == {"handlingCode": ["bad code"], "returnInventoryId": ["gone"]}
    assert error.correlation_id == "cid-1"
    text = str(error)
    assert "POST X" in text and "bad code" in text and "cid-1" in text
    assert not error.retryable


@pytest.mark.parametrize(("http", "meta", "kind"), [
    (401, 401, AuthError), (403, 403, AuthError), (200, 401, AuthError),
    (404, 404, NotFoundError), (200, 404, NotFoundError), (409, 409, ConflictApiError),
    (429, 429, RateLimitedError), (500, 500, ServerError), (503, 503, ServerError),
    (200, 500, ServerError), (400, 400, SoftError), (418, 418, ClientRequestError)])
def test_statuses_map_to_errors(http, meta, kind):
    with pytest.raises(kind) as info:
        interpret(http, {}, body(meta, errorCode="E" if meta == 400 else None))
    assert info.value.correlation_id == "cid-1"
    assert info.value.retryable == (kind in (RateLimitedError, ServerError))


def test_errors_without_an_envelope_still_classify():
    with pytest.raises(ServerError) as info:
        interpret(502, {"X-Correlation-Id": "hdr-9"}, b"<html>Bad gateway</html>")
    assert info.value.correlation_id == "hdr-9"
    with pytest.raises(AuthError):
        interpret(401, {}, b"")


@pytest.mark.parametrize("raw", [b"<html></html>", b"", b"[1,2]", b'{"meta": 5}',
                                 b'{"correlationId": "c"}', b'{"meta": {"status": "ok"}}'])
def test_200_that_is_not_an_envelope_is_a_protocol_error(raw):
    with pytest.raises(ProtocolError):
        interpret(200, {}, raw)


def test_retry_after_header():
    with pytest.raises(RateLimitedError) as info:
        interpret(429, {"Retry-After": "7"}, body(429))
    assert info.value.retry_after == 7
    with pytest.raises(ServerError) as server_info:
        interpret(503, {"retry-after": "12"}, body(503))
    assert server_info.value.retry_after == 12
    with pytest.raises(ServerError) as server_info:
        interpret(500, {}, body(500))
    assert server_info.value.retry_after is None
    assert parse_retry_after("1.5") == 1.5
    now = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("Sat, 21 Nov 2026 12:00:30 GMT", now=now) == 30
    assert parse_retry_after("Sat, 21 Nov 2026 11:00:00 GMT", now=now) == 0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None
    assert parse_retry_after("-3") == 0


@pytest.mark.parametrize(("error", "expected"), [
    (None, {}),
    ({}, {}),
    ("plain message", {"": ["plain message"]}),
    (["a", "b"], {"": ["a", "b"]}),
    ({"f": ["a", "b"], "g": "c"}, {"f": ["a", "b"], "g": ["c"]}),
    ([{"field": "f", "message": "m"}, {"fieldName": "g", "errorMessage": "n"}],
     {"f": ["m"], "g": ["n"]}),
    ({"f": {"inner": "x"}}, {"f.inner": ["x"]}),
    ({"f": 5, "g": None}, {"f": ["5"]}),
])
def test_field_errors_are_parsed_leniently(error, expected):
    assert parse_field_errors(error) == expected


async def test_lookup_codes_in_older_and_numeric_forms():
    """A small mocked server answering with the older document's numeric codes."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("getAllHandlings"):
            payload = {"correlationId": "c", "meta": {"status": 200}, "handlings": [
                {"handlingCode": 0, "handlingDescription": "To be confirmed"},
                {"handlingCode": "2", "handlingDescription": "Disposal"},
                {"handlingCode": "RTN", "handlingDescription": "Recall"},
                {"handlingCode": "rst"}]}
        else:
            payload = {"correlationId": "c", "meta": {"status": 200, "data": [
                {"handlingStatusCode": 0, "handlingStatus": "Pending"},
                {"handlingStatusCode": "INPROGRESS", "handlingStatus": "In progress"},
                {"handlingStatusCode": "2"}]}}
        return httpx.Response(200, json=payload)

    async with ReturnHelperClient("https://rh.test/user/api", "https://rh.test/public/api",
                                  "k", "t", transport=httpx.MockTransport(handler)) as client:
        handlings = await client.get_handlings()
        assert [(h.code, h.description) for h in handlings] == [
            ("tbc", "To be confirmed"), ("dis", "Disposal"), ("rtn", "Recall"), ("rst", "rst")]
        statuses = await client.get_handling_statuses()
        assert [s.code for s in statuses] == ["pending", "inProgress", "completed"]


async def test_unreadable_lookup_codes_are_a_protocol_error():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"correlationId": "c", "meta": {"status": 200},
                                         "handlings": [{"handlingCode": 42}]})

    async with ReturnHelperClient("https://rh.test/user/api", "https://rh.test/public/api",
                                  "k", "t", transport=httpx.MockTransport(handler)) as client:
        with pytest.raises(ProtocolError) as info:
            await client.get_handlings()
        assert "42" in str(info.value)


async def test_a_malformed_list_row_is_a_protocol_error_naming_the_field():
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"correlationId": "c", "meta": {"status": 200},
                                         "totalNumberOfRecords": 1,
                                         "data": [{"returnInventoryId": "x"}]})

    async with ReturnHelperClient("https://rh.test/user/api", "https://rh.test/public/api",
                                  "k", "t", transport=httpx.MockTransport(handler)) as client:
        start = datetime(2026, 1, 1, tzinfo=UTC)
        with pytest.raises(ProtocolError) as info:
            await client.list_inventory(start, start)
        assert "returnInventoryId" in str(info.value) and "row 0" in str(info.value)
