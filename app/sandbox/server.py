"""A Return Helper sandbox: a real HTTP server on loopback behaving like the documented API.

:class:`SandboxServer` runs Starlette under uvicorn in a background thread with its own
event loop. It serves the user API (``/user/api/ReturnInventory/...``), the public API
(``/public/api/...``), generated PNG images (``/files/...``) and a control API under
``/_sandbox/`` for failure injection and for reading what was applied. Credentials and the
webhook signing key are random per run and never written anywhere.

Documented behaviour it reproduces: the envelope (``correlationId`` on every answer),
soft errors (HTTP 200, ``meta.status`` 400, ``meta.errorCode`` ``VALIDATION_FAILED``,
``meta.error`` keyed by field), 401 for bad credentials, the 62-day/pageSize-50 list
limits, the update rules (``rsd``/``tbc`` refused, unknown codes refused, unfinished VAS
refused except ``pending`` -> ``ohd``), cancel only before the warehouse acts, and
idempotency keys (same key and body: the same answer, applied once; same key, other body: 409).

Choices where the documents say nothing: ``GetReturnInventory`` for an unknown id answers
HTTP 404 with the envelope (``meta.status`` 404, ``errorCode`` ``NOT_FOUND``,
``error.returnInventoryId``); update/cancel of an unknown id is a soft 400 on
``returnInventoryId`` ("must exist and belong to your account"); the list's window is
inclusive at both ends.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import bisect
import contextlib
import hashlib
import hmac
import json
import logging
import os
import secrets
import socket
import sys
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Self

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.sandbox import deliver
from app.sandbox.seed import (
    HANDLING_STATUSES,
    HANDLINGS,
    VAS_STATUSES,
    VAS_TYPES,
    SeedItem,
    generate,
    png_for,
)

log = logging.getLogger(__name__)

USER_PREFIX = "/user/api"
PUBLIC_PREFIX = "/public/api"
FILES_PREFIX = "/files"
CONTROL_PREFIX = "/_sandbox"
IDEMPOTENCY_HEADER = "x-returnhelper-idempotency-key"
MAX_WINDOW = timedelta(days=62)
THREAD_NAME = "returnhelper-sandbox"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class FaultKind(StrEnum):
    RATE_LIMITED = "429"      # HTTP 429 with Retry-After
    SERVER_ERROR = "500"
    UNAVAILABLE = "503"
    HANG = "hang"             # no answer for delay_s (longer than the client's timeout)
    DROP = "drop"             # start an answer, then close the connection
    SLOW = "slow"             # answer normally after delay_s
    NOT_JSON = "not_json"     # HTTP 200 with an HTML page (a proxy error page, say)


@dataclass
class Fault:
    kind: FaultKind
    remaining: int = 1
    path: str | None = None       # matches when the request path ends with this
    retry_after: float = 1.0      # for 429
    delay_s: float = 30.0         # for hang and slow
    after_apply: bool = False     # let the request take effect, then fail its answer

    def matches(self, path: str) -> bool:
        return self.path is None or path.rstrip("/").endswith(self.path.rstrip("/"))


@dataclass(frozen=True)
class AppliedChange:
    """A state change the sandbox applied (a replayed idempotent request adds none)."""

    action: str                       # "update" or "cancel"
    return_inventory_id: int
    handling_code: str                # the handling after the change
    previous_code: str
    idempotency_key: str | None
    correlation_id: str
    at: datetime

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        return data


@dataclass(frozen=True)
class RequestSeen:
    method: str
    path: str
    query: str
    idempotency_key: str | None
    user_agent: str | None
    fault: str | None
    at: datetime

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["at"] = self.at.isoformat()
        return data


@dataclass
class _Stored:
    fingerprint: str
    status: int
    body: bytes
    correlation_id: str


@dataclass
class SandboxState:
    """Everything the sandbox knows; every access holds ``lock`` (handlers and tests share it)."""

    items: dict[int, SeedItem]
    order: list[int]
    initial: dict[int, SeedItem]
    lock: threading.RLock = field(default_factory=threading.RLock)
    changed: threading.Condition = field(init=False)
    created: list[datetime] = field(init=False)
    faults: list[Fault] = field(default_factory=list)
    latency_s: float = 0.0
    applied: list[AppliedChange] = field(default_factory=list)
    requests: list[RequestSeen] = field(default_factory=list)
    idempotency: dict[str, _Stored] = field(default_factory=dict)
    receiver_url: str | None = None
    registered_url: str | None = None
    act_after_s: float = 1.0
    in_flight: int = 0
    max_in_flight: int = 0
    generation: int = 0           # bumped by reset(): older requests no longer count

    def __post_init__(self) -> None:
        self.changed = threading.Condition(self.lock)
        self.created = [self.items[i].create_on for i in self.order]

    def take_fault(self, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.remaining > 0 and fault.matches(path):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self.faults.remove(fault)
                    return fault
        return None


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def envelope(status: int = 200, *, data: Any = None, error_code: str | None = None,
             error: Any = None, correlation_id: str | None = None,
             **payload: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "correlationId": correlation_id or str(uuid.uuid4()),
        "meta": {"status": status, "data": data, "errorCode": error_code, "error": error}}
    body.update(payload)
    return body


def _response(body: dict[str, Any], http_status: int = 200,
              headers: dict[str, str] | None = None) -> Response:
    all_headers = {"x-correlation-id": str(body.get("correlationId"))}
    all_headers.update(headers or {})
    return Response(json.dumps(body, separators=(",", ":")).encode(), status_code=http_status,
                    media_type="application/json", headers=all_headers)


def _soft(errors: dict[str, list[str]]) -> Response:
    return _response(envelope(400, error_code="VALIDATION_FAILED", error=errors))


class _DropFilter(logging.Filter):
    """Hide uvicorn's complaint about the connections the sandbox drops on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not ((record.threadName or "").startswith(THREAD_NAME)
                    and "without completing response" in record.getMessage())


_FILTER_INSTALLED = False


class LoopbackServer:
    """Any ASGI app served by uvicorn in a background thread with its own event loop.

    ``start()`` returns once the socket accepts connections (``port=0``: any free port,
    read back from :attr:`port`); ``stop()`` shuts uvicorn down and joins the thread.
    ``on_start``/``on_stop`` run on the server's loop before serving and after it stops.
    """

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0, *,
                 name: str = "loopback-server",
                 on_start: Callable[[], Awaitable[None]] | None = None,
                 on_stop: Callable[[], Awaitable[None]] | None = None) -> None:
        self.app = app
        self.host = host
        self.requested_port = port
        self.name = name
        self._on_start = on_start
        self._on_stop = on_stop
        self._thread: threading.Thread | None = None
        self._server: uvicorn.Server | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._port: int | None = None

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("the server is not started")
        return self._port

    @property
    def root(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self, timeout: float = 20.0) -> Self:
        global _FILTER_INSTALLED
        if self._thread is not None:
            return self
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)  # => TCP_NODELAY
        try:
            if os.name != "nt":
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((self.host, self.requested_port))
        except OSError:
            sock.close()
            raise
        self._port = sock.getsockname()[1]
        config = uvicorn.Config(self.app, lifespan="off", log_config=None, log_level="warning",
                                access_log=False, timeout_graceful_shutdown=2)
        ready = self._ready

        class _Server(uvicorn.Server):
            async def startup(self, sockets: list[socket.socket] | None = None) -> None:
                await super().startup(sockets=sockets)
                ready.set()

        server = self._server = _Server(config)
        if not _FILTER_INSTALLED:
            logging.getLogger("uvicorn.error").addFilter(_DropFilter())
            _FILTER_INSTALLED = True

        async def serve() -> None:
            if self._on_start is not None:
                await self._on_start()
            try:
                await server.serve(sockets=[sock])
            finally:
                if self._on_stop is not None:
                    await self._on_stop()

        def run() -> None:
            try:
                asyncio.run(serve())
            except BaseException as exc:  # reported by start()
                self._error = exc
            finally:
                sock.close()
                ready.set()

        self._thread = threading.Thread(target=run, name=self.name, daemon=True)
        self._thread.start()
        if not ready.wait(timeout) or self._error is not None or not server.started:
            self.stop()
            raise RuntimeError(f"{self.name} did not start: {self._error!r}")
        return self

    def stop(self, timeout: float = 15.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        self._thread = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class SandboxServer:
    """The sandbox, as a context manager: ``with SandboxServer() as sb: sb.user_base``."""

    def __init__(self, items: int = 3000, seed: int = 42, latency_ms: int = 0,
                 host: str = "127.0.0.1", port: int = 0, *, receiver_url: str | None = None,
                 registered_url: str | None = None, act_after_s: float = 1.0,
                 now: datetime | None = None) -> None:
        self.host = host
        self.requested_port = port
        self.seed = seed
        self.api_key = "sbx-key-" + secrets.token_urlsafe(12)
        self.api_token = "sbx-token-" + secrets.token_urlsafe(24)
        self.signing_key = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
        seeded = generate(items, seed, now=now)
        self.state = SandboxState(items={i.return_inventory_id: i for i in seeded},
                                  order=[i.return_inventory_id for i in seeded],
                                  initial={i.return_inventory_id: i.copy() for i in seeded},
                                  latency_s=latency_ms / 1000, receiver_url=receiver_url,
                                  registered_url=registered_url, act_after_s=act_after_s)
        self._runner: LoopbackServer | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._release: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.app = self._build_app()

    # -- lifecycle ----------------------------------------------------------------------
    def start(self, timeout: float = 20.0) -> Self:
        """Start serving; returns once the server accepts connections."""
        if self._runner is None:
            self._runner = LoopbackServer(self.app, self.host, self.requested_port,
                                          name=THREAD_NAME, on_start=self._on_loop_start,
                                          on_stop=self._on_loop_stop)
            self._runner.start(timeout)
        return self

    async def _on_loop_start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._release = asyncio.Event()

    async def _on_loop_stop(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def stop(self) -> None:
        """Stop serving (releases hung requests first) and wait for the thread."""
        self._release_hangs()
        if self._runner is not None:
            self._runner.stop()
        self._runner = None
        self._loop = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- addresses -------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._runner is None:
            raise RuntimeError("the sandbox is not started")
        return self._runner.port

    @property
    def root(self) -> str:
        if self._runner is None:
            raise RuntimeError("the sandbox is not started")
        return self._runner.root

    @property
    def user_base(self) -> str:
        return self.root + USER_PREFIX

    @property
    def public_base(self) -> str:
        return self.root + PUBLIC_PREFIX

    @property
    def file_base(self) -> str:
        return self.root + FILES_PREFIX

    @property
    def control_base(self) -> str:
        return self.root + CONTROL_PREFIX

    # -- Python control API ------------------------------------------------------------------
    def fail_next(self, kind: FaultKind | str, count: int = 1, *, path: str | None = None,
                  retry_after: float = 1.0, delay_s: float = 30.0,
                  after_apply: bool = False) -> None:
        """The next ``count`` API requests (to ``path`` if given) fail as ``kind``."""
        fault = Fault(FaultKind(kind), count, path, retry_after, delay_s, after_apply)
        with self.state.lock:
            self.state.faults.append(fault)

    def set_latency(self, ms: float) -> None:
        with self.state.lock:
            self.state.latency_s = max(0.0, ms / 1000)

    def reset_faults(self) -> None:
        """No pending faults, no latency; any hung request is released."""
        with self.state.lock:
            self.state.faults.clear()
            self.state.latency_s = 0.0
        self._release_hangs()

    def reset(self) -> None:
        """Back to the seeded state: faults, latency, records, idempotency keys, receiver."""
        self.reset_faults()
        self._cancel_warehouse_tasks()
        with self.state.lock:
            self.state.items = {k: v.copy() for k, v in self.state.initial.items()}
            self.state.applied.clear()
            self.state.requests.clear()
            self.state.idempotency.clear()
            self.state.generation += 1
            self.state.in_flight = 0
            self.state.max_in_flight = 0
            self.state.receiver_url = None
            self.state.registered_url = None

    def applied(self) -> list[AppliedChange]:
        with self.state.lock:
            return list(self.state.applied)

    def requests(self) -> list[RequestSeen]:
        with self.state.lock:
            return list(self.state.requests)

    def wait_for_requests(self, count: int, *, path: str | None = None,
                          timeout: float = 10.0) -> bool:
        """Block until ``count`` API requests (to ``path``, if given) have arrived."""
        def enough() -> bool:
            seen = self.state.requests
            if path is not None:
                seen = [r for r in seen if r.path.endswith(path)]
            return len(seen) >= count

        with self.state.changed:
            return self.state.changed.wait_for(enough, timeout)

    def wait_for_applied(self, count: int, *, timeout: float = 10.0) -> bool:
        """Block until ``count`` changes have been applied."""
        with self.state.changed:
            return self.state.changed.wait_for(lambda: len(self.state.applied) >= count, timeout)

    def max_in_flight(self) -> int:
        """The most API requests being answered at once since the last reset."""
        with self.state.lock:
            return self.state.max_in_flight

    def items(self) -> list[SeedItem]:
        """Copies of every inventory, in creation order."""
        with self.state.lock:
            return [self.state.items[i].copy() for i in self.state.order]

    def item(self, return_inventory_id: int) -> SeedItem:
        with self.state.lock:
            return self.state.items[int(return_inventory_id)].copy()

    def set_receiver(self, url: str | None, *, registered_url: str | None = None,
                     act_after_s: float | None = None) -> None:
        """Where the warehouse's ``completeInventoryHandling`` events go after an update."""
        with self.state.lock:
            self.state.receiver_url = url
            self.state.registered_url = registered_url
            if act_after_s is not None:
                self.state.act_after_s = act_after_s

    def warehouse_act(self, return_inventory_id: int, status: str = "completed") -> SeedItem:
        """The warehouse starts (``inProgress``) or completes the current handling."""
        with self.state.lock:
            item = self.state.items[int(return_inventory_id)]
            now = datetime.now(UTC)
            item.handling_status = status
            item.modify_on = now
            if status == "completed":
                item.complete_on = now
            return item.copy()

    def set_vas_finished(self, return_inventory_id: int, finished: bool = True) -> None:
        with self.state.lock:
            for vas in self.state.items[int(return_inventory_id)].vas:
                vas["isFinished"] = finished
                vas["vasStatusCode"] = "successful" if finished else "pending"

    def new_inventory_events(self, ids: list[int] | None = None) -> list[dict[str, Any]]:
        """``newInventoryCreated`` events for the seeded inventories (all, or ``ids``)."""
        with self.state.lock:
            chosen = [self.state.items[i] for i in (ids or self.state.order)]
            return [deliver.new_inventory_created(i.webhook_inventory(self.file_base),
                                                  i.shipment()) for i in chosen]

    def deliver_new_inventories(self, receiver_url: str, *, registered_url: str | None = None,
                                ids: list[int] | None = None,
                                concurrency: int = 8) -> deliver.DeliveryReport:
        """POST signed ``newInventoryCreated`` events to ``receiver_url`` (blocking)."""
        return deliver.deliver(self.new_inventory_events(ids), receiver_url, self.signing_key,
                               registered_url=registered_url, concurrency=concurrency)

    def _cancel_warehouse_tasks(self) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return

        def cancel() -> None:
            for task in list(self._tasks):
                task.cancel()

        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(cancel)

    def _release_hangs(self) -> None:
        loop, release = self._loop, self._release
        if loop is None or release is None or loop.is_closed():
            return

        def swap() -> None:
            release.set()
            self._release = asyncio.Event()

        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(swap)

    # -- the ASGI application ---------------------------------------------------------------
    def _build_app(self) -> ASGIApp:
        routes = [
            Route(USER_PREFIX + "/ReturnInventory/list", self._list, methods=["GET"]),
            Route(USER_PREFIX + "/ReturnInventory/GetReturnInventory", self._get,
                  methods=["GET"]),
            Route(USER_PREFIX + "/ReturnInventory/UpdateReturnInventoryHandling", self._update,
                  methods=["POST"]),
            Route(USER_PREFIX + "/ReturnInventory/CancelReturnInventoryHandling", self._cancel,
                  methods=["POST"]),
            Route(PUBLIC_PREFIX + "/handling/getAllHandlings", self._handlings, methods=["GET"]),
            Route(PUBLIC_PREFIX + "/handlingstatus/getAllHandlingStatus", self._statuses,
                  methods=["GET"]),
            Route(PUBLIC_PREFIX + "/vas/getAllVas", self._vas, methods=["GET"]),
            Route(PUBLIC_PREFIX + "/vasStatus/getAllVasStatus", self._vas_statuses,
                  methods=["GET"]),
            Route(FILES_PREFIX + "/{key:path}", self._file, methods=["GET"]),
            Route(CONTROL_PREFIX + "/faults", self._ctl_faults, methods=["GET", "POST", "DELETE"]),
            Route(CONTROL_PREFIX + "/latency", self._ctl_latency, methods=["POST"]),
            Route(CONTROL_PREFIX + "/applied", self._ctl_applied, methods=["GET"]),
            Route(CONTROL_PREFIX + "/requests", self._ctl_requests, methods=["GET"]),
            Route(CONTROL_PREFIX + "/reset", self._ctl_reset, methods=["POST"]),
            Route(CONTROL_PREFIX + "/receiver", self._ctl_receiver, methods=["POST"]),
            Route(CONTROL_PREFIX + "/warehouse-act", self._ctl_act, methods=["POST"]),
        ]
        starlette = Starlette(routes=routes)

        async def app(scope: Scope, receive: Receive, send: Send) -> None:
            if scope["type"] != "http" or not scope["path"].startswith(
                    (USER_PREFIX, PUBLIC_PREFIX)):
                await starlette(scope, receive, send)
                return
            await self._api_with_faults(starlette, scope, receive, send)

        return app

    async def _api_with_faults(self, inner: ASGIApp, scope: Scope, receive: Receive,
                               send: Send) -> None:
        path: str = scope["path"]
        fault = self.state.take_fault(path)
        headers = {name.decode("latin-1").lower(): value.decode("latin-1")
                   for name, value in scope.get("headers", [])}
        with self.state.lock:
            self.state.requests.append(RequestSeen(
                scope["method"], path, scope.get("query_string", b"").decode("latin-1"),
                headers.get(IDEMPOTENCY_HEADER), headers.get("user-agent"),
                fault.kind.value if fault else None, datetime.now(UTC)))
            self.state.changed.notify_all()
            generation = self.state.generation
            self.state.in_flight += 1
            self.state.max_in_flight = max(self.state.max_in_flight, self.state.in_flight)
            latency = self.state.latency_s
        try:
            await self._answer(inner, fault, latency, scope, receive, send)
        finally:
            with self.state.lock:
                if self.state.generation == generation:
                    self.state.in_flight -= 1

    async def _answer(self, inner: ASGIApp, fault: Fault | None, latency: float, scope: Scope,
                      receive: Receive, send: Send) -> None:
        if latency:
            await asyncio.sleep(latency)
        if fault is None:
            await inner(scope, receive, send)
            return
        if fault.kind is FaultKind.SLOW:
            await asyncio.sleep(fault.delay_s)
            await inner(scope, receive, send)
            return
        if fault.after_apply:
            async def swallow(message: Message) -> None:
                return None
            await inner(scope, receive, swallow)
        await self._fail(fault, send)

    async def _fail(self, fault: Fault, send: Send) -> None:
        if fault.kind is FaultKind.HANG:
            release = self._release
            if release is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(release.wait(), fault.delay_s)
            body = envelope(503, error_code="SERVICE_UNAVAILABLE", error="gave up")
            await self._send(send, 503, body)
            return
        if fault.kind is FaultKind.DROP:
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"),
                                    (b"content-length", b"4096")]})
            await send({"type": "http.response.body", "body": b'{"correlationId":',
                        "more_body": True})
            return  # uvicorn closes the connection: the answer is cut short
        if fault.kind is FaultKind.NOT_JSON:
            html = b"<html><body><h1>502 Bad Gateway</h1></body></html>"
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"text/html"),
                                    (b"content-length", str(len(html)).encode())]})
            await send({"type": "http.response.body", "body": html})
            return
        if fault.kind is FaultKind.RATE_LIMITED:
            seconds = fault.retry_after
            text = str(int(seconds)) if float(seconds).is_integer() else f"{seconds:g}"
            body = envelope(429, error_code="TOO_MANY_REQUESTS", error="slow down")
            await self._send(send, 429, body, [(b"retry-after", text.encode())])
            return
        status = int(fault.kind.value)
        body = envelope(status, error_code="INTERNAL_ERROR" if status == 500
                        else "SERVICE_UNAVAILABLE", error="injected failure")
        await self._send(send, status, body)

    @staticmethod
    async def _send(send: Send, status: int, body: dict[str, Any],
                    extra: list[tuple[bytes, bytes]] | None = None) -> None:
        raw = json.dumps(body).encode()
        headers = [(b"content-type", b"application/json"),
                   (b"content-length", str(len(raw)).encode()),
                   (b"x-correlation-id", str(body["correlationId"]).encode())]
        await send({"type": "http.response.start", "status": status,
                    "headers": headers + (extra or [])})
        await send({"type": "http.response.body", "body": raw})

    # -- API endpoints -------------------------------------------------------------------------
    def _authorised(self, request: Request) -> Response | None:
        key = request.headers.get("x-rr-apikey", "")
        token = request.headers.get("x-rr-apitoken", "")
        ok = hmac.compare_digest(key.encode(), self.api_key.encode())
        ok = hmac.compare_digest(token.encode(), self.api_token.encode()) and ok
        if ok:
            return None
        return _response(envelope(401, error_code="UNAUTHORIZED",
                                  error="invalid x-rr-apikey or x-rr-apitoken"), 401)

    async def _list(self, request: Request) -> Response:
        if (denied := self._authorised(request)) is not None:
            return denied
        q = request.query_params
        errors: dict[str, list[str]] = {}
        bounds: dict[str, datetime] = {}
        for name in ("createFrom", "createTo"):
            try:
                value = _parse_time(q.get(name))
            except ValueError:
                errors[name] = [f"'{q.get(name)}' is not an ISO 8601 date-time"]
                continue
            if value is None:
                errors[name] = [f"{name} is required"]
            else:
                bounds[name] = value
        numbers: dict[str, int] = {}
        for name, default, low, high in (("pageSize", 50, 1, 50), ("offset", 0, 0, None)):
            raw = q.get(name)
            try:
                number = default if raw in (None, "") else int(str(raw))
            except ValueError:
                errors[name] = [f"{name} must be a whole number"]
                continue
            if number < low or (high is not None and number > high):
                errors[name] = [f"{name} must be between {low} and {high}" if high is not None
                                else f"{name} must be at least {low}"]
            numbers[name] = number
        if len(bounds) == 2:
            if bounds["createTo"] < bounds["createFrom"]:
                errors.setdefault("createTo", []).append("createTo must not be before createFrom")
            elif bounds["createTo"] - bounds["createFrom"] > MAX_WINDOW:
                errors.setdefault("createTo", []).append(
                    "the period from createFrom to createTo may not exceed 62 days")
        if errors:
            return _soft(errors)
        start, end = bounds["createFrom"], bounds["createTo"]
        with self.state.lock:
            # creation times never change: bisect the seeded order
            low = bisect.bisect_left(self.state.created, start)
            high = bisect.bisect_right(self.state.created, end)
            offset, size = numbers["offset"], numbers["pageSize"]
            page = self.state.order[low:high][offset:offset + size]
            rows = [self.state.items[i].list_row() for i in page]
            total = high - low
        # the business payload goes beside meta, as the vendor's envelope describes
        return _response(envelope(200, totalNumberOfRecords=total) | {"data": rows})

    async def _get(self, request: Request) -> Response:
        if (denied := self._authorised(request)) is not None:
            return denied
        raw = request.query_params.get("returnInventoryId")
        try:
            inventory_id = int(str(raw))
        except ValueError:
            return _soft({"returnInventoryId": ["returnInventoryId must be a whole number"]})
        with self.state.lock:
            item = self.state.items.get(inventory_id)
            record = item.details() if item else None
        if record is None:
            return _response(envelope(404, error_code="NOT_FOUND", error={
                "returnInventoryId": [f"return inventory {inventory_id} was not found"]}), 404)
        return _response(envelope(200) | {"data": record})

    async def _json_body(self, request: Request) -> tuple[dict[str, Any] | None, bytes]:
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            return None, raw
        return (body if isinstance(body, dict) else None), raw

    async def _idempotent(self, request: Request,
                          apply: Callable[[dict[str, Any], str], dict[str, Any]]) -> Response:
        """Run ``apply(body, correlation_id)`` once per idempotency key; replay its answer."""
        if (denied := self._authorised(request)) is not None:
            return denied
        body, raw = await self._json_body(request)
        key = request.headers.get(IDEMPOTENCY_HEADER)
        fingerprint = hashlib.sha256(request.url.path.encode() + b"\n" + raw).hexdigest()
        with self.state.lock:
            if key is not None and key in self.state.idempotency:
                stored = self.state.idempotency[key]
                if stored.fingerprint != fingerprint:
                    return _response(envelope(409, error_code="IDEMPOTENCY_KEY_REUSED", error={
                        IDEMPOTENCY_HEADER: ["this key was used for a different request"]}), 409)
                return Response(stored.body, status_code=stored.status,
                                media_type="application/json",
                                headers={"x-correlation-id": stored.correlation_id})
            correlation_id = str(uuid.uuid4())
            if body is None:
                answer = envelope(400, error_code="VALIDATION_FAILED", correlation_id=correlation_id,
                                  error={"body": ["the body must be a JSON object"]})
            else:
                answer = apply(body, correlation_id)
            encoded = json.dumps(answer, separators=(",", ":")).encode()
            if key is not None:
                self.state.idempotency[key] = _Stored(fingerprint, 200, encoded,
                                                      str(answer.get("correlationId")))
        return Response(encoded, media_type="application/json",
                        headers={"x-correlation-id": correlation_id})

    def _find(self, body: dict[str, Any], cid: str) -> SeedItem | dict[str, Any]:
        raw = body.get("returnInventoryId")
        if isinstance(raw, bool) or not isinstance(raw, int):
            return envelope(400, error_code="VALIDATION_FAILED", correlation_id=cid, error={
                "returnInventoryId": ["returnInventoryId is required and must be an integer"]})
        item = self.state.items.get(raw)
        if item is None:
            return envelope(400, error_code="VALIDATION_FAILED", correlation_id=cid, error={
                "returnInventoryId": [f"return inventory {raw} does not exist or does not "
                                      "belong to your account"]})
        return item

    def _apply_update(self, body: dict[str, Any], cid: str, key: str | None) -> dict[str, Any]:
        found = self._find(body, cid)
        code_raw = body.get("handlingCode")
        errors: dict[str, list[str]] = {}
        if not isinstance(code_raw, str) or not code_raw.strip():
            errors["handlingCode"] = ["handlingCode is required"]
        if not isinstance(found, SeedItem):
            if errors:
                found["meta"]["error"].update(errors)
            return found
        if errors:
            return envelope(400, error_code="VALIDATION_FAILED", correlation_id=cid, error=errors)
        item = found
        code = str(code_raw).strip()
        known = {c for c, _ in HANDLINGS}
        if code not in known:
            errors["handlingCode"] = [f"'{code}' is not a handling code (see getAllHandlings)"]
        elif code in {"rsd", "tbc"}:
            errors["handlingCode"] = [f"'{code}' cannot be set here: it has its own flow"]
        elif not (item.handling_status == "pending" and code == "ohd"):
            if item.handling_status == "completed":
                errors["handlingCode"] = ["the warehouse has completed handling this item"]
            elif item.has_unfinished_vas:
                errors["returnInventoryId"] = [
                    "the line item has a VAS request that is not finished"]
        if errors:
            return envelope(400, error_code="VALIDATION_FAILED", correlation_id=cid, error=errors)
        previous = item.handling_code
        now = datetime.now(UTC)
        item.handling_code = code
        item.handling_status = "pending"
        item.handling_updated_on = now
        item.modify_on = now
        item.complete_on = None
        item.rma_locked = item.rma_locked or code not in {"ohd", "oth"}
        self.state.applied.append(AppliedChange("update", item.return_inventory_id, code,
                                                previous, key, cid, now))
        self.state.changed.notify_all()
        self._schedule_warehouse(item.return_inventory_id)
        return envelope(200, correlation_id=cid, data={
            "returnInventoryId": item.return_inventory_id, "handlingCode": code,
            "handlingStatusCode": item.handling_status})

    def _apply_cancel(self, body: dict[str, Any], cid: str, key: str | None) -> dict[str, Any]:
        found = self._find(body, cid)
        if not isinstance(found, SeedItem):
            return found
        item = found
        if item.handling_code == "tbc":
            return envelope(400, error_code="VALIDATION_FAILED", correlation_id=cid, error={
                "returnInventoryId": ["there is no handling to cancel"]})
        if item.handling_status != "pending":
            return envelope(400, error_code="VALIDATION_FAILED", correlation_id=cid, error={
                "returnInventoryId": ["the warehouse has already acted on this handling"]})
        previous = item.handling_code
        now = datetime.now(UTC)
        item.handling_code = "tbc"
        item.handling_status = "pending"
        item.handling_updated_on = now
        item.modify_on = now
        self.state.applied.append(AppliedChange("cancel", item.return_inventory_id, "tbc",
                                                previous, key, cid, now))
        self.state.changed.notify_all()
        return envelope(200, correlation_id=cid, data={
            "returnInventoryId": item.return_inventory_id, "handlingCode": "tbc",
            "handlingStatusCode": "pending"})

    async def _update(self, request: Request) -> Response:
        key = request.headers.get(IDEMPOTENCY_HEADER)
        return await self._idempotent(request, lambda b, c: self._apply_update(b, c, key))

    async def _cancel(self, request: Request) -> Response:
        key = request.headers.get(IDEMPOTENCY_HEADER)
        return await self._idempotent(request, lambda b, c: self._apply_cancel(b, c, key))

    async def _handlings(self, request: Request) -> Response:
        if (denied := self._authorised(request)) is not None:
            return denied
        return _response(envelope(200, handlings=[
            {"handlingCode": c, "handlingDescription": d} for c, d in HANDLINGS]))

    async def _statuses(self, request: Request) -> Response:
        if (denied := self._authorised(request)) is not None:
            return denied
        return _response(envelope(200, handlingStatusList=[
            {"handlingStatusCode": c, "handlingStatus": n, "handlingStageDescription": d}
            for c, n, d in HANDLING_STATUSES]))

    async def _vas(self, request: Request) -> Response:
        if (denied := self._authorised(request)) is not None:
            return denied
        return _response(envelope(200, vasList=[
            {"vasCode": c, "vasDescription": d} for c, d in VAS_TYPES]))

    async def _vas_statuses(self, request: Request) -> Response:
        if (denied := self._authorised(request)) is not None:
            return denied
        return _response(envelope(200, vasStatusList=[
            {"vasStatusCode": c, "vasStatus": d} for c, d in VAS_STATUSES]))

    async def _file(self, request: Request) -> Response:
        key = str(request.path_params["key"])
        if not key.startswith("sandbox/") or not key.endswith(".png") or ".." in key:
            return Response(b"not found", status_code=404, media_type="text/plain")
        return Response(png_for(key), media_type="image/png",
                        headers={"cache-control": "public, max-age=86400"})

    # -- the warehouse acting after an update ----------------------------------------------------
    def _schedule_warehouse(self, inventory_id: int) -> None:
        """Called with the lock held, on the server loop: complete + notify after a delay."""
        if self.state.receiver_url is None or self._loop is None:
            return
        task = self._loop.create_task(self._act_and_notify(inventory_id, self.state.act_after_s))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _act_and_notify(self, inventory_id: int, delay: float) -> None:
        await asyncio.sleep(delay)
        with self.state.lock:
            url, registered = self.state.receiver_url, self.state.registered_url
            item = self.state.items[inventory_id]
            if item.handling_status != "pending" or item.handling_code == "tbc" or url is None:
                return
            now = datetime.now(UTC)
            item.handling_status = "completed"
            item.complete_on = now
            item.modify_on = now
            event = deliver.complete_inventory_handling(item.webhook_inventory(self.file_base))
        try:
            report = await deliver.post_events([event], url, self.signing_key,
                                               registered_url=registered, concurrency=1)
        except Exception:
            log.warning("sandbox: could not deliver completeInventoryHandling", exc_info=True)
            return
        if report.failed:
            log.warning("sandbox: completeInventoryHandling for %s not accepted: %s",
                        inventory_id, report.errors)

    # -- control endpoints (plain JSON, no credentials: loopback test tooling) ----------------
    @staticmethod
    def _plain(data: Any, status: int = 200) -> Response:
        return Response(json.dumps(data).encode(), status_code=status,
                        media_type="application/json")

    async def _ctl_faults(self, request: Request) -> Response:
        if request.method == "DELETE":
            self.reset_faults()
        elif request.method == "POST":
            body, _raw = await self._json_body(request)
            try:
                if body is None:
                    raise ValueError("the body must be a JSON object")
                self.fail_next(FaultKind(str(body.get("kind"))), int(body.get("count", 1)),
                               path=body.get("path"),
                               retry_after=float(body.get("retryAfter", 1.0)),
                               delay_s=float(body.get("delayMs", 30_000)) / 1000,
                               after_apply=bool(body.get("afterApply", False)))
            except (TypeError, ValueError) as exc:
                return self._plain({"error": f"cannot add the fault: {exc}; kinds: "
                                             f"{', '.join(k.value for k in FaultKind)}"}, 400)
        with self.state.lock:
            faults = [{"kind": f.kind.value, "remaining": f.remaining, "path": f.path,
                       "retryAfter": f.retry_after, "delayMs": f.delay_s * 1000,
                       "afterApply": f.after_apply} for f in self.state.faults]
        return self._plain({"faults": faults})

    async def _ctl_latency(self, request: Request) -> Response:
        body, _raw = await self._json_body(request)
        try:
            self.set_latency(float((body or {})["ms"]))
        except (KeyError, TypeError, ValueError):
            return self._plain({"error": "ms (a number) is required"}, 400)
        return self._plain({"latencyMs": self.state.latency_s * 1000})

    async def _ctl_applied(self, request: Request) -> Response:
        return self._plain({"applied": [a.to_json() for a in self.applied()]})

    async def _ctl_requests(self, request: Request) -> Response:
        return self._plain({"requests": [r.to_json() for r in self.requests()]})

    async def _ctl_reset(self, request: Request) -> Response:
        self.reset()
        return self._plain({"reset": True})

    async def _ctl_receiver(self, request: Request) -> Response:
        body, _raw = await self._json_body(request)
        body = body or {}
        after = body.get("actAfterMs")
        self.set_receiver(body.get("url"), registered_url=body.get("registeredUrl"),
                          act_after_s=None if after is None else float(after) / 1000)
        return self._plain({"url": body.get("url")})

    async def _ctl_act(self, request: Request) -> Response:
        body, _raw = await self._json_body(request)
        body = body or {}
        try:
            item = self.warehouse_act(int(body["returnInventoryId"]),
                                      str(body.get("status", "completed")))
        except (KeyError, TypeError, ValueError):
            return self._plain({"error": "a known returnInventoryId is required"}, 400)
        return self._plain(item.list_row())


# -- the command ----------------------------------------------------------------------------------
def sandbox_command(args: argparse.Namespace) -> int:
    """``returndesk sandbox``: serve until Ctrl+C, printing the URLs and demo credentials."""
    server = SandboxServer(items=args.items, seed=args.seed, latency_ms=args.latency_ms,
                           host=args.host, port=args.port,
                           receiver_url=getattr(args, "deliver_to", None))
    try:
        server.start()
    except (OSError, RuntimeError) as exc:
        print(f"returndesk sandbox: cannot listen on {args.host}:{args.port}: {exc}",
              file=sys.stderr)
        return 1
    print(f"Return Helper sandbox ({args.items} inventories, seed {args.seed})")
    print(f"  user API:    {server.user_base}")
    print(f"  public API:  {server.public_base}")
    print(f"  images:      {server.file_base}")
    print(f"  control:     {server.control_base}/faults, /applied, /requests, /reset")
    print("Sandbox-only demo credentials (random for this run, valid nowhere else):")
    print(f"  API key:     {server.api_key}")
    print(f"  API token:   {server.api_token}")
    print(f"  signing key: {server.signing_key}")
    print("To use them from the desk app, store them in the keyring and point it here:")
    print("  returndesk --environment custom credentials set rh.api_key --stdin   (and "
          "rh.api_token, rh.signing_key)")
    print(f"  returndesk --environment custom --rh-user-api {server.user_base} "
          f"--rh-public-api {server.public_base}")
    print("(or simply: returndesk demo)")
    sys.stdout.flush()
    try:
        if args.deliver_to:
            report = server.deliver_new_inventories(args.deliver_to)
            print(f"Delivered newInventoryCreated to {args.deliver_to}: "
                  f"{report.accepted} accepted, {report.failed} failed")
        print("Serving; press Ctrl+C to stop.")
        sys.stdout.flush()
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        print("Stopping the sandbox.")
    finally:
        server.stop()
    return 0


__all__ = ["AppliedChange", "Fault", "FaultKind", "LoopbackServer", "RequestSeen", "SandboxServer",
           "envelope", "sandbox_command"]

