"""Any ASGI app served by uvicorn on loopback, in a background thread with its own loop."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Self

import uvicorn

THREAD_NAME = "returnhelper-sandbox"

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


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
