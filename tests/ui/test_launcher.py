"""The GUI entry point pauses garbage collection while the window starts, and the window
turns it back on once built (``ui.launcher.pause_gc_for_startup``, ``ui.main.freeze_startup_heap``)."""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import ui.main
from app.settings import Settings
from tests.fixtures.filesystems import DAMAGED_SQLITE, damaged_sqlite
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


def press(box: Any, which: Any) -> bool:
    """Click one of a message box's buttons; a box without it is closed (the test then
    fails on what happened next, instead of waiting on the box for ever)."""
    button = box.button(which)
    if button is None:
        box.reject()
        return False
    button.click()
    return True


@pytest.fixture
def switch_interval_restored() -> Iterator[None]:
    """run_gui favours the GUI thread with a shorter switch interval, for the process."""
    interval = sys.getswitchinterval()
    try:
        yield
    finally:
        sys.setswitchinterval(interval)


def test_a_store_that_cannot_be_opened_is_said_in_a_box_and_logged(
        qapp: Any, tmp_path: Path, isolated_dirs: Path, logging_restored: None,
        switch_interval_restored: None) -> None:
    """The windowed start has no console: a damaged store must not end in silence."""
    from app.credentials import Credentials, Secret
    from ui.qt import QApplication, QMessageBox, QTimer

    credentials = Credentials()  # a configured desk, so the store is opened, not the demo's
    credentials.set(Secret.RH_API_KEY, "key-for-the-test", "uat")
    credentials.set(Secret.RH_API_TOKEN, "token-for-the-test", "uat")
    damaged = damaged_sqlite(tmp_path / "desk.sqlite3")
    seen: list[tuple[str, str]] = []

    def read_and_close() -> None:
        box = QApplication.activeModalWidget()
        if box is None:  # not shown yet
            QTimer.singleShot(20, read_and_close)
            return
        seen.append((box.objectName(), box.text()))
        press(box, QMessageBox.StandardButton.Close)

    QTimer.singleShot(0, read_and_close)
    assert launcher.main(["--store", str(damaged)]) == 1
    assert len(seen) == 1
    name, text = seen[0]
    assert name == "startupFailure"
    assert str(damaged) in text and "damaged" in text
    log_text = (isolated_dirs / "log_dir" / "returndesk.log").read_text(encoding="utf-8")
    assert "the store could not be opened" in log_text and str(damaged) in log_text
    assert "token-for-the-test" not in log_text
    assert damaged.read_bytes() == DAMAGED_SQLITE  # left as it was


def test_retry_after_the_store_is_fixed_opens_the_window(
        qapp: Any, tmp_path: Path, sandbox: Any, logging_restored: None,
        switch_interval_restored: None) -> None:
    """A database server still starting, a drive not yet there: the operator fixes (or
    waits for) the cause and presses Retry; the window then opens on that store."""
    from app.credentials import Credentials, Secret
    from ui.qt import QApplication, QMessageBox, QTimer
    from ui.window import MainWindow

    credentials = Credentials()
    credentials.set(Secret.RH_API_KEY, sandbox.api_key, "custom")
    credentials.set(Secret.RH_API_TOKEN, sandbox.api_token, "custom")
    damaged = damaged_sqlite(tmp_path / "desk.sqlite3")
    boxes: list[str] = []
    windows: list[str] = []

    def fix_and_retry() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            QTimer.singleShot(20, fix_and_retry)
            return
        boxes.append(box.text())
        damaged.unlink()  # IT restores the store (here: a new, empty one is made)
        if press(box, QMessageBox.StandardButton.Retry):
            QTimer.singleShot(0, close_the_window)

    def close_the_window() -> None:
        shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if not shown:
            QTimer.singleShot(20, close_the_window)
            return
        windows.append(shown[0].desk.store.url)
        shown[0].close()

    QTimer.singleShot(0, fix_and_retry)
    assert launcher.main(["--store", str(damaged), "--environment", "custom",
                          "--rh-user-api", sandbox.user_base,
                          "--rh-public-api", sandbox.public_base]) == 0
    assert len(boxes) == 1 and str(damaged) in boxes[0]
    assert len(windows) == 1 and str(damaged) in windows[0]  # the window is on that store
    assert damaged.exists() and damaged.read_bytes() != DAMAGED_SQLITE  # a real store now


def test_the_window_writes_its_log_with_what_was_logged_before_it_showed(
        qapp: Any, isolated_dirs: Path, logging_restored: None,
        switch_interval_restored: None) -> None:
    from ui.qt import QApplication, QTimer
    from ui.window import MainWindow

    log_file = isolated_dirs / "log_dir" / "returndesk.log"
    seen: list[str] = []
    give_up = time.monotonic() + 30

    def close_once_logged() -> None:
        windows = [w for w in QApplication.topLevelWidgets()
                   if isinstance(w, MainWindow) and w.isVisible()]
        if not windows or (not log_file.exists() and time.monotonic() < give_up):
            QTimer.singleShot(20, close_once_logged)
            return
        if log_file.exists():
            seen.append(log_file.read_text(encoding="utf-8"))
        windows[0].close()

    QTimer.singleShot(0, close_once_logged)
    assert launcher.main(["demo", "--items", "20"]) == 0
    assert len(seen) == 1
    # logged while the window was being built, before the file was opened
    assert "demo mode: sandbox at" in seen[0]
