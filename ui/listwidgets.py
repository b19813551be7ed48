"""The desk window's list widgets: the inventory table view and the list of several matches."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ui.qt import (
    QAbstractItemView,
    QHeaderView,
    QListWidget,
    Qt,
    QTableView,
    QTimer,
    QWidget,
    Signal,
)

# After the list's first paint (Qt's own), its page painter is made this much later: the
# window is up by then, and no operator scans within it.
ARM_PAINTER_MS = 200


@dataclass(slots=True)
class Feedback:
    """The last scan or decision feedback, as shown (tests read it)."""

    kind: str       # icon/sound name: found, multiple, not_found, invalid, repeated, applied, failed, queued
    text: str


class MatchList(QListWidget):
    chosen = Signal(str)

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            item = self.currentItem()
            if item is not None:
                self.chosen.emit(str(item.data(Qt.ItemDataRole.UserRole)))
            event.accept()
            return
        super().keyPressEvent(event)


class ListHeader(QHeaderView):
    """The list's column header: it paints nothing that depends on the selection (section
    highlighting is off), so a selection change does not repaint it. Qt's item views
    repaint the part of the header a selection covers, and a row selected in this list
    covers every column: each scan repainted the whole header (~0.6 ms)."""

    def selectionChanged(self, selected: Any, deselected: Any) -> None:
        if self.highlightSections():
            super().selectionChanged(selected, deselected)


class InventoryView(QTableView):
    """The list: fixed row heights (no per-row measuring); a header click sorts in SQL;
    its rows painted in one Python call per repaint once :meth:`arm_painter` ran
    (``ui.list_paint``).

    The view sits on the paged model directly: sorting and filtering are the store's SQL
    (``RowQuery``), and a ``QSortFilterProxyModel`` in between only passed rows through while
    doubling the cost of every painted cell (each cell it maps calls the Python model's
    ``rowCount``/``columnCount`` again: a full repaint took 30 ms with it, 15 without).
    """

    #: The list's first paint: the window is on screen (``ui.main`` connects after it).
    first_painted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._painted = False
        self.setObjectName("inventoryView")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        vertical = self.verticalHeader()
        vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vertical.setDefaultSectionSize(self.fontMetrics().height() + 8)
        vertical.setVisible(False)
        header = ListHeader(Qt.Orientation.Horizontal, self)
        self.setHorizontalHeader(header)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionsClickable(True)  # a click sorts (as the header QTableView makes)
        header.setHighlightSections(False)
        header.setStretchLastSection(True)
        header.setSortIndicatorShown(True)
        self.page_painter: Any = None
        self._arming = False
        # Made here, not when it is started: a child added to the shown view re-polished it,
        # which painted the whole list a second time.
        self._arm_timer = QTimer(self)
        self._arm_timer.setSingleShot(True)
        self._arm_timer.setInterval(ARM_PAINTER_MS)
        self._arm_timer.timeout.connect(self.arm_painter)

    def arm_painter(self) -> None:
        """Paint the rows with :class:`ui.list_paint.PagePainter` from now on. Called once
        the window is up: until then Qt's own painting draws the list (the painter's Qt
        types cost start-up ~10-15 ms to make)."""
        if self.page_painter is None:
            from ui.list_paint import PagePainter

            self.page_painter = PagePainter(self)

    def showEvent(self, event: Any) -> None:
        super().showEvent(event)
        if not self._arming:
            self._arming = True  # once the window is up and idle
            self._arm_timer.start()

    def paintEvent(self, event: Any) -> None:
        model = self.model()
        if (self.page_painter is None or not hasattr(model, "cell_text")
                or not self.page_painter.can_paint()):
            super().paintEvent(event)
        else:
            self.page_painter.paint(event.rect(), model)
        if not self._painted:
            self._painted = True
            self.first_painted.emit()

    def set_column_widths(self, widths: dict[int, int]) -> None:
        """The starting column widths, set while the view is still hidden.

        Each width set normally reaches ``QTableView.columnResized``, which starts a timer
        that repaints the viewport when it fires. Set before the window is shown, that timer
        fired only after the first paint and painted the whole list a second time during
        start-up (about 20 ms at 200,000 items). The header's signals are blocked here: the
        view is not shown yet, and it lays itself out when it is.
        """
        header = self.horizontalHeader()
        blocked = header.blockSignals(not self.isVisible())
        try:
            for column, width in widths.items():
                header.resizeSection(column, width)
        finally:
            header.blockSignals(blocked)
