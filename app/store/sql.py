"""The store logic both engines share: one SQL text, engine hooks for connections and types.

Every write runs in one transaction that first takes the store-wide write lock (SQLite:
``BEGIN IMMEDIATE``; PostgreSQL: ``SELECT ... FOR UPDATE`` on the change counter row), so
read-merge-write upserts, the two-desk decision race and the change counter are all
serialised across threads, processes and desks. Writes are short; readers never wait.

The parts: :mod:`app.store.sql_base` (engine hooks, values, schema, the record merge-write),
:mod:`app.store.sql_rows` (records and list queries), :mod:`app.store.sql_decisions`,
:mod:`app.store.sql_events` (raw events and named state); :class:`SqlStore` puts them together
with the batched :meth:`SqlStore.upsert_many`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from app.codec import record_from_json
from app.model import InventoryRecord, merge
from app.store.base import RowQuery
from app.store.sql_base import (
    _IDENTIFIER_HEAD,
    _IDENTIFIER_SQL,
    _UPSERT_HEAD,
    _UPSERT_SQL,
    _UPSERT_TAIL,
    FLAT_COLUMNS,
    Query,
    SqlBase,
    _identifier_rows,
    iso_utc,
    normalize_identifier,
)
from app.store.sql_decisions import COUNTS_AS_DECIDED, DECISION_COLUMNS, UNFINISHED, SqlDecisions
from app.store.sql_events import EVENT_COLUMNS, SqlEvents
from app.store.sql_rows import ROW_COLUMNS, SqlRows

UPSERT_BATCH = 500  # records read and written together by upsert_many


class SqlStore(SqlRows, SqlDecisions, SqlEvents):
    def ordered_among(self, query: RowQuery, keys: Iterable[str]) -> list[str]:
        wanted = list(dict.fromkeys(keys))
        if not wanted:
            return []
        where, params = self._where(query)
        marks = ", ".join("?" * len(wanted))
        joiner = " AND " if where else " WHERE "
        sql = (f"SELECT key FROM inventory{where}{joiner}key IN ({marks})"  # noqa: S608
               f"{self._order(query)}")
        return [r[0] for r in self._read_all(sql, [*params, *wanted])]

    def ordered_keys(self, query: RowQuery) -> list[str]:
        # Keys only, through the same (sort expression, key) index as the list's pages:
        # a covering index scan, no row documents read.
        where, params = self._where(query)
        sql = f"SELECT key FROM inventory{self._hint(query)}{where}{self._order(query)}"  # noqa: S608
        return [r[0] for r in self._read_all(sql, params)]

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

    def _upsert_batch(self, q: Query, batch: Sequence[InventoryRecord], *,
                      multirow: bool = False) -> int:
        """``multirow``: write with multi-row statements (:meth:`Query.many_rows`)."""
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
        if multirow:  # one row per key: the last merge (its seq is the newest)
            q.many_rows(_UPSERT_HEAD, list({row[0]: row for row in rows}.values()), _UPSERT_TAIL)
        else:
            q.many(_UPSERT_SQL, rows)
        rewrite = [key for key in keys if key in current and (
            key not in stored or stored[key].identifiers() != current[key].identifiers())]
        stale = [key for key in rewrite if key in stored]
        if stale:
            q.run(f"DELETE FROM identifiers WHERE key IN ({', '.join('?' for _ in stale)})",  # noqa: S608
                  stale)
        identifier_rows = [row for key in rewrite for row in _identifier_rows(current[key])]
        if multirow:
            q.many_rows(_IDENTIFIER_HEAD, identifier_rows)
        else:
            q.many(_IDENTIFIER_SQL, identifier_rows)
        return len(rows)


__all__ = ["COUNTS_AS_DECIDED", "DECISION_COLUMNS", "EVENT_COLUMNS", "FLAT_COLUMNS", "ROW_COLUMNS",
           "UNFINISHED", "UPSERT_BATCH", "Query", "SqlBase", "SqlStore", "iso_utc",
           "normalize_identifier"]
