"""The desk window's store polling: changes from webhooks, syncs and other desks.

A mixin of :class:`ui.window.MainWindow`. The poll timer's poll reads the store on a
background thread (the changes, and when there are some the list's count and the places of
the selected rows) and only updates the model on the GUI thread; a scan polls synchronously,
because the model must be current before the scanned row is placed.

The warehouse filter's list is read on the poll thread too: a poll that brings new items
(webhooks, a sync, another desk) asks for it, and a poll at most
``WAREHOUSES_AFTER_CHANGES_MS`` later reads it with the changes; a stream of webhooks costs
one read per that interval. The operator's choice in the filter is kept.
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from app.model import local_day_start
from app.store.base import RowFilter, RowQuery
from ui.i18n import make_tr
from ui.inventory import KEY_ROLE
from ui.list_order import poll_executor
from ui.qt import QItemSelectionModel

tr = make_tr("MainWindow")
log = logging.getLogger("ui.window")

WAREHOUSES_AFTER_CHANGES_MS = 2000  # new items: the warehouse list read again this much later


def _now_ms() -> float:
    return time.monotonic() * 1000


@dataclass(slots=True)
class PollResult:
    """What the poll thread read: changes since ``since`` for the list of ``query``."""

    since: int
    query: RowQuery
    seq: int = 0
    keys: list[str] = field(default_factory=list)
    count: int | None = None
    positions: dict[str, int | None] | None = None
    error: Exception | None = None
    #: The warehouse list was asked for (``warehouses``: what was read, None if not).
    read_warehouses: bool = False
    warehouses: list[str] | None = None


class PollMixin:
    """Store polling of the main window."""

    # Provided by MainWindow.
    store: Any
    model: Any
    view: Any
    current_key: str | None
    _seq: int
    _closing: bool
    _poll_reading: bool
    _polled: Any
    show_message: Any
    #: The store did not answer the last poll (a database server down, a network drive
    #: gone): said once in the status bar and the log, not every 400 ms.
    store_unreachable: bool = False
    _update_count_label: Any
    refresh_current: Any
    _filters_changed: Any
    _fill_filters: Any
    _warehouses: list[str] | None
    filter_combo: Any
    warehouse_combo: Any
    source_combo: Any
    #: When the poll thread next reads the warehouse list (monotonic ms); None: not due.
    _warehouses_due_ms: float | None = None
    warehouses_after_changes_ms: float = WAREHOUSES_AFTER_CHANGES_MS

    def poll_store(self) -> None:
        """Pick up changes from webhooks, sync and other desks (cheap: one indexed query)."""
        try:
            seq, keys = self.store.changes_since(self._seq)
        except Exception as exc:
            self._store_failed(exc)
            return
        self._store_answered()
        self._take_changes(seq, keys)

    def _store_failed(self, exc: Exception) -> None:
        if self.store_unreachable:
            return
        self.store_unreachable = True
        self.show_message(tr("The store does not answer: {error}. The list is not updated, and "
                             "scans and decisions fail, until it answers again.").format(error=exc),
                          error=True)

    def _store_answered(self) -> None:
        if self.store_unreachable:
            self.store_unreachable = False
            self.show_message(tr("The store answers again."))
            log.info("the store answers again")

    def _take_changes(self, seq: int, keys: list[str], count: int | None = None,
                      positions: dict[str, int | None] | None = None) -> None:
        """Changes up to ``seq`` (either poll's): the model, the count, the selection."""
        self._seq = seq
        if not keys:
            return
        self.reload_warehouses_soon()  # the new items may name a warehouse not listed yet
        self.model.apply_changes(keys, known_count=count, known_positions=positions)
        self._update_count_label()
        self._keep_selection_on_current()
        if self.current_key in keys:
            self.refresh_current()

    def poll_in_background(self) -> None:
        """The poll timer's poll: the store reads (changes, and when there are some the
        list's count and the positions of the selected rows) run on the poll thread, and
        only the model update runs here. During a sync the count alone took 4-13 ms of the
        GUI thread at 200,000 items, every poll."""
        if self._poll_reading or self._closing or self._new_day():
            return
        self._poll_reading = True
        store, seq, query = self.store, self._seq, self.model.query
        place = self.model.persistent_keys()
        signal = self._polled
        due = self._warehouses_due_ms
        read_warehouses = due is not None and _now_ms() >= due
        if read_warehouses:
            self._warehouses_due_ms = None

        def read() -> None:
            result = PollResult(seq, query, read_warehouses=read_warehouses)
            try:
                result.seq, result.keys = store.changes_since(seq)
                if result.keys:
                    result.count = store.count(query)
                    result.positions = {key: store.position(query, key) for key in place}
                if read_warehouses:
                    result.warehouses = store.warehouses()
            except Exception as exc:
                result.error = exc
            with contextlib.suppress(RuntimeError):  # the window is gone
                signal.emit(result)

        poll_executor().submit(read)

    def _new_day(self) -> bool:
        """"Decided today" starts again at local midnight: a night shift's list must not keep
        yesterday's decisions until someone touches the filter. When the day has turned since
        the list was read, it is read again for the new day (the selection is kept)."""
        query = self.model.query
        if query.filter is not RowFilter.DECIDED_TODAY or query.day_start == local_day_start():
            return False
        self._filters_changed()
        return True

    def _poll_arrived(self, result: PollResult) -> None:
        self._poll_reading = False
        if self._closing:
            return
        if result.error is not None:
            if result.read_warehouses:
                self.reload_warehouses_soon()  # asked again once the store answers
            self._store_failed(result.error)
            return
        self._store_answered()
        if result.warehouses is not None:
            self._warehouses_arrived(result.warehouses)
        if result.since != self._seq:
            return  # a scan's poll took these changes in meanwhile
        if result.query != self.model.query:
            return  # the list changed under the read: the next poll reads these again
        self._take_changes(result.seq, result.keys, result.count, result.positions)

    # -- the warehouse filter ------------------------------------------------------------
    def reload_warehouses_soon(self, delay_ms: float | None = None) -> None:
        """Have a poll read the warehouse list on the poll thread, ``delay_ms`` from now
        (default: ``warehouses_after_changes_ms``). An earlier request is never put off, so
        a stream of changes still gets its read."""
        delay = self.warehouses_after_changes_ms if delay_ms is None else delay_ms
        due = _now_ms() + delay
        if self._warehouses_due_ms is None or due < self._warehouses_due_ms:
            self._warehouses_due_ms = due

    def _warehouses_arrived(self, names: list[str]) -> None:
        """The poll thread's warehouse list: the filter shows it, its choice unchanged."""
        chosen = self.warehouse_combo.currentData()
        if chosen and chosen not in names:
            names = sorted([*names, chosen])  # the list stays filtered as the operator chose
        if names == self._warehouses:
            return
        if any(combo.view().isVisible()
               for combo in (self.filter_combo, self.warehouse_combo, self.source_combo)):
            self.reload_warehouses_soon(0)  # not under an open drop-down: the next poll
            return
        self._warehouses = names
        self._fill_filters()

    def _keep_selection_on_current(self) -> None:
        """The highlighted row must be the item the detail panel shows, whatever moved."""
        key = self.current_key
        if key is None:
            return
        index = self.view.currentIndex()
        shown = self.model.data(index, KEY_ROLE) if index.isValid() else None
        if shown == key:
            return
        position = self.model.position_of(key)
        selection = self.view.selectionModel()
        if position is None:
            selection.clearSelection()
            return
        target = self.model.index(position, 0)
        selection.setCurrentIndex(target, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                  | QItemSelectionModel.SelectionFlag.Rows)
