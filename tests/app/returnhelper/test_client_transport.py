"""The client's request path: straight to the transport of a client it owns, the ordinary
httpx client path for one passed in or when the environment names a proxy. Both send the
same headers and read compressed answers. Also httpcore's per-request sniffio lookup and
the hand-over of a freed slot to a waiting call."""

from __future__ import annotations

import asyncio
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


def test_httpcore_does_not_search_for_a_missing_sniffio_on_every_request():
    import importlib
    import importlib.machinery
    import sys

    from httpcore._synchronization import current_async_library

    if importlib.machinery.PathFinder.find_spec("sniffio") is None:
        # not installed: the failed import is remembered, so httpcore's per-request
        # ``import sniffio`` fails at once instead of searching sys.path
        assert "sniffio" in sys.modules and sys.modules["sniffio"] is None
        with pytest.raises(ImportError):
            importlib.import_module("sniffio")
    else:  # installed: left alone
        assert sys.modules.get("sniffio", sys) is not None

    async def detect() -> str:
        return current_async_library()

    assert asyncio.run(detect()) == "asyncio"


async def test_a_waiting_call_is_sent_before_the_previous_answer_is_mapped():
    # concurrency 1: the second list page's request must go out while the first page is
    # still being parsed and mapped, so its latency overlaps that work
    tasks: dict[int, asyncio.Task[object]] = {}
    first_done_when_second_sent: list[bool] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        if offset == 0:  # the network: the second call comes to wait for the slot meanwhile
            for _ in range(100):
                if client._wire.waiting:
                    break
                await asyncio.sleep(0)
            assert client._wire.waiting == 1
        if offset == 50:
            first_done_when_second_sent.append(tasks[0].done())
        rows = [{"returnInventoryId": offset + i + 1, "createOn": "2026-10-01T09:30:00Z"}
                for i in range(50)]
        return httpx.Response(200, json={"meta": {"status": 200}, "data": rows,
                                         "totalNumberOfRecords": 100})

    async with ReturnHelperClient("https://api.example.test/user/api",
                                  "https://api.example.test/public/api", "k", "t",
                                  concurrency=1,
                                  transport=httpx.MockTransport(answer)) as client:
        since = datetime(2026, 10, 1, tzinfo=UTC)
        until = since + timedelta(days=30)
        tasks[0] = asyncio.ensure_future(client.list_inventory(since, until, offset=0))
        tasks[50] = asyncio.ensure_future(client.list_inventory(since, until, offset=50))
        pages = await asyncio.gather(tasks[0], tasks[50])
    assert first_done_when_second_sent == [False]
    assert [len(p.records) for p in pages] == [50, 50]
    assert pages[1].records[0].return_inventory_id == 51


async def test_requests_written_to_the_network_are_counted_for_the_hand_over(rh_client):
    # the hand-over stops yielding as soon as httpcore reports a request fully sent: the
    # trace event it listens for must be the one httpcore emits
    before = rh_client._wire.sent
    await rh_client.get_handling_statuses(refresh=True)
    await rh_client.get_handlings(refresh=True)
    assert rh_client._wire.sent == before + 2
