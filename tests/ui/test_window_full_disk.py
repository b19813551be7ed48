"""The desk on a full disk (a real small tmpfs): a handling, a retry and a sync are refused
and said as a full disk, in the operator's language, with the failure sound; nothing is
saved or sent; once there is room the same decision goes through."""

from __future__ import annotations

import errno
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.desk import DeskService
from app.model import DecisionState
from app.sandbox.server import SandboxServer
from tests.fixtures.filesystems import tmpfs
from tests.ui.decision_support import decidable, make_failed, table_ids
from ui import i18n
from ui.decision_failed import FailedDecisionsDialog
from ui.qt import QApplication


@pytest.fixture
def desk_store_path(tmp_path: Path) -> Iterator[Path]:
    """The desk's store on a disk of its own, small enough to fill."""
    with tmpfs(tmp_path / "small", "8m") as mount:
        yield mount / "desk.sqlite3"


def fill_disk(folder: Path) -> Path:
    """Write a file until the disk is full; the file is the room given back later."""
    filler = folder / "filler.bin"
    with filler.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    return filler


def test_a_full_disk_says_so_and_saves_nothing(window: Any, desk_store_path: Path) -> None:
    record, code = decidable(window.desk)
    assert window.select_key(record.key)
    filler = fill_disk(desk_store_path.parent)
    before = window.store.decisions_for(record.key)
    try:
        assert window.apply_handling(code) is None
        feedback = window.last_feedback
        assert feedback.kind == "failed" and window.sounds.played[-1] == "failed"
        assert feedback.text.startswith("Not applied: the disk holding the store is full")
        assert "does not answer" not in feedback.text
        assert window.store.decisions_for(record.key) == before  # nothing saved, nothing sent
        assert window.scan_field.hasFocus()
        # in the operator's language, not the English of the log
        assert i18n.install_language("zh_CN")
        QApplication.processEvents()
        assert window.select_key(record.key)
        assert window.apply_handling(code) is None
        assert window.last_feedback.text.startswith("未应用：存放数据的磁盘已满")
    finally:
        i18n.install_language("en")
        QApplication.processEvents()
    filler.unlink()  # room again: the same decision goes through
    assert window.select_key(record.key)
    decision = window.apply_handling(code)
    assert decision is not None and window.last_feedback.kind == "queued"


def test_a_retry_on_a_full_disk_says_so_and_the_decision_stays_failed(
        qtbot: Any, desk: DeskService, sandbox: SandboxServer, desk_store_path: Path,
        failed_dialog: FailedDecisionsDialog) -> None:
    _record, decision = make_failed(qtbot, desk, sandbox)
    qtbot.waitUntil(lambda: decision.id in table_ids(failed_dialog))
    filler = fill_disk(desk_store_path.parent)
    assert failed_dialog.retry_selected([decision.id]) == []
    assert failed_dialog.result_label.text().startswith(
        "⚠ Could not retry: the disk holding the store is full")
    assert desk.store.get_decision(decision.id).state is DecisionState.FAILED
    assert decision.id in table_ids(failed_dialog)
    filler.unlink()
    assert failed_dialog.retry_selected([decision.id]) == [decision.id]


def test_a_sync_on_a_full_disk_says_so_and_not_as_a_connection_problem(
        qtbot: Any, window: Any, desk_store_path: Path) -> None:
    filler = fill_disk(desk_store_path.parent)
    connection = window.connection_label.text()
    try:
        window.sync_now()
        qtbot.waitUntil(lambda: not window.syncing, timeout=20000)
        said = [m for m in window.messages if m.startswith("Sync failed")]
        assert said and said[-1].startswith("Sync failed: the disk holding the store is full")
        assert window.connection_label.text() == connection  # the API is fine
    finally:
        filler.unlink()
