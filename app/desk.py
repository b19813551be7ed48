"""The desk: what one operator's station does, as one object the window (or a test) drives.

The window shows state and emits intent; this class does the work: scan lookups, the
handling rules, durable decisions through the outbox, undo, sync. Everything here runs on
the asyncio loop's thread (the Qt thread under qasync); store writes that may block go to
worker threads in the outbox and sync.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from app import __version__
from app.credentials import Credentials, Secret
from app.handling import HandlingOption, HandlingType, handling_options
from app.model import (
    Decision,
    DecisionAction,
    DecisionState,
    InventoryRecord,
    new_idempotency_key,
    utcnow,
)
from app.outbox import OutboxCounts, OutboxSender, counts
from app.scan import RepeatFilter, ScanInput, normalize_scan
from app.settings import Settings, user_agent
from app.store.base import ConflictError, Match, Store, StoreError

if TYPE_CHECKING:
    from app.returnhelper.client import ReturnHelperClient
    from app.sync import SyncProgress, SyncSummary

log = logging.getLogger(__name__)
CATALOG_STATE = "rh.handlings"


class ScanOutcome(StrEnum):
    FOUND = "found"
    MULTIPLE = "multiple"
    NOT_FOUND = "not_found"
    INVALID = "invalid"
    REPEATED = "repeated"


@dataclass(frozen=True, slots=True)
class ScanResult:
    outcome: ScanOutcome
    scan: ScanInput
    records: list[InventoryRecord] = field(default_factory=list)
    matches: list[Match] = field(default_factory=list)


class DecisionRefused(ValueError):
    """The handling cannot be chosen for this item now; ``option`` says why."""

    def __init__(self, message: str, option: HandlingOption | None = None) -> None:
        super().__init__(message)
        self.option = option


async def open_desk_client(settings: Settings,
                           credentials: Credentials | None = None) -> ReturnHelperClient | None:
    """A Return Helper client for the configured environment, or None without credentials."""
    from app.returnhelper.client import ReturnHelperClient

    credentials = credentials or Credentials()
    scope = settings.environment.value
    key = credentials.get(Secret.RH_API_KEY, scope)
    token = credentials.get(Secret.RH_API_TOKEN, scope)
    if not key or not token:
        return None
    user_base, public_base = settings.rh_urls()
    return ReturnHelperClient(user_base, public_base, key, token, timeout=settings.timeout_s,
                              concurrency=settings.concurrency, user_agent=user_agent(__version__))


@contextlib.asynccontextmanager
async def open_desk(settings: Settings, credentials: Credentials | None = None
                    ) -> AsyncIterator[DeskService]:
    """A desk on the configured store and APIs, with everything it runs closed on exit.

    Return Helper and WINIT clients when their credentials are set (else the desk works
    offline: decisions wait in the outbox), and the webhook receiver on this loop when the
    ``webhooks_in_app`` setting asks for it (a single desk without a separate receiver).
    """
    from app.store import open_store
    from app.winit.client import WinitClient

    credentials = credentials or Credentials()
    async with contextlib.AsyncExitStack() as stack:
        store = await asyncio.to_thread(open_store, settings.store, credentials=credentials)
        stack.callback(store.close)
        rh = await open_desk_client(settings, credentials)
        if rh is not None:
            stack.push_async_callback(rh.aclose)
        winit = WinitClient.from_settings(settings, credentials)
        if winit is not None:
            stack.push_async_callback(winit.aclose)
        desk = DeskService(settings, store, credentials, rh, winit=winit)
        if settings.webhooks_in_app:
            from app.webhooks.service import WebhookService
            receiver = WebhookService(store, credentials, settings)
            await receiver.start()
            stack.push_async_callback(receiver.stop)
            desk.receiver = receiver
        yield desk


class DeskService:
    def __init__(self, settings: Settings, store: Store, credentials: Credentials,
                 rh: ReturnHelperClient | None, *, winit: Any = None,
                 clock_ms: Callable[[], float] | None = None) -> None:
        self.settings = settings
        self.store = store
        self.credentials = credentials
        self.rh = rh
        self.winit = winit
        self.catalog: list[HandlingType] = []
        self.catalog_problem: str | None = None
        self._clock_ms = clock_ms or (lambda: time.monotonic() * 1000)
        self._repeat = RepeatFilter(settings.scan_repeat_ms)
        self._subscribers: list[Callable[[Decision], None]] = []
        self.outbox = OutboxSender(store, rh, on_change=self._emit,
                                   concurrency=max(1, settings.concurrency))
        self._last_applied: list[int] = []
        self.receiver: Any = None  # the in-app webhook receiver, when this desk runs one

    @property
    def online(self) -> bool:
        return self.rh is not None

    def clock_wrong_by(self) -> timedelta | None:
        """How far this computer's clock is off Return Helper's, when past the tolerance
        (positive: behind); None when it agrees or nothing was asked yet."""
        return self.rh.clock_check.wrong_by if self.rh is not None else None

    # -- lifecycle --------------------------------------------------------------------
    async def start(self) -> None:
        await self.load_catalog()
        self.outbox.start()

    async def close(self) -> None:
        await self.outbox.stop()

    async def load_catalog(self, refresh: bool = False) -> list[HandlingType]:
        """Handling types from the API, cached in the store for offline use."""
        if self.rh is not None:
            try:
                self.catalog = list(await self.rh.get_handlings(refresh=refresh))
                self.store.set_state(CATALOG_STATE, json.dumps(
                    [[h.code, h.description] for h in self.catalog]))
                self.catalog_problem = None
                return self.catalog
            except Exception as exc:
                self.catalog_problem = f"handling types could not be read from the API: {exc}"
                log.warning("%s", self.catalog_problem)
        return self.load_cached_catalog()

    def load_cached_catalog(self) -> list[HandlingType]:
        """The handling types cached in the store by the last successful read (no network):
        what the window starts with while the API is asked."""
        try:
            cached = self.store.get_state(CATALOG_STATE)
        except Exception as exc:
            log.warning("the cached handling types could not be read: %s", exc)
            cached = None
        if cached:
            self.catalog = [HandlingType(code, desc) for code, desc in json.loads(cached)]
        elif self.catalog_problem is None:
            self.catalog_problem = "no handling types known yet: connect to Return Helper once"
        return self.catalog

    # -- scanning ---------------------------------------------------------------------
    def scan(self, raw: str) -> ScanResult:
        scan = normalize_scan(raw, self.settings.scan_prefixes, self.settings.scan_suffixes)
        if scan.problem:
            return ScanResult(ScanOutcome.INVALID, scan)
        if not self._repeat.accept(scan.text, self._clock_ms()):
            return ScanResult(ScanOutcome.REPEATED, scan)
        return self.find(scan)

    def find(self, scan: ScanInput) -> ScanResult:
        for candidate in scan.candidates:
            matches = self.store.lookup(candidate)
            if matches:
                keys = list(dict.fromkeys(m.key for m in matches))
                records = [r for r in (self.store.get(k) for k in keys) if r is not None]
                outcome = ScanOutcome.FOUND if len(records) == 1 else ScanOutcome.MULTIPLE
                return ScanResult(outcome, scan, records, matches)
        return ScanResult(ScanOutcome.NOT_FOUND, scan)

    # -- deciding ---------------------------------------------------------------------
    def options(self, record: InventoryRecord) -> list[HandlingOption]:
        return handling_options(record, self.catalog)

    def decide(self, key: str, code: str) -> Decision:
        """Write the decision durably to the outbox and wake the sender. Never waits on the API."""
        record = self.store.get(key)
        if record is None:
            raise DecisionRefused(f"item {key} is not in the store")
        option = next((o for o in self.options(record) if o.code == code), None)
        if option is None:
            raise DecisionRefused(f"{code!r} is not a handling type Return Helper offers")
        if not option.allowed:
            raise DecisionRefused(f"{code}: {option.reason_text}", option)
        decision = self.store.add_decision(
            self._new_decision(key, DecisionAction.UPDATE, code, record.handling_code),
            expected_handling=record.handling_code)
        assert decision.id is not None
        self._last_applied.append(decision.id)
        self._emit(decision)
        self.outbox.wake()
        return decision

    def undo_last(self) -> Decision | None:
        """Queue a cancel of this desk's most recent decision that can still be cancelled."""
        while self._last_applied:
            previous = self.store.get_decision(self._last_applied.pop())
            if previous is None or previous.state in (DecisionState.FAILED, DecisionState.DISCARDED):
                continue
            record = self.store.get(previous.key)
            if record is None or record.handling_status not in (None, "pending"):
                raise DecisionRefused("the warehouse has already acted on this item: it cannot be undone")
            decision = self.store.add_decision(
                self._new_decision(previous.key, DecisionAction.CANCEL, previous.old_handling,
                                   previous.new_handling),
                expected_handling=previous.new_handling if previous.state is DecisionState.APPLIED
                else record.handling_code)
            self._emit(decision)
            self.outbox.wake()
            return decision
        return None

    def _new_decision(self, key: str, action: DecisionAction, new: str | None,
                      old: str | None) -> Decision:
        return Decision(id=None, key=key, action=action, new_handling=new, old_handling=old,
                        operator=self.settings.operator, desk=self.settings.desk,
                        created_at=utcnow(), idempotency_key=new_idempotency_key())

    def retry(self, decision_id: int) -> Decision:
        """Queue a FAILED decision again, with a fresh idempotency key: a refused request was
        not applied, and Return Helper (like the sandbox) replays the stored refusal for the
        old key. Only failed decisions: a new key on one in flight could apply it twice."""
        try:
            decision = self.store.update_decision(decision_id, DecisionState.QUEUED,
                                                  idempotency_key=new_idempotency_key(),
                                                  expected=(DecisionState.FAILED,))
        except (ConflictError, StoreError):
            raise DecisionRefused(f"decision {decision_id} is not a failed decision") from None
        self._emit(decision)
        self.outbox.wake()
        return decision

    def discard(self, decision_id: int) -> Decision:
        """Give up a failed decision (kept in the log as discarded; never sent again)."""
        try:
            decision = self.store.update_decision(decision_id, DecisionState.DISCARDED,
                                                  expected=(DecisionState.FAILED,))
        except (ConflictError, StoreError):
            raise DecisionRefused(f"decision {decision_id} is not a failed decision") from None
        self._emit(decision)
        return decision

    def failed_decisions(self) -> list[Decision]:
        return self.store.decisions_in_state([DecisionState.FAILED])

    # -- observing ----------------------------------------------------------------------
    def subscribe(self, callback: Callable[[Decision], None]) -> Callable[[], None]:
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    def _emit(self, decision: Decision) -> None:
        for callback in list(self._subscribers):
            try:
                callback(decision)
            except Exception:
                log.exception("a decision subscriber failed")

    def counts(self) -> OutboxCounts:
        return counts(self.store)

    # -- API work -----------------------------------------------------------------------
    async def sync(self, progress: Callable[[SyncProgress], None] | None = None,
                   days: int | None = None) -> SyncSummary:
        from app.sync import backfill

        until = utcnow()
        since = until - timedelta(days=days or self.settings.sync_days)
        return await backfill(self.store, self.rh, self.winit, since=since, until=until,
                              progress=progress)

    async def test_connection(self) -> str:
        if self.rh is None:
            raise RuntimeError("no Return Helper credentials are set for this environment")
        handlings = await self.load_catalog(refresh=True)
        if self.catalog_problem:
            raise RuntimeError(self.catalog_problem)
        now = utcnow()
        page = await self.rh.list_inventory(now - timedelta(days=1), now, page_size=1)
        return (f"connected: {len(handlings)} handling types, "
                f"{page.total} item(s) received in the last day")
