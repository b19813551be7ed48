"""The inventory list's item model: paged SQL reads, never every row in memory.

:class:`InventoryModel` asks the store for ``count`` once per refresh and for rows a page
at a time when the view paints them (an LRU of pages). Sorting and filtering are the
store's SQL (``RowQuery``): the view calls :meth:`InventoryModel.sort` on a header click and
the model re-queries, instead of sorting 200,000 rows in memory. The view sits on this model
directly (no proxy: see ``ui.window.InventoryView``), and a painted cell costs one Python
call (:meth:`InventoryModel.multiData` answers every role the delegate asks at once).

Its parts: :mod:`ui.listing` (columns, titles, cell formats), :mod:`ui.list_order` (long
lists keep their key order in memory: placing a row and reading a far page by key instead
of SQL counting its way there) and :mod:`ui.inventory_changes` (store changes picked up
from the window's poll, the operator's selection kept on its row by key).
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from app.model import Decision, DecisionState
from app.store.base import Row, RowQuery, Store
from ui.feedback import icon
from ui.i18n import (
    decision_message,
    make_tr,
    per_language,
)
from ui.inventory_changes import ChangesMixin, _replace
from ui.inventory_text import CellTextMixin
from ui.list_order import ListOrder, OrderMixin, count_in_background
from ui.listing import (
    KEY_ROLE,
    MAX_CELL_ROWS,
    MAX_PAGES,
    ORDER_DEBOUNCE_MS,
    ORDER_MIN_ROWS,
    PAGE_SIZE,
    SORT_KEYS,
    STATE_ROLE,
    Column,
    column_titles,
    fmt_decimal,
    fmt_dimensions,
    fmt_time,
)
from ui.qt import (
    QAbstractTableModel,
    QIcon,
    QModelIndex,
    QModelRoleDataSpan,
    QObject,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)

tr = make_tr("InventoryModel")
log = logging.getLogger(__name__)

@dataclass(slots=True)
class LiveState:
    """What the outbox said last about a row's decision (richer than ``Row.decision_state``)."""

    state: DecisionState
    message: str | None
    correlation_id: str | None
    new_handling: str | None


class InventoryModel(OrderMixin, ChangesMixin, CellTextMixin, QAbstractTableModel):
    order_ready = Signal()          # a ListOrder is in place (tests, benchmarks)
    _order_read = Signal(int, object, object)  # generation, query, ListOrder (worker -> GUI)

    def __init__(self, store: Store, parent: QObject | None = None, *,
                 handling_names: Callable[[], dict[str, str]] | None = None,
                 order_min_rows: int = ORDER_MIN_ROWS,
                 first_count: Any = None) -> None:
        """``first_count``: a future of ``store.count(RowQuery())`` started earlier in the
        background (:func:`count_in_background`), so the window's start-up need not wait."""
        super().__init__(parent)
        self.store = store
        self.query = RowQuery()
        self._count = 0
        self._pages: OrderedDict[int, list[Row]] = OrderedDict()
        self._live: dict[str, LiveState] = {}
        self._recheck: set[str] = set()  # keys with a live state whose row the store changed
        self._handling_names = handling_names or dict
        self._cell_cache: dict[int, list[str | None]] = {}
        # After a layout change: the display text of rows shown before, by key, reused for
        # rows that come back unchanged (a re-layout then costs no re-formatting).
        self._reuse: dict[str, tuple[Row, list[str | None]]] = {}
        self._key_pos: dict[str, int] = {}  # keys of the cached pages -> row
        self.page_reads = 0
        self.order: ListOrder | None = None
        self.order_min_rows = order_min_rows
        self._order_generation = 0
        self._order_reading = False
        self._order_read.connect(self._order_arrived)
        self._order_timer = QTimer(self)
        self._order_timer.setSingleShot(True)
        self._order_timer.setInterval(ORDER_DEBOUNCE_MS)
        self._order_timer.timeout.connect(self.request_order)
        self._count = self._first_count(first_count)
        self._order_timer.start()

    # -- reading ---------------------------------------------------------------------------
    def _first_count(self, future: Any) -> int:
        if future is not None and self.query == RowQuery():
            try:
                return int(future.result())
            except Exception:
                log.exception("the store could not count rows")
        return self._read_count()

    def _read_count(self, query: RowQuery | None = None) -> int:
        try:
            return int(self.store.count(query or self.query))
        except Exception:
            log.exception("the store could not count rows")
            return 0

    def _page(self, number: int) -> list[Row]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        try:
            page = self._page_by_keys(number) or self.store.rows(
                self.query, number * PAGE_SIZE, PAGE_SIZE)
        except Exception:
            log.exception("the store could not read rows")
            page = []
        self.page_reads += 1
        self._pages[number] = page
        base = number * PAGE_SIZE
        for offset, found in enumerate(page):
            self._key_pos[found.key] = base + offset
        while len(self._pages) > MAX_PAGES:
            evicted_number, evicted = self._pages.popitem(last=False)
            for offset, found in enumerate(evicted):
                if self._key_pos.get(found.key) == evicted_number * PAGE_SIZE + offset:
                    del self._key_pos[found.key]
        return page

    def row_at(self, row: int) -> Row | None:
        if row < 0 or row >= self._count:
            return None
        page = self._page(row // PAGE_SIZE)
        offset = row % PAGE_SIZE
        return page[offset] if offset < len(page) else None

    def key_at(self, row: int) -> str | None:
        found = self.row_at(row)
        return found.key if found else None

    def _cached_key(self, row: int) -> str | None:
        page = self._pages.get(row // PAGE_SIZE)
        if page is None:
            return None
        offset = row % PAGE_SIZE
        return page[offset].key if offset < len(page) else None

    def position_of(self, key: str) -> int | None:
        cached = self._cached_position(key)
        if cached is not None:
            return cached
        order = self.order
        if order is not None:
            position = order.rank.get(key)
            if position is not None:
                return position if position < self._count else None
            # Not in the list when its order was read: it may have arrived since (SQL says).
        else:
            self.want_order()
        try:
            position = self.store.position(self.query, key)
        except Exception:
            log.exception("the store could not place %s", key)
            return None
        return position if position is not None and position < self._count else None

    # -- Qt model interface ----------------------------------------------------------------
    # rowCount/columnCount are called thousands of times per repaint (every index() checks
    # them): constants, no enum arithmetic. flags() is not overridden: QAbstractTableModel's
    # (enabled, selectable, no children) is what the list needs, and the view asks it for
    # every painted cell, so a Python override cost a crossing per cell (about 7% of a repaint).
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else _COLUMNS

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        return self._header(section, orientation, role)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        # The hot path: a repaint asks ~8 roles for each of ~500 visible cells. Roles the
        # list never answers are refused before anything else; display text comes from a
        # per-row tuple computed once.
        if role not in _HANDLED_ROLES:
            return None
        if role in (_DISPLAY, _ACCESSIBLE):
            column = index.column()
            return self._cell(index.row(), column) if 0 <= column < _COLUMNS else None
        if role == _ALIGNMENT:
            return _RIGHT if index.column() in _RIGHT_COLUMNS else None
        if role == _DECORATION and index.column() != _UPDATE_COLUMN:
            return None
        return self._data(index, role)

    def multiData(self, index: QModelIndex | QPersistentModelIndex,
                  roleDataSpan: QModelRoleDataSpan) -> None:
        # The delegate asks for its ~7 roles of a cell in one call (Qt 6): one crossing
        # into Python per painted cell instead of one per role.
        # Every role answered is set or cleared: the view hands the same role data to cell
        # after cell, so a value left in place would leak into the next cell (an alignment
        # set for the Qty column right-aligned every column painted after it).
        column = index.column()
        if len(roleDataSpan) == 7:
            # QStyledItemDelegate's request: font, alignment, foreground, check state,
            # decoration, display, background, in that order (checked, not assumed). The
            # list answers three of them and never the other four.
            display, alignment, decoration = roleDataSpan[5], roleDataSpan[1], roleDataSpan[4]
            if (display.role() == _DISPLAY and alignment.role() == _ALIGNMENT
                    and decoration.role() == _DECORATION):
                text = self._cell(index.row(), column) if 0 <= column < _COLUMNS else None
                _answer(display, text)
                _answer(alignment, _RIGHT if column in _RIGHT_COLUMNS else None)
                _answer(decoration, self._data(index, _DECORATION)
                        if column == _UPDATE_COLUMN else None)
                return
        for number in range(len(roleDataSpan)):  # indexing: iterating ends in an IndexError
            item = roleDataSpan[number]
            _answer(item, self.data(index, item.role()))

    def _cell(self, row: int, column: int) -> str | None:
        """A cell's display text, formatted once per row and column and only when painted
        (about half the columns are visible)."""
        cells = self._cell_cache.get(row)
        if cells is not None and cells[column] is not None:
            return cells[column]
        filled = self.row_cells(row, (column,))
        return None if filled is None else filled[column]

    # -- what the list's own painter reads (ui.list_paint.PaintedModel) ------------------------
    right_columns = frozenset({int(Column.QUANTITY), int(Column.WEIGHT)})
    icon_column = int(Column.UPDATE)

    def row_cells(self, row: int, columns: Sequence[int]) -> list[str | None] | None:
        """A row's display texts by column, those of ``columns`` (the painted ones) filled
        in: one call per painted row instead of one per cell (a page jump formats ~240 new
        cells). The list is the model's own cache: read it, do not change it."""
        cells = self._cell_cache.get(row)
        if cells is not None:
            for column in columns:
                if cells[column] is None:
                    break
            else:
                return cells
        found = self.row_at(row)
        if found is None:
            return None
        if cells is None:
            cells = self._cell_cache.get(row)  # row_at may have read a page: caches change
            if cells is None:
                if len(self._cell_cache) > MAX_CELL_ROWS:
                    self._cell_cache.clear()
                kept = self._reuse.pop(found.key, None) if self._reuse else None
                cells = kept[1] if kept is not None and kept[0] == found else [None] * _COLUMNS
                self._cell_cache[row] = cells
        display = self._display
        for column in columns:
            if cells[column] is None:
                cells[column] = display(found, _COLUMN_LIST[column])
        return cells

    def cell_text(self, row: int, column: int) -> str | None:
        """A cell's display text, as ``data(DisplayRole)`` answers it."""
        return self._cell(row, column) if 0 <= column < _COLUMNS else None

    def row_icon(self, row: int) -> QIcon | None:
        """The decision state's icon of a row (the "Update" column), as ``data`` answers it."""
        found = self.row_at(row)
        if found is None:
            return None
        state = self._state(found)
        return icon(state.value) if state in _STATE_ICONS else None

    def _header(self, section: int, orientation: Qt.Orientation, role: int) -> Any:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(Column):
            if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
                return per_language("inventory.columns", column_titles)[Column(section)]
            if role == Qt.ItemDataRole.ToolTipRole and Column(section) not in SORT_KEYS:
                return tr("This column cannot be sorted")
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return str(section + 1)
        return None

    def _data(self, index: QModelIndex | QPersistentModelIndex, role: int) -> Any:
        if not index.isValid() or index.column() >= len(Column):
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        column = Column(index.column())
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            return self._display(row, column)
        if role == KEY_ROLE:
            return row.key
        if role == STATE_ROLE:
            state = self._state(row)
            return state.value if state else None
        if role == Qt.ItemDataRole.DecorationRole and column == Column.UPDATE:
            state = self._state(row)
            return icon(state.value) if state in _STATE_ICONS else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (Column.QUANTITY, Column.WEIGHT):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _state(self, row: Row) -> DecisionState | None:
        live = self._live_for(row)
        return live.state if live else row.decision_state

    def _live_for(self, row: Row) -> LiveState | None:
        """What this desk's outbox said last about the row, unless the store has moved on
        since: a row re-read after the store changed (the window's poll) whose decision
        state differs (a failed decision retried from the command line or from another
        desk, a decision superseded) shows the store's state, and the outbox's message goes."""
        live = self._live.get(row.key)
        if live is None or row.key not in self._recheck:
            return live
        self._recheck.discard(row.key)
        if row.decision_state is not None and row.decision_state != live.state:
            del self._live[row.key]
            return None
        return live

    def apply_changes(self, keys: Iterable[str], *, known_count: int | None = None,
                      known_positions: dict[str, int | None] | None = None) -> None:
        keys = list(dict.fromkeys(keys))
        self._recheck.update(key for key in keys if key in self._live)
        super().apply_changes(keys, known_count=known_count, known_positions=known_positions)

    # -- changing what is shown ---------------------------------------------------------------
    def set_query(self, query: RowQuery) -> None:
        if query == self.query:
            return
        self.beginResetModel()
        self._drop_order(reread=True)
        self.query = query
        self._pages.clear()
        self._cell_cache.clear()
        self._reuse.clear()
        self._key_pos.clear()
        self._count = self._read_count()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = SORT_KEYS.get(Column(column)) if 0 <= column < len(Column) else None
        if key is None:
            return
        descending = order == Qt.SortOrder.DescendingOrder
        if key == self.query.sort and descending == self.query.descending:
            return
        self._relayout(replace_query=_replace(self.query, sort=key, descending=descending))

    def sort_column(self) -> int:
        for column, key in SORT_KEYS.items():
            if key == self.query.sort:
                return int(column)
        return -1

    def note_decision(self, decision: Decision) -> None:
        """A state change from ``DeskService.subscribe``: show it on the row at once."""
        self._recheck.discard(decision.key)  # this is newer than what the store said
        self._live[decision.key] = LiveState(decision.state,
                                             decision_message(decision.result_message,
                                                              decision.error_code),
                                             decision.correlation_id, decision.new_handling)
        # Only the row's "Update" cell changes here (no query): what the API did to the
        # record itself arrives through the store and the window's polling.
        self._reuse.pop(decision.key, None)
        position = self._cached_position(decision.key)
        if position is not None:
            self._cell_cache.pop(position, None)
            self.dataChanged.emit(self.index(position, _UPDATE_COLUMN),
                                  self.index(position, _UPDATE_COLUMN))

    def live_state(self, key: str) -> LiveState | None:
        return self._live.get(key)

    def _cached_position(self, key: str) -> int | None:
        position = self._key_pos.get(key)
        if position is None:
            return None
        page = self._pages.get(position // PAGE_SIZE)
        offset = position % PAGE_SIZE
        if page is None or offset >= len(page) or page[offset].key != key:
            return None
        return position

_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole.value)
_ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
_DECORATION = int(Qt.ItemDataRole.DecorationRole.value)
_HANDLED_ROLES = frozenset({_DISPLAY, _ACCESSIBLE, _ALIGNMENT, _DECORATION,
                            int(Qt.ItemDataRole.ToolTipRole.value), int(KEY_ROLE), int(STATE_ROLE)})
_COLUMNS = len(Column)
_COLUMN_LIST = list(Column)
_UPDATE_COLUMN = int(Column.UPDATE)
_RIGHT_COLUMNS = InventoryModel.right_columns
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)

_STATE_ICONS = {DecisionState.QUEUED, DecisionState.SENDING, DecisionState.APPLIED,
                DecisionState.FAILED}



def _answer(item: Any, value: Any) -> None:
    if value is None:
        item.clearData()
    else:
        item.setData(value)


__all__ = ["KEY_ROLE", "ORDER_MIN_ROWS", "PAGE_SIZE", "STATE_ROLE", "Column", "InventoryModel",
           "ListOrder", "LiveState", "column_titles", "count_in_background", "fmt_decimal",
           "fmt_dimensions", "fmt_time"]
