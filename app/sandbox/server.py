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

The parts: :mod:`app.sandbox.state` (what the sandbox knows, the faults),
:mod:`app.sandbox.api` (the API endpoints and their rules), :mod:`app.sandbox.faults`
(failure injection), :mod:`app.sandbox.control` (the Python and HTTP control API),
:mod:`app.sandbox.loopback` (uvicorn in a thread); this module puts them together and holds
the ``returndesk sandbox`` command.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import secrets
import sys
import time
from datetime import datetime
from typing import Self

from starlette.applications import Starlette
from starlette.routing import Route

from app.sandbox.api import SandboxApi, envelope
from app.sandbox.base import CONTROL_PREFIX, FILES_PREFIX, PUBLIC_PREFIX, USER_PREFIX
from app.sandbox.control import SandboxControl
from app.sandbox.faults import FaultInjection
from app.sandbox.loopback import THREAD_NAME, ASGIApp, LoopbackServer, Receive, Scope, Send
from app.sandbox.seed import generate
from app.sandbox.state import AppliedChange, Fault, FaultKind, RequestSeen, SandboxState


class SandboxServer(SandboxControl, FaultInjection, SandboxApi):
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
