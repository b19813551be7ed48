"""The decision views, offscreen, on a real SQLite store, against the sandbox over HTTP.

Failed decisions come from the sandbox's own refusal (the warehouse completed the item);
the retry is sent again over HTTP and checked against the sandbox's record of applied
changes (same idempotency key). The day log reads real decisions of three days; the CSV
export goes through the real (non-native) file dialog; a read-only folder and a full disk
are real filesystems (a tmpfs remounted read-only / filled up, when running as root).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import subprocess
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.desk import DeskService
from app.model import Decision, DecisionAction, DecisionState, InventoryRecord, Source
from app.sandbox.server import SandboxServer
from app.store.base import RowQuery
from ui import i18n
from ui.decisions import DecisionLogDialog, FailedDecisionsDialog, OutboxStatus
from ui.qt import QApplication, QMessageBox, Qt, load_qtest
from ui.tasks import TaskManager

QTest = load_qtest()


# -- helpers ------------------------------------------------------------------------------------
def decidable(desk: DeskService, skip: set[str] = frozenset()) -> tuple[InventoryRecord, str]:  # type: ignore[assignment]
    """A Return Helper item that takes a decision now, and an allowed code for it."""
    for row in desk.store.rows(RowQuery(), 0, 400):
        if row.key in skip:
            continue
        record = desk.store.get(row.key)
        if record is None or record.source is not Source.RETURN_HELPER:
            continue
        allowed = [o for o in desk.options(record) if o.allowed]
        if allowed and record.return_inventory_id is not None:
            return record, allowed[0].code
    raise AssertionError("no decidable Return Helper item in the sandbox data")


def wait_state(qtbot: Any, desk: DeskService, decision_id: int, state: DecisionState,
               timeout: int = 20000) -> Decision:
    def reached() -> bool:
        current = desk.store.get_decision(decision_id)
        return current is not None and current.state is state
    qtbot.waitUntil(reached, timeout=timeout)
    found = desk.store.get_decision(decision_id)
    assert found is not None
    return found


def make_failed(qtbot: Any, desk: DeskService, sandbox: SandboxServer,
                skip: set[str] = frozenset()) -> tuple[InventoryRecord, Decision]:  # type: ignore[assignment]
    """A decision Return Helper refuses: the warehouse completed the item meanwhile."""
    record, code = decidable(desk, skip)
    assert record.return_inventory_id is not None
    sandbox.warehouse_act(record.return_inventory_id, "completed")  # the store does not know
    decision = desk.decide(record.key, code)
    assert decision.id is not None
    return record, wait_state(qtbot, desk, decision.id, DecisionState.FAILED)


def table_ids(dialog: Any) -> list[int]:
    return dialog.table.ids()


def row_texts(table: Any, decision_id: int) -> list[str]:
    for row in range(table.rowCount()):
        if int(table.item(row, 0).data(Qt.ItemDataRole.UserRole)) == decision_id:
            return [table.item(row, c).text() for c in range(table.columnCount())]
    raise AssertionError(f"decision {decision_id} is not in the table")


def header_texts(table: Any) -> list[str]:
    return [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]


@pytest.fixture
def tasks(qloop: Any) -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager


@pytest.fixture
def failed_dialog(qtbot: Any, desk: DeskService) -> Iterator[FailedDecisionsDialog]:
    dialog = FailedDecisionsDialog(desk)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    yield dialog
    dialog.close()


@pytest.fixture
def log_dialog(qtbot: Any, desk: DeskService, tasks: TaskManager,
               tmp_path: Path) -> Iterator[DecisionLogDialog]:
    dialog = DecisionLogDialog(desk, tasks, native_file_dialog=False, export_folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: not dialog.loading)
    yield dialog
    dialog.close()


def insert_decision(desk: DeskService, key: str, at: datetime, state: DecisionState,
                    new: str = "rts", old: str | None = "ohd", operator: str = "ann",
                    message: str | None = None, correlation: str | None = None) -> Decision:
    """A decision of another time, written and finished at once (the sender never sees it)."""
    stored = desk.store.add_decision(Decision(
        id=None, key=key, action=DecisionAction.UPDATE, new_handling=new, old_handling=old,
        operator=operator, desk="desk-9", created_at=at, idempotency_key=f"test-{key}-{at.timestamp()}"))
    assert stored.id is not None
    return desk.store.update_decision(stored.id, state, result_message=message,
                                      correlation_id=correlation)


# -- failed decisions -----------------------------------------------------------------------------
def test_failed_decision_appears_live_with_message_and_correlation_id(
        qtbot: Any, desk: DeskService, sandbox: SandboxServer,
        failed_dialog: FailedDecisionsDialog) -> None:
    assert table_ids(failed_dialog) == []
    assert "No failed decisions" in failed_dialog.summary.text()
    record, decision = make_failed(qtbot, desk, sandbox)
    qtbot.waitUntil(lambda: decision.id in table_ids(failed_dialog))
    texts = row_texts(failed_dialog.table, decision.id)
    headers = header_texts(failed_dialog.table)
    cell = dict(zip(headers, texts, strict=True))
    assert cell["Item"] == record.rma
    assert cell["Handling"] == f"{record.handling_code or '—'} → {decision.new_handling}"
    assert cell["State"] == "Failed"
    assert cell["Attempts"] == "1"
    assert "completed" in cell["Message"]
    assert decision.correlation_id and cell["correlationId"] == decision.correlation_id
    assert "1 failed decision(s)" in failed_dialog.summary.text()
    # the state is an icon and a word, not a colour
    state_item = failed_dialog.table.item(0, headers.index("State"))
    assert not state_item.icon().isNull()
    # the correlationId is copyable: details text and the copy button
    failed_dialog.select_ids([decision.id])
    assert decision.correlation_id in failed_dialog.details.toPlainText()
    assert failed_dialog.retry_button.isEnabled() and failed_dialog.discard_button.isEnabled()
    QApplication.clipboard().clear()
    failed_dialog.copy_button.click()
    assert QApplication.clipboard().text() == decision.correlation_id
    # Ctrl+C in the table copies the whole row
    failed_dialog.table.setFocus()
    QTest.keyClick(failed_dialog.table, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert decision.correlation_id in QApplication.clipboard().text()
    assert record.rma in QApplication.clipboard().text()


def test_retry_sends_again_and_the_decision_leaves_the_list_when_applied(
        qtbot: Any, desk: DeskService, sandbox: SandboxServer,
        failed_dialog: FailedDecisionsDialog) -> None:
    record, decision = make_failed(qtbot, desk, sandbox)
    assert decision.id is not None
    qtbot.waitUntil(lambda: decision.id in table_ids(failed_dialog))
    # retried before the cause is fixed: refused again, back in the list with 2 attempts
    failed_dialog.select_ids([decision.id])
    with qtbot.waitSignal(failed_dialog.retried, timeout=5000) as signal:
        failed_dialog.retry_button.click()
    assert signal.args == [[decision.id]]
    again = wait_state(qtbot, desk, decision.id, DecisionState.FAILED)
    assert again.attempts == 2
    qtbot.waitUntil(lambda: decision.id in failed_dialog.decisions
                    and failed_dialog.decisions[decision.id].attempts == 2)
    assert row_texts(failed_dialog.table, decision.id)[4] == "2"
    # the cause fixed in Return Helper, retried: sent over HTTP and applied once
    assert record.return_inventory_id is not None
    sandbox.warehouse_act(record.return_inventory_id, "pending")
    failed_dialog.select_ids([decision.id])
    failed_dialog.retry_button.click()
    # shown as queued/sending while it is on its way ...
    assert decision.id in table_ids(failed_dialog) or \
        desk.store.get_decision(decision.id).state is DecisionState.APPLIED
    applied = wait_state(qtbot, desk, decision.id, DecisionState.APPLIED)
    # ... and gone from the list once applied
    qtbot.waitUntil(lambda: decision.id not in table_ids(failed_dialog))
    assert "Applied after retry" in failed_dialog.result_label.text()
    changes = [c for c in sandbox.applied() if c.return_inventory_id == record.return_inventory_id]
    assert len(changes) == 1
    assert changes[0].handling_code == decision.new_handling
    # a fresh idempotency key: the refused request's key would only replay the refusal
    assert changes[0].idempotency_key == applied.idempotency_key != decision.idempotency_key
    assert applied.correlation_id == changes[0].correlation_id
    assert "No failed decisions" in failed_dialog.summary.text()


def test_discard_asks_first_then_removes_the_decision(
        qtbot: Any, desk: DeskService, sandbox: SandboxServer,
        failed_dialog: FailedDecisionsDialog) -> None:
    first_record, first = make_failed(qtbot, desk, sandbox)
    _second_record, second = make_failed(qtbot, desk, sandbox, skip={first_record.key})
    qtbot.waitUntil(lambda: {first.id, second.id} <= set(table_ids(failed_dialog)))
    failed_dialog.select_ids([first.id])
    failed_dialog.discard_button.click()
    box = failed_dialog.confirm_box
    assert box is not None and box.isVisible()
    box.button(QMessageBox.StandardButton.No).click()
    assert first.id in table_ids(failed_dialog)
    assert desk.store.get_decision(first.id).state is DecisionState.FAILED
    failed_dialog.select_ids([first.id])
    failed_dialog.discard_button.click()
    box = failed_dialog.confirm_box
    assert box is not None
    with qtbot.waitSignal(failed_dialog.discarded, timeout=5000):
        box.button(QMessageBox.StandardButton.Yes).click()
    assert first.id not in table_ids(failed_dialog)
    assert second.id in table_ids(failed_dialog)
    # the selection does not slide onto the other decision
    assert failed_dialog.table.selected_ids() == []
    assert not failed_dialog.retry_button.isEnabled()
    assert not failed_dialog.discard_button.isEnabled()
    assert desk.store.get_decision(first.id).state is DecisionState.DISCARDED
    assert desk.counts().failed == 1
    # nothing was sent for it, and the log keeps it
    assert not [c for c in sandbox.applied() if c.return_inventory_id == first_record.return_inventory_id]
    assert any(d.id == first.id for d in desk.store.decisions_for(first_record.key))


def test_a_decision_handled_elsewhere_is_not_retried_twice(
        qtbot: Any, desk: DeskService, sandbox: SandboxServer,
        failed_dialog: FailedDecisionsDialog) -> None:
    _record, decision = make_failed(qtbot, desk, sandbox)
    qtbot.waitUntil(lambda: decision.id in table_ids(failed_dialog))
    failed_dialog.select_ids([decision.id])
    desk.store.update_decision(decision.id, DecisionState.DISCARDED)  # another desk gave it up
    assert failed_dialog.retry_selected() == []
    assert "no longer failed" in failed_dialog.result_label.text()
    assert desk.store.get_decision(decision.id).state is DecisionState.DISCARDED
    assert decision.id not in table_ids(failed_dialog)


# -- the day's log and its export --------------------------------------------------------------------
def three_days(qtbot: Any, desk: DeskService, sandbox: SandboxServer) -> dict[str, list[Decision]]:
    """Decisions of yesterday, today (one applied via the API, one failed, one at 00:00:30)
    and tomorrow."""
    today = date.today()
    keys = [row.key for row in desk.store.rows(RowQuery(), 0, 400)
            if row.source is Source.RETURN_HELPER]
    record, code = decidable(desk)
    applied = desk.decide(record.key, code)
    assert applied.id is not None
    applied = wait_state(qtbot, desk, applied.id, DecisionState.APPLIED)
    failed_record, failed = make_failed(qtbot, desk, sandbox, skip={record.key})
    spare = [k for k in keys if k not in {record.key, failed_record.key}]
    early = insert_decision(desk, spare[0], datetime.combine(today, time(0, 0, 30)).astimezone(),
                            DecisionState.APPLIED, operator="早班", correlation="corr-early")
    before = insert_decision(desk, spare[1], datetime.combine(today, time()).astimezone()
                             - timedelta(seconds=1), DecisionState.APPLIED, operator="night",
                             correlation="corr-yesterday")
    yesterday = insert_decision(desk, spare[2], datetime.combine(
        today - timedelta(days=1), time(12)).astimezone(), DecisionState.DISCARDED,
        operator="ann", message="=cmd|' /C calc'!A0")
    tomorrow = insert_decision(desk, spare[3], datetime.combine(
        today + timedelta(days=1), time(0, 0, 0)).astimezone(), DecisionState.APPLIED)
    return {"today": [early, applied, failed], "yesterday": [yesterday, before],
            "tomorrow": [tomorrow]}


def test_day_log_shows_that_days_decisions_and_no_others(
        qtbot: Any, desk: DeskService, sandbox: SandboxServer,
        log_dialog: DecisionLogDialog) -> None:
    days = three_days(qtbot, desk, sandbox)
    qtbot.waitUntil(lambda: set(table_ids(log_dialog)) == {d.id for d in days["today"]},
                    timeout=10000)
    assert table_ids(log_dialog) == [d.id for d in days["today"]]  # oldest first
    headers = header_texts(log_dialog.table)
    assert headers == ["Time", "Operator", "Desk", "Item", "RMA", "Handling", "Result", "Message",
                       "correlationId"]
    applied = days["today"][1]
    cell = dict(zip(headers, row_texts(log_dialog.table, applied.id), strict=True))
    assert cell["Operator"] == "tester" and cell["Desk"] == "desk-1"
    assert cell["Item"] == applied.key
    assert cell["RMA"] == desk.store.row(applied.key).rma
    assert cell["Result"] == "Applied"
    assert cell["correlationId"] == applied.correlation_id
    assert cell["Time"] == applied.created_at.astimezone().strftime("%H:%M:%S")
    failed = days["today"][2]
    assert dict(zip(headers, row_texts(log_dialog.table, failed.id), strict=True))["Result"] == "Failed"
    assert "3 decision(s)" in log_dialog.count_label.text()
    assert "1 failed" in log_dialog.count_label.text()
    # the previous day: only yesterday's, including 23:59:59
    with qtbot.waitSignal(log_dialog.loaded, timeout=10000):
        log_dialog.previous_button.click()
    assert log_dialog.day == date.today() - timedelta(days=1)
    assert sorted(table_ids(log_dialog)) == sorted(d.id for d in days["yesterday"])
    with qtbot.waitSignal(log_dialog.loaded, timeout=10000):
        log_dialog.set_day(date.today() + timedelta(days=1))
    assert table_ids(log_dialog) == [days["tomorrow"][0].id]
    with qtbot.waitSignal(log_dialog.loaded, timeout=10000):
        log_dialog.set_day(date.today() - timedelta(days=30))
    assert table_ids(log_dialog) == []
    assert "0 decision(s)" in log_dialog.count_label.text()
    with qtbot.waitSignal(log_dialog.loaded, timeout=10000):
        log_dialog.today_button.click()
    assert len(table_ids(log_dialog)) == 3


def test_day_log_follows_live_changes(qtbot: Any, desk: DeskService,
                                      log_dialog: DecisionLogDialog) -> None:
    record, code = decidable(desk)
    decision = desk.decide(record.key, code)
    qtbot.waitUntil(lambda: decision.id in table_ids(log_dialog), timeout=10000)
    wait_state(qtbot, desk, decision.id, DecisionState.APPLIED)
    qtbot.waitUntil(lambda: row_texts(log_dialog.table, decision.id)[6] == "Applied", timeout=10000)


def read_csv(path: Path) -> list[dict[str, str]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for spreadsheets
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def export_through_file_dialog(qtbot: Any, dialog: DecisionLogDialog, path: Path) -> None:
    dialog.export_button.click()
    file_dialog = dialog.file_dialog
    assert file_dialog is not None and file_dialog.isVisible()
    assert file_dialog.windowTitle() == "Export decisions as CSV"
    file_dialog.selectFile(str(path))
    file_dialog.accept()


def test_csv_export_writes_the_days_rows(qtbot: Any, desk: DeskService, sandbox: SandboxServer,
                                         log_dialog: DecisionLogDialog, tmp_path: Path) -> None:
    days = three_days(qtbot, desk, sandbox)
    qtbot.waitUntil(lambda: len(table_ids(log_dialog)) == 3, timeout=10000)
    target = tmp_path / "out" / "today.csv"
    target.parent.mkdir()
    with qtbot.waitSignal(log_dialog.exported, timeout=10000) as signal:
        export_through_file_dialog(qtbot, log_dialog, target)
    assert Path(signal.args[0]) == target
    rows = read_csv(target)
    assert [r["correlationId"] for r in rows] == [d.correlation_id or "" for d in days["today"]]
    assert rows[0]["operator"] == "早班"
    applied = days["today"][1]
    assert rows[1]["RMA"] == desk.store.row(applied.key).rma
    assert rows[1]["new handling"] == applied.new_handling
    assert rows[1]["result state"] == "applied" and rows[2]["result state"] == "failed"
    assert "corr-yesterday" not in target.read_text(encoding="utf-8-sig")
    assert "3 decision(s)" in log_dialog.result_label.text() and str(target) in log_dialog.result_label.text()
    # yesterday's export: the formula-looking message is neutralised
    with qtbot.waitSignal(log_dialog.loaded, timeout=10000):
        log_dialog.previous_button.click()
    other = tmp_path / "out" / "yesterday.csv"
    with qtbot.waitSignal(log_dialog.exported, timeout=10000):
        export_through_file_dialog(qtbot, log_dialog, other)
    old_rows = read_csv(other)
    assert {r["correlationId"] for r in old_rows} == {"", "corr-yesterday"}
    assert any(r["message"] == "'=cmd|' /C calc'!A0" for r in old_rows)
    assert not list(other.parent.glob(".export-*"))


@contextlib.contextmanager
def read_only_folder(base: Path) -> Iterator[Path]:
    """A folder nobody can write into: permissions for a normal user, a read-only tmpfs for root."""
    folder = base / "readonly"
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        folder.mkdir()
        folder.chmod(0o555)
        try:
            yield folder
        finally:
            folder.chmod(0o755)
        return
    with tmpfs(folder, "1m"):
        subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)
        yield folder


@contextlib.contextmanager
def tmpfs(path: Path, size: str) -> Iterator[Path]:
    if not hasattr(os, "geteuid") or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("a small filesystem needs root to mount")
    path.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_export_into_a_read_only_folder_says_so_and_the_dialog_stays_usable(
        qtbot: Any, desk: DeskService, log_dialog: DecisionLogDialog, tmp_path: Path) -> None:
    record, code = decidable(desk)
    decision = desk.decide(record.key, code)
    wait_state(qtbot, desk, decision.id, DecisionState.APPLIED)
    qtbot.waitUntil(lambda: decision.id in table_ids(log_dialog), timeout=10000)
    with read_only_folder(tmp_path) as folder:
        target = folder / "today.csv"
        with qtbot.waitSignal(log_dialog.export_failed, timeout=10000) as signal:
            export_through_file_dialog(qtbot, log_dialog, target)
        assert not target.exists()
        message = signal.args[0]
        assert str(target) in message and "Nothing was lost" in message
        assert log_dialog.result_label.text() == message
        assert not log_dialog.result_icon.pixmap().isNull()
        box = log_dialog.error_box
        assert box is not None and box.isVisible() and box.text() == message
        box.button(QMessageBox.StandardButton.Ok).click()
    # still usable: the rows are there and another folder works
    assert decision.id in table_ids(log_dialog)
    assert log_dialog.export_button.isEnabled()
    good = tmp_path / "good.csv"
    with qtbot.waitSignal(log_dialog.exported, timeout=10000):
        export_through_file_dialog(qtbot, log_dialog, good)
    assert [r["correlationId"] for r in read_csv(good)][-1] == \
        desk.store.get_decision(decision.id).correlation_id


def test_export_on_a_full_disk_keeps_the_earlier_file(
        qtbot: Any, desk: DeskService, sandbox: SandboxServer, log_dialog: DecisionLogDialog,
        tmp_path: Path) -> None:
    three_days(qtbot, desk, sandbox)
    qtbot.waitUntil(lambda: len(table_ids(log_dialog)) == 3, timeout=10000)
    with tmpfs(tmp_path / "small", "64k") as disk:
        target = disk / "today.csv"
        target.write_text("earlier export\n", encoding="utf-8")
        filler = disk / "filler"
        with contextlib.suppress(OSError), filler.open("wb") as handle:
            while True:
                handle.write(b"x" * 4096)
                handle.flush()
        with qtbot.waitSignal(log_dialog.export_failed, timeout=10000) as signal:
            log_dialog.export_to(target)
        assert "Nothing was lost" in signal.args[0]
        assert target.read_text(encoding="utf-8") == "earlier export\n"
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "today.csv"]
        log_dialog.error_box.button(QMessageBox.StandardButton.Ok).click()
        filler.unlink()
        with qtbot.waitSignal(log_dialog.exported, timeout=10000):
            log_dialog.export_to(target)
        assert len(read_csv(target)) == 3


# -- status bar and the window ------------------------------------------------------------------------
def test_outbox_status_counts_with_icons_and_opens_failed_view(
        qtbot: Any, desk: DeskService, sandbox: SandboxServer) -> None:
    status = OutboxStatus(desk)
    qtbot.addWidget(status)
    status.show()
    assert status.failed_button.text() == "0 failed"
    assert status.queued_label.text() == "0 queued"
    _record, decision = make_failed(qtbot, desk, sandbox)
    qtbot.waitUntil(lambda: status.failed_button.text() == "1 failed")
    assert status.failed_button.font().bold()
    assert not status.failed_button.icon().isNull()
    assert "1 failed" in status.toolTip()
    with qtbot.waitSignal(status.open_failed, timeout=2000):
        QTest.mouseClick(status.failed_button, Qt.MouseButton.LeftButton)
    desk.discard(decision.id)
    qtbot.waitUntil(lambda: status.failed_button.text() == "0 failed")


def test_window_has_the_decisions_menu_shortcuts_and_status(
        qtbot: Any, window: Any, sandbox: SandboxServer) -> None:
    views = window.decision_views
    assert views.menu.title() == "&Decisions"
    assert [a.text() for a in views.menu.actions()] == ["&Failed decisions…", "Decision &log…"]
    assert not window.outbox_label.isVisible()
    assert views.status.isVisible()
    # the shortcut opens the failed view from the scan field
    window.scan_field.setFocus()
    QTest.keyClick(window.scan_field, Qt.Key.Key_F,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: views.failed_dialog is not None and views.failed_dialog.isVisible())
    views.failed_dialog.close()
    # a failure shows in the status bar; pressing the count opens the list with it selected
    _record, decision = make_failed(qtbot, window.desk, sandbox)
    qtbot.waitUntil(lambda: views.status.failed_button.text() == "1 failed")
    QTest.mouseClick(views.status.failed_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: views.failed_dialog.isVisible())
    assert views.failed_dialog.table.selected_ids() == [decision.id]
    views.failed_dialog.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.scan_field.setFocus()
    QTest.keyClick(window.scan_field, Qt.Key.Key_L,
                   Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    qtbot.waitUntil(lambda: views.log_dialog is not None and views.log_dialog.isVisible())
    qtbot.waitUntil(lambda: decision.id in table_ids(views.log_dialog), timeout=10000)
    views.log_dialog.close()
    # the menu and the status follow the language
    try:
        assert i18n.install_language("zh_CN")
        QApplication.processEvents()
        assert views.menu.title() == "处理决定(&D)"
        assert views.log_action.text() == "处理记录(&L)…"
        assert views.status.failed_button.text() == "1 条失败"
    finally:
        i18n.install_language("en")
        QApplication.processEvents()
    assert views.menu.title() == "&Decisions"


def test_decision_views_switch_to_chinese(qtbot: Any, desk: DeskService, tasks: TaskManager,
                                          failed_dialog: FailedDecisionsDialog) -> None:
    log_view = DecisionLogDialog(desk, tasks, native_file_dialog=False)
    qtbot.addWidget(log_view)
    try:
        assert i18n.install_language("zh_CN")
        QApplication.processEvents()
        assert failed_dialog.retry_button.text() == "重试(&R)"
        assert failed_dialog.windowTitle() == "失败的处理决定"
        assert log_view.export_button.text() == "导出 CSV(&E)…"
    finally:
        i18n.install_language("en")
        QApplication.processEvents()
    assert failed_dialog.retry_button.text() == "&Retry"
