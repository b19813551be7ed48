"""Failure injection: API requests pass through here, are recorded, delayed, and fail as the
next pending :class:`~app.sandbox.state.Fault` says."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime
from typing import Any

from app.sandbox.api import envelope
from app.sandbox.base import IDEMPOTENCY_HEADER, SandboxBase
from app.sandbox.loopback import ASGIApp, Message, Receive, Scope, Send
from app.sandbox.state import Fault, FaultKind, RequestSeen


class FaultInjection(SandboxBase):
    """Wraps the API routes of :class:`~app.sandbox.server.SandboxServer` with faults."""

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
