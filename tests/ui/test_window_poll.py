"""The window's poll timer picks up store changes with its store reads off the GUI thread
(the count and the placing of the selected row took 4-13 ms of it per poll during a sync at
200,000 items), and keeps the operator's selection on its item."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

from tests.ui.conftest import winit_records


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
