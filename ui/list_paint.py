"""The inventory list paints its visible rows in one Python call per repaint.

Qt's own way paints a table cell by cell: for each of the ~240 cells a page shows, the
delegate asks the model for its roles (one crossing into Python per cell) and the style lays
the text out with a ``QTextLayout`` of its own (Qt's ``QCommonStyle`` text path). After a
scan jumps the list to another page, that repaint was the largest part of the scan: p50
9-12 ms, of which Qt alone needed 5.5-7.5 ms even over a C++ model.

:class:`PagePainter` draws the same picture in one pass: the style's row background
(alternate rows, selection) once per row, each cell's text with ``QPainter.drawText`` (the
same font, margins, alignment and eliding as Qt's delegate), the state icon of the "Update"
column, the grid, and the keyboard focus frame. It reads each cell's text from the model
directly (:class:`PaintedModel`), not through roles. What it does not draw, Qt never drew
for this list either: editors, check boxes, spans, word wrap, a drop indicator.

The first paints of the window are Qt's own: the painter is made once the window is up
(:meth:`InventoryView.arm_painter <ui.listwidgets.InventoryView.arm_painter>`), because
making ``QStyle``'s Python type and enums costs ~10-15 ms that start-up never needs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from ui.qt import (
    QAbstractItemView,
    QColor,
    QCursor,
    QFontMetrics,
    QFontMetricsF,
    QIcon,
    QModelIndex,
    QPainter,
    QPalette,
    QPen,
    QPointF,
    QRect,
    QStyle,
    QStyleOptionFocusRect,
    QStyleOptionViewItem,
    Qt,
)

MAX_ELIDED = 20_000  # remembered (text, width) -> shown text; cleared when full


class PaintedModel(Protocol):
    """What :class:`PagePainter` reads from the list's model, besides rowCount."""

    right_columns: frozenset[int]   # right-aligned columns (numbers)
    icon_column: int                # the column whose cells may carry an icon

    def cell_text(self, row: int, column: int) -> str | None: ...
    def row_cells(self, row: int, columns: Sequence[int]) -> Sequence[str | None] | None: ...
    def row_icon(self, row: int) -> QIcon | None: ...
    def rowCount(self, parent: Any = ...) -> int: ...
    def columnCount(self, parent: Any = ...) -> int: ...


class PagePainter:
    """Paints the visible part of a ``QTableView`` over a :class:`PaintedModel`."""

    def __init__(self, view: Any) -> None:
        self.view = view
        self._elided: dict[tuple[str, int], str] = {}
        # (text, width) -> [shown text, its advance in pixels (fractional, as Qt places it)]
        # Tuples, not lists: a tuple of a string and a number leaves the garbage collector's
        # watch, and 20,000 lists here made each full collection ~6 ms longer (a scan stalls
        # behind one).
        self._placed: dict[tuple[str, int], tuple[str, float]] = {}
        self._font_key = ""
        self._option = QStyleOptionViewItem()
        self._left = int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
                         | Qt.TextFlag.TextSingleLine)
        self._right = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                          | Qt.TextFlag.TextSingleLine)
        self._row_panel = QStyle.PrimitiveElement.PE_PanelItemViewRow
        self._item_panel = QStyle.PrimitiveElement.PE_PanelItemViewItem
        self._focus_frame = QStyle.PrimitiveElement.PE_FrameFocusRect
        self._alternate = QStyleOptionViewItem.ViewItemFeature.Alternate
        self._plain = QStyleOptionViewItem.ViewItemFeature.None_
        self._selected = QStyle.StateFlag.State_Selected
        self._only_one = QStyleOptionViewItem.ViewItemPosition.OnlyOne
        self.paints = 0  # repaints done here (tests)

    # -- what is painted ----------------------------------------------------------------
    def visible_rows(self, top: int, bottom: int, rows: int) -> range:
        view = self.view
        first = view.rowAt(top)
        if first < 0:
            return range(0)
        last = view.rowAt(bottom)
        return range(first, (rows - 1 if last < 0 else last) + 1)

    def visible_columns(self, left: int, right: int) -> list[tuple[int, int, int]]:
        """(logical column, x, width) of the columns the area [left, right] crosses, in the
        order they are shown."""
        header = self.view.horizontalHeader()
        count = header.count()
        first = header.visualIndexAt(left)
        last = header.visualIndexAt(right)
        if first < 0:
            first = 0 if left < header.sectionViewportPosition(header.logicalIndex(0)) else count
        if last < 0:
            last = count - 1
        shown = []
        for visual in range(first, last + 1):
            column = header.logicalIndex(visual)
            if column < 0 or header.isSectionHidden(column):
                continue
            shown.append((column, header.sectionViewportPosition(column),
                          header.sectionSize(column)))
        return shown

    def shown_text(self, metrics: QFontMetrics, text: str, width: int) -> str:
        """``text`` as it fits ``width`` pixels: cut with "…" where it does not (as Qt's
        delegate elides), remembered per text and width (most cells repeat: a source, a
        status, a warehouse)."""
        key = (text, width)
        shown = self._elided.get(key)
        if shown is None:
            if len(self._elided) >= MAX_ELIDED:
                self._elided.clear()
            shown = self._elided[key] = metrics.elidedText(
                text, Qt.TextElideMode.ElideRight, max(0, width))
        return shown

    def _fit(self, metrics: QFontMetrics, text: str, width: int) -> tuple[str, float]:
        """(:meth:`shown_text`, its advance in pixels or -1 until a right-aligned cell needs
        it), remembered per text and width. Most texts fit: measuring one (~2 µs) says so,
        and only a text that does not fit is cut (``elidedText``, ~11 µs, which measures it
        again); Qt cuts a text exactly when its advance is over the width."""
        if len(self._placed) >= MAX_ELIDED:
            self._placed.clear()
        advance = self._metrics_f.horizontalAdvance(text)
        fitted = ((text, advance) if advance <= width
                  else (self.shown_text(metrics, text, width), -1.0))
        self._placed[(text, width)] = fitted
        return fitted

    # -- painting ------------------------------------------------------------------------
    def can_paint(self) -> bool:
        """Whether this painter draws the view as it is set up now: whole rows selected, and
        a solid grid or none. Selected single cells, and a dashed or dotted grid (Qt starts
        the pattern again in every cell), are left to Qt's own painting."""
        view = self.view
        return (view.selectionBehavior() == QAbstractItemView.SelectionBehavior.SelectRows
                and (not view.showGrid() or view.gridStyle() == Qt.PenStyle.SolidLine))

    def paint(self, area: QRect, model: PaintedModel) -> None:
        view = self.view
        rows = self.visible_rows(area.top(), area.bottom(), model.rowCount())
        columns = self.visible_columns(area.left(), area.right())
        if not rows or not columns:
            return
        self.paints += 1
        font = view.font()
        if font.key() != self._font_key:  # another font: other widths
            self._font_key = font.key()
            self._elided.clear()
            self._placed.clear()
        metrics = QFontMetrics(font)
        self._metrics_f = QFontMetricsF(font)
        style = view.style()
        option = self._option
        view.initViewItemOption(option)
        option.viewItemPosition = self._only_one
        palette = option.palette
        base_state = option.state
        group = (QPalette.ColorGroup.Active if base_state & QStyle.StateFlag.State_Active
                 else QPalette.ColorGroup.Inactive)
        if not base_state & QStyle.StateFlag.State_Enabled:
            group = QPalette.ColorGroup.Disabled
        text_pen = QPen(palette.color(group, QPalette.ColorRole.Text))
        selected_pen = QPen(palette.color(group, QPalette.ColorRole.HighlightedText))
        margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1
        grid = 1 if view.showGrid() else 0
        icon_size = option.decorationSize
        icon_mode = QIcon.Mode.Disabled if group == QPalette.ColorGroup.Disabled else QIcon.Mode.Normal
        alternating = view.alternatingRowColors()
        selection = view.selectionModel()
        no_parent = QModelIndex()
        whole_rows = self._selected_rows(selection, model)
        left = columns[0][1]
        right = columns[-1][1] + columns[-1][2]
        right_columns, icon_column = model.right_columns, model.icon_column
        vertical = view.verticalHeader()
        text_height = metrics.height()
        hover = self._hovered(rows)
        focus = self._focused(rows)
        row_lines: list[int] = []  # the y of each row's grid line
        logical = [column for column, _x, _w in columns]
        row_cells = model.row_cells
        no_cells: list[str | None] = [None] * (max(logical) + 1)
        placed = self._placed
        ascent = self._metrics_f.ascent()

        row_rect = QRect()
        painter = QPainter(view.viewport())
        try:
            painter.setFont(font)
            draw_text = painter.drawText
            for row in rows:
                y = vertical.sectionViewportPosition(row)
                height = vertical.sectionSize(row) - grid
                if whole_rows is None:
                    selected = selection is not None and selection.isRowSelected(row, no_parent)
                else:
                    selected = any(first <= row <= final for first, final in whole_rows)
                row_rect.setRect(left, y, right - left - grid, height)
                option.rect = row_rect  # copied: one QRect for every row
                option.features = self._alternate if alternating and row % 2 else self._plain
                option.state = base_state | self._selected if selected else base_state
                style.drawPrimitive(self._row_panel, option, painter, view)
                if selected:
                    style.drawPrimitive(self._item_panel, option, painter, view)
                if hover is not None and hover[0] == row:
                    self._paint_hover(painter, option, columns, hover[1], y, height, grid)
                painter.setPen(selected_pen if selected else text_pen)
                # Qt's delegate places a line of text at a whole pixel: centred, rounded down
                top = y + (height - text_height) // 2
                baseline = top + ascent
                whole_baseline = round(baseline)
                cells = row_cells(row, logical) or no_cells
                for column, x, width in columns:
                    text = cells[column]
                    start = x + margin
                    if column == icon_column:
                        row_icon = model.row_icon(row)
                        if row_icon is not None and not row_icon.isNull():
                            icon_top = y + (height - icon_size.height()) // 2
                            row_icon.paint(painter, QRect(start, icon_top, icon_size.width(),
                                                          icon_size.height()),
                                           Qt.AlignmentFlag.AlignCenter,
                                           QIcon.Mode.Selected if selected else icon_mode)
                            start += icon_size.width() + 2 * margin
                    if not text:
                        continue
                    space = x + width - grid - margin - start
                    fitted = placed.get((text, space))
                    if fitted is None:
                        fitted = self._fit(metrics, text, space)
                    # At the baseline, as Qt's layout puts a single line (whole pixels left
                    # aligned: the raster engine rounds the baseline the same): the text engine
                    # then only shapes it (a rectangle and alignment flags also lay it out).
                    if column in right_columns:
                        advance = fitted[1]
                        if advance < 0:  # measured once, for right alignment only
                            advance = self._metrics_f.horizontalAdvance(fitted[0])
                            placed[(text, space)] = (fitted[0], advance)
                        draw_text(QPointF(start + space - advance, baseline), fitted[0])
                    else:
                        draw_text(start, whole_baseline, fitted[0])
                if focus is not None and focus[0] == row:
                    self._paint_focus(painter, option, columns, focus[1], y, height, grid,
                                      selected, group)
                if grid:
                    row_lines.append(y + height)
            if grid:
                top = vertical.sectionViewportPosition(rows[0])
                last = rows[-1]
                bottom = vertical.sectionViewportPosition(last) + vertical.sectionSize(last) - 1
                # the colour and line style QTableView draws its grid with
                hint = style.styleHint(QStyle.StyleHint.SH_Table_GridLineColor, option, view)
                color = QColor.fromRgba(hint & 0xFFFFFFFF)
                # A solid grid (the only one painted here: see can_paint()) as one-pixel
                # rectangles: the same pixels as 1-pixel lines, filled ~4x faster.
                for line_y in row_lines:
                    painter.fillRect(left, line_y, right - left, 1, color)
                for _c, x, width in columns:
                    painter.fillRect(x + width - 1, top, 1, bottom - top + 1, color)
        finally:
            painter.end()

    @staticmethod
    def _selected_rows(selection: Any, model: PaintedModel) -> list[tuple[int, int]] | None:
        """The selected rows as (first, last) ranges, read once per repaint: asking
        ``isRowSelected`` for each painted row also asked the Python model for its column
        count each time. None when a range does not cover whole rows (then each row is
        asked as Qt asks it)."""
        if selection is None:
            return []
        last_column = model.columnCount() - 1
        ranges = []
        selected = selection.selection()  # held: its ranges point into it
        for number in range(selected.count()):
            part = selected.at(number)
            if part.parent().isValid() or part.left() > 0 or part.right() < last_column:
                return None
            ranges.append((part.top(), part.bottom()))
        return ranges

    def _hovered(self, rows: range) -> tuple[int, int] | None:
        """(row, column) of the cell under the mouse, when the style shows hovering."""
        view = self.view
        viewport = view.viewport()
        if not viewport.underMouse():
            return None
        index = view.indexAt(viewport.mapFromGlobal(QCursor.pos()))
        return (index.row(), index.column()) if index.isValid() and index.row() in rows else None

    def _focused(self, rows: range) -> tuple[int, int] | None:
        """(row, column) of the current cell while the list has the keyboard focus (F6): Qt
        frames it, so the keyboard's place is not told by the selection's colour alone."""
        view = self.view
        current = view.currentIndex()
        if not (view.hasFocus() or view.viewport().hasFocus()) or not current.isValid():
            return None
        return (current.row(), current.column()) if current.row() in rows else None

    def _cell_rect(self, columns: list[tuple[int, int, int]], column: int, y: int,
                   height: int, grid: int) -> QRect | None:
        for logical, x, width in columns:
            if logical == column:
                return QRect(x, y, width - grid, height)
        return None

    def _paint_hover(self, painter: QPainter, option: QStyleOptionViewItem,
                     columns: list[tuple[int, int, int]], column: int, y: int, height: int,
                     grid: int) -> None:
        rect = self._cell_rect(columns, column, y, height, grid)
        if rect is None:
            return
        saved_rect, saved_state = QRect(option.rect), option.state
        option.rect = rect
        option.state = saved_state | QStyle.StateFlag.State_MouseOver
        self.view.style().drawPrimitive(self._item_panel, option, painter, self.view)
        option.rect, option.state = saved_rect, saved_state

    def _paint_focus(self, painter: QPainter, option: QStyleOptionViewItem,
                     columns: list[tuple[int, int, int]], column: int, y: int, height: int,
                     grid: int, selected: bool, group: Any) -> None:
        rect = self._cell_rect(columns, column, y, height, grid)
        if rect is None:
            return
        frame = QStyleOptionFocusRect()
        frame.initFrom(self.view)
        frame.rect = rect
        frame.palette = option.palette
        frame.state = (option.state | QStyle.StateFlag.State_HasFocus
                       | QStyle.StateFlag.State_KeyboardFocusChange | QStyle.StateFlag.State_Item)
        frame.backgroundColor = option.palette.color(
            group, QPalette.ColorRole.Highlight if selected else QPalette.ColorRole.Window)
        self.view.style().drawPrimitive(self._focus_frame, frame, painter, self.view)
