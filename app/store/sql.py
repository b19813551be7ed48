"""The store logic both engines share: one SQL text, engine hooks for connections and types.

Every write runs in one transaction that first takes the store-wide write lock (SQLite:
``BEGIN IMMEDIATE``; PostgreSQL: ``SELECT ... FOR UPDATE`` on the change counter row), so
read-merge-write upserts, the two-desk decision race and the change counter are all
serialised across threads, processes and desks. Writes are short; readers never wait.
"""

from __future__ import annotations

import abc
import contextlib
import dataclasses
import json
import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time
from decimal import Decimal
from typing import Any

from app.codec import record_from_json, record_to_json
from app.model import (
    Decision,
    DecisionAction,
    DecisionState,
    IdKind,
    InventoryRecord,
    Source,
    is_awaiting_decision,
    merge,
    utcnow,
)
from app.store import schema
from app.store.base import (
    UNCHECKED,
    ConflictError,
    Match,
    RawEvent,
    Row,
    RowFilter,
    RowQuery,
    Store,
    StoreError,
    Unchecked,
    UpsertResult,
)
from app.store.schema import Dialect

log = logging.getLogger(__name__)

ROW_COLUMNS = ("key, source, rma, tracking, sku, description, quantity, length_cm, width_cm, "
               "height_cm, weight_kg, status, handling_code, handling_status, warehouse, "
               "received_at, decision_state, seq")
FLAT_COLUMNS = ("key", "source", "rma", "tracking", "sku", "description", "quantity",
                "length_cm", "width_cm", "height_cm", "weight_kg", "status", "handling_code",
                "handling_status", "warehouse", "received_at", "updated_at", "awaiting", "seq",
                "doc")
DECISION_COLUMNS = ("id, key, action, new_handling, old_handling, operator, desk, created_at, "
                    "idempotency_key, state, attempts, result_message, error_code, "
                    "correlation_id, updated_at")
EVENT_COLUMNS = ("source, dedup_key, received_at, body, category, action, event_time, outcome, "
                 "headers")
UNFINISHED = (DecisionState.QUEUED.value, DecisionState.SENDING.value)
COUNTS_AS_DECIDED = (DecisionState.QUEUED.value, DecisionState.SENDING.value,
                     DecisionState.APPLIED.value)

_UPSERT_SQL = (
    f"INSERT INTO inventory ({', '.join(FLAT_COLUMNS)}) "  # noqa: S608 - fixed column names
    f"VALUES ({', '.join('?' for _ in FLAT_COLUMNS)}) ON CONFLICT (key) DO UPDATE SET "
    + ", ".join(f"{c} = excluded.{c}" for c in FLAT_COLUMNS if c != "key"))

_LOOKUP_SQL = "SELECT key, kind, original FROM identifiers WHERE value = ? ORDER BY key, kind"
_ROW_SQL = f"SELECT {ROW_COLUMNS} FROM inventory WHERE key = ?"  # noqa: S608
_KINDS = {kind.value: kind for kind in IdKind}
_IDENTIFIER_SQL = "INSERT INTO identifiers (value, kind, key, original) VALUES (?, ?, ?, ?)"
UPSERT_BATCH = 500  # records read and written together by upsert_many


class Query:
    """Runs SQL on one connection; ``?`` placeholders on both engines."""

    def __init__(self, store: SqlStore, conn: Any, seq: int = 0) -> None:
        self.store = store
        self.conn = conn
        self.seq = seq
        self.changed = False

    def run(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.store._execute(self.conn, sql, params)

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.store._execute_many(self.conn, sql, rows)

    def one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.run(sql, params).fetchone()

    def all(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(self.run(sql, params).fetchall())

    def next_seq(self) -> int:
        self.seq += 1
        self.changed = True
        return self.seq


def normalize_identifier(value: str) -> str:
    """How identifiers are indexed and looked up: trimmed, upper case (case-insensitive)."""
    return value.strip().upper()


class SqlStore(Store, abc.ABC):
    dialect: Dialect
    _counts: dict[tuple[str, tuple[Any, ...]], tuple[int, int]]

    def __init__(self) -> None:
        self._counts = {}

    # -- engine hooks --------------------------------------------------------------------
    @abc.abstractmethod
    def _execute(self, conn: Any, sql: str, params: Sequence[Any]) -> Any: ...

    @abc.abstractmethod
    def _execute_many(self, conn: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None: ...

    @abc.abstractmethod
    def _reading(self) -> contextlib.AbstractContextManager[Query]: ...

    @abc.abstractmethod
    def _read_all(self, sql: str, params: Sequence[Any]) -> list[Any]:
        """One read statement, the fast path for the hot lookups."""

    @abc.abstractmethod
    def _writing(self) -> contextlib.AbstractContextManager[Query]:
        """A write transaction holding the store-wide write lock; ``Query.seq`` is the
        counter at the start; the counter is saved (and others notified) on commit when
        ``Query.changed``."""

    @abc.abstractmethod
    def _schema_tx(self) -> contextlib.AbstractContextManager[Query]: ...

    @abc.abstractmethod
    def _time_in(self, value: datetime | None) -> Any: ...

    @abc.abstractmethod
    def _dec_in(self, value: Decimal | None) -> Any: ...

    # -- values --------------------------------------------------------------------------
    @staticmethod
    def _time_out(value: Any) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.astimezone(UTC)
        return datetime.fromisoformat(str(value))

    @staticmethod
    def _dec_out(value: Any) -> Decimal | None:
        return None if value is None else Decimal(str(value))

    # -- schema --------------------------------------------------------------------------
    def _upgrade(self, target: int | None = None) -> None:
        with self._schema_tx() as q:
            q.run("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            row = q.one("SELECT MAX(version) FROM schema_version")
            found = int(row[0]) if row and row[0] is not None else 0
            schema.check_version(found, self.url)
            steps = schema.pending(found, target)
            for step in steps:
                log.info("store %s: schema step %d (%s)", self.url, step.version, step.description)
                for statement in step.statements(self.dialect):
                    q.run(statement)
            if steps:
                q.run("DELETE FROM schema_version")
                q.run("INSERT INTO schema_version (version) VALUES (?)", (steps[-1].version,))

    def schema_version(self) -> int:
        with self._reading() as q:
            row = q.one("SELECT MAX(version) FROM schema_version")
        return int(row[0] or 0)

    # -- records -------------------------------------------------------------------------
    def _flat(self, record: InventoryRecord, seq: int) -> tuple[Any, ...]:
        line = record.primary_line
        return (
            record.key,
            record.source.value,
            record.rma or record.item_rma,
            record.tracking_numbers[0] if record.tracking_numbers else None,
            line.sku if line else None,
            record.description or (line.description if line else None),
            line.quantity if line else None,
            self._dec_in(line.length_cm if line else None),
            self._dec_in(line.width_cm if line else None),
            self._dec_in(line.height_cm if line else None),
            self._dec_in(line.weight_kg if line else None),
            record.status,
            record.handling_code,
            record.handling_status,
            record.warehouse,
            self._time_in(record.received_at or record.created_at),
            self._time_in(record.updated_at),
            1 if is_awaiting_decision(record) else 0,
            seq,
            record_to_json(record),
        )

    def _upsert_in(self, q: Query, record: InventoryRecord) -> UpsertResult:
        row = q.one("SELECT doc, seq FROM inventory WHERE key = ?", (record.key,))
        existing = record_from_json(row[0]) if row else None
        merged = merge(existing, record)
        if existing is not None and merged == existing:
            return UpsertResult(existing, False, int(row[1]))
        seq = q.next_seq()
        q.run(_UPSERT_SQL, self._flat(merged, seq))
        if existing is None or existing.identifiers() != merged.identifiers():
            if existing is not None:
                q.run("DELETE FROM identifiers WHERE key = ?", (merged.key,))
            q.many(_IDENTIFIER_SQL, _identifier_rows(merged))
        return UpsertResult(merged, True, seq)

    def upsert(self, record: InventoryRecord) -> UpsertResult:
        with self._writing() as q:
            return self._upsert_in(q, record)

    def upsert_many(self, records: Iterable[InventoryRecord]) -> int:
        """One transaction; stored records are read and written in batches (few round
        trips on PostgreSQL), with the same merge as :meth:`upsert`."""
        changed = 0
        with self._writing() as q:
            batch: list[InventoryRecord] = []
            for record in records:
                batch.append(record)
                if len(batch) >= UPSERT_BATCH:
                    changed += self._upsert_batch(q, batch)
                    batch = []
            if batch:
                changed += self._upsert_batch(q, batch)
        return changed

    def _upsert_batch(self, q: Query, batch: Sequence[InventoryRecord]) -> int:
        keys = list(dict.fromkeys(r.key for r in batch))
        marks = ", ".join("?" for _ in keys)
        stored = {r[0]: record_from_json(r[1]) for r in q.all(
            f"SELECT key, doc FROM inventory WHERE key IN ({marks})", keys)}  # noqa: S608
        current = dict(stored)
        rows: list[tuple[Any, ...]] = []
        for record in batch:
            before = current.get(record.key)
            merged = merge(before, record)
            if before is not None and merged == before:
                continue
            current[record.key] = merged
            rows.append(self._flat(merged, q.next_seq()))
        if not rows:
            return 0
        q.many(_UPSERT_SQL, rows)
        rewrite = [key for key in keys if key in current and (
            key not in stored or stored[key].identifiers() != current[key].identifiers())]
        stale = [key for key in rewrite if key in stored]
        if stale:
            q.run(f"DELETE FROM identifiers WHERE key IN ({', '.join('?' for _ in stale)})",  # noqa: S608
                  stale)
        q.many(_IDENTIFIER_SQL, [row for key in rewrite for row in _identifier_rows(current[key])])
        return len(rows)

    def get(self, key: str) -> InventoryRecord | None:
        rows = self._read_all("SELECT doc FROM inventory WHERE key = ?", (key,))
        return record_from_json(rows[0][0]) if rows else None

    def lookup(self, identifier: str) -> list[Match]:
        value = normalize_identifier(identifier)
        if not value:
            return []
        rows = self._read_all(_LOOKUP_SQL, (value,))
        kinds = _KINDS
        return [Match(r[0], kinds[r[1]], r[2]) for r in rows]

    def _where(self, query: RowQuery) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if query.filter is RowFilter.AWAITING:
            clauses.append("awaiting = 1")  # a literal, so the partial indexes apply
        elif query.filter is RowFilter.DECIDED_TODAY:
            start = query.day_start or datetime.combine(utcnow().date(), time(), UTC)
            clauses.append("decided_at >= ?")
            params.append(self._time_in(start))
        if query.warehouse is not None:
            clauses.append("warehouse = ?")
            params.append(query.warehouse)
        if query.source is not None:
            clauses.append("source = ?")
            params.append(query.source.value)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def _order(self, query: RowQuery) -> str:
        expr = self.dialect.sort_expr(query.sort)
        if query.descending:
            return f" ORDER BY {expr} DESC{self.dialect.nulls_last}, key DESC"
        return f" ORDER BY {expr} ASC{self.dialect.nulls_first}, key ASC"

    def _hint(self, query: RowQuery) -> str:
        narrowed = query.warehouse is not None or query.source is not None
        return self.dialect.list_index(query.filter, query.sort, narrowed)

    def _row(self, r: Sequence[Any]) -> Row:
        return Row(
            key=r[0], source=Source(r[1]), rma=r[2], tracking=r[3], sku=r[4], description=r[5],
            quantity=r[6], length_cm=self._dec_out(r[7]), width_cm=self._dec_out(r[8]),
            height_cm=self._dec_out(r[9]), weight_kg=self._dec_out(r[10]), status=r[11],
            handling_code=r[12], handling_status=r[13], warehouse=r[14],
            received_at=self._time_out(r[15]),
            decision_state=DecisionState(r[16]) if r[16] else None, seq=int(r[17]))

    def count(self, query: RowQuery) -> int:
        """Counted once per change: repeated counts at the same ``seq`` come from a cache."""
        where, params = self._where(query)
        cache_key = (where, tuple(params))
        with self._reading() as q:
            seq = int(q.one("SELECT value FROM counter WHERE name = 'seq'")[0])
            cached = self._counts.get(cache_key)
            if cached is not None and cached[0] == seq:
                return cached[1]
            row = q.one(f"SELECT COUNT(*) FROM inventory{where}", params)  # noqa: S608
        if len(self._counts) > 64:
            self._counts.clear()
        self._counts[cache_key] = (seq, int(row[0]))
        return int(row[0])

    def rows(self, query: RowQuery, offset: int, limit: int) -> list[Row]:
        if limit <= 0:
            return []
        where, params = self._where(query)
        sql = (f"SELECT {ROW_COLUMNS} FROM inventory{self._hint(query)}{where}"  # noqa: S608
               f"{self._order(query)} LIMIT ? OFFSET ?")
        with self._reading() as q:
            found = q.all(sql, [*params, int(limit), max(0, int(offset))])
        return [self._row(r) for r in found]

    def row(self, key: str) -> Row | None:
        rows = self._read_all(_ROW_SQL, (key,))
        return self._row(rows[0]) if rows else None

    def position(self, query: RowQuery, key: str) -> int | None:
        where, params = self._where(query)
        expr = self.dialect.sort_expr(query.sort)
        joiner = " AND " if where else " WHERE "
        with self._reading() as q:
            found = q.one(f"SELECT {expr} FROM inventory{where}{joiner}key = ?",  # noqa: S608
                          [*params, key])
            if found is None:
                return None
            value = found[0]
            # Rows before (value, key) in the list order. NULLs sort first ascending and last
            # descending on both engines (see Dialect.nulls_first); row-value comparisons
            # use the (sort expression, key) indexes as ranges.
            parts: list[tuple[str, list[Any]]] = []
            if value is None:
                if query.descending:
                    parts.append((f"{expr} IS NOT NULL", []))
                parts.append((f"{expr} IS NULL AND key {'>' if query.descending else '<'} ?",
                              [key]))
            else:
                if not query.descending:
                    parts.append((f"{expr} IS NULL", []))
                parts.append((f"({expr}, key) {'>' if query.descending else '<'} (?, ?)",
                              [value, key]))
            total = 0
            for condition, extra in parts:
                row = q.one(f"SELECT COUNT(*) FROM inventory{self._hint(query)}"  # noqa: S608
                            f"{where}{joiner}{condition}",
                            [*params, *extra])
                total += int(row[0])
        return total

    def warehouses(self) -> list[str]:
        with self._reading() as q:
            rows = q.all("SELECT DISTINCT warehouse FROM inventory WHERE warehouse IS NOT NULL "
                         "ORDER BY warehouse")
        return [r[0] for r in rows]

    def last_seq(self) -> int:
        with self._reading() as q:
            row = q.one("SELECT value FROM counter WHERE name = 'seq'")
        return int(row[0])

    def changes_since(self, seq: int, limit: int = 1000) -> tuple[int, list[str]]:
        with self._reading() as q:
            rows = q.all("SELECT key, seq FROM inventory WHERE seq > ? ORDER BY seq LIMIT ?",
                         (int(seq), int(limit)))
        if not rows:
            return seq, []
        return int(rows[-1][1]), [r[0] for r in rows]

    # -- decisions -----------------------------------------------------------------------
    def _decision(self, r: Sequence[Any]) -> Decision:
        created = self._time_out(r[7])
        assert created is not None
        return Decision(
            id=int(r[0]), key=r[1], action=DecisionAction(r[2]), new_handling=r[3],
            old_handling=r[4], operator=r[5], desk=r[6], created_at=created,
            idempotency_key=r[8], state=DecisionState(r[9]), attempts=int(r[10]),
            result_message=r[11], error_code=r[12], correlation_id=r[13],
            updated_at=self._time_out(r[14]))

    def _refresh_item(self, q: Query, key: str) -> None:
        """Re-derive the item's decision columns from its decisions and bump its seq."""
        last = q.one("SELECT state FROM decisions WHERE key = ? ORDER BY id DESC LIMIT 1", (key,))
        decided = q.one("SELECT MAX(created_at) FROM decisions WHERE key = ? AND state IN "
                        "(?, ?, ?)", (key, *COUNTS_AS_DECIDED))
        q.run("UPDATE inventory SET decision_state = ?, decided_at = ?, seq = ? WHERE key = ?",
              (last[0] if last else None, decided[0] if decided else None, q.next_seq(), key))

    def add_decision(self, decision: Decision, *,
                     expected_handling: str | Unchecked | None = UNCHECKED) -> Decision:
        with self._writing() as q:
            same = q.one(f"SELECT {DECISION_COLUMNS} FROM decisions "  # noqa: S608
                         "WHERE idempotency_key = ?", (decision.idempotency_key,))
            if same is not None:
                stored = self._decision(same)
                if stored.key != decision.key:
                    raise StoreError(f"idempotency key {decision.idempotency_key!r} was already "
                                     f"used for another item ({stored.key})")
                return stored
            row = q.one("SELECT doc FROM inventory WHERE key = ?", (decision.key,))
            if row is None:
                raise StoreError(f"item {decision.key} is not in the store")
            current = record_from_json(row[0])
            busy = q.one("SELECT id, desk, operator FROM decisions WHERE key = ? AND state IN (?, ?) "
                         "ORDER BY id LIMIT 1", (decision.key, *UNFINISHED))
            if busy is not None:
                raise ConflictError(
                    f"another decision on {decision.key} (by {busy[2]} at {busy[1]}) is still "
                    "being sent; wait for it to finish", current)
            if not isinstance(expected_handling, Unchecked) and (
                    _code(current.handling_code) != _code(expected_handling)):
                raise ConflictError(
                    f"{decision.key} was changed meanwhile: its handling is now "
                    f"{current.handling_code or 'not set'}, not {expected_handling or 'not set'}",
                    current)
            now = utcnow()
            found = q.one(
                "INSERT INTO decisions (key, action, new_handling, old_handling, operator, desk, "
                "created_at, updated_at, idempotency_key, state, attempts, result_message, "
                "error_code, correlation_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "RETURNING id",
                (decision.key, decision.action.value, decision.new_handling,
                 decision.old_handling, decision.operator, decision.desk,
                 self._time_in(decision.created_at), self._time_in(now),
                 decision.idempotency_key, DecisionState.QUEUED.value, decision.attempts,
                 decision.result_message, decision.error_code, decision.correlation_id))
            self._refresh_item(q, decision.key)
            return dataclasses.replace(decision, id=int(found[0]), state=DecisionState.QUEUED,
                                       updated_at=now)

    def update_decision(self, decision_id: int, state: DecisionState, *,
                        result_message: str | None = None, error_code: str | None = None,
                        correlation_id: str | None = None,
                        count_attempt: bool = False,
                        idempotency_key: str | None = None) -> Decision:
        with self._writing() as q:
            row = q.one(f"SELECT {DECISION_COLUMNS} FROM decisions WHERE id = ?",  # noqa: S608
                        (decision_id,))
            if row is None:
                raise StoreError(f"decision {decision_id} is not in the store")
            old = self._decision(row)
            now = utcnow()
            new = dataclasses.replace(
                old, state=state, updated_at=now,
                attempts=old.attempts + (1 if count_attempt else 0),
                result_message=result_message if result_message is not None else old.result_message,
                error_code=error_code if error_code is not None else old.error_code,
                correlation_id=correlation_id if correlation_id is not None else old.correlation_id,
                idempotency_key=idempotency_key or old.idempotency_key)
            q.run("UPDATE decisions SET state = ?, updated_at = ?, attempts = ?, result_message = ?, "
                  "error_code = ?, correlation_id = ?, idempotency_key = ? WHERE id = ?",
                  (new.state.value, self._time_in(now), new.attempts, new.result_message,
                   new.error_code, new.correlation_id, new.idempotency_key, decision_id))
            if (state is DecisionState.APPLIED and old.state is not DecisionState.APPLIED
                    and new.new_handling):
                doc = q.one("SELECT doc FROM inventory WHERE key = ?", (new.key,))
                if doc is not None:
                    current = record_from_json(doc[0])
                    # updated_at None: applies now without claiming a vendor time, so the
                    # vendor's next view of the item still wins.
                    self._upsert_in(q, InventoryRecord(
                        source=current.source, key=current.key, handling_code=new.new_handling,
                        handling_updated_at=now))
            self._refresh_item(q, new.key)
            return new

    def get_decision(self, decision_id: int) -> Decision | None:
        with self._reading() as q:
            row = q.one(f"SELECT {DECISION_COLUMNS} FROM decisions WHERE id = ?",  # noqa: S608
                        (decision_id,))
        return self._decision(row) if row else None

    def decisions_for(self, key: str) -> list[Decision]:
        with self._reading() as q:
            rows = q.all(f"SELECT {DECISION_COLUMNS} FROM decisions WHERE key = ? "  # noqa: S608
                         "ORDER BY id", (key,))
        return [self._decision(r) for r in rows]

    def decisions_between(self, start: datetime, end: datetime) -> list[Decision]:
        with self._reading() as q:
            rows = q.all(f"SELECT {DECISION_COLUMNS} FROM decisions "  # noqa: S608
                         "WHERE created_at >= ? AND created_at < ? ORDER BY created_at, id",
                         (self._time_in(start), self._time_in(end)))
        return [self._decision(r) for r in rows]

    def decisions_in_state(self, states: Sequence[DecisionState]) -> list[Decision]:
        if not states:
            return []
        marks = ", ".join("?" for _ in states)
        with self._reading() as q:
            rows = q.all(f"SELECT {DECISION_COLUMNS} FROM decisions "  # noqa: S608
                         f"WHERE state IN ({marks}) ORDER BY id", [s.value for s in states])
        return [self._decision(r) for r in rows]

    # -- raw events ----------------------------------------------------------------------
    def _ingest_in(self, q: Query, event: RawEvent, records: Sequence[InventoryRecord]) -> bool:
        cursor = q.run(
            "INSERT INTO raw_events (dedup_key, source, category, action, event_time, "
            "received_at, outcome, headers, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (dedup_key) DO NOTHING",
            (event.dedup_key, event.source.value, event.category, event.action,
             self._time_in(event.event_time), self._time_in(event.received_at),
             event.outcome, json.dumps(dict(event.headers)), bytes(event.body)))
        if cursor.rowcount == 0:
            return False
        for record in records:
            self._upsert_in(q, record)
        return True

    def ingest(self, event: RawEvent, records: Sequence[InventoryRecord]) -> bool:
        with self._writing() as q:
            return self._ingest_in(q, event, records)

    def ingest_many(self, items: Sequence[tuple[RawEvent, Sequence[InventoryRecord]]],
                    ) -> list[bool]:
        """Several events in one transaction (the webhook receiver's group commit): all are
        committed or none. A dedup key seen before, or earlier in ``items``, gives False."""
        with self._writing() as q:
            return [self._ingest_in(q, event, records) for event, records in items]

    def raw_events(self, limit: int = 100, source: Source | None = None) -> list[RawEvent]:
        where, params = ("", []) if source is None else (" WHERE source = ?", [source.value])
        with self._reading() as q:
            rows = q.all(f"SELECT {EVENT_COLUMNS} FROM raw_events{where} "  # noqa: S608
                         "ORDER BY id DESC LIMIT ?", [*params, int(limit)])
        events = []
        for r in rows:
            received = self._time_out(r[2])
            assert received is not None
            events.append(RawEvent(
                source=Source(r[0]), dedup_key=r[1], received_at=received, body=bytes(r[3]),
                category=r[4], action=r[5], event_time=self._time_out(r[6]), outcome=r[7],
                headers=json.loads(r[8]) if r[8] else {}))
        return events

    # -- state ---------------------------------------------------------------------------
    def get_state(self, name: str) -> str | None:
        with self._reading() as q:
            row = q.one("SELECT value FROM state WHERE name = ?", (name,))
        return None if row is None else str(row[0])

    def set_state(self, name: str, value: str | None) -> None:
        with self._writing() as q:
            if value is None:
                q.run("DELETE FROM state WHERE name = ?", (name,))
            else:
                q.run("INSERT INTO state (name, value) VALUES (?, ?) ON CONFLICT (name) "
                      "DO UPDATE SET value = excluded.value", (name, value))


def _identifier_rows(record: InventoryRecord) -> list[tuple[str, str, str, str]]:
    seen: set[tuple[str, str]] = set()
    values = []
    for kind, value in record.identifiers():
        norm = normalize_identifier(value)
        if (norm, kind.value) not in seen:
            seen.add((norm, kind.value))
            values.append((norm, kind.value, record.key, value))
    return values


def _code(value: str | None) -> str:
    return (value or "").strip().lower()


def iso_utc(value: datetime) -> str:
    """Fixed-width ISO 8601 in UTC: text that sorts in time order (SQLite's time columns)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")

