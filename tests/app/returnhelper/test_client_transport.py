"""The client's request path: straight to the transport of a client it owns, the ordinary
httpx client path for one passed in or when the environment names a proxy. Both send the
same headers and read compressed answers."""

from __future__ import annotations

import gzip
import json
import socket
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from app.returnhelper.client import ReturnHelperClient
from app.returnhelper.errors import NetworkError
from app.sandbox.server import SandboxServer

BASE = "https://api.returnhelper.test/user/api"
PUBLIC = "https://api.returnhelper.test/public/api"


def answer(request: httpx.Request) -> httpx.Response:
    if request.url.path.endswith("/ReturnInventory/list"):
        body = {"correlationId": "c-1", "meta": {"status": 200}, "totalNumberOfRecords": 1,
                "data": [{"returnInventoryId": 51, "rma": "USE-2-1", "warehouseId": 2,
                          "handlingCode": "tbc", "handlingStatusCode": "pending",
                          "createOn": "2026-10-01T09:30:00Z"}]}
    else:
        body = {"correlationId": "c-2", "meta": {"status": 200},
                "handlings": [{"handlingCode": "ohd", "handlingDescription": "Hold"}]}
    return httpx.Response(200, content=gzip.compress(json.dumps(body).encode()),
                          headers={"Content-Encoding": "gzip",
                                   "Content-Type": "application/json"})


@pytest.mark.parametrize("passed_in", [False, True], ids=["own client", "client passed in"])
async def test_headers_query_and_compressed_answers(passed_in: bool) -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return answer(request)

    transport = httpx.MockTransport(handler)
    http = httpx.AsyncClient(transport=transport) if passed_in else None
    client = ReturnHelperClient(BASE, PUBLIC, "the-key", "the-token", transport=None
                                if passed_in else transport, http_client=http,
                                user_agent="ReturnDesk/test")
    try:
        since = datetime(2026, 9, 1, tzinfo=UTC)
        page = await client.list_inventory_rows(since, since + timedelta(days=30), offset=50)
        handlings = await client.get_handlings()
    finally:
        await client.aclose()
        if http is not None:
            await http.aclose()
    assert [r.return_inventory_id for r in page.rows] == [51] and page.total == 1
    assert page.rows[0].warehouse == "USE-2"
    assert [h.code for h in handlings] == ["ohd"]
    listed = seen[0]
    assert dict(listed.url.params) == {"createFrom": "2026-09-01T00:00:00Z",
                                       "createTo": "2026-10-01T00:00:00Z",
                                       "pageSize": "50", "offset": "50"}
    for request in seen:
        assert request.headers["x-rr-apikey"] == "the-key"
        assert request.headers["x-rr-apitoken"] == "the-token"
        assert request.headers["user-agent"] == "ReturnDesk/test"
        assert request.headers["accept"] == "application/json"
        assert "gzip" in request.headers["accept-encoding"]
        assert request.headers["host"] == "api.returnhelper.test"


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_a_proxy_named_in_the_environment_is_used(
        sandbox: SandboxServer, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "HTTPS_PROXY",
                 "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    direct = ReturnHelperClient(sandbox.user_base, sandbox.public_base, sandbox.api_key,
                                sandbox.api_token, retries=0, timeout=5)
    async with direct:
        assert await direct.get_handlings()              # the sandbox answers directly
    # a proxy nobody listens on: going through it fails, so the call must fail
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("http_proxy", f"http://127.0.0.1:{closed_port()}")
    proxied = ReturnHelperClient(sandbox.user_base, sandbox.public_base, sandbox.api_key,
                                 sandbox.api_token, retries=0, timeout=5)
    async with proxied:
        with pytest.raises(NetworkError):
            await proxied.get_handlings()
