"""The window's layout kept between starts (ui.window_state): real windows, a real file."""

from __future__ import annotations

import json
from typing import Any

from app.desk import DeskService
from tests.ui.conftest import FakeClock, run
from ui.feedback import SoundPlayer
from ui.listing import Column
from ui.window_state import state_path


def new_window(desk: DeskService, clock: FakeClock) -> Any:
    from ui.window import MainWindow

    return MainWindow(desk, sounds=SoundPlayer(backend="none"), clock=clock)


def test_size_split_and_column_widths_come_back_at_the_next_start(
        qtbot: Any, qloop: Any, desk: DeskService, clock: FakeClock) -> None:
    first = new_window(desk, clock)
    defaults = (first.size(), first.view.columnWidth(int(Column.RMA)))
    first.show()
    qtbot.waitExposed(first)
    first.resize(760, 540)  # within the offscreen screen (800 x 600)
    first.splitter.setSizes([300, 440])
    first.view.setColumnWidth(int(Column.RMA), 260)
    split, size = first.splitter.sizes(), first.size()
    assert size != defaults[0]
    first.close()  # the operator ends the shift
    run(qtbot, qloop, first.shutdown())
    saved = json.loads(state_path().read_text(encoding="utf-8"))
    assert saved["columns"]["RMA"] == 260 and "geometry" in saved

    second = new_window(desk, clock)
    try:
        # (the width is also restored, but Qt keeps a window on its screen: the offscreen
        # screen is 800 pixels wide, narrower than this window can be)
        assert second.size().height() == size.height() != defaults[0].height()
        assert second.view.columnWidth(int(Column.RMA)) == 260
        assert (second.size(), 260) != defaults
        second.show()
        qtbot.waitExposed(second)
        assert second.splitter.sizes() == split
    finally:
        run(qtbot, qloop, second.shutdown())
        second.close()


def test_a_damaged_or_foreign_layout_file_gives_the_defaults(
        qtbot: Any, qloop: Any, desk: DeskService, clock: FakeClock) -> None:
    reference = new_window(desk, clock)
    size, width = reference.size(), reference.view.columnWidth(int(Column.SKU))
    run(qtbot, qloop, reference.shutdown())
    reference.deleteLater()
    state_path().parent.mkdir(parents=True, exist_ok=True)
    for text in ("{not json", json.dumps([1, 2]), json.dumps({"version": 99}), json.dumps({
            "version": 1, "geometry": "%%%", "splitter": 5,
            "columns": {"SKU": "wide", "NO_SUCH_COLUMN": 300, "RMA": True}})):
        state_path().write_text(text, encoding="utf-8")
        window = new_window(desk, clock)
        try:
            assert window.size() == size
            assert window.view.columnWidth(int(Column.SKU)) == width
        finally:
            run(qtbot, qloop, window.shutdown())
            window.deleteLater()
