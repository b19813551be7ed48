"""What the decision views share: the decision table, state icons, live updates from the desk."""

from __future__ import annotations

import functools
import logging
import threading
from datetime import datetime
from typing import Any

from app.desk import DeskService
from app.model import Decision, DecisionAction, DecisionState
from ui.feedback import icon
from ui.i18n import make_tr
from ui.qt import (
    QAbstractItemView,
    QApplication,
    QFont,
    QHeaderView,
    QKeySequence,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QWidget,
    is_valid,
)

tr = make_tr("Decisions")
log = logging.getLogger(__name__)

ID_ROLE = Qt.ItemDataRole.UserRole
STATE_ICON = {
    DecisionState.QUEUED: "queued", DecisionState.SENDING: "sending",
    DecisionState.APPLIED: "applied", DecisionState.FAILED: "failed",
    DecisionState.DISCARDED: "invalid", DecisionState.SUPERSEDED: "warning",
}
REFRESH_MS = 2000   # picks up other desks' decisions (a shared store) while a view is open
COALESCE_MS = 50    # many outbox changes at once -> one re-read


def change_text(decision: Decision) -> str:
    """``old → new`` (``cancel: old → new`` for a cancel), "—" for no handling."""
    change = f"{decision.old_handling or '—'} → {decision.new_handling or '—'}"
    if decision.action is DecisionAction.CANCEL:
        return tr("cancel: {change}").format(change=change)
    return change


@functools.lru_cache(maxsize=8192)
def local_time(value: datetime | None, with_date: bool = True) -> str:
    """A decision's time on this computer's clock. Kept per value: the views write the same
    times every re-read, and converting and formatting them was most of a 500-row re-read
    (9 of 13 ms)."""
    if value is None:
        return ""
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S")


class DecisionTable(QTableWidget):
    """Read-only rows of decisions; Ctrl+C copies the selected rows as tab-separated text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        # what the table shows (fill compares against it): headers, decision ids, rows
        self._headers_shown: list[str] = []
        self._ids_shown: list[int | None] = []
        self._rows_shown: list[tuple[DecisionState, tuple[str, ...]]] = []

    def fill(self, headers: list[str], rows: list[tuple[Decision, list[str]]],
             state_column: int | None = None) -> None:
        """One row per decision; the state column gets the state's icon beside its name.

        The views read again every 2 s and on each change: rows already shown are left as
        they are, changed ones are rewritten in place and new ones at the end are appended
        (the day log grows there). Only a different order or set of rows, or new headers
        (another language), fills the table again: at 500 rows that took 60-120 ms of the
        GUI thread, every 2 s while a view was open.
        """
        ids = [decision.id for decision, _values in rows]
        shown = [(decision.state, tuple(values)) for decision, values in rows]
        if headers == self._headers_shown and ids == self._ids_shown and shown == self._rows_shown:
            return
        kept = len(self._ids_shown)
        if kept and headers == self._headers_shown and ids[:kept] == self._ids_shown:
            written = [r for r in range(kept) if shown[r] != self._rows_shown[r]]
            written += range(kept, len(rows))
            self.setUpdatesEnabled(False)
            try:
                if len(rows) > kept:
                    self.setRowCount(len(rows))
                for r in written:
                    self._set_row(r, rows[r], state_column)
            finally:
                self.setUpdatesEnabled(True)
            self._widen(written)
        else:
            self._refill(headers, rows, state_column)
        self._headers_shown, self._ids_shown, self._rows_shown = list(headers), ids, shown

    def _set_row(self, r: int, row: tuple[Decision, list[str]], state_column: int | None,
                 bold: QFont | None = None) -> None:
        decision, values = row
        for c, value in enumerate(values):
            item = QTableWidgetItem(value)
            item.setData(ID_ROLE, decision.id)
            if value and len(value) > 40:
                item.setToolTip(value)
            if c == state_column:
                item.setIcon(icon(STATE_ICON.get(decision.state, "warning")))
                if decision.state is DecisionState.FAILED:
                    if bold is None:
                        bold = QFont(self.font())
                        bold.setBold(True)
                    item.setFont(bold)
            self.setItem(r, c, item)

    def _widen(self, rows: list[int]) -> None:
        """Columns grow (never shrink, at most to 360 px) to fit the rows just written, as
        the item delegate sizes them (font, bold, icon, margins), measured on those rows
        alone: sizing to every row's contents took as long as filling them."""
        if not rows:
            return
        model = self.model()
        for c in range(self.columnCount()):
            widest = max(self.sizeHintForIndex(model.index(r, c)).width() for r in rows)
            if widest > self.columnWidth(c):
                self.setColumnWidth(c, min(widest, 360))
        self._stretch_last()

    def _refill(self, headers: list[str], rows: list[tuple[Decision, list[str]]],
                state_column: int | None) -> None:
        selected = set(self.selected_ids())
        current_id = self.current_id()
        self.setUpdatesEnabled(False)
        try:
            self.clearContents()
            self.setColumnCount(len(headers))
            self.setHorizontalHeaderLabels(headers)
            self.setRowCount(len(rows))
            self.clearSelection()   # rows may have moved: select by decision id below
            bold = QFont(self.font())
            bold.setBold(True)
            for r, row in enumerate(rows):
                self._set_row(r, row, state_column, bold)
            selection = self.selectionModel()
            for r, (decision, _values) in enumerate(rows):
                if decision.id in selected:
                    selection.select(self.model().index(r, 0),
                                     selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
                if decision.id == current_id:
                    selection.setCurrentIndex(self.model().index(r, 0),
                                              selection.SelectionFlag.NoUpdate)
        finally:
            self.setUpdatesEnabled(True)
        self.resizeColumnsToContents()
        for column in range(self.columnCount()):
            self.setColumnWidth(column, min(self.columnWidth(column), 360))
        self._stretch_last()

    def _stretch_last(self) -> None:
        # Sizing the last column by hand ends its stretch: set again, it fills the table's
        # width (no empty band beside the header), whatever the column.
        header = self.horizontalHeader()
        header.setStretchLastSection(False)
        header.setStretchLastSection(True)

    def ids(self) -> list[int]:
        ids = []
        for row in range(self.rowCount()):
            item = self.item(row, 0)
            if item is not None:
                ids.append(int(item.data(ID_ROLE)))
        return ids

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.selectionModel().selectedRows()})
        ids = []
        for row in rows:
            item = self.item(row, 0)
            if item is not None:
                ids.append(int(item.data(ID_ROLE)))
        return ids

    def current_id(self) -> int | None:
        item = self.item(self.currentRow(), 0) if self.currentRow() >= 0 else None
        return int(item.data(ID_ROLE)) if item is not None else None

    def selected_text(self) -> str:
        rows = sorted({index.row() for index in self.selectionModel().selectedRows()})
        lines = []
        for row in rows:
            cells = [self.item(row, c) for c in range(self.columnCount())]
            lines.append("\t".join(cell.text() if cell is not None else "" for cell in cells))
        return "\n".join(lines)

    def keyPressEvent(self, event: Any) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            text = self.selected_text()
            clipboard = QApplication.clipboard()
            if text and clipboard is not None:
                clipboard.setText(text)
            event.accept()
            return
        super().keyPressEvent(event)


class _LiveMixin:
    """Subscribes to the desk's decision changes (any thread) and re-reads, coalesced.

    The class using it declares ``changed = Signal(object)`` (signals live on QObjects).
    """

    def _start_live(self: Any, desk: DeskService) -> None:
        self._pending_refresh = False
        self.changed.connect(self._on_change)
        self._unsubscribe = desk.subscribe(self._from_any_thread)
        self._coalesce = QTimer(self)
        self._coalesce.setSingleShot(True)
        self._coalesce.setInterval(COALESCE_MS)
        self._coalesce.timeout.connect(self.refresh)
        self._poll = QTimer(self)
        self._poll.setInterval(REFRESH_MS)
        self._poll.timeout.connect(self.refresh)
        self.destroyed.connect(lambda *_a, u=self._unsubscribe: u())

    def _from_any_thread(self: Any, decision: Decision) -> None:
        if not is_valid(self):
            return
        if threading.current_thread() is threading.main_thread():
            self._on_change(decision)
        else:
            self.changed.emit(decision)

    def schedule_refresh(self: Any) -> None:
        if is_valid(self) and not self._coalesce.isActive():
            self._coalesce.start()
