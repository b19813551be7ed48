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
from collections.abc import AsyncIterator, Awaitable, Callable
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
#: The decision log's message for a decision withdrawn by an undo before it was sent.
WITHDRAWN_MESSAGE = "withdrawn by an undo before it was sent; nothing went to Return Helper"


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


class Problem:
    """Something to tell the operator: ``code`` and ``params`` for the window, which words
    it in the operator's language (``ui.i18n.problem_text``); ``str()`` is the English text
    for the log and the command line.

    Catalogue codes: ``catalog_unreadable`` (error), ``catalog_unknown``.
    """

    __slots__ = ("code", "params", "text")

    def __init__(self, code: str, text: str, params: dict[str, str] | None = None) -> None:
        self.code, self.text, self.params = code, text, params or {}

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Problem({self.code!r}, {self.text!r})"


class DecisionRefused(ValueError):
    """A handling cannot be chosen (or a decision undone, retried, discarded) now.

    ``str()`` is the English sentence (log, command line); ``code`` and ``params`` are what
    the window words in the operator's language; ``option`` is the option refused, if any.
    Codes (and params): ``not_in_store`` (key), ``not_offered`` (handling), ``not_allowed``
    (handling, reason: an :class:`app.handling.Reason` value), ``busy`` (key, operator,
    desk: another decision on the item is still open), ``changed`` (key, current, expected:
    another desk or the warehouse decided first), ``undo_acted`` (key), ``undo_wait`` (key,
    handling, state: the decision is being sent, or was sent once and waits for a retry),
    ``not_failed`` (id).
    """

    def __init__(self, message: str, option: HandlingOption | None = None, *,
                 code: str = "refused", params: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.option = option
        self.code = code
        self.params = params or {}


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
async def open_desk(settings: Settings, credentials: Credentials | None = None, *,
                    clients_later: bool = False) -> AsyncIterator[DeskService]:
    """A desk on the configured store and APIs, with everything it runs closed on exit.

    Return Helper and WINIT clients when their credentials are set (else the desk works
    offline: decisions wait in the outbox), and the webhook receiver on this loop when the
    ``webhooks_in_app`` setting asks for it (a single desk without a separate receiver).

    ``clients_later``: the desk comes back on its store alone (:attr:`DeskService.connecting`
    is true) and :meth:`DeskService.connect` makes the clients and the receiver. The window
    shows first: the keyring, the HTTP stack and the CA bundle took 150-250 ms to load.
    """
    from app.store import open_store

    credentials = credentials or Credentials()
    async with contextlib.AsyncExitStack() as stack:
        store = await asyncio.to_thread(open_store, settings.store, credentials=credentials)
        stack.callback(store.close)
        desk = DeskService(settings, store, credentials, None)
        desk._connector = lambda: _connect(desk, stack)
        if clients_later:
            desk.connecting = True
        else:
            await desk.connect()
        yield desk


async def _connect(desk: DeskService, stack: contextlib.AsyncExitStack) -> None:
    """The clients and the in-app receiver of a desk from :func:`open_desk`, closed with it."""
    from app.winit.client import WinitClient

    settings, credentials = desk.settings, desk.credentials
    rh = await open_desk_client(settings, credentials)
    if rh is not None:
        stack.push_async_callback(rh.aclose)
    winit = WinitClient.from_settings(settings, credentials)
    if winit is not None:
        stack.push_async_callback(winit.aclose)
    desk.attach_clients(rh, winit)
    if settings.webhooks_in_app:
        from app.webhooks.service import WebhookService, WebhookServiceError
        receiver = WebhookService(desk.store, credentials, settings)
        try:
            await receiver.start()
        except WebhookServiceError as exc:
            # The desk works without it (scans, decisions, Sync now): an operator is not
            # kept out of the window by a port another program holds. IT is told, in
            # the log and beside the connection in the status bar.
            address = f"{receiver.host}:{settings.webhooks_port}"
            log.error("%s; the desk opens without it (new parcels come by Sync now)", exc)
            desk.receiver_issue = Problem("receiver_down", str(exc), {"address": address})
        else:
            stack.push_async_callback(receiver.stop)
            desk.receiver = receiver


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
        self.catalog_issue: Problem | None = None  # why the handling types may be missing
        self._clock_ms = clock_ms or (lambda: time.monotonic() * 1000)
        self._repeat = RepeatFilter(settings.scan_repeat_ms)
        self._subscribers: list[Callable[[Decision], None]] = []
        self.outbox = OutboxSender(store, rh, on_change=self._emit,
                                   concurrency=max(1, settings.concurrency))
        self._last_applied: list[int] = []
        self.receiver: Any = None  # the in-app webhook receiver, when this desk runs one
        #: Why the in-app receiver asked for is not running (``receiver_down``: could not listen).
        self.receiver_issue: Problem | None = None
        #: Opened with ``open_desk(clients_later=True)`` and not connected yet.
        self.connecting = False
        self._connector: Callable[[], Awaitable[None]] | None = None

    async def connect(self) -> None:
        """Make the clients of a desk opened with ``open_desk(clients_later=True)`` (once;
        nothing for any other desk). Raises what went wrong (a keyring that cannot be read,
        a receiver that failed): the desk then stays offline."""
        connector, self._connector = self._connector, None
        try:
            if connector is not None:
                await connector()
        finally:
            self.connecting = False

    def attach_clients(self, rh: ReturnHelperClient | None, winit: Any = None) -> None:
        """The APIs' clients, made after the desk (before :meth:`start`)."""
        self.rh = rh
        self.winit = winit
        self.outbox.client = rh

    @property
    def online(self) -> bool:
        return self.rh is not None

    @property
    def catalog_problem(self) -> str | None:
        """:attr:`catalog_issue` in English (the log, ``returndesk``'s connection test)."""
        return self.catalog_issue.text if self.catalog_issue is not None else None

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
                self.catalog_issue = None
                return self.catalog
            except Exception as exc:
                self.catalog_issue = Problem(
                    "catalog_unreadable", f"handling types could not be read from the API: {exc}",
                    {"error": str(exc)})
                log.warning("%s", self.catalog_issue)
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
        elif self.catalog_issue is None:
            self.catalog_issue = Problem(
                "catalog_unknown", "no handling types known yet: connect to Return Helper once")
        return self.catalog

    # -- scanning ---------------------------------------------------------------------
    def scan(self, raw: str) -> ScanResult:
        scan = normalize_scan(raw, self.settings.scan_prefixes, self.settings.scan_suffixes)
        if scan.problem:
            return ScanResult(ScanOutcome.INVALID, scan)
        if not self._repeat.accept(scan.text, self._clock_ms()):
            return ScanResult(ScanOutcome.REPEATED, scan)
        try:
            return self.find(scan)
        except Exception:
            self._repeat.reset()  # not looked up (the store did not answer): again is no double read
            raise

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
            raise DecisionRefused(f"item {key} is not in the store", code="not_in_store",
                                  params={"key": key})
        option = next((o for o in self.options(record) if o.code == code), None)
        if option is None:
            raise DecisionRefused(f"{code!r} is not a handling type Return Helper offers",
                                  code="not_offered", params={"handling": code})
        if not option.allowed:
            raise DecisionRefused(f"{code}: {option.reason_text}", option, code="not_allowed",
                                  params={"handling": code, "reason": option.reason.value
                                          if option.reason else ""})
        try:
            decision = self.store.add_decision(
                self._new_decision(key, DecisionAction.UPDATE, code, record.handling_code),
                expected_handling=record.handling_code)
        except ConflictError as exc:
            raise self._refusal(exc, key, record.handling_code) from exc
        assert decision.id is not None
        self._last_applied.append(decision.id)
        self._emit(decision)
        self.outbox.wake()
        return decision

    def undo_last(self) -> Decision | None:
        """Undo this desk's most recent decision that can still be undone.

        An applied decision gets a cancel queued (returned, QUEUED). One still queued and
        never sent is withdrawn instead: nothing goes to Return Helper, and it stays in the
        decision log as DISCARDED (returned so). One being sent, or sent once and queued for
        a retry (the request may have reached Return Helper), cannot be undone until its
        answer is in: :class:`DecisionRefused` ``undo_wait``, and it stays the decision the
        next undo takes. A decision leaves the undo list only once it is withdrawn or its
        cancel is written, or when it can never be undone (failed, discarded, superseded,
        acted on by the warehouse, changed by another desk).
        """
        while self._last_applied:
            decision_id = self._last_applied[-1]
            previous = self.store.get_decision(decision_id)
            if previous is None or previous.state not in (
                    DecisionState.QUEUED, DecisionState.SENDING, DecisionState.APPLIED):
                self._last_applied.pop()  # never applied: nothing to undo
                continue
            if previous.state is not DecisionState.APPLIED:
                withdrawn = None
                if previous.state is DecisionState.QUEUED and not previous.attempts:
                    withdrawn = self.outbox.withdraw(decision_id, WITHDRAWN_MESSAGE)
                if withdrawn is None:
                    raise DecisionRefused(
                        f"the update to {previous.new_handling} for {previous.key} is being sent: "
                        "wait for Return Helper's answer, then undo it",
                        code="undo_wait", params={"key": previous.key,
                                                  "handling": previous.new_handling or "",
                                                  "state": previous.state.value})
                self._last_applied.pop()
                return withdrawn
            record = self.store.get(previous.key)
            if record is None or record.handling_status not in (None, "pending"):
                self._last_applied.pop()
                raise DecisionRefused("the warehouse has already acted on this item: it cannot be undone",
                                      code="undo_acted", params={"key": previous.key})
            try:
                decision = self.store.add_decision(
                    self._new_decision(previous.key, DecisionAction.CANCEL, previous.old_handling,
                                       previous.new_handling),
                    expected_handling=previous.new_handling)
            except ConflictError as exc:
                refusal = self._refusal(exc, previous.key, previous.new_handling)
                if refusal.code == "changed":
                    self._last_applied.pop()  # decided over since: never undoable again
                raise refusal from exc
            self._last_applied.pop()
            self._emit(decision)
            self.outbox.wake()
            return decision
        return None

    def _refusal(self, exc: ConflictError, key: str, expected: str | None) -> DecisionRefused:
        """The store's conflict as a refusal: another decision on the item still open
        (``busy``), or its handling changed since it was read (``changed``)."""
        current = exc.current.handling_code if exc.current is not None else None
        if (current or "").lower() != (expected or "").lower():
            return DecisionRefused(str(exc), code="changed", params={
                "key": key, "current": current or "", "expected": expected or ""})
        busy = next((d for d in reversed(self.store.decisions_for(key))
                     if d.state in (DecisionState.QUEUED, DecisionState.SENDING)), None)
        return DecisionRefused(str(exc), code="busy", params={
            "key": key, "operator": busy.operator if busy else "",
            "desk": busy.desk if busy else ""})

    def _new_decision(self, key: str, action: DecisionAction, new: str | None,
                      old: str | None) -> Decision:
        return Decision(id=None, key=key, action=action, new_handling=new, old_handling=old,
                        operator=self.settings.operator, desk=self.settings.desk,
                        created_at=utcnow(), idempotency_key=new_idempotency_key())

    def retry(self, decision_id: int) -> Decision:
        """Queue a FAILED decision again, with a fresh idempotency key: a refused request was
        not applied, and Return Helper (like the sandbox) replays the stored refusal for the
        old key. Only failed decisions: a new key on one in flight could apply it twice."""
        decision = self._leave_failed(decision_id, DecisionState.QUEUED,
                                      idempotency_key=new_idempotency_key())
        self._emit(decision)
        self.outbox.wake()
        return decision

    def discard(self, decision_id: int) -> Decision:
        """Give up a failed decision (kept in the log as discarded; never sent again)."""
        decision = self._leave_failed(decision_id, DecisionState.DISCARDED)
        self._emit(decision)
        return decision

    def _leave_failed(self, decision_id: int, state: DecisionState,
                      idempotency_key: str | None = None) -> Decision:
        """Move a FAILED decision to ``state`` (retry, discard). "Not a failed decision"
        (:class:`DecisionRefused`) when another desk acted first or the decision is gone;
        the store's own trouble (a full disk, a store that does not answer) is raised as it
        is: the decision is still failed, and saying it is not would send the operator
        looking in the wrong place."""
        try:
            return self.store.update_decision(decision_id, state, idempotency_key=idempotency_key,
                                              expected=(DecisionState.FAILED,))
        except StoreError as exc:
            if isinstance(exc, ConflictError) or exc.code == "decision_missing":
                raise DecisionRefused(f"decision {decision_id} is not a failed decision",
                                      code="not_failed", params={"id": str(decision_id)}) from None
            raise

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
