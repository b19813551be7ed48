"""The code in the handling dropdown is the one applied, or nothing is: a refresh never puts
another code in its place unseen, and Enter obeys a disabled Apply button."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from app.model import DecisionState, InventoryRecord, utcnow
from tests.ui.conftest import FakeClock, run
from tests.ui.test_refusal_text import other_desk_decides
from tests.ui.test_window import allowed_rh_record, type_keys, type_scan
from ui.qt import Qt, load_qtest

QTest = load_qtest()


def scan_and_choose(window: Any, clock: FakeClock) -> tuple[InventoryRecord, str]:
    """Scan an item and choose a code that is not the one preselected (at a person's pace:
    the arrow key moves from the preselected first allowed code to the next allowed one)."""
    record = allowed_rh_record(window)
    type_scan(window.scan_field, record.rma or "", clock)
    combo = window.handling.combo
    assert combo.hasFocus()
    allowed = [o.code for o in window.desk.options(record) if o.allowed]
    assert len(allowed) > 2, "needs three allowed codes"
    assert combo.current_option().code == allowed[0]
    clock.advance(300)
    QTest.keyClick(combo, Qt.Key.Key_Down)
    chosen = allowed[1]
    assert combo.current_option().code == chosen
    return record, chosen


def test_a_chosen_code_that_is_no_longer_allowed_is_unselected_and_said(
        window: Any, clock: FakeClock, qtbot: Any) -> None:
    record, chosen = scan_and_choose(window, clock)
    combo = window.handling.combo
    other_desk_decides(window.desk, record, chosen)  # it is the item's handling now
    # Before: the poll's refresh selected the first allowed code in its place, without a
    # word, and the next Enter applied that.
    qtbot.waitUntil(lambda: combo.currentIndex() == -1, timeout=5000)
    assert combo.current_option() is None and combo.hasFocus()
    text = window.message_label.text()
    assert text.startswith("⚠") and f"{chosen} can no longer be chosen" in text
    assert "is the current handling" in text and "choose again" in text
    assert window.last_feedback.kind == "warning" and window.sounds.played[-1] == "failed"
    # Enter now applies nothing, and says so.
    clock.advance(300)
    QTest.keyClick(combo, Qt.Key.Key_Return)
    assert [d.desk for d in window.store.decisions_for(record.key)] == ["desk-2"]
    assert window.last_feedback.text == (
        "Not applied: no handling is chosen: type the first letters of a code")
    # Choosing again (an arrow key: the first allowed code) applies the operator's choice.
    code = next(o.code for o in window.desk.options(window.store.get(record.key)) if o.allowed)
    clock.advance(300)
    QTest.keyClick(combo, Qt.Key.Key_Down)
    assert combo.current_option().code == code
    clock.advance(300)
    QTest.keyClick(combo, Qt.Key.Key_Return)
    assert window.last_feedback.kind == "queued"
    assert window.store.decisions_for(record.key)[-1].new_handling == code


def item_changes(window: Any, qtbot: Any, record: InventoryRecord, remarks: str) -> None:
    """A later change of the item on screen (a webhook with a remark), refreshed by the poll."""
    window.store.upsert(InventoryRecord(source=record.source, key=record.key,
                                        updated_at=utcnow(), remarks=remarks))
    seq = window.store.last_seq()
    qtbot.waitUntil(lambda: window._seq >= seq, timeout=5000)


def test_a_cleared_choice_stays_cleared_until_the_operator_chooses(
        window: Any, clock: FakeClock, qtbot: Any) -> None:
    record, chosen = scan_and_choose(window, clock)
    combo = window.handling.combo
    other_desk_decides(window.desk, record, chosen)
    qtbot.waitUntil(lambda: combo.currentIndex() == -1, timeout=5000)
    item_changes(window, qtbot, record, "left at dock 3")
    # Before: this refresh selected the first allowed code again, and Enter applied it.
    assert combo.currentIndex() == -1 and combo.current_option() is None
    clock.advance(300)
    QTest.keyClick(combo, Qt.Key.Key_Return)
    assert [d.desk for d in window.store.decisions_for(record.key)] == ["desk-2"]
    assert window.last_feedback.text == (
        "Not applied: no handling is chosen: type the first letters of a code")
    # The operator chooses (an arrow key): that code stays selected across refreshes.
    clock.advance(300)
    QTest.keyClick(combo, Qt.Key.Key_Down)
    option = combo.current_option()
    assert option is not None and option.allowed
    item_changes(window, qtbot, record, "left at dock 4")
    assert combo.current_option() is not None and combo.current_option().code == option.code
    clock.advance(300)
    QTest.keyClick(combo, Qt.Key.Key_Return)
    last = window.store.decisions_for(record.key)[-1]
    assert (last.desk, last.new_handling) == ("desk-1", option.code)


def test_a_scan_ends_the_cleared_choice(window: Any, clock: FakeClock, qtbot: Any) -> None:
    record, chosen = scan_and_choose(window, clock)
    combo = window.handling.combo
    other_desk_decides(window.desk, record, chosen)
    qtbot.waitUntil(lambda: combo.currentIndex() == -1, timeout=5000)
    item_changes(window, qtbot, record, "left at dock 3")
    assert combo.current_option() is None
    # The same label again (typed: a scanner's repeat within scan_repeat_ms is dropped): the
    # item is shown afresh, its first allowed code preselected as after any scan.
    type_scan(window.scan_field, record.rma or "", clock, step_ms=150)
    assert window.last_feedback.kind == "found" and combo.hasFocus()
    first = next(o.code for o in window.desk.options(window.store.get(record.key)) if o.allowed)
    assert combo.current_option() is not None and combo.current_option().code == first


def warehouse_completes(window: Any, qtbot: Any, record: InventoryRecord) -> None:
    """The warehouse completes the item on screen (a sync or webhook), refreshed by the poll:
    no handling can be chosen for it any more."""
    now = window.store.get(record.key)
    window.store.upsert(InventoryRecord(
        source=now.source, key=now.key, handling_status="completed",
        updated_at=(now.updated_at or utcnow()) + timedelta(minutes=5)))
    seq = window.store.last_seq()
    qtbot.waitUntil(lambda: window._seq >= seq, timeout=5000)
    assert not any(o.allowed for o in window.desk.options(window.store.get(record.key)))


@pytest.mark.parametrize("arrow", [False, True], ids=["preselected", "chosen"])
def test_after_the_operators_decision_the_warehouse_acting_is_silent(
        window: Any, clock: FakeClock, qtbot: Any, arrow: bool) -> None:
    record = allowed_rh_record(window)
    type_scan(window.scan_field, record.rma or "", clock)
    combo = window.handling.combo
    if arrow:  # chosen, then decided: once applied it is the item's handling, not a lost choice
        clock.advance(300)
        QTest.keyClick(combo, Qt.Key.Key_Down)
    clock.advance(300)
    QTest.keyClick(combo, Qt.Key.Key_Return)  # applied by the operator
    qtbot.waitUntil(lambda: "applied" in window.sounds.played, timeout=5000)  # window told
    assert window.store.decisions_for(record.key)[-1].state is DecisionState.APPLIED
    assert window.current_key == record.key
    shown = combo.current_option()
    feedback, played = window.last_feedback, list(window.sounds.played)
    warehouse_completes(window, qtbot, record)
    # Before: "⚠ rtn can no longer be chosen ... choose again" with the failed sound, for a
    # code nobody chose, on an item nobody can decide any more.
    assert window.last_feedback is feedback and window.sounds.played == played
    assert "can no longer be chosen" not in window.message_label.text()
    assert combo.current_option() is None and "(not available:" in combo.itemText(0)
    # The decided code became the item's handling; nobody chose another one, so none was
    # put in its place (before: the next allowed code, which the warehouse took away).
    assert shown is None


def test_a_preselected_code_another_desk_takes_is_unselected_without_alarm(
        window: Any, clock: FakeClock, qtbot: Any) -> None:
    record = allowed_rh_record(window)
    type_scan(window.scan_field, record.rma or "", clock)
    combo = window.handling.combo
    preselected = combo.current_option().code
    feedback, played = window.last_feedback, list(window.sounds.played)
    other_desk_decides(window.desk, record, preselected)
    qtbot.waitUntil(lambda: combo.currentIndex() == -1, timeout=5000)
    assert window.last_feedback is feedback and window.sounds.played == played
    # Nobody chose it, and no other code took its place unseen: Enter applies nothing.
    item_changes(window, qtbot, record, "left at dock 3")
    assert combo.current_option() is None
    clock.advance(300)
    QTest.keyClick(combo, Qt.Key.Key_Return)
    assert [d.desk for d in window.store.decisions_for(record.key)] == ["desk-2"]
    assert window.last_feedback.text == (
        "Not applied: no handling is chosen: type the first letters of a code")


def test_a_typed_choice_the_warehouse_takes_away_is_said(
        window: Any, clock: FakeClock, qtbot: Any) -> None:
    record = allowed_rh_record(window)
    type_scan(window.scan_field, record.rma or "", clock)
    combo = window.handling.combo
    codes = [o.code for o in window.desk.options(record) if o.allowed]
    wanted = next((c for c in codes if c[0] != combo.current_option().code[0]), None)
    assert wanted is not None, "needs two allowed codes with different first letters"
    type_keys(combo, wanted[0], clock)  # a person types its first letter
    qtbot.waitUntil(lambda: combo.current_option().code[0] == wanted[0])
    chosen = combo.current_option().code
    warehouse_completes(window, qtbot, record)
    assert combo.current_option() is None
    text = window.message_label.text()
    assert text.startswith("⚠") and f"{chosen} can no longer be chosen" in text
    assert "the warehouse has completed handling this item" in text and "choose again" in text
    assert window.last_feedback.kind == "warning" and window.sounds.played[-1] == "failed"


def test_new_handling_types_without_the_chosen_one_unselect_it(
        window: Any, clock: FakeClock, qtbot: Any) -> None:
    _record, chosen = scan_and_choose(window, clock)
    window.desk.catalog = [h for h in window.desk.catalog if h.code != chosen]
    window.refresh_current()  # what the window does once the API's handling types are read
    assert window.handling.combo.current_option() is None
    assert f"{chosen} can no longer be chosen" in window.message_label.text()
    assert "Return Helper no longer offers it" in window.message_label.text()


def test_enter_in_the_dropdown_obeys_the_disabled_apply_button(
        window: Any, clock: FakeClock, qtbot: Any, qloop: asyncio.AbstractEventLoop,
        monkeypatch: Any) -> None:
    run(qtbot, qloop, window.desk.outbox.stop())  # the decision stays queued
    record = allowed_rh_record(window)
    type_scan(window.scan_field, record.rma or "", clock)
    code = window.handling.combo.current_option().code
    clock.advance(300)
    QTest.keyClick(window.handling.combo, Qt.Key.Key_Return)
    assert window.last_feedback.kind == "queued"
    window.focus_handling()  # back in the dropdown (F6, Enter on the row)
    combo = window.handling.combo
    assert combo.hasFocus() and not window.handling.apply_button.isEnabled()
    asked: list[tuple[str, str]] = []
    decide = window.desk.decide
    monkeypatch.setattr(window.desk, "decide", lambda key, c: asked.append((key, c)) or decide(key, c))
    clock.advance(300)
    QTest.keyClick(combo, Qt.Key.Key_Return)
    assert asked == []  # before: Enter went past the disabled button to the desk
    assert window.last_feedback.kind == "failed"
    assert window.last_feedback.text == (
        f"Not applied: An update to {code} is Queued; wait for it before choosing again.")
    assert len(window.store.decisions_for(record.key)) == 1
