"""What the sandbox knows: its inventories, pending faults, applied changes, requests seen
and stored idempotent answers (:class:`SandboxState`, shared under one lock)."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from app.sandbox.seed import SeedItem


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
