"""The Return Helper client's one way to the network: a request in, an :class:`Envelope` out.

:class:`Sender` owns (or borrows) the ``httpx.AsyncClient``, bounds how many requests are in
flight, turns network failures into :class:`~app.returnhelper.errors.NetworkError`s and
hands every answer to :func:`app.returnhelper.envelope.interpret`. It makes one attempt;
retrying is :mod:`app.returnhelper.retry`'s.

Logs name the method, path, status and correlation id; never a header value.
"""

from __future__ import annotations

import asyncio
import importlib.util
import logging
import sys
from collections.abc import Mapping
from typing import Any
from urllib.request import getproxies

import httpx

from app.returnhelper.envelope import Envelope, interpret
from app.returnhelper.errors import ApiError, NetworkError, RequestTimeoutError

log = logging.getLogger(__name__)

# httpcore tries ``import sniffio`` each time it sets up a lock for a request; anyio no
# longer installs sniffio, and Python does not remember a failed import, so every request
# paid a search of sys.path (about a third of the client's CPU per list page; upstream:
# encode/httpcore#1103). ``None`` in sys.modules makes that import fail at once, which is
# exactly what httpcore expects when sniffio is absent (it then assumes asyncio).
if importlib.util.find_spec("sniffio") is None:
    sys.modules.setdefault("sniffio", None)  # type: ignore[arg-type]

HANDOVER_TURNS = 10  # loop turns an answer yields to a waiting call (see Sender.hand_over)


def environment_proxies() -> bool:
    """Whether the environment (or, on Windows, the system settings) names a proxy, as
    httpx's client would use it (``no_proxy`` alone names none)."""
    return any(scheme != "no" and url for scheme, url in getproxies().items())


class Sender:
    """Sends one request at a time per slot (``concurrency`` slots) and reads its answer.

    ``headers`` are sent with every request (credentials among them: never logged).
    """

    def __init__(self, headers: Mapping[str, str], *, timeout: float, concurrency: int,
                 transport: httpx.AsyncBaseTransport | None = None,
                 http_client: httpx.AsyncClient | None = None) -> None:
        self.timeout = timeout
        self.own_client = http_client is None
        # Requests go straight to the transport of a client this one owns (httpx's transport
        # API): the client's per-request work (URL and header merging, cookies, auth and
        # redirect hooks, none of which this API uses) was a fifth of a call's CPU. A client
        # passed in, or proxies set in the environment, keep the ordinary path.
        self.transport: httpx.AsyncBaseTransport | None = None
        if http_client is None:
            limits = httpx.Limits(max_connections=concurrency * 2,
                                  max_keepalive_connections=concurrency)
            if transport is None and not environment_proxies():
                transport = httpx.AsyncHTTPTransport(limits=limits)
            self.transport = transport
            http_client = httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(timeout),
                                            limits=limits)
        self.http = http_client
        # what httpx's client would add to the headers; the transport path sends them itself
        self.headers = (dict(headers) if self.transport is None else
                        {**headers, "Accept-Encoding": "gzip, deflate",
                         "Connection": "keep-alive"})
        self._timeouts = httpx.Timeout(timeout).as_dict()
        self._semaphore = asyncio.Semaphore(concurrency)
        self.waiting = 0   # calls waiting for a slot
        self.sent = 0      # requests written to the network (see _trace)

    async def aclose(self) -> None:
        if self.own_client:
            await self.http.aclose()

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

    async def send(self, method: str, url: str, what: str, headers: dict[str, str],
                   json: Any) -> Envelope:
        """One attempt: ``headers`` are :attr:`headers`, or a copy with more added."""
        self.waiting += 1
        try:
            await self._semaphore.acquire()
        finally:
            self.waiting -= 1
        try:
            try:
                if self.transport is not None:
                    response = await self.transport.handle_async_request(httpx.Request(
                        method, url, headers=headers, json=json,
                        extensions={"timeout": self._timeouts, "trace": self._trace}))
                    try:
                        await response.aread()
                    finally:
                        await response.aclose()
                else:
                    response = await self.http.request(method, url, json=json,
                                                       headers=headers,
                                                       extensions={"trace": self._trace})
            except httpx.TimeoutException as exc:
                log.info("Return Helper %s timed out", what)
                raise RequestTimeoutError(
                    f"{what}: no answer from Return Helper within {self.timeout:g} s") from exc
            except httpx.TransportError as exc:
                log.info("Return Helper %s network error: %s", what, type(exc).__name__)
                raise NetworkError(f"{what}: cannot reach Return Helper "
                                   f"({type(exc).__name__})") from exc
        finally:
            self._semaphore.release()
        if self.waiting:
            await self.hand_over()
        try:
            envelope = interpret(response.status_code, response.headers, response.content,
                                 what=what)
        except ApiError as exc:
            log.info("Return Helper %s -> HTTP %s, correlationId=%s, %s", what,
                     response.status_code, exc.correlation_id, type(exc).__name__)
            raise
        log.debug("Return Helper %s -> HTTP %s meta %s, correlationId=%s", what,
                  response.status_code, envelope.status, envelope.correlation_id)
        return envelope
