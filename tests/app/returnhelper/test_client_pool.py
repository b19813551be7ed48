"""The client's own connection pool (the usual path: no client, no transport passed in, no
proxy), against a small real HTTP/1.1 server on loopback that can compress its answers,
close a kept-alive connection, or send bytes that do not decompress."""

from __future__ import annotations

import asyncio
import gzip
import json
import zlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from app.returnhelper.client import ReturnHelperClient
from app.returnhelper.errors import ProtocolError, SoftError

LIST_BODY = {"correlationId": "c-1", "meta": {"status": 200}, "totalNumberOfRecords": 1,
             "data": [{"returnInventoryId": 51, "rma": "USE-2-1", "warehouseId": 2,
                       "handlingCode": "tbc", "handlingStatusCode": "pending",
                       "createOn": "2026-10-01T09:30:00Z"}]}


@dataclass
class Seen:
    method: str
    target: str
    headers: dict[str, str]
    body: bytes
    connection: int


@dataclass
class Server:
    """Answers every request with ``answer(seen) -> (status, headers, body)``; with
    ``close_after`` set, closes the connection after that many answers on it."""

    answer: Callable[[Seen], tuple[int, dict[str, str], bytes]]
    close_after: int | None = None
    seen: list[Seen] = field(default_factory=list)
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    connections: int = 0
    base: str = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        number, answered = self.connections, 0
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                request_line, *lines = head.decode("latin-1").split("\r\n")
                method, target, _ = request_line.split(" ")
                headers = {k.strip().lower(): v.strip()
                           for k, _, v in (line.partition(":") for line in lines if line)}
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                seen = Seen(method, target, headers, body, number)
                self.seen.append(seen)
                status, answer_headers, content = self.answer(seen)
                answer_headers = {**answer_headers, "Content-Length": str(len(content))}
                writer.write(f"HTTP/1.1 {status} OK\r\n".encode() + "".join(
                    f"{k}: {v}\r\n" for k, v in answer_headers.items()).encode()
                    + b"\r\n" + content)
                await writer.drain()
                answered += 1
                if self.close_after is not None and answered >= self.close_after:
                    writer.close()
                    await writer.wait_closed()
                    self.closed.set()
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


@pytest.fixture
async def serve() -> AsyncIterator[Callable[..., Server]]:
    servers: list[asyncio.Server] = []

    async def start(answer: Callable[[Seen], tuple[int, dict[str, str], bytes]],
                    **kwargs: object) -> Server:
        server = Server(answer, **kwargs)  # type: ignore[arg-type]
        listening = await asyncio.start_server(server.handle, "127.0.0.1", 0)
        servers.append(listening)
        port = listening.sockets[0].getsockname()[1]
        server.base = f"http://127.0.0.1:{port}"
        return server

    yield start  # type: ignore[misc]
    for listening in servers:
        listening.close()
        await listening.wait_closed()


def client_for(server: Server, **kwargs: object) -> ReturnHelperClient:
    client = ReturnHelperClient(server.base + "/v1/user/api", server.base + "/v1/public/api",
                                "the-key", "the-token", user_agent="ReturnDesk/test",
                                **kwargs)  # type: ignore[arg-type]
    assert client._wire.pool is not None, "not the client's own pool"
    return client


def json_answer(body: object, encoding: str | None = None) -> tuple[int, dict[str, str], bytes]:
    content = json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if encoding == "gzip":
        content = gzip.compress(content)
    elif encoding == "deflate":
        content = zlib.compress(content)
    elif encoding == "raw deflate":
        squeeze = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        content = squeeze.compress(content) + squeeze.flush()
        encoding = "deflate"
    if encoding:
        headers["content-ENCODING"] = encoding  # a header's name in any case
    return 200, headers, content


SINCE = datetime(2026, 9, 1, tzinfo=UTC)


@pytest.mark.parametrize("encoding", [None, "gzip", "deflate", "raw deflate"])
async def test_requests_and_compressed_answers_on_the_wire(serve, encoding):
    server = await serve(lambda seen: json_answer(LIST_BODY, encoding))
    async with client_for(server) as client:
        page = await client.list_inventory_rows(SINCE, SINCE + timedelta(days=30), offset=50)
    assert [r.return_inventory_id for r in page.rows] == [51] and page.total == 1
    assert page.correlation_id == "c-1"
    (seen,) = server.seen
    assert seen.method == "GET"
    assert seen.target == ("/v1/user/api/ReturnInventory/list?createFrom=2026-09-01T00%3A00%3A00Z"
                           "&createTo=2026-10-01T00%3A00%3A00Z&pageSize=50&offset=50")
    assert seen.headers["host"] == server.base.removeprefix("http://")
    assert seen.headers["x-rr-apikey"] == "the-key"
    assert seen.headers["x-rr-apitoken"] == "the-token"
    assert seen.headers["user-agent"] == "ReturnDesk/test"
    assert seen.headers["accept"] == "application/json"
    assert "gzip" in seen.headers["accept-encoding"]


async def test_a_state_change_sends_json_and_its_idempotency_key(serve):
    server = await serve(lambda seen: json_answer({"correlationId": "c-9",
                                                   "meta": {"status": 200, "data": True}}))
    async with client_for(server) as client:
        result = await client.update_handling(77, "OHD", idempotency_key="k-1")
    assert result.correlation_id == "c-9"
    (seen,) = server.seen
    assert (seen.method, seen.target) == (
        "POST", "/v1/user/api/ReturnInventory/UpdateReturnInventoryHandling")
    assert seen.headers["x-returnhelper-idempotency-key"] == "k-1"
    assert seen.headers["content-type"] == "application/json"
    assert json.loads(seen.body) == {"returnInventoryId": 77, "handlingCode": "ohd"}


async def test_a_soft_error_keeps_its_field_messages_and_headers(serve):
    server = await serve(lambda seen: (200, {"X-Correlation-Id": "from-header"}, json.dumps(
        {"meta": {"status": 400, "errorCode": "E1",
                  "error": {"handlingCode": ["not allowed"]}}}).encode()))
    async with client_for(server) as client:
        with pytest.raises(SoftError) as caught:
            await client.update_handling(77, "rst", idempotency_key="k-2")
    assert caught.value.field_errors == {"handlingCode": ["not allowed"]}
    assert caught.value.correlation_id == "from-header"
    assert len(server.seen) == 1  # never retried


async def test_a_connection_the_server_closed_while_idle_is_not_reused(serve):
    server = await serve(lambda seen: json_answer(LIST_BODY), close_after=1)
    async with client_for(server, retries=0) as client:
        await client.list_inventory_rows(SINCE, SINCE + timedelta(days=30))
        await asyncio.wait_for(server.closed.wait(), 5)
        # retries=0: a write to the closed connection would fail this call
        page = await client.list_inventory_rows(SINCE, SINCE + timedelta(days=30))
    assert page.total == 1
    assert [s.connection for s in server.seen] == [1, 2]


async def test_kept_alive_connections_are_reused(serve):
    server = await serve(lambda seen: json_answer(LIST_BODY))
    async with client_for(server) as client:
        for _ in range(3):
            await client.list_inventory_rows(SINCE, SINCE + timedelta(days=30))
    assert [s.connection for s in server.seen] == [1, 1, 1]


@pytest.mark.parametrize("encoding", ["gzip", "br"])
async def test_an_answer_that_does_not_decompress_is_a_protocol_error(serve, encoding):
    server = await serve(lambda seen: (200, {"Content-Encoding": encoding}, b"not compressed"))
    async with client_for(server) as client:
        with pytest.raises(ProtocolError, match="compression"):
            await client.get_handlings()
    assert len(server.seen) == 1  # not retried


async def test_closing_the_client_closes_its_connections(serve):
    server = await serve(lambda seen: json_answer(LIST_BODY))
    client = client_for(server)
    async with client:
        await client.list_inventory_rows(SINCE, SINCE + timedelta(days=30))
        assert client._wire.pool is not None and client._wire.pool.pool.connections
    assert client._wire.pool.pool.connections == []
