"""The day's decision log, offscreen, on a real SQLite store: real decisions of three days,
live changes, and the CSV export through the real (non-native) file dialog, into a real
read-only folder and onto a real full disk (a tmpfs remounted read-only / filled up, when
running as root)."""

from __future__ import annotations

import contextlib
import csv
import io
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from app.desk import DeskService
from app.model import Decision, DecisionState, Source
from app.sandbox.server import SandboxServer
from app.store.base import RowQuery
from tests.fixtures.filesystems import read_only_folder, tmpfs
from tests.ui.decision_support import (
    decidable,
    header_texts,
    insert_decision,
    make_failed,
    row_texts,
    table_ids,
    wait_state,
)
from ui.decisions import DecisionLogDialog
from ui.qt import QMessageBox, load_qtest

QTest = load_qtest()


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
