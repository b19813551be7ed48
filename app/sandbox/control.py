"""Controlling the sandbox: the Python API tests call (faults, latency, reset, what was
applied, the warehouse acting, webhook delivery) and its HTTP mirror under ``/_sandbox/``."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.sandbox import deliver
from app.sandbox.base import SandboxBase
from app.sandbox.seed import SeedItem
from app.sandbox.state import AppliedChange, Fault, FaultKind, RequestSeen


class SandboxControl(SandboxBase):
    """The control API of :class:`~app.sandbox.server.SandboxServer`."""

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
