"""What the Return Helper client tests share: sandbox picks, request records, a sleep that
records its waits."""

from __future__ import annotations

import uuid

from app.sandbox.server import SandboxServer

UPDATE = "UpdateReturnInventoryHandling"
CANCEL = "CancelReturnInventoryHandling"


def key() -> str:
    return str(uuid.uuid4())


def pick(sandbox: SandboxServer, *, code: str = "tbc", status: str = "pending",
         vas: bool | None = False) -> int:
    for item in sandbox.items():
        if item.handling_code == code and item.handling_status == status and (
                vas is None or item.has_unfinished_vas == vas):
            return item.return_inventory_id
    raise AssertionError(f"the seed has no {code}/{status} item (vas={vas})")


def api_requests(sandbox: SandboxServer, path_end: str) -> list:
    return [r for r in sandbox.requests() if r.path.endswith(path_end)]


class RecordingSleep:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)
