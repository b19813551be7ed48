"""How the inventory list follows store changes without losing the operator's place.

The window polls ``store.changes_since(seq)`` and hands the changed keys to
:meth:`ChangesMixin.apply_changes`: a few changed keys that keep their place are re-read and
repainted; many changes with an unchanged count re-read the shown pages in place; anything
else re-reads the count and moves the persistent indexes (selection, current) to their rows'
new positions by key. :class:`ChangesMixin` is that part of :class:`ui.inventory.InventoryModel`.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from app.store.base import Row, RowQuery
from ui.listing import IN_PLACE_PAGES, PAGE_SIZE, SMALL_CHANGE, Column
from ui.qt import QModelIndex

log = logging.getLogger("ui.inventory")


class ChangesMixin:
    """Store changes into the model (model signals and state live on the model)."""

    # Provided by InventoryModel (and QAbstractTableModel).
    store: Any
    order: Any
    query: RowQuery
    _count: int
    _pages: OrderedDict[int, list[Row]]
    _key_pos: dict[str, int]
    _cell_cache: dict[int, list[str | None]]
    _reuse: dict[str, tuple[Row, list[str | None]]]
    page_reads: int
    _read_count: Any
    _drop_order: Any
    want_order: Any
    _cached_key: Any
    _cached_position: Any
    key_at: Any
    index: Any
    dataChanged: Any
    layoutAboutToBeChanged: Any
    layoutChanged: Any
    persistentIndexList: Any
    changePersistentIndex: Any
    beginInsertRows: Any
    endInsertRows: Any
    beginRemoveRows: Any
    endRemoveRows: Any

    def apply_changes(self, keys: Iterable[str], *, known_count: int | None = None,
                      known_positions: dict[str, int | None] | None = None) -> None:
        """``known_count`` / ``known_positions``: the list's count and the positions of
        :meth:`persistent_keys`, read beforehand off the GUI thread for the current query
        (the window's background poll); what is not given is read here."""
        self._refresh_keys(list(dict.fromkeys(keys)), known_count=known_count,
                           known_positions=known_positions)

    def persistent_keys(self) -> list[str]:
        """The keys a layout change must place again: those under the persistent indexes
        (selection, current), and the first row's, where the view's header registers its
        own when the layout changes (it keeps sized sections by an index in row 0)."""
        rows = [index.row() for index in self.persistentIndexList()]
        if self._count:
            rows.append(0)
        keys = (self._cached_key(row) or self.key_at(row) for row in rows)
        return list(dict.fromkeys(key for key in keys if key is not None))

    def refresh_all(self) -> None:
        self._relayout()

    def _refresh_keys(self, keys: list[str], force_small: bool = False,
                      known_count: int | None = None,
                      known_positions: dict[str, int | None] | None = None) -> None:
        if not keys:
            return
        if self.order is not None and len(keys) <= SMALL_CHANGE and self._update_in_order(keys):
            return
        self._drop_order()  # read again when a scan needs it, not beside every change
        new_count = self._read_count() if known_count is None else known_count
        if new_count == self._count:
            if (len(keys) <= SMALL_CHANGE or force_small) and self._small_update(keys):
                return
            if self._update_in_place():
                return
        self._relayout(known_count=new_count, known_positions=known_positions)

    def _update_in_place(self) -> bool:
        """Same row count: re-read the recently shown pages and repaint only rows that differ.

        A layout change repaints the whole list and makes every view and proxy re-place its
        indexes; with an unchanged count the rows can be re-read where they are instead, as
        long as every persistent index (selection, current) still has its key at its row.
        Pages not re-read are dropped (read again when painted) and told as changed, which
        costs nothing where they are not visible. False: the caller lays out again.
        """
        recent = list(self._pages)[-IN_PLACE_PAGES:]
        fresh: dict[int, list[Row]] = {}
        try:
            for number in recent:
                fresh[number] = self.store.rows(self.query, number * PAGE_SIZE, PAGE_SIZE)
            for index in self.persistentIndexList():
                row = index.row()
                old_key = self._cached_key(row)
                if old_key is None:
                    return False
                page = fresh.get(row // PAGE_SIZE)
                if page is None:
                    if self.store.position(self.query, old_key) != row:
                        return False
                elif row % PAGE_SIZE >= len(page) or page[row % PAGE_SIZE].key != old_key:
                    return False
        except Exception:
            log.exception("the store could not re-read the shown rows")
            return False
        self.page_reads += len(fresh)
        changed: list[int] = []
        for number, rows in fresh.items():
            old = self._pages[number]
            base = number * PAGE_SIZE
            changed.extend(base + offset for offset in range(max(len(rows), len(old)))
                           if offset >= len(rows) or offset >= len(old) or rows[offset] != old[offset])
        dropped = [number for number in self._pages if number not in fresh]
        changed_set = set(changed)
        self._pages = OrderedDict(fresh.items())
        self._key_pos = {found.key: number * PAGE_SIZE + offset
                         for number, rows in fresh.items() for offset, found in enumerate(rows)}
        self._cell_cache = {row: cells for row, cells in self._cell_cache.items()
                            if row // PAGE_SIZE in fresh and row not in changed_set}
        last = len(Column) - 1
        for first, final in _ranges(changed):
            if first < self._count:
                self.dataChanged.emit(self.index(first, 0),
                                      self.index(min(final, self._count - 1), last))
        for number in dropped:
            first = number * PAGE_SIZE
            if first < self._count:
                self.dataChanged.emit(self.index(first, 0),
                                      self.index(min(first + PAGE_SIZE, self._count) - 1, last))
        return True

    def _update_in_order(self, keys: list[str]) -> bool:
        """Changed rows that keep their place in the known order are repainted where they
        are, and the order is kept: no COUNT, no SQL placing (~20 ms each at 200,000 rows),
        and scans stay fast while webhooks trickle in. One read tells which of the changed
        rows and their old neighbours are in the list now and in what order; False (the
        caller re-lays out) when a row arrived, left or moved past a neighbour."""
        order = self.order
        assert order is not None
        check = set(keys)
        for key in keys:
            row = order.rank.get(key)
            if row is not None:
                check.update(order.keys[max(0, row - 1):row + 2])
        try:
            listed = self.store.ordered_among(self.query, check)
            fresh = self.store.rows_for([key for key in keys if key in order.rank])
        except Exception:
            log.exception("the store could not re-read changed rows")
            return False
        now_listed = set(listed)
        if any((key in order.rank) != (key in now_listed) for key in keys):
            return False  # a row arrived in the list or left it
        if listed != sorted(listed, key=order.rank.__getitem__):
            return False  # a changed row moved past a neighbour
        for key, found in fresh.items():
            position = order.rank[key]
            if position >= self._count:
                return False
            page = self._pages.get(position // PAGE_SIZE)
            if page is not None and position % PAGE_SIZE < len(page):
                page[position % PAGE_SIZE] = found
                self._key_pos[key] = position
            self._cell_cache.pop(position, None)
            self._reuse.pop(key, None)
            self.dataChanged.emit(self.index(position, 0), self.index(position, len(Column) - 1))
        return True

    def _small_update(self, keys: list[str]) -> bool:
        """Re-read rows that keep their place; False when a row moved, left or arrived."""
        updates: list[tuple[int, Row]] = []
        for key in keys:
            cached = self._cached_position(key)
            try:
                fresh = self.store.row(key)
                position = self.store.position(self.query, key) if fresh is not None else None
            except Exception:
                log.exception("the store could not read %s", key)
                return False
            if cached is None and position is None:
                continue  # neither shown before nor now
            if cached != position or fresh is None:
                return False
            updates.append((position, fresh))
        for position, fresh in updates:
            page = self._pages.get(position // PAGE_SIZE)
            if page is not None and position % PAGE_SIZE < len(page):
                page[position % PAGE_SIZE] = fresh
                self._key_pos[fresh.key] = position
            self._cell_cache.pop(position, None)
            self.dataChanged.emit(self.index(position, 0),
                                  self.index(position, len(Column) - 1))
        return True

    def _relayout(self, replace_query: RowQuery | None = None,
                  known_count: int | None = None,
                  known_positions: dict[str, int | None] | None = None) -> None:
        """Re-read the count, keep persistent indexes (selection, current) on their keys.

        Row-count changes are told as inserts/removes at the end (before, resp. after, the
        layout change), so every view and proxy sees a consistent model at each signal.
        Persistent indexes are collected *after* layoutAboutToBeChanged, when every view has
        registered its own, and placed by key with the store's ``position``.
        """
        new_query = replace_query or self.query
        old_count = self._count
        new_count = (known_count if known_count is not None and replace_query is None
                     else self._read_count(new_query))
        if new_count > old_count:
            self.beginInsertRows(QModelIndex(), old_count, new_count - 1)
            self._count = new_count
            self.endInsertRows()
        self.layoutAboutToBeChanged.emit()
        keyed: list[tuple[QModelIndex, str | None]] = [
            (index, self._cached_key(index.row()) or self.key_at(index.row()))
            for index in self.persistentIndexList()]
        self._reuse = self._cells_by_key()  # display text does not depend on the query
        self._drop_order(reread=replace_query is not None)
        self.query = new_query
        self._pages.clear()
        self._cell_cache.clear()
        self._key_pos.clear()
        self._move_persistent(keyed, new_count,
                              known_positions if replace_query is None else None)
        self.layoutChanged.emit()
        if new_count < old_count:
            self.beginRemoveRows(QModelIndex(), new_count, old_count - 1)
            self._count = new_count
            self.endRemoveRows()

    def _cells_by_key(self) -> dict[str, tuple[Row, list[str | None]]]:
        kept: dict[str, tuple[Row, list[str | None]]] = {}
        for row, cells in self._cell_cache.items():
            page = self._pages.get(row // PAGE_SIZE)
            if page is not None and row % PAGE_SIZE < len(page):
                found = page[row % PAGE_SIZE]
                kept[found.key] = (found, cells)
        return kept

    def _move_persistent(self, keyed: list[tuple[QModelIndex, str | None]], limit: int,
                         known: dict[str, int | None] | None = None) -> None:
        positions: dict[str, int | None] = dict(known or {})
        for index, key in keyed:
            if key is None:
                target = None
            else:
                if key not in positions:
                    try:
                        positions[key] = self.store.position(self.query, key)
                    except Exception:
                        log.exception("the store could not place %s", key)
                        positions[key] = None
                target = positions[key]
            if target is not None and target < limit:
                self.changePersistentIndex(index, self.index(target, index.column()))
            else:
                self.changePersistentIndex(index, QModelIndex())


def _ranges(rows: list[int]) -> list[tuple[int, int]]:
    """Sorted row numbers as (first, last) runs of consecutive rows."""
    runs: list[tuple[int, int]] = []
    for row in sorted(rows):
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


def _replace(query: RowQuery, **changes: Any) -> RowQuery:
    import dataclasses

    return dataclasses.replace(query, **changes)
