"""The store interface. SQLite (embedded, one desk) and PostgreSQL (several desks) implement it.

Synchronous and thread-safe: reads are indexed and take well under a millisecond, so the
UI may call the read methods directly; async code runs writes with
``await asyncio.to_thread(...)`` (see :func:`app.store.run_in_thread`).

Every change to a record bumps a store-wide sequence number (``seq``); readers poll
:meth:`Store.changes_since` cheaply, and PostgreSQL also wakes them with LISTEN/NOTIFY
(:meth:`Store.wait_for_change`).
"""

from __future__ import annotations

import abc
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import Enum, StrEnum
from typing import Final, NamedTuple

from app.model import Decision, DecisionState, IdKind, InventoryRecord, Source


class StoreError(RuntimeError):
    """The store cannot do what was asked (disk full, server gone, bad URL). Message is for people.

    ``code`` names the kind of trouble where it is known, so the window can word it in the
    operator's language (``ui.i18n.problem_text``): ``store_full`` (the disk holding a
    SQLite store), ``store_server_full`` (a PostgreSQL server's disk), ``store_read_only``,
    ``store_busy`` (locked by another program); None otherwise (a store that does not
    answer, a bug), told with the message itself.
    """

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


class ConflictError(StoreError):
    """Another desk changed the item first; ``current`` is what the store holds now."""

    def __init__(self, message: str, current: InventoryRecord | None = None) -> None:
        super().__init__(message)
        self.current = current


class Unchecked(Enum):
    """Type of :data:`UNCHECKED`: "do not compare the item's handling" in add_decision."""

    UNCHECKED = "unchecked"


#: ``add_decision(..., expected_handling=UNCHECKED)``: skip the handling comparison.
UNCHECKED: Final = Unchecked.UNCHECKED


class RowFilter(StrEnum):
    AWAITING = "awaiting"          # default view: items that still need a decision
    DECIDED_TODAY = "decided_today"
    ALL = "all"


class SortKey(StrEnum):
    RECEIVED = "received_at"
    RMA = "rma"
    TRACKING = "tracking"
    SKU = "sku"
    DESCRIPTION = "description"
    QUANTITY = "quantity"
    WEIGHT = "weight_kg"
    STATUS = "status"
    HANDLING = "handling_code"
    HANDLING_STATUS = "handling_status"
    WAREHOUSE = "warehouse"
    SOURCE = "source"


@dataclass(frozen=True, slots=True)
class RowQuery:
    filter: RowFilter = RowFilter.AWAITING
    warehouse: str | None = None
    source: Source | None = None
    day_start: datetime | None = None  # start of "today" in the desk's time zone (UTC-aware)
    sort: SortKey = SortKey.RECEIVED
    descending: bool = True


@dataclass(frozen=True, slots=True)
class Row:
    """The flat summary the inventory list shows: one query, no JSON decoding."""

    key: str
    source: Source
    rma: str | None
    tracking: str | None
    sku: str | None
    description: str | None
    quantity: int | None
    length_cm: Decimal | None
    width_cm: Decimal | None
    height_cm: Decimal | None
    weight_kg: Decimal | None
    status: str | None
    handling_code: str | None
    handling_status: str | None
    warehouse: str | None
    received_at: datetime | None
    decision_state: DecisionState | None = None  # last decision's state, for "sending"/"failed"
    seq: int = 0


class ListedFields(NamedTuple):
    """What the store holds of the fields a Return Helper list row carries (the sync
    compares a list row with this instead of decoding the whole record)."""

    return_request_id: int | None
    line_item_id: int | None
    rma: str | None
    item_rma: str | None
    sku: str | None                    # the primary line's, as in :class:`Row`
    handling_code: str | None
    handling_status: str | None
    warehouse: str | None
    created_at: datetime | None
    handling_updated_at: datetime | None
    updated_at: datetime | None
    has_description: bool              # as in :class:`Row` (details were stored)

    @classmethod
    def of(cls, record: InventoryRecord) -> ListedFields:
        line = record.primary_line
        return cls(record.return_request_id, record.line_item_id, record.rma, record.item_rma,
                   line.sku if line else None, record.handling_code, record.handling_status,
                   record.warehouse, record.created_at, record.handling_updated_at,
                   record.updated_at,
                   bool(record.description or (line.description if line else None)))


@dataclass(frozen=True, slots=True)
class Match:
    key: str
    kind: IdKind
    value: str


@dataclass(frozen=True, slots=True)
class UpsertResult:
    record: InventoryRecord
    changed: bool
    seq: int


#: Where the receiver keeps authenticated events it refused: ``rejected:<reason>:<digest>``.
KEPT_PREFIX: Final = "rejected:"


@dataclass(frozen=True, slots=True)
class RawEvent:
    """A webhook as received: kept once, whatever its category, for audit and replay."""

    source: Source
    dedup_key: str
    received_at: datetime
    body: bytes
    category: str | None = None
    action: str | None = None
    event_time: datetime | None = None
    outcome: str = "stored"   # stored / applied / unknown_event / rejected:<why>
    headers: dict[str, str] = field(default_factory=dict)  # never the signature's secret


class Store(abc.ABC):
    """One store of inventory records, decisions (audit + outbox), raw events and sync state."""

    url: str  # as given, with any password removed

    # -- lifecycle --------------------------------------------------------------------
    @abc.abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @abc.abstractmethod
    def schema_version(self) -> int: ...

    # -- records ----------------------------------------------------------------------
    @abc.abstractmethod
    def upsert(self, record: InventoryRecord) -> UpsertResult:
        """Merge ``record`` into what is stored (:func:`app.model.merge`), in one transaction."""

    @abc.abstractmethod
    def upsert_many(self, records: Iterable[InventoryRecord]) -> int:
        """Upsert many in one transaction; returns how many changed."""

    @abc.abstractmethod
    def get(self, key: str) -> InventoryRecord | None: ...

    @abc.abstractmethod
    def lookup(self, identifier: str) -> list[Match]:
        """Records whose RMA, tracking number, inventory id, WINIT order, SKU, barcode or
        serial equals ``identifier`` (case-insensitive, exact). Indexed."""

    @abc.abstractmethod
    def count(self, query: RowQuery) -> int: ...

    @abc.abstractmethod
    def rows(self, query: RowQuery, offset: int, limit: int) -> list[Row]: ...

    @abc.abstractmethod
    def row(self, key: str) -> Row | None: ...

    def ordered_among(self, query: RowQuery, keys: Iterable[str]) -> list[str]:
        """Those of ``keys`` that are in ``query``'s list now, in the list's order.

        One read by key, no counting: the window checks with it that changed rows are still
        in the list and still between their neighbours. Engines override this default.
        """
        placed = [(position, key) for key in set(keys)
                  if (position := self.position(query, key)) is not None]
        return [key for _position, key in sorted(placed)]

    def ordered_keys(self, query: RowQuery) -> list[str]:
        """Every key in ``query``'s list, in the list's order (the order of :meth:`rows`).

        For a list that places rows by key in memory instead of counting in SQL (the desk
        window at 200,000 items reads this once, in the background). Engines override this
        default, which pages through :meth:`rows`.
        """
        keys: list[str] = []
        while True:
            page = self.rows(query, len(keys), 1000)
            keys.extend(r.key for r in page)
            if len(page) < 1000:
                return keys

    def rows_for(self, keys: Iterable[str]) -> dict[str, Row]:
        """The summary rows of ``keys`` that the store holds, by key (absent keys are left
        out). One read per batch instead of one per key; engines override this default."""
        found = {}
        for key in keys:
            row = self.row(key)
            if row is not None:
                found[key] = row
        return found

    def listed_fields(self, keys: Iterable[str]) -> dict[str, ListedFields]:
        """:class:`ListedFields` of the ``keys`` the store holds (absent keys are left out).
        Engines override this default with one read per batch."""
        found = {}
        for key in keys:
            record = self.get(key)
            if record is not None:
                found[key] = ListedFields.of(record)
        return found

    @abc.abstractmethod
    def position(self, query: RowQuery, key: str) -> int | None:
        """Index of ``key`` in ``rows(query, ...)`` order, or None if the query excludes it."""

    @abc.abstractmethod
    def warehouses(self) -> list[str]: ...

    @abc.abstractmethod
    def last_seq(self) -> int: ...

    @abc.abstractmethod
    def changes_since(self, seq: int, limit: int = 1000) -> tuple[int, list[str]]:
        """Keys changed after ``seq`` (records or their decisions) and the newest seq seen."""

    def wait_for_change(self, timeout: float) -> bool:
        """Block up to ``timeout`` s for another writer's change (PostgreSQL NOTIFY).

        The default says "maybe" at once; callers then poll :meth:`changes_since`.
        """
        return True

    def defer_checkpoints(self) -> None:
        """Commits from the calling thread skip the engine's automatic log checkpoint
        (SQLite: copying the WAL back into the file, with an fsync, inside whichever commit
        passes 1000 pages); the caller runs :meth:`checkpoint` from another thread instead.
        Durability is unchanged. No-op for engines without one."""
        return None

    def durable_commits(self) -> None:
        """Commits from the calling thread survive a power cut, not only a crash of this
        program: what the webhook receiver needs before its 2xx (the vendor does not send the
        event again). SQLite: ``synchronous=FULL`` (the log is synced at each commit; the
        desk's own writes stay NORMAL). No-op for engines whose commits are durable anyway
        (PostgreSQL with its default ``synchronous_commit``)."""
        return None

    def checkpoint(self) -> None:
        """Copy the write-ahead log back into the database as far as possible without
        waiting for readers or writers (SQLite ``PASSIVE``). No-op for other engines."""
        return None

    # -- decisions: audit trail and outbox --------------------------------------------
    @abc.abstractmethod
    def add_decision(self, decision: Decision, *,
                     expected_handling: str | Unchecked | None = UNCHECKED) -> Decision:
        """Write a decision durably (state QUEUED) and return it with its id.

        Refuses with :class:`ConflictError` (carrying the current record) when another
        decision on the item is still queued or sending, and, with ``expected_handling``
        given (``None`` meaning "no handling yet"), when the item's handling is no longer
        that (another desk decided first; codes compare case-insensitively). The same
        ``idempotency_key`` again returns the decision already stored (nothing is applied
        twice). An unknown item raises :class:`StoreError`.

        When a decision later becomes APPLIED (:meth:`update_decision`), the store also
        sets the item's handling code to ``new_handling`` (when given), so the item leaves
        the "awaiting" list and a stale desk's ``expected_handling`` no longer matches.
        """

    @abc.abstractmethod
    def update_decision(self, decision_id: int, state: DecisionState, *,
                        result_message: str | None = None, error_code: str | None = None,
                        correlation_id: str | None = None,
                        count_attempt: bool = False,
                        idempotency_key: str | None = None,
                        expected: Sequence[DecisionState] | None = None,
                        applied_at: datetime | None = None) -> Decision:
        """Set a decision's state (and what is given); ``idempotency_key`` replaces the key
        (a refused decision sent again: the old key would only replay the refusal).

        Becoming APPLIED sets the item's handling code stamped with ``applied_at`` (when
        Return Helper accepted it; default: now), at least the item's newest time: a view
        older than the decision (a late event, a kept one replayed) never puts the old code
        back, a newer one (the warehouse completing, a cancel) still wins.

        With ``expected``, change it only while its state is one of those, in the same
        transaction, else raise :class:`ConflictError`: the outbox claims a decision and
        records its outcome this way, so nobody else's change is ever overwritten.
        """

    @abc.abstractmethod
    def get_decision(self, decision_id: int) -> Decision | None: ...

    @abc.abstractmethod
    def decisions_for(self, key: str) -> list[Decision]: ...

    @abc.abstractmethod
    def decisions_between(self, start: datetime, end: datetime) -> list[Decision]: ...

    @abc.abstractmethod
    def decisions_in_state(self, states: Sequence[DecisionState]) -> list[Decision]: ...

    @abc.abstractmethod
    def decision_counts(self, states: Sequence[DecisionState]) -> dict[DecisionState, int]:
        """How many decisions are in each of ``states`` (0 for none): one indexed count, not
        the rows (the status bar asks every second; 500 failed decisions took 5-7 ms read
        as rows)."""

    # -- raw events (webhooks) --------------------------------------------------------
    @abc.abstractmethod
    def ingest(self, event: RawEvent, records: Sequence[InventoryRecord]) -> bool:
        """Store ``event`` once and upsert ``records``, atomically.

        Returns False (and changes nothing) when an event with the same ``dedup_key`` was
        stored before. Raises :class:`StoreError` when nothing could be committed.
        """

    def ingest_many(self, items: Sequence[tuple[RawEvent, Sequence[InventoryRecord]]],
                    ) -> list[bool]:
        """:meth:`ingest` for several events, in order; engines may commit them together
        (group commit: all or none). One result per event: False for a duplicate."""
        return [self.ingest(event, records) for event, records in items]

    @abc.abstractmethod
    def raw_events(self, limit: int = 100, source: Source | None = None) -> list[RawEvent]: ...

    @abc.abstractmethod
    def known_dedup_keys(self, keys: Iterable[str]) -> set[str]:
        """Those of ``keys`` a raw event is stored under."""

    @abc.abstractmethod
    def kept_events(self, *, prefix: str = KEPT_PREFIX, source: Source | None = None,
                    since: datetime | None = None, after: int = 0,
                    limit: int = 200) -> list[tuple[int, RawEvent]]:
        """Raw events whose dedup key starts with ``prefix`` (the receiver keeps refused
        events under ``rejected:<reason>:<digest>``), received at or after ``since``, with
        their row id above ``after``, oldest first: ``(id, event)`` pages."""

    @abc.abstractmethod
    def rejected_counts(self) -> list[tuple[Source, str, int]]:
        """``(source, outcome, count)`` of the raw events whose outcome is ``rejected:…``."""

    # -- small key/value state (sync cursors, cached lookups) --------------------------
    @abc.abstractmethod
    def get_state(self, name: str) -> str | None: ...

    @abc.abstractmethod
    def set_state(self, name: str, value: str | None) -> None: ...
