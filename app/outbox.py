"""The durable outbox: every handling decision is written to the store first, then sent.

A decision row is the unit of work: ``QUEUED`` -> ``SENDING`` -> ``APPLIED`` or ``FAILED``.
The sender keeps each decision's idempotency key for its whole life, so a decision re-sent
after a crash (the process killed between the API's answer and the local commit) is
applied once by Return Helper. Errors that retrying cannot fix (soft 400s, 401, 404, 409)
stop at ``FAILED`` with the vendor's message and correlationId; network trouble, 429 and
5xx go back to ``QUEUED`` with a growing delay.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from app.model import (
    WITHDRAWN_CODE,
    Decision,
    DecisionAction,
    DecisionState,
    InventoryRecord,
    Source,
    new_idempotency_key,
    utcnow,
)
from app.settings import Settings
from app.store.base import ConflictError, Store

if TYPE_CHECKING:
    import argparse

    from app.returnhelper.client import ReturnHelperClient

log = logging.getLogger(__name__)

OPEN_STATES = (DecisionState.QUEUED, DecisionState.SENDING)
DATE_RESOLUTION = timedelta(seconds=1)  # of an answer's Date header


@dataclass(frozen=True, slots=True)
class OutboxCounts:
    queued: int
    sending: int
    failed: int

    @property
    def pending(self) -> int:
        return self.queued + self.sending


def counts(store: Store) -> OutboxCounts:
    found = store.decision_counts([DecisionState.QUEUED, DecisionState.SENDING,
                                   DecisionState.FAILED])
    return OutboxCounts(queued=found[DecisionState.QUEUED], sending=found[DecisionState.SENDING],
                        failed=found[DecisionState.FAILED])


def vendor_now(client: object) -> datetime:
    """Now on Return Helper's clock as far as the desk knows (vendor times are on that
    clock): this computer's time, corrected by the offset the client measured from its
    answers' ``Date`` header (:mod:`app.clock_check`) when that is more than the header's
    1 s resolution (a desk whose clock is wrong)."""
    now = utcnow()
    offset = getattr(getattr(client, "clock_check", None), "offset", None)
    if isinstance(offset, timedelta) and abs(offset) > DATE_RESOLUTION:
        return now + offset
    return now


def accepted_at(client: object) -> datetime:
    """The time an applied decision's handling carries: just before its request left, on
    Return Helper's clock (:func:`vendor_now`, taken before the request), less the ``Date``
    header's 1 s resolution. Return Helper applies the change after the request left, so
    whatever it says after accepting it (the warehouse completing the item, even at once)
    is newer, and what it said before (an event delivered late, a kept one replayed) is
    older and cannot put the old handling back."""
    return vendor_now(client) - DATE_RESOLUTION


def retry_delay(attempts: int, *, base: float = 1.0, cap: float = 60.0) -> float:
    """Exponential backoff with full jitter: 0..min(cap, base * 2**attempts) seconds."""
    return random.uniform(0, min(cap, base * (2 ** max(0, attempts - 1))))


def describe_error(exc: BaseException) -> tuple[str, str | None, str | None, bool]:
    """(message, error_code, correlation_id, retryable) for any client error."""
    message = str(exc) or type(exc).__name__
    field_errors = getattr(exc, "field_errors", None)
    if field_errors:
        details = "; ".join(f"{name}: {', '.join(map(str, msgs))}" for name, msgs in field_errors.items())
        if details not in message:
            message = f"{message} ({details})"
    return (message, getattr(exc, "error_code", None), getattr(exc, "correlation_id", None),
            bool(getattr(exc, "retryable", False)))


class OutboxSender:
    """Sends queued decisions in the background on the running asyncio loop."""

    def __init__(self, store: Store, client: ReturnHelperClient | None, *,
                 on_change: Callable[[Decision], None] | None = None,
                 concurrency: int = 4, base_delay: float = 1.0, max_delay: float = 60.0) -> None:
        self.store = store
        self.client = client
        self.on_change = on_change or (lambda d: None)
        self.concurrency = concurrency
        self.base_delay = base_delay
        self.max_delay = max_delay
        self._wake = asyncio.Event()
        self._not_before: dict[int, float] = {}
        self._in_flight: set[int] = set()
        self._task: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self.store_unreachable = False  # the last read of queued decisions failed

    # -- lifecycle --------------------------------------------------------------------
    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="outbox-sender")

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    def wake(self) -> None:
        self._wake.set()

    async def wait_idle(self, timeout: float | None = None) -> None:
        """Wait until nothing is queued or sending (tests and shutdown use this)."""
        async def _wait() -> None:
            while True:
                self._idle.clear()
                if not self.store.decisions_in_state(list(OPEN_STATES)) and not self._in_flight:
                    return
                self.wake()
                await self._idle.wait()
        await asyncio.wait_for(_wait(), timeout)

    def withdraw(self, decision_id: int, reason: str,
                 code: str | None = WITHDRAWN_CODE) -> Decision | None:
        """Take back a decision that was never sent: DISCARDED with ``reason`` and ``code``
        (kept in the decision log like any discarded decision), so no request for it is ever
        made.

        None when it cannot be taken back: it is no longer queued, this sender is working
        on it, or a request for it was made (it may have reached Return Helper: its answer
        decides). Call it on the loop's thread, where the sender claims decisions.
        """
        if decision_id in self._in_flight:
            return None
        current = self.store.get_decision(decision_id)
        if current is None or current.state is not DecisionState.QUEUED or current.attempts:
            return None
        try:  # only while still queued: a sender (this desk's or another's) may claim it first
            withdrawn = self.store.update_decision(decision_id, DecisionState.DISCARDED,
                                                   result_message=reason, error_code=code,
                                                   expected=(DecisionState.QUEUED,))
        except ConflictError:
            return None
        if withdrawn.attempts:
            # Another desk's sender claimed it, tried and queued it for a retry between the
            # read above and this write: put it back, its answer decides.
            self.store.update_decision(decision_id, DecisionState.QUEUED,
                                       result_message=current.result_message or "",
                                       error_code=current.error_code or "",
                                       expected=(DecisionState.DISCARDED,))
            return None
        self._not_before.pop(decision_id, None)
        log.info("outbox: decision %s withdrawn before it was sent", decision_id)
        self.on_change(withdrawn)
        return withdrawn

    # -- the loop ---------------------------------------------------------------------
    async def _run(self) -> None:
        semaphore = asyncio.Semaphore(self.concurrency)
        tasks: set[asyncio.Task[None]] = set()
        while True:
            self._wake.clear()
            next_due = await self._dispatch(semaphore, tasks)
            self._idle.set()
            timeout = None if next_due is None else max(0.05, next_due - time.monotonic())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)

    async def _dispatch(self, semaphore: asyncio.Semaphore,
                        tasks: set[asyncio.Task[None]]) -> float | None:
        if self.client is None:
            return None  # offline: decisions stay queued until an API client exists
        try:
            open_decisions = await asyncio.to_thread(self.store.decisions_in_state, list(OPEN_STATES))
        except Exception:
            # Said once (with the traceback), not at every retry while the store is down: a
            # shift's log would otherwise fill with the same error once a minute.
            if not self.store_unreachable:
                log.exception("outbox: cannot read queued decisions; retrying quietly until "
                              "the store answers")
            self.store_unreachable = True
            return time.monotonic() + self.max_delay
        if self.store_unreachable:
            self.store_unreachable = False
            log.info("outbox: the store answers again; queued decisions are being sent")
        now = time.monotonic()
        next_due: float | None = None
        for decision in sorted(open_decisions, key=lambda d: d.id or 0):
            assert decision.id is not None
            if decision.id in self._in_flight:
                continue
            due = self._not_before.get(decision.id, 0.0)
            if due > now:
                next_due = due if next_due is None else min(next_due, due)
                continue
            self._in_flight.add(decision.id)
            task = asyncio.get_running_loop().create_task(self._send_guarded(decision, semaphore))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        return next_due

    async def _send_guarded(self, decision: Decision, semaphore: asyncio.Semaphore) -> None:
        assert decision.id is not None
        try:
            async with semaphore:
                await self.send(decision)
        except Exception:
            log.exception("outbox: decision %s could not be processed", decision.id)
            self._not_before[decision.id] = time.monotonic() + self.max_delay
        finally:
            self._in_flight.discard(decision.id)
            self.wake()

    async def send(self, decision: Decision) -> Decision:
        """Send one decision and record the outcome. Returns the decision as stored after."""
        assert decision.id is not None and self.client is not None
        store = self.store
        try:  # claim it: only while still queued (or sending, left so by a crash)
            sending = await asyncio.to_thread(store.update_decision, decision.id,
                                              DecisionState.SENDING, count_attempt=True,
                                              expected=OPEN_STATES)
        except ConflictError as exc:
            log.info("outbox: decision %s not sent: %s", decision.id, exc)
            current = await asyncio.to_thread(store.get_decision, decision.id)
            return current or decision
        self.on_change(sending)
        # From here on, the decision as claimed: a list read earlier may be stale (a retry
        # gives a decision a fresh idempotency key), the claimed row is not.
        decision = sending
        assert decision.id is not None
        record = await asyncio.to_thread(store.get, decision.key)
        inventory_id = record.return_inventory_id if record else None
        if inventory_id is None:
            return await self._finish(decision.id, DecisionState.FAILED,
                                      "the item has no return inventory id", "NO_INVENTORY_ID", None)
        accepted = accepted_at(self.client)  # before the request leaves (see accepted_at)
        try:
            if decision.action is DecisionAction.CANCEL:
                result: Any = await self.client.cancel_handling(
                    inventory_id, idempotency_key=decision.idempotency_key)
            else:
                assert decision.new_handling is not None
                result = await self.client.update_handling(
                    inventory_id, decision.new_handling, idempotency_key=decision.idempotency_key)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # every client error carries what the operator needs
            message, code, correlation, retryable = describe_error(exc)
            if retryable:
                delay = retry_delay(sending.attempts, base=self.base_delay, cap=self.max_delay)
                self._not_before[decision.id] = time.monotonic() + delay
                log.info("outbox: decision %s will be retried in %.1f s: %s",
                         decision.id, delay, message)
                return await self._finish(decision.id, DecisionState.QUEUED, message, code, correlation)
            return await self._finish(decision.id, DecisionState.FAILED, message, code, correlation)
        correlation = getattr(result, "correlation_id", None)
        # a cancel's new_handling is the code the item had before the cancelled decision
        applied_code = decision.new_handling
        # The API accepted it: show it locally now, stamped with the time it was accepted
        # (at least the item's newest time, so it replaces what the store holds): an event
        # from before the decision (late, or a kept one replayed) never puts the old code
        # back, and the warehouse's next event (completion) still wins over us.
        assert record is not None
        stamp = accepted if record.updated_at is None else max(record.updated_at, accepted)
        await asyncio.to_thread(store.upsert, InventoryRecord(
            source=Source.RETURN_HELPER, key=decision.key, updated_at=stamp,
            handling_code=applied_code, handling_status="pending", handling_updated_at=accepted))
        self._not_before.pop(decision.id, None)
        return await self._finish(decision.id, DecisionState.APPLIED, None, None, correlation,
                                  applied_at=accepted)

    async def _finish(self, decision_id: int, state: DecisionState, message: str | None,
                      code: str | None, correlation: str | None, *,
                      applied_at: datetime | None = None) -> Decision:
        try:  # only over our own claim: never overwrite what someone else decided meanwhile
            done = await asyncio.to_thread(self.store.update_decision, decision_id, state,
                                           result_message=message, error_code=code,
                                           correlation_id=correlation,
                                           expected=(DecisionState.SENDING,),
                                           applied_at=applied_at)
        except ConflictError as exc:
            log.warning("outbox: outcome of decision %s (%s) not recorded: %s",
                        decision_id, state.value, exc)
            current = await asyncio.to_thread(self.store.get_decision, decision_id)
            assert current is not None
            return current
        self.on_change(done)
        return done


# -- returndesk outbox ----------------------------------------------------------------------
def outbox_command(args: argparse.Namespace, settings: Settings) -> int:
    from app.store import open_store

    with open_store(settings.store) as store:
        if args.action == "list":
            decisions = store.decisions_in_state([DecisionState.QUEUED, DecisionState.SENDING,
                                                  DecisionState.FAILED])
            if not decisions:
                print("outbox: nothing queued or failed")
            for d in decisions:
                print(f"{d.id}\t{d.state.value}\t{d.key}\t{d.old_handling or '-'} -> "
                      f"{d.new_handling or 'cancel'}\t{d.attempts} attempt(s)\t"
                      f"{d.result_message or ''}\t{d.correlation_id or ''}")
            return 0
        if args.action in {"retry", "discard"}:
            if not args.ids:
                print(f"outbox {args.action}: name the decision ids (see 'returndesk outbox list')",
                      file=sys.stderr)
                return 2
            target = DecisionState.QUEUED if args.action == "retry" else DecisionState.DISCARDED
            for decision_id in args.ids:
                current = store.get_decision(decision_id)
                if current is None or current.state is not DecisionState.FAILED:
                    print(f"outbox: decision {decision_id} is not a failed decision", file=sys.stderr)
                    return 1
                store.update_decision(decision_id, target, idempotency_key=new_idempotency_key()
                                      if target is DecisionState.QUEUED else None)
                print(f"outbox: decision {decision_id} {target.value}")
            return 0
        from app.desk import open_desk_client
        return asyncio.run(_send_all(store, settings, open_desk_client))


async def _send_all(store: Store, settings: Settings, open_client: Any) -> int:
    """Send every queued decision once, now (``returndesk outbox send``)."""
    client = await open_client(settings)
    if client is None:
        print("outbox: no Return Helper credentials are set for this environment", file=sys.stderr)
        return 1
    async with client:
        sender = OutboxSender(store, client)
        for decision in store.decisions_in_state(list(OPEN_STATES)):
            done = await sender.send(decision)
            print(f"{done.id}\t{done.state.value}\t{done.key}\t{done.result_message or ''}"
                  f"\t{done.correlation_id or ''}")
    result = counts(store)
    print(f"outbox: {result.queued} queued, {result.failed} failed")
    return 0 if result.failed == 0 and result.queued == 0 else 1
