"""The Return Helper client's one way to the network: a request in, an :class:`Envelope` out.

:class:`Sender` bounds how many requests are in flight, turns network failures into
:class:`~app.returnhelper.errors.NetworkError`s and hands every answer to
:func:`app.returnhelper.envelope.interpret`. It makes one attempt; retrying is
:mod:`app.returnhelper.retry`'s. Three ways out, one chosen at construction:

* its own connection pool (``httpcore.AsyncConnectionPool``, the pool under httpx's
  transport), when no client or transport is passed in and the environment names no
  proxy: the usual case, and the cheapest per request (see :class:`_Pool`);
* a transport passed in (tests: ``httpx.MockTransport``), called straight;
* an ``httpx.AsyncClient`` passed in, or one it makes when the environment names a proxy
  (httpx reads the proxy settings), the ordinary client path.

Logs name the method, path, status and correlation id; never a header value.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import logging
import select
import socket
import ssl
import sys
import zlib
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.request import getproxies

import httpcore
import httpx

from app.clock_check import ClockCheck
from app.returnhelper.envelope import Envelope, header_value, interpret
from app.returnhelper.errors import ApiError, NetworkError, ProtocolError, RequestTimeoutError
from app.tls import shared_ssl_context

log = logging.getLogger(__name__)

# httpcore tries ``import sniffio`` each time it sets up a lock for a request; anyio no
# longer installs sniffio, and Python does not remember a failed import, so every request
# paid a search of sys.path (about a third of the client's CPU per list page; upstream:
# encode/httpcore#1103). ``None`` in sys.modules makes that import fail at once, which is
# exactly what httpcore expects when sniffio is absent (it then assumes asyncio).
if importlib.util.find_spec("sniffio") is None:
    sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]

HANDOVER_TURNS = 10  # loop turns an answer yields to a waiting call (see Sender.hand_over)
KEEPALIVE_S = 5.0    # an idle connection is kept this long (httpx's default)

# an answer as the network gave it: status, headers, body (decoded)
Answer = tuple[int, Mapping[str, str], bytes]


def environment_proxies() -> bool:
    """Whether the environment (or, on Windows, the system settings) names a proxy, as
    httpx's client would use it (``no_proxy`` alone names none)."""
    return any(scheme != "no" and url for scheme, url in getproxies().items())


def _readable(sock: socket.socket) -> bool:
    """Whether ``sock`` has something to read now (on an idle keep-alive connection: the
    server closed it)."""
    fd = sock.fileno()
    if fd < 0:
        return True
    if sys.platform == "win32" or not hasattr(select, "poll"):
        return bool(select.select([fd], [], [], 0)[0])
    poll = select.poll()
    poll.register(fd, select.POLLIN)
    return bool(poll.poll(0))


class _Stream(httpcore.AsyncNetworkStream):
    """httpcore's anyio stream, with its socket looked up once.

    Before every request httpcore asks each idle connection of the pool whether the server
    has closed it (``get_extra_info("is_readable")``); anyio answers that by building its
    table of socket attributes anew (a ``getpeername`` call among them) each time: at 8
    calls in flight that was a tenth of a list page's CPU.
    """

    def __init__(self, inner: httpcore.AsyncNetworkStream) -> None:
        self._inner = inner
        self._socket: socket.socket | None = inner.get_extra_info("socket")

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, timeout)

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, timeout)

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                        timeout: float | None = None) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.start_tls(ssl_context, server_hostname, timeout))

    def get_extra_info(self, info: str) -> Any:
        if info == "is_readable" and self._socket is not None:
            return _readable(self._socket)
        return self._inner.get_extra_info(info)


class _Backend(httpcore.AsyncNetworkBackend):
    """httpcore's anyio backend, whose streams are :class:`_Stream`s."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                          local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None,
                          ) -> httpcore.AsyncNetworkStream:
        return _Stream(await self._inner.connect_tcp(host, port, timeout, local_address,
                                                     socket_options))

    async def connect_unix_socket(self, path: str, timeout: float | None = None,
                                  socket_options: Iterable[Any] | None = None,
                                  ) -> httpcore.AsyncNetworkStream:  # pragma: no cover
        return _Stream(await self._inner.connect_unix_socket(path, timeout, socket_options))

    async def sleep(self, seconds: float) -> None:  # pragma: no cover - httpcore's retries
        await self._inner.sleep(seconds)


def _decode(body: bytes, encoding: str) -> bytes:
    """The body as sent before ``Content-Encoding`` (gzip or deflate: what is asked for)."""
    for name in reversed([part.strip().lower() for part in encoding.split(",")]):
        if name in ("gzip", "x-gzip"):
            body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
        elif name == "deflate":
            try:
                body = zlib.decompress(body)
            except zlib.error:  # raw deflate, as some servers send it
                body = zlib.decompress(body, -zlib.MAX_WBITS)
        elif name not in ("identity", ""):
            raise ValueError(f"content encoding {name!r} was not asked for")
    return body


class DecodingError(Exception):
    """A compressed answer that does not decompress."""


class _Pool:
    """Requests straight to a connection pool of its own (httpcore's public API, the pool
    httpx's transport wraps): no ``httpx.Request``/``Response`` objects, no response stream
    wrappers, each base URL parsed once, the headers encoded once."""

    def __init__(self, headers: Mapping[str, str], *, concurrency: int) -> None:
        self.pool = httpcore.AsyncConnectionPool(
            ssl_context=shared_ssl_context(),
            max_connections=concurrency * 2,
            max_keepalive_connections=concurrency, keepalive_expiry=KEEPALIVE_S,
            network_backend=_Backend())
        self._headers = [(k.encode("ascii"), v.encode("ascii")) for k, v in headers.items()]
        self._bases: dict[str, tuple[bytes, bytes, int | None, bytes, list[tuple[bytes, bytes]]]] = {}

    def _base(self, base: str) -> tuple[bytes, bytes, int | None, bytes,
                                        list[tuple[bytes, bytes]]]:
        parsed = self._bases.get(base)
        if parsed is None:
            url = httpx.URL(base)
            host = url.netloc
            parsed = (url.raw_scheme, url.raw_host, url.port, url.raw_path.rstrip(b"/"),
                      [(b"Host", host), *self._headers])
            self._bases[base] = parsed
        return parsed

    async def request(self, method: str, base: str, target: str,
                      extra: Mapping[str, str] | None, json_body: Any,
                      extensions: dict[str, Any]) -> Answer:
        scheme, host, port, prefix, headers = self._base(base)
        content = b""
        if extra or json_body is not None:
            headers = [*headers, *((k.encode("ascii"), v.encode("ascii"))
                                   for k, v in (extra or {}).items())]
        if json_body is not None:
            content = json.dumps(json_body, ensure_ascii=False, separators=(",", ":"),
                                 allow_nan=False).encode()
            headers += [(b"Content-Type", b"application/json"),
                        (b"Content-Length", str(len(content)).encode())]
        request = httpcore.Request(method, httpcore.URL(scheme=scheme, host=host, port=port,
                                                        target=prefix + target.encode("ascii")),
                                   headers=headers, content=content, extensions=extensions)
        response = await self.pool.handle_async_request(request)
        try:
            body = await response.aread()
        finally:
            await response.aclose()
        answer_headers = {k.decode("latin-1"): v.decode("latin-1")
                          for k, v in response.headers}
        encoding = next((v for k, v in answer_headers.items()
                         if k.lower() == "content-encoding"), None)
        if encoding:
            try:
                body = _decode(body, encoding)
            except (zlib.error, ValueError) as exc:
                raise DecodingError(str(exc)) from exc
        return response.status, answer_headers, body


class Sender:
    """Sends one request at a time per slot (``concurrency`` slots) and reads its answer.

    ``headers`` are sent with every request (credentials among them: never logged).
    """

    def __init__(self, headers: Mapping[str, str], *, timeout: float, concurrency: int,
                 transport: httpx.AsyncBaseTransport | None = None,
                 http_client: httpx.AsyncClient | None = None,
                 clock_check: ClockCheck | None = None) -> None:
        self.timeout = timeout
        self.clock_check = clock_check or ClockCheck("Return Helper")
        self.own_client = http_client is None
        self.transport = transport if http_client is None else None
        self.pool: _Pool | None = None
        self.http: httpx.AsyncClient | None = None
        if http_client is None and transport is None and not environment_proxies():
            # what httpx's client would add to the headers, sent by the pool itself
            self.pool = _Pool({**headers, "Accept-Encoding": "gzip, deflate",
                               "Connection": "keep-alive"}, concurrency=concurrency)
        elif transport is not None and http_client is None:
            # straight to a transport passed in: the headers httpx's client would add
            self.headers = {**headers, "Accept-Encoding": "gzip, deflate",
                            "Connection": "keep-alive"}
        else:
            if http_client is None:  # a proxy in the environment: httpx's client reads it
                http_client = httpx.AsyncClient(
                    timeout=httpx.Timeout(timeout), verify=shared_ssl_context(),
                    limits=httpx.Limits(max_connections=concurrency * 2,
                                        max_keepalive_connections=concurrency))
            self.http = http_client
            self.headers = dict(headers)
        self._timeouts = httpx.Timeout(timeout).as_dict()
        self._extensions = {"timeout": self._timeouts, "trace": self._trace}
        self._semaphore = asyncio.Semaphore(concurrency)
        self.waiting = 0   # calls waiting for a slot
        self.sent = 0      # requests written to the network (see _trace)
        self.closed = False

    async def aclose(self) -> None:
        self.closed = True
        if self.pool is not None:
            await self.pool.pool.aclose()
        elif self.own_client:
            if self.http is not None:
                await self.http.aclose()
            elif self.transport is not None:
                await self.transport.aclose()

    async def _trace(self, event: str, info: Mapping[str, Any]) -> None:
        """httpcore's ``trace`` extension: counts requests fully written to the network."""
        if event.endswith("send_request_body.complete"):
            self.sent += 1

    async def hand_over(self) -> None:
        """Let a call waiting for the slot just freed send its request before this answer
        is parsed and mapped (CPU): its latency then overlaps that work instead of following
        it. It needs a few loop turns (httpcore's locks yield); bounded, never a wait."""
        sent = self.sent
        for _ in range(HANDOVER_TURNS):
            await asyncio.sleep(0)
            if self.sent != sent:
                return

    async def _exchange(self, method: str, base: str, target: str,
                        extra: Mapping[str, str] | None, json_body: Any) -> Answer:
        if self.closed:  # as httpx's client refuses once closed
            raise RuntimeError("the Return Helper client is closed")
        if self.pool is not None:
            return await self.pool.request(method, base, target, extra, json_body,
                                           self._extensions)
        headers = {**self.headers, **extra} if extra else self.headers
        if self.transport is not None:
            response = await self.transport.handle_async_request(httpx.Request(
                method, base + target, headers=headers, json=json_body,
                extensions={"timeout": self._timeouts, "trace": self._trace}))
            try:
                await response.aread()
            finally:
                await response.aclose()
        else:
            assert self.http is not None
            response = await self.http.request(method, base + target, json=json_body,
                                               headers=headers,
                                               extensions={"trace": self._trace})
        return response.status_code, response.headers, response.content

    async def send(self, method: str, base: str, target: str, what: str,
                   extra: Mapping[str, str] | None = None, json_body: Any = None) -> Envelope:
        """One attempt at ``method base+target`` (``target``: the path from ``base`` on,
        with its query, URL-encoded), with ``extra`` headers besides the usual ones."""
        self.waiting += 1
        try:
            await self._semaphore.acquire()
        finally:
            self.waiting -= 1
        try:
            try:
                status, headers, body = await self._exchange(method, base, target, extra,
                                                             json_body)
            except (httpx.TimeoutException, httpcore.TimeoutException) as exc:
                log.info("Return Helper %s timed out", what)
                raise RequestTimeoutError(
                    f"{what}: no answer from Return Helper within {self.timeout:g} s") from exc
            except (httpx.TransportError, httpcore.NetworkError, httpcore.ProtocolError,
                    httpcore.UnsupportedProtocol, httpcore.ProxyError) as exc:
                # httpcore's own failures are what httpx's transport maps to TransportError
                log.info("Return Helper %s network error: %s", what, type(exc).__name__)
                raise NetworkError(f"{what}: cannot reach Return Helper "
                                   f"({type(exc).__name__})") from exc
            except DecodingError as exc:
                log.info("Return Helper %s: undecodable answer", what)
                raise ProtocolError(f"{what}: the answer's compression cannot be read ({exc})"
                                    ) from exc
        finally:
            self._semaphore.release()
        if self.clock_check.due():  # at most once a minute: is this computer's clock right?
            self.clock_check.observe(header_value(headers, "date"))
        if self.waiting:
            await self.hand_over()
        try:
            envelope = interpret(status, headers, body, what=what)
        except ApiError as exc:
            log.info("Return Helper %s -> HTTP %s, correlationId=%s, %s", what,
                     status, exc.correlation_id, type(exc).__name__)
            raise
        log.debug("Return Helper %s -> HTTP %s meta %s, correlationId=%s", what,
                  status, envelope.status, envelope.correlation_id)
        return envelope

