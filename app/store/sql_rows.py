"""Reading records and list rows: get, identifier lookup, the list's count, page and
position queries, warehouses and the change feed."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, time
from typing import Any

from app.codec import record_from_json
from app.model import DecisionState, IdKind, InventoryRecord, Source, utcnow
from app.store.base import ListedFields, Match, Row, RowFilter, RowQuery
from app.store.sql_base import SqlBase, normalize_identifier

ROW_COLUMNS = ("key, source, rma, tracking, sku, description, quantity, length_cm, width_cm, "
               "height_cm, weight_kg, status, handling_code, handling_status, warehouse, "
               "received_at, decision_state, seq")
_LOOKUP_SQL = "SELECT key, kind, original FROM identifiers WHERE value = ? ORDER BY key, kind"
_ROW_SQL = f"SELECT {ROW_COLUMNS} FROM inventory WHERE key = ?"  # noqa: S608
_KINDS = {kind.value: kind for kind in IdKind}
#: listed_fields: flat columns first, then the document's (SQLite json_extract, PostgreSQL
#: jsonb operators; the document's names are app.codec's).
_LISTED_FLAT = ("key, sku, handling_code, handling_status, warehouse, description IS NOT NULL, "
                "updated_at")
_LISTED_DOC = ("return_request_id", "line_item_id", "rma", "item_rma", "created_at",
               "handling_updated_at")
_LISTED_SQLITE = (f"SELECT {_LISTED_FLAT}, "  # noqa: S608 - fixed names
                  + ", ".join(f"json_extract(doc, '$.{name}')" for name in _LISTED_DOC)
                  + " FROM inventory WHERE key IN ({marks})")
_LISTED_POSTGRES = (f"SELECT {_LISTED_FLAT}, "  # noqa: S608 - fixed names
                    + ", ".join(f"d.j ->> '{name}'" for name in _LISTED_DOC)
                    + " FROM inventory CROSS JOIN LATERAL (SELECT inventory.doc::jsonb AS j) AS d"
                    " WHERE key IN ({marks})")
_BATCH = 500  # keys per IN (...) read: well under both engines' parameter limits
_SOURCES = {source.value: source for source in Source}
_STATES = {state.value: state for state in DecisionState}
_ROW_SETTERS = tuple(getattr(Row, field.name).__set__ for field in dataclasses.fields(Row))


def _make_row(values: tuple[Any, ...]) -> Row:
    """``Row(*values)`` without the frozen dataclass's per-field ``object.__setattr__``."""
    row = object.__new__(Row)
    for setter, value in zip(_ROW_SETTERS, values, strict=True):
        setter(row, value)
    return row


class SqlRows(SqlBase):
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
        """A list row from its columns (ROW_COLUMNS order). The list reads 50 at a time, one
        page per scan or two: made through the slots directly (a frozen dataclass's
        ``__init__`` sets each field through ``object.__setattr__``, 4 µs a row, half of
        the whole read), with the enums looked up by value in a dict."""
        dec = self._dec_out
        source = _SOURCES.get(r[1]) or Source(r[1])  # an unknown value raises as before
        state = r[16]
        return _make_row((r[0], source, r[2], r[3], r[4], r[5], r[6], dec(r[7]), dec(r[8]),
                          dec(r[9]), dec(r[10]), r[11], r[12], r[13], r[14],
                          self._time_out(r[15]),
                          (_STATES.get(state) or DecisionState(state)) if state else None,
                          int(r[17])))

    def count(self, query: RowQuery) -> int:
        """Counted once per change: repeated counts at the same ``seq`` come from a cache."""
        where, params = self._where(query)
        cache_key = (where, tuple(params))
        with self._reading() as q:
            seq = int(q.one("SELECT value FROM counter WHERE name = 'seq'")[0])
            cached = self._counts.get(cache_key)
            if cached is not None and cached[0] == seq:
                return cached[1]
            hint = self.dialect.count_index(
                query.filter, query.warehouse is not None or query.source is not None)
            row = q.one(f"SELECT COUNT(*) FROM inventory{hint}{where}", params)  # noqa: S608
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

    def rows_for(self, keys: Iterable[str]) -> dict[str, Row]:
        wanted = list(dict.fromkeys(keys))
        found: dict[str, Row] = {}
        for start in range(0, len(wanted), _BATCH):
            chunk = wanted[start:start + _BATCH]
            marks = ", ".join("?" * len(chunk))
            sql = f"SELECT {ROW_COLUMNS} FROM inventory WHERE key IN ({marks})"  # noqa: S608
            for r in self._read_all(sql, chunk):
                found[r[0]] = self._row(r)
        return found

    def listed_fields(self, keys: Iterable[str]) -> dict[str, ListedFields]:
        """One read per batch: the flat columns, and the few document fields the flat
        columns lack, extracted by the database (no record is decoded here)."""
        wanted = list(dict.fromkeys(keys))
        found: dict[str, ListedFields] = {}
        template = _LISTED_SQLITE if self.dialect.name == "sqlite" else _LISTED_POSTGRES
        time_out = self._time_out
        for start in range(0, len(wanted), _BATCH):
            chunk = wanted[start:start + _BATCH]
            sql = template.format(marks=", ".join("?" * len(chunk)))
            for r in self._read_all(sql, chunk):
                found[r[0]] = ListedFields(
                    _int_or_none(r[7]), _int_or_none(r[8]), r[9], r[10], r[1], r[2], r[3], r[4],
                    _iso_or_none(r[11]), _iso_or_none(r[12]), time_out(r[6]), bool(r[5]))
        return found

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
        # A loose index scan: one index probe per distinct warehouse (a handful) instead of
        # DISTINCT over every row (~30 ms at 200,000 items). Both engines run it.
        with self._reading() as q:
            rows = q.all(
                "WITH RECURSIVE w(name) AS ("
                " SELECT MIN(warehouse) FROM inventory"
                " UNION ALL"
                " SELECT (SELECT MIN(i.warehouse) FROM inventory i WHERE i.warehouse > w.name)"
                " FROM w WHERE w.name IS NOT NULL)"
                " SELECT name FROM w WHERE name IS NOT NULL")
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


def _int_or_none(value: Any) -> int | None:
    return None if value is None else int(value)


def _iso_or_none(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)
