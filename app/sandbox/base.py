"""The paths the sandbox serves and what the parts of :class:`~app.sandbox.server.SandboxServer`
share: the attributes its constructor sets, its addresses and reading a JSON body."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from starlette.requests import Request

from app.sandbox.loopback import LoopbackServer
from app.sandbox.state import SandboxState

USER_PREFIX = "/user/api"
PUBLIC_PREFIX = "/public/api"
FILES_PREFIX = "/files"
CONTROL_PREFIX = "/_sandbox"
IDEMPOTENCY_HEADER = "x-returnhelper-idempotency-key"


class SandboxBase:
    """Declares what :class:`~app.sandbox.server.SandboxServer` sets up, for its parts."""

    state: SandboxState
    api_key: str
    api_token: str
    signing_key: str
    _runner: LoopbackServer | None
    _loop: asyncio.AbstractEventLoop | None
    _release: asyncio.Event | None
    _tasks: set[asyncio.Task[None]]

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

    async def _json_body(self, request: Request) -> tuple[dict[str, Any] | None, bytes]:
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            return None, raw
        return (body if isinstance(body, dict) else None), raw
