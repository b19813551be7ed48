"""The decision views, offscreen, on a real SQLite store, against the sandbox over HTTP.

Failed decisions come from the sandbox's own refusal (the warehouse completed the item);
the retry is sent again over HTTP and checked against the sandbox's record of applied
changes (same idempotency key). The day log reads real decisions of three days; the CSV
export goes through the real (non-native) file dialog; a read-only folder and a full disk
are real filesystems (a tmpfs remounted read-only / filled up, when running as root).
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any

import pytest

from app.desk import DeskService
from app.model import Decision, DecisionAction, DecisionState, utcnow
from app.outbox import OutboxCounts
from app.sandbox.server import SandboxServer
from app.store.base import StoreError
from tests.ui.conftest import run
from tests.ui.decision_support import (
    header_texts,
    make_failed,
    row_texts,
    table_ids,
    wait_state,
)
from ui import i18n
from ui.decision_common import DecisionTable
from ui.decisions import DecisionLogDialog, FailedDecisionsDialog, OutboxStatus
from ui.qt import QApplication, QMessageBox, Qt, QTimer, load_qtest
from ui.tasks import TaskManager

QTest = load_qtest()


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


def test_failed_view_reads_on_the_poll_thread_while_the_window_turns(
        qtbot: Any, desk: DeskService, sandbox: SandboxServer,
        failed_dialog: FailedDecisionsDialog, monkeypatch: pytest.MonkeyPatch) -> None:
    record, decision = make_failed(qtbot, desk, sandbox)
    qtbot.waitUntil(lambda: decision.id in table_ids(failed_dialog))
    failed_dialog._poll.stop()  # only the reads asked for below
    stuck = Stuck([[], desk.failed_decisions()])
    monkeypatch.setattr(desk, "failed_decisions", stuck)
    failed_dialog.refresh()
    turns_while_stuck(qtbot, stuck)
    assert decision.id in table_ids(failed_dialog)  # nothing changes before the answer
    failed_dialog.refresh()  # a change meanwhile: read again, after this read
    assert len(stuck.threads) == 1  # one read in flight at a time
    stuck.release.set()
    qtbot.waitUntil(lambda: not stuck.answers)
    qtbot.waitUntil(lambda: row_texts(failed_dialog.table, decision.id)[1] == record.rma)
    assert len(stuck.threads) == 2 and table_ids(failed_dialog) == [decision.id]
    # a view opened while the store is slow says it is reading, not "no failed decisions"
    slow = Stuck([desk.store.decisions_in_state([DecisionState.FAILED])] * 10)
    monkeypatch.setattr(desk, "failed_decisions", slow)
    opened = FailedDecisionsDialog(desk)
    qtbot.addWidget(opened)
    opened.show()
    assert opened.summary.text() == "Reading the failed decisions…"
    slow.release.set()
    qtbot.waitUntil(lambda: opened.summary.text().startswith("1 failed decision(s)"))


def test_decision_table_columns_fill_its_width(qtbot: Any) -> None:
    """Filled while shown (a day read, a decision coming in), the last column still stretches
    to the table's edge: no empty band beside the header on a wide screen."""
    decision = a_decision(1)
    table = DecisionTable()
    qtbot.addWidget(table)
    table.resize(1800, 300)
    table.show()
    qtbot.waitExposed(table)
    table.fill(["Item", "Message", "correlationId"],
               [(decision, [decision.key, "short", "c75d72f3-0ce4-443f-881f-77a5e542734a"])])
    header = table.horizontalHeader()
    last = header.count() - 1
    assert header.sectionPosition(last) + header.sectionSize(last) == header.viewport().width()
    assert header.sectionSize(last) > 1000


def a_decision(n: int, state: DecisionState = DecisionState.FAILED) -> Decision:
    return Decision(id=n, key=f"rh:{n}", action=DecisionAction.UPDATE, new_handling="ohd",
                    old_handling="tbc", operator="ann", desk="desk-1", created_at=utcnow(),
                    idempotency_key=f"key-{n}", state=state)


def test_decision_table_rewrites_only_what_changed(qtbot: Any) -> None:
    """The views read again every 2 s: a read that changed nothing leaves every row as it is,
    a changed row is rewritten in place, and new rows at the end are appended (the day log
    grows there), a wider text widening its column."""
    table = DecisionTable()
    qtbot.addWidget(table)
    table.show()
    headers = ["Item", "State", "Message"]

    def rows(decisions: list[Decision], message: str = "refused") -> list[tuple[Decision, list[str]]]:
        return [(d, [d.key, d.state.value, message]) for d in decisions]

    first = [a_decision(n) for n in range(1, 4)]
    table.fill(headers, rows(first), state_column=1)
    items = [table.item(r, 0) for r in range(3)]
    table.selectRow(1)
    table.fill(headers, rows(first), state_column=1)  # the same read again
    assert [table.item(r, 0) for r in range(3)] == items  # untouched, not filled again
    changed = [first[0], replace(first[1], state=DecisionState.QUEUED), first[2]]
    table.fill(headers, rows(changed), state_column=1)
    assert table.item(0, 0) is items[0] and table.item(2, 0) is items[2]
    assert table.item(1, 1).text() == "queued" and table.selected_ids() == [2]
    width = table.columnWidth(2)
    grown = [*changed, a_decision(4)]
    table.fill(headers, [*rows(changed), *rows(grown[3:], "refused: " + "x" * 60)],
               state_column=1)
    assert table.rowCount() == 4 and table.item(0, 0) is items[0]
    assert table.item(3, 0).text() == "rh:4" and table.columnWidth(2) > width
    table.fill(headers, rows(grown[1:]), state_column=1)  # one gone: filled again
    assert table.ids() == [2, 3, 4] and table.item(0, 0) is not items[1]
    # rows arriving in a table that showed none (a view's first read) fit their columns:
    # "Failed" in bold beside its icon is not cut off
    empty = DecisionTable()
    qtbot.addWidget(empty)
    empty.show()
    empty.fill(headers, [], state_column=1)
    empty.fill(headers, rows([a_decision(9)]), state_column=1)
    assert empty.item(0, 1).font().bold()
    for column in range(2):
        needed = empty.sizeHintForIndex(empty.model().index(0, column)).width()
        assert empty.columnWidth(column) >= needed


# -- status bar and the window ------------------------------------------------------------------------
def test_outbox_status_counts_with_icons_and_opens_failed_view(
        qtbot: Any, desk: DeskService, sandbox: SandboxServer) -> None:
    status = OutboxStatus(desk)
    qtbot.addWidget(status)
    status.show()
    qtbot.waitUntil(lambda: status.failed_button.text() == "0 failed")
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


class Stuck:
    """A desk read of a database server that stops answering: each call waits until
    released (at most 5 s, so a read on the GUI thread fails the test instead of hanging
    it), then answers the next of ``answers``."""

    def __init__(self, answers: list[Any]) -> None:
        self.answers = answers
        self.release = threading.Event()
        self.threads: list[threading.Thread] = []

    def __call__(self) -> Any:
        self.threads.append(threading.current_thread())
        self.release.wait(5)
        return self.answers.pop(0)


def turns_while_stuck(qtbot: Any, stuck: Stuck) -> None:
    """The GUI thread turns (a timer fires) while ``stuck`` waits, on another thread."""
    ticks: list[int] = []
    QTimer.singleShot(0, lambda: ticks.append(1))
    qtbot.waitUntil(lambda: bool(ticks) and bool(stuck.threads))
    assert not stuck.release.is_set()
    assert stuck.threads[0] is not threading.main_thread()


def test_outbox_status_counts_on_the_poll_thread_while_the_window_turns(
        qtbot: Any, desk: DeskService, monkeypatch: pytest.MonkeyPatch) -> None:
    status = OutboxStatus(desk, interval_ms=60_000)  # only the counts asked for below
    qtbot.addWidget(status)
    qtbot.waitUntil(lambda: status.queued_label.text() == "0 queued")
    stuck = Stuck([OutboxCounts(queued=1, sending=0, failed=0),
                   OutboxCounts(queued=2, sending=1, failed=0)])
    monkeypatch.setattr(desk, "counts", stuck)
    status.refresh()
    turns_while_stuck(qtbot, stuck)
    assert status.queued_label.text() == "0 queued"  # nothing shown before the answer
    status.refresh()  # a decision changed meanwhile: counted again, after this count
    assert len(stuck.threads) == 1  # one count in flight at a time
    stuck.release.set()
    qtbot.waitUntil(lambda: status.sending_label.text() == "1 sending")
    assert status.queued_label.text() == "2 queued"
    assert len(stuck.threads) == 2 and stuck.answers == []


def test_the_window_closes_after_the_reads_under_way(
        qtbot: Any, qloop: Any, window: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The caller closes the store once the window has shut down: a count still running on
    the poll thread (a store slow to answer) finishes first instead of running into a
    closed store."""
    status = window.decision_views.status
    qtbot.waitUntil(lambda: not status._count.busy)
    finished = threading.Event()

    def slow_counts() -> OutboxCounts:
        for _ in range(500):  # a store that answers 300 ms after the window starts closing
            if window._closing:
                break
            threading.Event().wait(0.01)
        threading.Event().wait(0.3)
        finished.set()
        return OutboxCounts(queued=0, sending=0, failed=0)

    monkeypatch.setattr(window.desk, "counts", slow_counts)
    status.refresh()
    qtbot.waitUntil(lambda: status._count.busy)
    run(qtbot, qloop, window.shutdown())
    assert finished.is_set()  # the read ended before the store could be closed


def test_outbox_status_says_when_the_outbox_cannot_be_read(
        qtbot: Any, desk: DeskService, monkeypatch: pytest.MonkeyPatch) -> None:
    status = OutboxStatus(desk, interval_ms=60_000)
    qtbot.addWidget(status)
    qtbot.waitUntil(lambda: status.queued_label.text() == "0 queued")

    def gone() -> OutboxCounts:
        raise StoreError("the store does not answer")

    monkeypatch.setattr(desk, "counts", gone)
    status.refresh()
    qtbot.waitUntil(lambda: status.queued_label.text() == "outbox unreadable")
    monkeypatch.undo()
    status.refresh()
    qtbot.waitUntil(lambda: status.queued_label.text() == "0 queued")


def test_window_has_the_decisions_menu_shortcuts_and_status(
        qtbot: Any, window: Any, sandbox: SandboxServer) -> None:
    views = window.decision_views
    assert views.menu.title() == "&Decisions"
    assert [a.text() for a in views.menu.actions()] == ["&Failed decisions…", "Decision &log…"]
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
    # the list is read on the poll thread: selected when its rows arrive
    qtbot.waitUntil(lambda: views.failed_dialog.table.selected_ids() == [decision.id])
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
