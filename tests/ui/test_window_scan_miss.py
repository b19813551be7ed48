"""A scan that names no parcel the desk can show leaves no other parcel on screen: the
previous item is deselected and its details and handling list cleared, so a decision made
"for the parcel in hand" can never land on the one scanned before it."""

from __future__ import annotations

from typing import Any

from tests.ui.conftest import FakeClock
from tests.ui.test_window import allowed_rh_record, selected_key, type_scan
from ui.qt import QApplication, Qt, load_qtest


def click_row(window: Any, row: int) -> None:
    """A mouse click on a row of the list, as the operator makes it."""
    rect = window.view.visualRect(window.model.index(row, 1))
    load_qtest().mouseClick(window.view.viewport(), Qt.MouseButton.LeftButton,
                            Qt.KeyboardModifier.NoModifier, rect.center())
    QApplication.processEvents()


def shows_item(window: Any, key: str) -> bool:
    return (window.current_key == key and selected_key(window) == key
            and window.detail.record is not None and window.detail.record.key == key
            and window.handling.combo.isEnabled())


def shows_nothing(window: Any) -> bool:
    return (window.current_key is None and not window.view.selectionModel().hasSelection()
            and window.detail.record is None and not window.handling.combo.isEnabled()
            and not window.handling.apply_button.isEnabled())


def test_a_label_that_matches_nothing_clears_the_item_shown_before(
        window: Any, clock: FakeClock) -> None:
    record = allowed_rh_record(window)
    type_scan(window.scan_field, record.rma or "", clock)
    assert shows_item(window, record.key)
    type_scan(window.scan_field, "NO-SUCH-LABEL-77", clock)
    assert window.last_feedback.kind == "not_found"
    assert shows_nothing(window)
    assert window.scan_field.hasFocus()  # ready for the next scan
    type_scan(window.scan_field, record.rma or "", clock)  # scanned again: shown again
    assert shows_item(window, record.key)


def test_a_misread_label_clears_the_item_shown_before_an_empty_one_does_not(
        window: Any, clock: FakeClock) -> None:
    record = allowed_rh_record(window)
    type_scan(window.scan_field, record.rma or "", clock)
    assert shows_item(window, record.key)
    window.scan_field.submit("\u0007\r")  # only control characters (a scanner's noise): empty
    assert window.last_feedback.kind == "invalid"
    assert shows_item(window, record.key)  # names no parcel: the one shown stays
    window.scan_field.submit("\u0007##")  # a misread: some parcel's label, unreadable
    assert window.last_feedback.kind == "invalid"
    assert shows_nothing(window)


def test_the_item_cleared_by_a_miss_shows_again_when_its_row_is_clicked(
        window: Any, clock: FakeClock) -> None:
    """The cleared item's row is not "current" any more: a click on it shows it again (Qt
    reports no change when the row clicked is still its current one)."""
    record = allowed_rh_record(window)
    type_scan(window.scan_field, record.rma or "", clock)
    assert shows_item(window, record.key)
    row = window.model.position_of(record.key)
    type_scan(window.scan_field, "NO-SUCH-LABEL-78", clock)
    assert shows_nothing(window)
    assert not window.view.currentIndex().isValid()
    click_row(window, row)
    assert shows_item(window, record.key)


def test_a_row_left_current_by_an_item_outside_the_list_shows_when_clicked(
        window: Any, clock: FakeClock, qtbot: Any) -> None:
    """An item found outside the list (another warehouse than the filter's) is shown with no
    row selected; a click on the row that was selected before shows that row's item."""
    record = allowed_rh_record(window)
    combo = window.warehouse_combo
    qtbot.waitUntil(lambda: combo.findData(record.warehouse) >= 0)
    combo.setCurrentIndex(combo.findData(record.warehouse))  # only the item's warehouse
    other = next(r for r in (window.store.get(row.key) for row in window.store.rows(
        window.model.query.__class__(filter=window.model.query.filter), 0, 300))
        if r is not None and r.warehouse != record.warehouse and r.rma
        and len({m.key for m in window.store.lookup(r.rma)}) == 1)
    type_scan(window.scan_field, record.rma or "", clock)
    assert shows_item(window, record.key)
    row = window.model.position_of(record.key)
    type_scan(window.scan_field, other.rma or "", clock)  # found, not in this list
    assert window.current_key == other.key and not window.view.currentIndex().isValid()
    click_row(window, row)
    assert shows_item(window, record.key)
