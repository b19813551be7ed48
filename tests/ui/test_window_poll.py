"""The window's poll timer picks up store changes with its store reads off the GUI thread
(the count and the placing of the selected row took 4-13 ms of it per poll during a sync at
200,000 items), and keeps the operator's selection on its item."""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from app.model import DecisionState, local_day_start, utcnow
from app.store.base import RowFilter, StoreError
from tests.ui.conftest import winit_records
from tests.ui.decision_support import insert_decision


def test_poll_reads_off_the_gui_thread_and_keeps_the_selection(qtbot: Any, window: Any,
                                                               monkeypatch: Any) -> None:
    store = window.store
    gui = threading.get_ident()
    count_threads: list[int] = []
    place_threads: list[int] = []
    real_count, real_position = store.count, store.position

    def count(query: Any) -> int:
        count_threads.append(threading.get_ident())
        return int(real_count(query))

    def position(query: Any, key: str) -> int | None:
        place_threads.append(threading.get_ident())
        return real_position(query, key)  # type: ignore[no-any-return]

    monkeypatch.setattr(store, "count", count)
    monkeypatch.setattr(store, "position", position)
    qtbot.waitUntil(lambda: window.model.rowCount() > 10)
    selected = window.model.key_at(5)
    assert window.select_key(selected)
    # A poll sent before the selection placed the rows selected then; let it land first.
    qtbot.waitUntil(lambda: not window._poll_reading)
    before = window.model.rowCount()
    count_threads.clear()
    place_threads.clear()

    # New parcels arrive in the store (as from a webhook or a sync), newest first in the list.
    fresh = [replace(record, key=f"winit:POLL-{n}", status="WP")  # WP: awaiting a decision
             for n, record in enumerate(winit_records(30))]
    store.upsert_many(fresh)
    qtbot.waitUntil(lambda: window.model.rowCount() == before + 30, timeout=5000)

    assert count_threads and gui not in count_threads  # the count was read on the poll thread
    assert place_threads and gui not in place_threads  # ... and so was the selected row's place
    # The selection stayed on the operator's item, wherever it moved to.
    assert window.current_key == selected
    assert window.model.key_at(window.view.currentIndex().row()) == selected


def test_returndesk_hands_the_interpreter_lock_to_the_gui_thread_within_a_millisecond() -> None:
    """run_gui shortens the interpreter's switch interval (5 ms by default), so a Python call
    Qt makes while a sync's worker thread runs Python waits at most ~1 ms for the lock."""
    import sys

    from ui.main import GUI_SWITCH_INTERVAL_S, favour_the_gui_thread

    before = sys.getswitchinterval()
    try:
        sys.setswitchinterval(0.005)
        favour_the_gui_thread()
        assert sys.getswitchinterval() == GUI_SWITCH_INTERVAL_S <= 0.001
    finally:
        sys.setswitchinterval(before)


def test_decided_today_starts_again_at_midnight(qtbot: Any, window: Any, monkeypatch: Any) -> None:
    """A night shift: the list of "decided today" shows today's decisions, and once the clock
    passes midnight the poll reads it again for the new day, without anyone touching it."""
    qtbot.waitUntil(lambda: window.model.rowCount() > 3)
    key = window.model.key_at(2)
    insert_decision(window.desk, key, utcnow(), DecisionState.APPLIED)
    window.filter_combo.setCurrentIndex(window.filter_combo.findData(RowFilter.DECIDED_TODAY.value))
    qtbot.waitUntil(lambda: window.model.rowCount() == 1)
    assert window.model.key_at(0) == key
    assert window.model.query.day_start == local_day_start()
    window.poll_in_background()  # the same day: nothing to read again
    assert window.model.rowCount() == 1

    tomorrow = local_day_start(date.today() + timedelta(days=1))
    for module in ("ui.window_poll", "ui.window_actions"):
        monkeypatch.setattr(f"{module}.local_day_start", lambda day=None: tomorrow)
    qtbot.waitUntil(lambda: not window._poll_reading)
    window.poll_in_background()
    assert window.model.query.day_start == tomorrow
    qtbot.waitUntil(lambda: window.model.rowCount() == 0)
    assert window.count_label.text() == "0 item(s)"


def test_a_store_that_stops_answering_is_said_once_and_again_when_it_answers(
        qtbot: Any, window: Any, monkeypatch: Any, caplog: Any) -> None:
    """A database server down mid-shift: the status bar says so (text and ⚠, not colour), the
    log gets one line, not one every 400 ms; the list catches up once it answers again."""
    store = window.store
    real_changes = store.changes_since
    polls: list[int] = []

    def unreachable(since: int) -> Any:
        polls.append(since)
        raise StoreError("Cannot reach the store postgresql://desk@db/returndesk: connection refused")

    qtbot.waitUntil(lambda: not window._poll_reading)
    monkeypatch.setattr(store, "changes_since", unreachable)
    caplog.set_level(logging.INFO, logger="ui.window")
    qtbot.waitUntil(lambda: len(polls) >= 4, timeout=5000)  # the poll timer's polls, off the GUI thread
    window.poll_store()  # and a scan's poll
    assert window.store_unreachable
    text = window.message_label.text()
    assert text.startswith("⚠") and "does not answer" in text and "connection refused" in text
    said = [r for r in caplog.records if "does not answer" in r.getMessage()]
    assert len(said) == 1 and said[0].levelno == logging.WARNING

    before = window.model.rowCount()
    fresh = [replace(record, key=f"winit:BACK-{n}", status="WP")
             for n, record in enumerate(winit_records(3))]
    monkeypatch.setattr(store, "changes_since", real_changes)
    store.upsert_many(fresh)
    qtbot.waitUntil(lambda: window.model.rowCount() == before + 3, timeout=5000)
    assert not window.store_unreachable
    assert "answers again" in window.message_label.text()


def test_a_warehouse_that_arrives_later_appears_in_the_filter(qtbot: Any, window: Any,
                                                              monkeypatch: Any) -> None:
    """The warehouse list was read at start and after "Sync now" only: warehouses that came
    by webhook never appeared (the demo's filter started nearly empty). A poll bringing new
    items has it read again, on the poll thread, and the operator's choice stays."""
    store = window.store
    gui = threading.get_ident()
    read_on: list[int] = []
    real_warehouses = store.warehouses

    def warehouses() -> list[str]:
        read_on.append(threading.get_ident())
        return real_warehouses()  # type: ignore[no-any-return]

    monkeypatch.setattr(store, "warehouses", warehouses)
    combo = window.warehouse_combo
    qtbot.waitUntil(lambda: combo.count() > 1)  # the first read, just after the window is up
    chosen = combo.itemData(1)
    combo.setCurrentIndex(1)  # the operator filters by a warehouse
    assert window.model.query.warehouse == chosen
    read_on.clear()

    fresh = replace(winit_records(1)[0], key="winit:NEW-WH-1", status="WP", warehouse="ZZ-NEW-WH")
    store.upsert_many([fresh])  # as a webhook writes it
    qtbot.waitUntil(lambda: combo.findData("ZZ-NEW-WH") >= 0, timeout=10000)

    assert read_on and gui not in read_on  # read by the poll thread
    assert combo.currentData() == chosen and window.model.query.warehouse == chosen
    assert combo.itemData(0) == ""  # "All warehouses" still first
