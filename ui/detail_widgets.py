"""Small widgets of the detail panel: a copyable value label, a read-only table that reuses
its cells, and the enlarged-image dialog."""

from __future__ import annotations

from ui.i18n import make_tr
from ui.qt import (
    QAbstractItemView,
    QAction,
    QDialog,
    QGuiApplication,
    QHeaderView,
    QLabel,
    QPixmap,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

tr = make_tr("DetailPanel")  # the same translation context as the panel


def copyable(label: QLabel) -> QLabel:
    """A wrapped label whose text is copied from its context menu ("Copy").

    Not mouse-selectable on purpose: a selectable QLabel lays its text out through a
    QTextDocument, and the detail panel's eleven of them re-laid out on every scan cost
    about 4 ms of the scan's repaint. Right-click, Copy copies the whole value."""
    action = QAction(tr("Copy"), label)
    action.triggered.connect(lambda _checked=False: QGuiApplication.clipboard().setText(label.text()))
    label.addAction(action)
    label.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    return label


class ReadOnlyTable(QTableWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.verticalHeader().setVisible(False)
        self.horizontalHeader().setStretchLastSection(True)
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.setWordWrap(False)
        self.setAlternatingRowColors(True)
        self._headers: list[str] = []
        # The sideways scroll bar comes and goes with the columns' widths, which are known
        # only once the table is laid out: the height is fitted again when it does.
        self.horizontalScrollBar().rangeChanged.connect(self._sideways_range_changed)

    def fill(self, headers: list[str], rows: list[list[str]]) -> None:
        """Show ``rows``, reusing the header and the cells already there (a scan refills
        these tables: re-creating headers and items cost more than the rest of the scan)."""
        if headers != self._headers:
            self.setColumnCount(len(headers))
            self.setHorizontalHeaderLabels(headers)
            self._headers = list(headers)
        if self.rowCount() != len(rows):
            self.setRowCount(len(rows))
        for r, values in enumerate(rows):
            for c in range(len(headers)):
                value = values[c] if c < len(values) else ""
                item = self.item(r, c)
                if item is None:
                    self.setItem(r, c, QTableWidgetItem(value))
                elif item.text() != value:
                    item.setText(value)
        self.fit_height()

    def fit_height(self) -> None:
        rows = self.rowCount()
        height = self.horizontalHeader().height() + 6
        height += sum(self.rowHeight(r) for r in range(rows)) if rows else 24
        height += self._sideways_bar_height()
        low, high = min(height, 320), max(min(height, 320), 40)
        if (self.minimumHeight(), self.maximumHeight()) != (low, high):
            self.setMinimumHeight(low)
            self.setMaximumHeight(high)

    def _sideways_range_changed(self, _low: int, _high: int) -> None:
        self.fit_height()

    def _sideways_bar_height(self) -> int:
        """The height the horizontal scroll bar takes: as soon as the columns are wider
        than the table, not only once Qt has shown it (else it covers the last row)."""
        bar = self.horizontalScrollBar()
        policy = self.horizontalScrollBarPolicy()
        shown = policy == Qt.ScrollBarPolicy.ScrollBarAlwaysOn or (
            policy == Qt.ScrollBarPolicy.ScrollBarAsNeeded and bar.maximum() > bar.minimum())
        return bar.sizeHint().height() if shown else 0


class ImageDialog(QDialog):
    def __init__(self, parent: QWidget | None, title: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAccessibleName(tr("Enlarged image"))
        layout = QVBoxLayout(self)
        self.label = QLabel(tr("Loading image..."), self)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setAccessibleName(tr("Enlarged image"))
        self.label.setMinimumSize(320, 240)
        layout.addWidget(self.label)
        self.resize(720, 560)

    def set_image(self, data: bytes) -> None:
        pixmap = QPixmap()
        if not pixmap.loadFromData(data):
            self.label.setText(tr("This file is not an image Qt can show."))
            return
        self.label.setPixmap(pixmap.scaled(self.label.size() * 1.0, Qt.AspectRatioMode.KeepAspectRatio,
                                           Qt.TransformationMode.SmoothTransformation))

    def set_error(self, message: str) -> None:
        self.label.setText(tr("The image could not be loaded: {error}").format(error=message))
