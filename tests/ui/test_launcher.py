"""The GUI entry point pauses garbage collection while the window starts, and the window
turns it back on once built (``ui.launcher.pause_gc_for_startup``, ``ui.main.freeze_startup_heap``)."""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
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


def _boxes_read_and_closed(seen: list[tuple[str, str]]) -> None:
    """Read the next modal box once it shows, record it, close it (its Close button where it
    has one). A window that opens instead is recorded as "window" and closed (the test then
    fails, rather than wait)."""
    from ui.qt import QApplication, QMessageBox, QTimer
    from ui.window import MainWindow

    def read() -> None:
        box = QApplication.activeModalWidget()
        window = next((w for w in QApplication.topLevelWidgets()
                       if isinstance(w, MainWindow) and w.isVisible()), None)
        if box is None and window is None:
            QTimer.singleShot(20, read)
        elif box is not None:
            seen.append((box.objectName(), box.text()))
            press(box, QMessageBox.StandardButton.Close)
        elif window is not None:
            seen.append(("window", ""))
            window.close()

    QTimer.singleShot(0, read)


def configured_desk(key: str = "key-for-the-test", token: str = "token-for-the-test",
                    environment: str = "uat") -> None:
    """Return Helper credentials in the (test) keyring: the window opens the configured
    store, not the demo's."""
    from app.credentials import Credentials, Secret

    credentials = Credentials()
    credentials.set(Secret.RH_API_KEY, key, environment)
    credentials.set(Secret.RH_API_TOKEN, token, environment)


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
    configured_desk()
    damaged = damaged_sqlite(tmp_path / "desk.sqlite3")
    seen: list[tuple[str, str]] = []
    _boxes_read_and_closed(seen)
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
    from ui.qt import QApplication, QMessageBox, QTimer
    from ui.window import MainWindow

    configured_desk(sandbox.api_key, sandbox.api_token, "custom")
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


def test_a_second_window_on_the_same_store_is_not_started(
        qapp: Any, tmp_path: Path, logging_restored: None, switch_interval_restored: None) -> None:
    """A double-click on the icon of a minimised desk: the second start says where the desk
    is and ends, instead of splitting the scans between two windows."""
    from ui.main import desk_lock_path
    from ui.qt import QApplication, QLockFile
    from ui.window import MainWindow

    store = tmp_path / "desk.sqlite3"
    running = QLockFile(str(desk_lock_path(Settings(store=str(store)))))
    assert running.tryLock(0)  # the first window's lock, held by a live process (this one)
    seen: list[tuple[str, str]] = []
    _boxes_read_and_closed(seen)
    try:
        assert launcher.main(["--store", str(store)]) == 0
    finally:
        running.unlock()
    assert [name for name, _ in seen] == ["alreadyOpen"]
    assert "already open" in seen[0][1]
    assert not store.exists()  # the store was not even opened
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]


def test_the_lock_of_a_desk_that_crashed_does_not_keep_the_next_start_out(
        qapp: Any, tmp_path: Path, logging_restored: None, switch_interval_restored: None) -> None:
    from ui.main import desk_lock_path

    configured_desk()
    damaged = damaged_sqlite(tmp_path / "desk.sqlite3")  # so the start stops at its own box
    lock_path = desk_lock_path(Settings(store=str(damaged)))
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_LOCK, str(lock_path)], stdout=subprocess.PIPE, text=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
    holder.kill()  # the desk crashed: its lock file stays behind
    holder.wait(10)
    assert lock_path.exists()
    seen: list[tuple[str, str]] = []
    _boxes_read_and_closed(seen)
    assert launcher.main(["--store", str(damaged)]) == 1
    assert [name for name, _ in seen] == ["startupFailure"]  # past the check, to the store


HOLD_THE_LOCK = """
import sys, time
from PySide6.QtCore import QCoreApplication, QLockFile
app = QCoreApplication([])
lock = QLockFile(sys.argv[1])
assert lock.tryLock(0)
print("locked", flush=True)
time.sleep(600)
"""
