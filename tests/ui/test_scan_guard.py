"""A scanner typing while the focus is not in the scan field (ui.scan_guard), in the real
window against the sandbox: the keys go where the platform sends them, to the focus widget."""

from __future__ import annotations

from typing import Any

import pytest

from app.model import IdKind, InventoryRecord
from tests.ui.conftest import FakeClock
from tests.ui.test_undo import decidable_records
from tests.ui.test_window import allowed_rh_record, type_scan, unique_identifiers
from ui.qt import QApplication, Qt, load_qtest

QTest = load_qtest()


def scanner_types(text: str, clock: FakeClock, end: Qt.Key = Qt.Key.Key_Return,
                  step_ms: float = 4.0) -> None:
    """A keyboard-wedge scanner: each key to whatever has the focus when it arrives."""
    for ch in text:
        clock.advance(step_ms)
        QTest.keyClicks(QApplication.focusWidget(), ch)
    clock.advance(step_ms)
    QTest.keyClick(QApplication.focusWidget(), end)


def other_item(window: Any, not_key: str) -> tuple[str, str]:
    """An RMA (or tracking number) of another item that matches only it: (value, key)."""
    for kind in (IdKind.RMA, IdKind.TRACKING):
        found = unique_identifiers(window).get(kind)
        if found and found[1] != not_key:
            return found
    raise AssertionError("no second item with a unique identifier")


def scanned_first(window: Any, clock: FakeClock) -> InventoryRecord:
    record = allowed_rh_record(window)
    type_scan(window.scan_field, record.rma or "", clock)
    assert window.handling.combo.hasFocus()  # the keyboard flow: focus in the dropdown
    return record


def test_a_scan_into_the_handling_dropdown_is_a_scan_not_a_decision(
        window: Any, clock: FakeClock) -> None:
    first = scanned_first(window, clock)
    value, key = other_item(window, first.key)
    scanner_types(value, clock)
    # Without the guard the letters picked a handling by keyboard search and the scanner's
    # Enter applied it to the first item.
    assert window.model.live_state(first.key) is None
    assert window.last_feedback is not None and window.last_feedback.kind == "found"
    assert window.current_key == key
    assert window.scan_guard.redirected == 1
    assert window.sounds.played.count("found") == 2
    assert window.handling.combo.hasFocus()  # the next item's dropdown, as after any scan


def test_a_scan_ended_by_tab_with_the_focus_in_the_list_finds_the_item(
        window: Any, clock: FakeClock) -> None:
    first = scanned_first(window, clock)
    value, key = other_item(window, first.key)
    window.view.setFocus()
    before = window.current_key
    scanner_types(value, clock, end=Qt.Key.Key_Tab)
    assert before == first.key and window.current_key == key
    assert window.scan_field.text() == ""
    assert window.scan_guard.redirected == 1


def test_a_scan_into_a_filter_box_leaves_the_filter_as_it_was(
        window: Any, clock: FakeClock) -> None:
    first = scanned_first(window, clock)
    value, key = other_item(window, first.key)
    combo = window.filter_combo
    combo.setFocus()
    index = combo.currentIndex()
    scanner_types(value, clock)
    assert combo.currentIndex() == index
    assert window.current_key == key


def test_a_scan_into_the_open_dropdown_closes_it_and_decides_nothing(
        window: Any, clock: FakeClock, qtbot: Any) -> None:
    first = scanned_first(window, clock)
    value, key = other_item(window, first.key)
    combo = window.handling.combo
    combo.showPopup()
    qtbot.waitUntil(lambda: combo.view().isVisible())
    scanner_types(value, clock)
    qtbot.waitUntil(lambda: not combo.view().isVisible())
    assert window.model.live_state(first.key) is None
    assert window.current_key == key


def test_keys_typed_by_a_person_reach_the_dropdown(window: Any, clock: FakeClock,
                                                  qtbot: Any) -> None:
    first = scanned_first(window, clock)
    combo = window.handling.combo
    codes = [o.code for o in window.desk.options(first) if o.allowed]
    wanted = next((c for c in codes if c[0] != combo.current_option().code[0]), None)
    assert wanted is not None, "needs two allowed codes with different first letters"
    clock.advance(150)
    QTest.keyClicks(combo, wanted[0])  # one key, nothing after it: delivered when no scan follows
    qtbot.waitUntil(lambda: combo.current_option().code[0] == wanted[0])
    assert window.scan_guard.redirected == 0 and window.scan_field.text() == ""


def test_dialogs_and_text_fields_are_left_alone(window: Any) -> None:
    from ui.qt import QDialog, QLineEdit, QPushButton

    dialog = QDialog(window)
    button = QPushButton(dialog)
    field = QLineEdit(window)
    try:
        guard = window.scan_guard
        assert not guard.guards(button)  # a dialog of the window: its own keys
        assert not guard.guards(field) and not guard.guards(window.scan_field)
        assert guard.guards(window.handling.apply_button) and guard.guards(window.view)
    finally:
        dialog.deleteLater()
        field.deleteLater()


def test_a_scan_into_the_settings_dialog_goes_to_the_window_not_the_field(
        window: Any, clock: FakeClock, qtbot: Any) -> None:
    first = scanned_first(window, clock)
    value, key = other_item(window, first.key)
    dialog = window.open_settings()
    qtbot.waitExposed(dialog)
    field = dialog.operator
    before = field.text()
    dialog.tabs.setCurrentIndex(1)  # "Desk": the operator's name
    dialog.activateWindow()
    field.setFocus()
    qtbot.waitUntil(field.hasFocus)
    scanner_types(value, clock)
    # Without the guard the label landed in the operator's name and the scanner's Enter
    # pressed the dialog's default button, saving it.
    assert dialog.isVisible() and field.text() == before
    assert window.current_key == key and window.scan_guard.redirected == 1
    assert window.sounds.played.count("found") == 2
    assert window.model.live_state(first.key) is None
    # A person typing there is not a scan: every key arrives, in order.
    for ch in "xyz":
        clock.advance(150)
        QTest.keyClicks(field, ch)
    qtbot.waitUntil(lambda: field.text() == before + "xyz")
    assert window.scan_guard.redirected == 1
    dialog.reject()


def test_a_scan_into_the_decision_log_leaves_its_day_and_brings_the_window_back(
        window: Any, clock: FakeClock, qtbot: Any) -> None:
    first = scanned_first(window, clock)
    value, key = other_item(window, first.key)
    dialog = window.decision_views.show_log()  # not modal: the day field has the focus
    qtbot.waitUntil(dialog.date_edit.hasFocus)
    day = dialog.date_edit.date()
    scanner_types(value, clock)
    assert dialog.date_edit.date() == day  # the label's digits did not type a date
    assert window.current_key == key and window.scan_guard.redirected == 1
    qtbot.waitUntil(window.isActiveWindow)
    dialog.close()


@pytest.mark.parametrize(("end", "suffix"), [
    (Qt.Key.Key_Tab, Qt.Key.Key_Return),  # a scanner set to send Tab, then Enter
    (Qt.Key.Key_Return, Qt.Key.Key_Return),  # CR, then LF
    (Qt.Key.Key_Tab, Qt.Key.Key_Enter),  # Tab, then keypad Enter
], ids=["tab-enter", "cr-lf", "tab-keypad-enter"])
def test_a_scanners_second_terminator_applies_nothing(
        window: Any, clock: FakeClock, end: Qt.Key, suffix: Qt.Key) -> None:
    record = allowed_rh_record(window)
    combo = window.handling.combo
    scanner_types(record.rma or "", clock, end=end)  # the scan ends at its first terminator
    assert window.current_key == record.key and combo.hasFocus()
    preselected = combo.current_option().code
    # Its second terminator, 4 ms later, reaches the dropdown: before, that applied the
    # preselected code (a scan ending in Tab, then Return 4 ms later, queued "ohd").
    clock.advance(4)
    modifiers = (Qt.KeyboardModifier.KeypadModifier if suffix == Qt.Key.Key_Enter
                 else Qt.KeyboardModifier.NoModifier)
    QTest.keyClick(QApplication.focusWidget(), suffix, modifiers)
    assert window.store.decisions_for(record.key) == []
    assert window.model.live_state(record.key) is None
    assert window.last_feedback.kind == "found"
    assert window.scan_guard.suffixes_swallowed == 1
    assert combo.hasFocus() and combo.current_option().code == preselected
    # The operator's own Enter, a moment later, applies what the dropdown shows.
    clock.advance(250)
    QTest.keyClick(combo, Qt.Key.Key_Return)
    assert window.last_feedback.kind == "queued"
    [decision] = window.store.decisions_for(record.key)
    assert decision.new_handling == preselected
    assert window.scan_field.hasFocus()


def test_the_suffix_window_follows_the_scanner_setting(window: Any, clock: FakeClock) -> None:
    """A slow scanner (a 150 ms threshold in Settings): its suffix comes later, and is still
    the scan's; below the floor the window is 100 ms, whatever the setting."""
    slow, fast = decidable_records(window, 2)
    combo = window.handling.combo
    window.scan_field.burst_threshold_ms = 150
    scanner_types(slow.rma or "", clock, end=Qt.Key.Key_Tab, step_ms=120)
    assert window.current_key == slow.key and combo.hasFocus()
    clock.advance(120)
    QTest.keyClick(combo, Qt.Key.Key_Return)
    assert window.store.decisions_for(slow.key) == []
    assert window.scan_guard.suffixes_swallowed == 1
    window.scan_field.burst_threshold_ms = 20
    window.focus_scan()
    scanner_types(fast.rma or "", clock, end=Qt.Key.Key_Tab)
    assert window.current_key == fast.key and combo.hasFocus()
    clock.advance(90)
    QTest.keyClick(combo, Qt.Key.Key_Return)
    assert window.store.decisions_for(fast.key) == []
    assert window.scan_guard.suffixes_swallowed == 2
