"""The detail panel's comparison of a WINIT return's declared (ordered) and received (put
away) goods: lines are paired by SKU, then barcode, then position, and every difference is
marked with a symbol, a word, bold text and an icon, never colour alone."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from app.model import InventoryRecord, LineKind, SkuLine, Source
from ui.detail import DetailPanel
from ui.tasks import TaskManager


def declared(sku: str | None, qty: int, barcode: str | None = None,
             weight: str = "1.5") -> SkuLine:
    return SkuLine(kind=LineKind.ESTIMATE, sku=sku, barcode=barcode, quantity=qty,
                   weight_kg=Decimal(weight))


def received(sku: str | None, qty: int, barcode: str | None = None,
             weight: str = "1.5") -> SkuLine:
    return SkuLine(kind=LineKind.ACTUAL, sku=sku, barcode=barcode, quantity=qty,
                   weight_kg=Decimal(weight))


def winit(*lines: SkuLine, key: str = "W-1") -> InventoryRecord:
    return InventoryRecord(key=key, source=Source.WINIT, winit_order_no=key, lines=lines)


@pytest.fixture
def panel(qtbot: Any, tasks: TaskManager) -> DetailPanel:
    shown = DetailPanel(tasks)
    qtbot.addWidget(shown)
    return shown


def table(panel: DetailPanel) -> list[tuple[str, str, str, str, str]]:
    """The comparison's rows (line, field, declared, received, difference), each row's
    marking checked: bold, a tooltip and the icon exactly on the rows marked ≠."""
    compare = panel.compare
    rows = []
    for row in range(compare.rowCount()):
        cells = [compare.item(row, c) for c in range(compare.columnCount())]
        differs = cells[4].text().startswith("≠")
        assert all(cell.font().bold() == differs for cell in cells), cells[1].text()
        assert all((cell.toolTip() != "") == differs for cell in cells), cells[1].text()
        assert (not cells[4].icon().isNull()) == differs, cells[1].text()
        line, field, a, b, word = (cell.text() for cell in cells)
        rows.append((line, field, a, b, word))
    return rows


def test_a_declared_line_not_yet_received_is_not_compared_with_the_next_sku(
        panel: DetailPanel) -> None:
    """SKU-A declared and not received, SKU-B received as declared: one difference (SKU-A
    not received), not SKU-A compared with SKU-B and SKU-B called missing (12 before)."""
    panel.show_record(winit(declared("SKU-A", 1, weight="0.4"), declared("SKU-B", 2),
                            received("SKU-B", 2)), [])
    rows = table(panel)
    line_a = [r for r in rows if r[0] == "1"]
    line_b = [r for r in rows if r[0] == "2"]
    assert [(f, a, b, w) for _n, f, a, b, w in line_a] == [
        ("SKU", "SKU-A", "—", "≠ not received"), ("Qty", "1", "—", "≠ not received"),
        ("Weight (kg)", "0.4", "—", "≠ not received")]
    assert line_b and all(w == "= same" and a == b for _n, _f, a, b, w in line_b)
    assert ("2", "SKU", "SKU-B", "SKU-B", "= same") in line_b
    assert "1 difference(s)" in panel.compare_note.text()


def test_lines_are_paired_by_sku_whatever_their_order(panel: DetailPanel) -> None:
    panel.show_record(winit(declared("SKU-A", 1), declared("SKU-B", 2),
                            received("SKU-B", 2), received("SKU-A", 1)), [])
    rows = table(panel)
    assert all(w == "= same" for *_r, w in rows)
    assert [r[2] for r in rows if r[1] == "SKU"] == ["SKU-A", "SKU-B"]  # in declared order
    assert "match" in panel.compare_note.text()


def test_a_received_line_nobody_declared_is_marked_and_counted_once(panel: DetailPanel) -> None:
    panel.show_record(winit(declared("SKU-A", 1), received("SKU-A", 3), received("SKU-C", 1)), [])
    rows = table(panel)
    assert ("1", "Qty", "1", "3", "≠ differs") in rows
    assert ("1", "Weight (kg)", "1.5", "1.5", "= same") in rows
    extra = [r for r in rows if r[0] == "2"]
    assert extra and all(a == "—" and w == "≠ not declared" for _n, _f, a, _b, w in extra)
    assert ("2", "SKU", "—", "SKU-C", "≠ not declared") in extra
    assert "2 difference(s)" in panel.compare_note.text()  # the quantity and SKU-C


def test_barcode_pairs_lines_the_skus_do_not_and_position_those_with_neither(
        panel: DetailPanel) -> None:
    panel.show_record(winit(declared(None, 1), declared("SKU-A", 2, barcode="690123"),
                            received("SKU-A1", 2, barcode="690123"), received(None, 4)), [])
    rows = table(panel)
    # same barcode: one line whose SKU differs
    assert ("2", "SKU", "SKU-A", "SKU-A1", "≠ differs") in rows
    assert ("2", "Qty", "2", "2", "= same") in rows
    # neither SKU nor barcode: paired by their order among such lines
    assert ("1", "Qty", "1", "4", "≠ differs") in rows
    assert not any("not" in r[4] for r in rows)
    assert "2 difference(s)" in panel.compare_note.text()


def test_the_same_sku_twice_pairs_first_with_first(panel: DetailPanel) -> None:
    panel.show_record(winit(declared("SKU-A", 1), declared("SKU-A", 2),
                            received("SKU-A", 1)), [])
    rows = table(panel)
    assert all(w == "= same" for n, _f, _a, _b, w in rows if n == "1")
    assert ("2", "Qty", "2", "—", "≠ not received") in rows


def test_the_status_history_shows_only_for_items_that_have_one_and_stays_put(
        panel: DetailPanel) -> None:
    """Items without a status history leave its box hidden, scan after scan: showing it for
    every item and hiding it again re-laid out the whole panel on most scans."""
    from datetime import UTC, datetime

    from app.model import StatusChange
    from ui.qt import QEvent, QObject

    class ShowHide(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.events: list[str] = []

        def eventFilter(self, watched: Any, event: Any) -> bool:
            if event.type() in (QEvent.Type.Show, QEvent.Type.Hide):
                self.events.append(event.type().name)
            return False

    panel.show()
    watch = ShowHide()
    panel.history_box.installEventFilter(watch)
    plain = [winit(declared(f"S{n}", 1), key=f"W-{n}") for n in range(3)]
    for record in plain:
        panel.show_record(record, [])
        assert panel.history_box.isHidden()
    assert watch.events == []  # never shown and hidden again
    with_history = InventoryRecord(
        key="W-9", source=Source.WINIT, winit_order_no="W-9",
        history=(StatusChange(at=datetime(2026, 11, 2, 9, 0, tzinfo=UTC), status="RE"),))
    panel.show_record(with_history, [])
    assert not panel.history_box.isHidden() and panel.history.rowCount() == 1
    panel.show_record(plain[0], [])
    assert panel.history_box.isHidden()
    assert watch.events == ["Show", "Hide"]


def test_values_stay_in_place_from_a_return_helper_item_to_a_winit_one(
        panel: DetailPanel) -> None:
    """Every caption is as wide as the longest one, whichever are shown: the values do not
    move sideways when the next item has other fields."""
    from ui.qt import QApplication

    panel.resize(700, 600)
    panel.show()
    rh = InventoryRecord(key="rh:7", source=Source.RETURN_HELPER, return_inventory_id=7,
                         rma="RMA-7", tracking_numbers=("1Z7",), description="Lamp")
    panel.show_record(rh, [])
    QApplication.processEvents()
    name, value = panel._summary_rows[0]
    assert name.text() == "Key:" and value.text() == "rh:7"
    x = value.mapTo(panel, value.rect().topLeft()).x()
    panel.show_record(winit(declared("S1", 1)), [])  # no "Return inventory id", the longest
    QApplication.processEvents()
    assert value.text() == "W-1"
    assert value.mapTo(panel, value.rect().topLeft()).x() == x


def test_every_goods_line_shows_without_scrolling_when_the_table_scrolls_sideways(
        panel: DetailPanel) -> None:
    """In a narrow panel the goods table scrolls sideways; its height still has room for
    every line and that scroll bar, so the last received line is not hidden behind it (it
    was: the scroll bar appeared only after the height was set, and took the last row's
    place)."""
    from ui.qt import QApplication

    panel.resize(420, 700)
    panel.show()
    lines = [declared("SKU-0303", 3, "691658587350"), declared("SKU-0495", 3, "691658274117"),
             received("SKU-0303", 0, "691658587350"), received("SKU-0495", 1, "691658274117")]
    for record in (winit(*lines), winit(*reversed(lines), key="W-2")):  # refilled too
        panel.show_record(record, [])
        QApplication.processEvents()
        goods = panel.lines
        assert goods.rowCount() == len(record.lines)
        assert goods.horizontalScrollBar().isVisible()  # the case under test
        assert goods.verticalScrollBar().maximum() == 0  # nothing to scroll to: all shown
        last = goods.visualRect(goods.model().index(goods.rowCount() - 1, 0))
        assert last.bottom() <= goods.viewport().height()  # the last line wholly visible


def test_the_handling_shows_with_its_description_from_the_catalog(tasks: TaskManager,
                                                                   qtbot: Any) -> None:
    """The item's current handling reads like the handling list: code and description, as
    the API's catalog names it; a code the catalog does not know is shown as sent."""
    names = {"tbc": "To be confirmed", "ohd": "Hold"}
    panel = DetailPanel(tasks, handling_names=lambda: names)
    qtbot.addWidget(panel)

    def shown(code: str | None) -> str | None:
        panel.show_record(InventoryRecord(key=f"rh:{code}", source=Source.RETURN_HELPER,
                                          return_inventory_id=1, handling_code=code), [])
        return dict((name.text(), value.text()) for name, value in panel._summary_rows
                    if not name.isHidden()).get("Handling:")

    assert shown("tbc") == "tbc — To be confirmed"
    assert shown("ohd") == "ohd — Hold"
    assert shown("zzz") == "zzz"  # new at the vendor: as sent, not guessed
    assert shown(None) is None  # no row for no handling
