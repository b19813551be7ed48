"""Raw events (stored once per dedup key, with the records they carry) and named state."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from app.model import InventoryRecord, Source
from app.store.base import KEPT_PREFIX, RawEvent
from app.store.sql_base import MAX_PARAMS, Query, SqlBase

EVENT_COLUMNS = ("source, dedup_key, received_at, body, category, action, event_time, outcome, "
                 "headers")

_INSERT_EVENT_HEAD = ("INSERT INTO raw_events (dedup_key, source, category, action, event_time, "
                      "received_at, outcome, headers, body)")
_INSERT_EVENT_TAIL = " ON CONFLICT (dedup_key) DO NOTHING"
_INSERT_EVENT_SQL = f"{_INSERT_EVENT_HEAD} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?){_INSERT_EVENT_TAIL}"
_RECORD_BATCH = 500  # records merged together (as app.store.sql.UPSERT_BATCH)


class SqlEvents(SqlBase):
    # -- raw events ----------------------------------------------------------------------
    def _ingest_in(self, q: Query, event: RawEvent, records: Sequence[InventoryRecord]) -> bool:
        cursor = q.run(_INSERT_EVENT_SQL, self._event_row(event))
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
        committed or none. A dedup key seen before, or earlier in ``items``, gives False.

        Batched: one read of the known dedup keys, one multi-row insert of the new events,
        then their records with :meth:`_upsert_batch` (one read of the stored records, one
        multi-row upsert), the same result as :meth:`ingest` one event after another."""
        if not items:
            return []
        with self._writing() as q:
            keys = list(dict.fromkeys(event.dedup_key for event, _ in items))
            seen = {row[0] for row in q.all(
                f"SELECT dedup_key FROM raw_events WHERE dedup_key IN "  # noqa: S608
                f"({', '.join('?' for _ in keys)})", keys)}
            results: list[bool] = []
            rows: list[tuple[object, ...]] = []
            records: list[InventoryRecord] = []
            for event, event_records in items:
                new = event.dedup_key not in seen
                results.append(new)
                if new:
                    seen.add(event.dedup_key)
                    rows.append(self._event_row(event))
                    records.extend(event_records)
            q.many_rows(_INSERT_EVENT_HEAD, rows, _INSERT_EVENT_TAIL)
            for start in range(0, len(records), _RECORD_BATCH):
                self._upsert_batch(q, records[start:start + _RECORD_BATCH], multirow=True)
            return results

    def _event_row(self, event: RawEvent) -> tuple[object, ...]:
        return (event.dedup_key, event.source.value, event.category, event.action,
                self._time_in(event.event_time), self._time_in(event.received_at),
                event.outcome, json.dumps(dict(event.headers)), bytes(event.body))

    def _upsert_batch(self, q: Query, batch: Sequence[InventoryRecord], *,
                      multirow: bool = False) -> int:
        """Merge-write several records (:class:`app.store.sql.SqlStore` implements it)."""
        raise NotImplementedError

    def raw_events(self, limit: int = 100, source: Source | None = None) -> list[RawEvent]:
        where, params = ("", []) if source is None else (" WHERE source = ?", [source.value])
        with self._reading() as q:
            rows = q.all(f"SELECT {EVENT_COLUMNS} FROM raw_events{where} "  # noqa: S608
                         "ORDER BY id DESC LIMIT ?", [*params, int(limit)])
        return [self._event_from_row(r) for r in rows]

    def _event_from_row(self, r: Sequence[Any]) -> RawEvent:
        received = self._time_out(r[2])
        assert received is not None
        return RawEvent(
            source=Source(r[0]), dedup_key=r[1], received_at=received, body=bytes(r[3]),
            category=r[4], action=r[5], event_time=self._time_out(r[6]), outcome=r[7],
            headers=json.loads(r[8]) if r[8] else {})

    def known_dedup_keys(self, keys: Iterable[str]) -> set[str]:
        wanted = list(dict.fromkeys(keys))
        found: set[str] = set()
        with self._reading() as q:
            for start in range(0, len(wanted), MAX_PARAMS):
                chunk = wanted[start:start + MAX_PARAMS]
                found.update(row[0] for row in q.all(
                    f"SELECT dedup_key FROM raw_events WHERE dedup_key IN "  # noqa: S608
                    f"({', '.join('?' for _ in chunk)})", chunk))
        return found

    def kept_events(self, *, prefix: str = KEPT_PREFIX, source: Source | None = None,
                    since: datetime | None = None, after: int = 0,
                    limit: int = 200) -> list[tuple[int, RawEvent]]:
        # substr, not LIKE: "_" in a reason is a LIKE wildcard, and a collation may order
        # ":" anywhere (so no range on the key either)
        where = [f"substr(dedup_key, 1, {len(prefix):d}) = ?", "id > ?"]
        params: list[object] = [prefix, int(after)]
        if source is not None:
            where.append("source = ?")
            params.append(source.value)
        if since is not None:
            where.append("received_at >= ?")
            params.append(self._time_in(since))
        with self._reading() as q:
            rows = q.all(f"SELECT id, {EVENT_COLUMNS} FROM raw_events "  # noqa: S608
                         f"WHERE {' AND '.join(where)} ORDER BY id LIMIT ?",
                         [*params, int(limit)])
        return [(int(r[0]), self._event_from_row(r[1:])) for r in rows]

    def rejected_counts(self) -> list[tuple[Source, str, int]]:
        with self._reading() as q:
            rows = q.all("SELECT source, outcome, count(*) FROM raw_events "
                         "WHERE substr(outcome, 1, 9) = 'rejected:' GROUP BY source, outcome")
        return [(Source(r[0]), str(r[1]), int(r[2])) for r in rows]

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
