"""The list's own painter (ui.list_paint) draws exactly what Qt's delegate draws, faster.

Each case renders the same view twice, once through Qt's own item painting and once through
``PagePainter``, and compares the pictures pixel by pixel: selection, the keyboard focus
frame, alternate rows, the grid, decision-state icons, right-aligned numbers, text cut with
"…", a hidden column, a list scrolled sideways so a column is cut at the edge.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import ui.qt  # first (see ui.qt)
from app.model import Decision, DecisionAction, DecisionState, utcnow
from app.store import RowFilter, RowQuery, Store
from ui.inventory import Column, InventoryModel
from ui.listwidgets import InventoryView
from ui.qt import (
    QAbstractItemView,
    QApplication,
    QCursor,
    QImage,
    QLineEdit,
    Qt,
    QVBoxLayout,
    QWidget,
)

_ = ui.qt


def make_view(qtbot: Any, store: Store) -> tuple[InventoryView, InventoryModel]:
    model = InventoryModel(store)
    model.set_query(RowQuery(filter=RowFilter.ALL))
    box = QWidget()
    qtbot.addWidget(box)
    layout = QVBoxLayout(box)
    box.field = QLineEdit(box)  # type: ignore[attr-defined]  # somewhere else for the focus
    layout.addWidget(box.field)  # type: ignore[attr-defined]
    view = InventoryView(box)
    view.box = box  # type: ignore[attr-defined]  # the test holds the view: keep its window
    layout.addWidget(view)
    view.setModel(model)
    box.resize(900, 460)
    box.show()
    qtbot.waitExposed(box)
    view.setFocus()
    qtbot.waitUntil(view.hasFocus)
    return view, model


def picture(view: InventoryView, own: bool) -> QImage:
    painter = view.page_painter
    if not own:
        view.page_painter = None
        view._arming = True  # no arming in between: this picture is Qt's
    try:
        view.viewport().update()
        QApplication.processEvents()
        return view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    finally:
        view.page_painter = painter


def assert_same_picture(view: InventoryView, tmp_path: Path, name: str) -> None:
    view.arm_painter()
    painted_before = view.page_painter.paints
    ours = picture(view, own=True)
    assert view.page_painter.paints > painted_before, "the page painter did not paint"
    qts = picture(view, own=False)
    assert ours.size() == qts.size()
    if ours != qts:
        differing = sum(ours.pixel(x, y) != qts.pixel(x, y)
                        for y in range(ours.height()) for x in range(ours.width()))
        ours.save(str(tmp_path / f"{name}-ours.png"))
        qts.save(str(tmp_path / f"{name}-qt.png"))
        raise AssertionError(f"{name}: {differing} pixels differ from Qt's own painting "
                             f"(pictures in {tmp_path})")


def note(model: InventoryModel, row: int, state: DecisionState) -> None:
    key = model.key_at(row)
    assert key is not None
    model.note_decision(Decision(
        id=row, key=key, action=DecisionAction.UPDATE, new_handling="rst", old_handling="tbc",
        operator="o", desk="d", created_at=utcnow(), idempotency_key=f"k{row}", state=state))


def test_the_top_of_the_list_with_selection_focus_and_state_icons(
        qtbot: Any, store: Store, tmp_path: Path) -> None:
    view, model = make_view(qtbot, store)
    for row, state in ((1, DecisionState.QUEUED), (2, DecisionState.SENDING),
                       (3, DecisionState.APPLIED), (4, DecisionState.FAILED)):
        note(model, row, state)
    for column in Column:  # every column in sight, the decision states' icons too
        view.setColumnWidth(int(column), 60)
    view.setCurrentIndex(model.index(3, int(Column.RMA)))
    view.arm_painter()
    assert view.page_painter._focused(range(0, 20)) == (3, int(Column.RMA))
    assert model.row_icon(3) is not None and model.cell_text(3, int(Column.UPDATE))
    assert_same_picture(view, tmp_path, "top")


def test_scrolled_sideways_with_cut_text_and_a_hidden_column(
        qtbot: Any, store: Store, tmp_path: Path) -> None:
    view, model = make_view(qtbot, store)
    view.setColumnWidth(int(Column.RMA), 48)           # RMAs cut with "…"
    view.setColumnWidth(int(Column.DESCRIPTION), 61)
    view.setColumnHidden(int(Column.SOURCE), True)
    view.scrollTo(model.index(model.rowCount() // 2, int(Column.STATUS)),
                  QAbstractItemView.ScrollHint.PositionAtCenter)
    view.horizontalScrollBar().setValue(37)            # the first column cut at the left edge
    view.selectRow(model.rowCount() // 2)
    shown = model.cell_text(model.rowCount() // 2, int(Column.RMA)) or ""
    view.arm_painter()
    metrics = view.fontMetrics()
    assert view.page_painter.shown_text(metrics, shown, 48 - 6).endswith("…")
    assert_same_picture(view, tmp_path, "sideways")


def test_line_breaks_and_tabs_in_a_vendors_text_show_as_spaces(
        qtbot: Any, store: Store, tmp_path: Path) -> None:
    """A description with a line break, a tab or a line separator is one line in the list,
    painted as Qt paints it (the painter draws at the baseline, which draws control
    characters as missing-glyph boxes: the model gives every cell on one line)."""
    import dataclasses

    from tests.ui.conftest import fresh_records

    [odd] = fresh_records(store, 1)
    store.upsert(dataclasses.replace(odd, description="red lamp\nsecond line\tend\u2028x",
                                     rma="RMA\r\n7"))
    view, model = make_view(qtbot, store)
    row = model.position_of(odd.key)
    assert row is not None and row < 10  # the newest: in sight at the top
    assert model.cell_text(row, int(Column.DESCRIPTION)) == "red lamp second line end x"
    assert model.cell_text(row, int(Column.RMA)) == "RMA  7"
    assert model.index(row, int(Column.DESCRIPTION)).data() == "red lamp second line end x"
    view.setColumnWidth(int(Column.DESCRIPTION), 400)
    assert_same_picture(view, tmp_path, "one-line")


def test_what_the_painter_remembers_is_not_watched_by_the_garbage_collector(
        qtbot: Any, store: Store, tmp_path: Path) -> None:
    """Every text it measured stays in its cache (tens of thousands over a shift): as
    tuples of a string and a number, which a collection stops watching, a full collection
    does not walk them (as lists they made it ~6 ms longer, and a scan waited for it)."""
    import gc

    view, _model = make_view(qtbot, store)
    view.setColumnWidth(int(Column.RMA), 48)  # some cut texts too
    assert_same_picture(view, tmp_path, "cached")
    placed = view.page_painter._placed
    assert len(placed) > 20
    gc.collect()
    assert not any(gc.is_tracked(fitted) for fitted in placed.values())


def test_another_font_measures_and_cuts_the_texts_again(
        qtbot: Any, store: Store, tmp_path: Path) -> None:
    """What the painter remembers of a text (where it is cut, how wide it is) belongs to one
    font: after the font changes, cut and right-aligned texts are placed as Qt places them."""
    view, _model = make_view(qtbot, store)
    view.setColumnWidth(int(Column.RMA), 60)            # cut texts
    assert_same_picture(view, tmp_path, "font-before")
    font = view.font()
    font.setPointSizeF(font.pointSizeF() * 1.5)
    view.setFont(font)
    assert_same_picture(view, tmp_path, "font-after")


def test_a_list_without_the_focus_and_disabled(qtbot: Any, store: Store, tmp_path: Path) -> None:
    view, _model = make_view(qtbot, store)
    view.selectRow(5)
    view.parentWidget().field.setFocus()
    qtbot.waitUntil(lambda: not view.hasFocus())
    assert view.page_painter is None or view.page_painter._focused(range(0, 20)) is None
    assert_same_picture(view, tmp_path, "unfocused")
    view.setEnabled(False)
    assert_same_picture(view, tmp_path, "disabled")


def test_several_selected_rows_and_a_dashed_grid(qtbot: Any, store: Store, tmp_path: Path) -> None:
    """Selected rows are read once per repaint (partial ranges row by row); a grid that is
    not solid is left to Qt's own painting."""
    view, model = make_view(qtbot, store)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.selectRow(2)
    view.selectionModel().select(model.index(5, 0), view.selectionModel().SelectionFlag.Select
                                 | view.selectionModel().SelectionFlag.Rows)
    assert view.page_painter is None or view.page_painter._selected_rows(
        view.selectionModel(), model) == [(2, 2), (5, 5)]
    assert_same_picture(view, tmp_path, "two-rows")
    view.setGridStyle(Qt.PenStyle.DashLine)  # left to Qt: it starts the dashes in each cell
    painted = view.page_painter.paints
    view.viewport().repaint()
    assert view.page_painter.paints == painted and not view.page_painter.can_paint()
    view.setGridStyle(Qt.PenStyle.SolidLine)
    assert view.page_painter.can_paint()
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)  # cells: Qt's
    view.selectionModel().select(model.index(7, 1), view.selectionModel().SelectionFlag.Select)
    assert view.page_painter._selected_rows(view.selectionModel(), model) is None
    assert not view.page_painter.can_paint()


def test_the_cell_under_the_mouse_is_the_hovered_one(qtbot: Any, store: Store) -> None:
    """Hovering is drawn by the styles that show it (Windows'); Fusion draws nothing for it,
    so the pictures above cannot tell: the cell found under the mouse is checked here."""
    view, model = make_view(qtbot, store)
    view.arm_painter()
    viewport = view.viewport()
    rows = range(0, 20)
    viewport.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, False)
    assert view.page_painter._hovered(rows) is None
    target = view.visualRect(model.index(4, int(Column.SKU))).center()
    QCursor.setPos(viewport.mapToGlobal(target))
    viewport.setAttribute(Qt.WidgetAttribute.WA_UnderMouse, True)
    qtbot.waitUntil(lambda: view.page_painter._hovered(rows) == (4, int(Column.SKU)))
    assert view.page_painter._hovered(range(10, 20)) is None  # not a painted row


def test_cells_read_for_painting_are_the_models_data(qtbot: Any, store: Store) -> None:
    _view, model = make_view(qtbot, store)
    note(model, 0, DecisionState.FAILED)
    for row in range(0, 12):
        for column in Column:
            index = model.index(row, int(column))
            assert model.cell_text(row, int(column)) == index.data()
        decoration = model.index(row, int(Column.UPDATE)).data(Qt.ItemDataRole.DecorationRole)
        assert (model.row_icon(row) is None) == (decoration is None)


def test_the_window_paints_its_list_with_the_page_painter_once_it_is_up(
        qtbot: Any, window: Any) -> None:
    view = window.view
    qtbot.waitUntil(lambda: view.page_painter is not None)
    before = view.page_painter.paints
    model = window.model
    last = next(row for row in range(model.rowCount() - 1, 0, -1) if model.row_at(row).rma)
    window.scan_field.submit(model.row_at(last).rma)
    qtbot.waitUntil(lambda: window.current_key == model.row_at(last).key)
    qtbot.waitUntil(lambda: view.page_painter.paints > before)
