"""A scan that names no parcel the desk can show leaves no other parcel on screen: the
previous item is deselected and its details and handling list cleared, so a decision made
"for the parcel in hand" can never land on the one scanned before it."""

from __future__ import annotations

from typing import Any

from tests.ui.conftest import FakeClock
from tests.ui.test_window import allowed_rh_record, selected_key, type_scan


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
