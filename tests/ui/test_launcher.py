"""The GUI entry point pauses garbage collection while the window starts, and the window
turns it back on once built (``ui.launcher.pause_gc_for_startup``, ``ui.main.freeze_startup_heap``)."""

from __future__ import annotations

import argparse
import gc
from collections.abc import Iterator

import pytest

import ui.main
from app.settings import Settings
from ui import launcher


@pytest.fixture
def collector_restored(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    frozen: list[str] = []
    # the test process's heap is not frozen for real: record the call instead
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append("freeze"))
    was_enabled = gc.isenabled()
    try:
        yield frozen
    finally:
        if was_enabled:
            gc.enable()


def test_the_window_starts_with_collection_paused_and_turns_it_back_on(
        monkeypatch: pytest.MonkeyPatch, collector_restored: list[str]) -> None:
    seen: dict[str, bool] = {}

    def fake_run_gui(settings: Settings, args: argparse.Namespace, demo: bool = False) -> int:
        seen["while starting"] = gc.isenabled()
        ui.main.freeze_startup_heap()  # what run_window does once the window is built
        seen["once built"] = gc.isenabled()
        return 0

    monkeypatch.setattr(ui.main, "run_gui", fake_run_gui)
    gc.enable()
    assert launcher._run_gui(Settings(), argparse.Namespace(), False) == 0
    assert seen == {"while starting": False, "once built": True}
    assert collector_restored == ["freeze"]
    assert gc.isenabled()
