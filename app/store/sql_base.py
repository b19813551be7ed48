"""What the SQL store's parts share: the engine hooks, value conversions, the schema
upgrade, :class:`Query`, identifier normalising and the single-record merge-write that
upserts, decisions and raw events all use."""

from __future__ import annotations

import abc
import contextlib
import logging
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from app.codec import record_from_json, record_to_json
from app.model import InventoryRecord, is_awaiting_decision, merge
from app.store import schema
from app.store.base import Store, UpsertResult
from app.store.schema import Dialect

log = logging.getLogger(__name__)

FLAT_COLUMNS = ("key", "source", "rma", "tracking", "sku", "description", "quantity",
                "length_cm", "width_cm", "height_cm", "weight_kg", "status", "handling_code",
                "handling_status", "warehouse", "received_at", "updated_at", "awaiting", "seq",
                "doc")
_UPSERT_HEAD = f"INSERT INTO inventory ({', '.join(FLAT_COLUMNS)})"
_UPSERT_TAIL = (" ON CONFLICT (key) DO UPDATE SET "
                + ", ".join(f"{c} = excluded.{c}" for c in FLAT_COLUMNS if c != "key"))
_UPSERT_SQL = f"{_UPSERT_HEAD} VALUES ({', '.join('?' for _ in FLAT_COLUMNS)}){_UPSERT_TAIL}"

_IDENTIFIER_HEAD = "INSERT INTO identifiers (value, kind, key, original)"
_IDENTIFIER_SQL = f"{_IDENTIFIER_HEAD} VALUES (?, ?, ?, ?)"
MAX_PARAMS = 999  # bound parameters per statement that every SQLite build accepts


class Query:
    """Runs SQL on one connection; ``?`` placeholders on both engines."""

    def __init__(self, store: SqlBase, conn: Any, seq: int = 0) -> None:
        self.store = store
        self.conn = conn
        self.seq = seq
        self.changed = False

    def run(self, sql: str, params: Sequence[Any] = ()) -> Any:
        return self.store._execute(self.conn, sql, params)

    def many(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.store._execute_many(self.conn, sql, rows)

    def many_rows(self, head: str, rows: Sequence[Sequence[Any]], tail: str = "") -> None:
        """``<head> VALUES (...), (...) <tail>``: many rows per statement. Same effect as
        :meth:`many`, in one step per statement: SQLite's executemany steps (and lets the
        GIL go) once per row, which costs a thread switch per row when the event loop's
        thread is busy. Rows must not repeat a conflict target (PostgreSQL refuses that)."""
        if not rows:
            return
        mark = "(" + ", ".join("?" * len(rows[0])) + ")"
        per = max(1, MAX_PARAMS // len(rows[0]))
        for start in range(0, len(rows), per):
            chunk = rows[start:start + per]
            self.run(f"{head} VALUES {', '.join([mark] * len(chunk))}{tail}",
                     [value for row in chunk for value in row])

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


class SqlBase(Store, abc.ABC):
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


def _identifier_rows(record: InventoryRecord) -> list[tuple[str, str, str, str]]:
    seen: set[tuple[str, str]] = set()
    values = []
    for kind, value in record.identifiers():
        norm = normalize_identifier(value)
        if (norm, kind.value) not in seen:
            seen.add((norm, kind.value))
            values.append((norm, kind.value, record.key, value))
    return values


def iso_utc(value: datetime) -> str:
    """Fixed-width ISO 8601 in UTC: text that sorts in time order (SQLite's time columns)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    elif value.tzinfo is not UTC:
        value = value.astimezone(UTC)
    if value.year < 1000:  # isoformat pads the year to 4 digits; strftime's %Y may not
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    return value.isoformat(timespec="microseconds")  # same text as the strftime, ~15x faster
