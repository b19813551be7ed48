"""Running the receiver: ``returndesk serve-hooks`` (its own process) and
:class:`WebhookService` (inside the desktop app, on the app's existing asyncio loop).

uvicorn serves the Starlette app. Its access log is off (the WINIT path carries a secret
token); the receiver writes its own structured lines instead.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
from collections.abc import Iterator
from typing import Any

import uvicorn

from app.credentials import Credentials, CredentialsError, Secret
from app.settings import Settings
from app.store.base import Store
from app.webhooks.decrypt import EventDecryptor
from app.webhooks.receiver import RH_PATH, create_app

log = logging.getLogger("app.webhooks")


class WebhookServiceError(RuntimeError):
    """The receiver could not start (port in use, bad host). Message is for people."""


def _config(app: Any, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(app, host=host, port=port, log_config=None, access_log=False,
                          lifespan="off", server_header=False, http="h11",
                          timeout_graceful_shutdown=5)


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its signal handlers (the host application owns the signals)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class _CommandServer(uvicorn.Server):
    """uvicorn for ``serve-hooks``: Ctrl+C / SIGTERM shut down gracefully and then return
    normally (uvicorn would re-raise the signal, skipping the store's orderly close)."""

    def handle_exit(self, sig: int, frame: Any) -> None:
        super().handle_exit(sig, frame)
        self._captured_signals.clear()


class WebhookService:
    """The receiver as a task on an existing loop (the desktop app's qasync loop).

    ``await start()`` returns once the port is listening (``port`` is then the real port,
    also when 0 was asked for); ``await stop()`` shuts it down gracefully.
    """

    def __init__(self, store: Store, credentials: Credentials, settings: Settings, *,
                 decryptor: EventDecryptor | None = None, host: str | None = None,
                 port: int | None = None) -> None:
        self.app = create_app(store, credentials, settings, decryptor=decryptor)
        self.host = host or settings.webhooks_host
        self._requested_port = settings.webhooks_port if port is None else port
        self.port: int | None = None
        self._server: _EmbeddedServer | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    @property
    def url(self) -> str:
        if self.port is None:
            raise WebhookServiceError("the webhook receiver is not running")
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def start(self) -> None:
        if self.running:
            return
        server = _EmbeddedServer(_config(self.app, self.host, self._requested_port))
        self._server = server
        task = asyncio.get_running_loop().create_task(self._serve(server))
        self._task = task
        while not server.started:
            if task.done():
                break
            # uvicorn has no "started" event; poll its flag on the loop (startup is quick)
            await asyncio.wait({task}, timeout=0.02)
        if not server.started:
            self._task = None
            raise WebhookServiceError(
                f"the webhook receiver could not listen on {self.host}:{self._requested_port} "
                "(is the port in use?)")
        sockets = server.servers[0].sockets if server.servers else []
        self.port = int(sockets[0].getsockname()[1]) if sockets else self._requested_port
        log.info("webhook receiver listening on %s", self.url)

    @staticmethod
    async def _serve(server: uvicorn.Server) -> None:
        try:
            await server.serve()
        except SystemExit:  # uvicorn exits on startup failure; the loop must live on
            log.error("webhook receiver failed to start")

    async def stop(self, timeout: float = 10.0) -> None:
        server, task = self._server, self._task
        if server is None or task is None:
            return
        server.should_exit = True
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout)
        except TimeoutError:
            server.force_exit = True
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._task = None
        self.port = None
        self.app.state.writer.close()
        log.info("webhook receiver stopped")


def _describe_setup(credentials: Credentials, settings: Settings) -> list[str]:
    lines = []
    scope = settings.environment.value
    try:
        has_key = credentials.is_set(Secret.RH_SIGNING_KEY, scope)
        has_token = credentials.is_set(Secret.WINIT_HOOK_TOKEN)
    except CredentialsError as exc:
        return [f"warning: the keyring cannot be read: {exc}"]
    if not has_key:
        lines.append(f"warning: no Return Helper signing key for environment {scope!r}: "
                     f"set it with 'returndesk credentials set {Secret.RH_SIGNING_KEY.value} "
                     "--stdin'; Return Helper events are refused until then")
    if not settings.webhooks_public_url:
        lines.append("warning: --public-url not given: signatures are checked against the URL "
                     "this server sees, which differs from the registered URL behind a proxy")
    if not has_token:
        lines.append(f"note: no {Secret.WINIT_HOOK_TOKEN.value} set: the WINIT endpoint "
                     "refuses every request")
    elif not settings.winit_plaintext_events:
        lines.append("note: WINIT events are encrypted and the cipher is not public: they are "
                     "kept in the raw-event log but not applied (see README, WINIT events)")
    return lines


def serve_hooks_command(args: argparse.Namespace, settings: Settings) -> int:
    """``returndesk serve-hooks``: run the receiver until Ctrl+C."""
    from app.logs import setup_logging
    from app.store import StoreError, open_store

    setup_logging("returndesk-hooks")
    credentials = Credentials()
    try:
        store = open_store(settings.store, credentials=credentials)
    except StoreError as exc:
        print(f"returndesk serve-hooks: {exc}")
        return 1
    try:
        for line in _describe_setup(credentials, settings):
            print(line)
        app = create_app(store, credentials, settings)
        server = _CommandServer(_config(app, settings.webhooks_host, settings.webhooks_port))
        host = settings.webhooks_host
        print(f"returndesk serve-hooks: listening on http://{host}:{settings.webhooks_port} "
              f"(Return Helper: {RH_PATH}, WINIT: /webhooks/winit/<token>, health: /healthz); "
              f"store {store.url}")
        try:
            server.run()
        except SystemExit as exc:
            print(f"returndesk serve-hooks: could not listen on {host}:{settings.webhooks_port}")
            return int(exc.code) if isinstance(exc.code, int) else 1
        finally:
            app.state.writer.close()
        print("returndesk serve-hooks: stopped")
        return 0
    finally:
        store.close()
