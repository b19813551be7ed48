""""Sync now" in the window: its progress and result, in the operator's language. The core
gives the numbers and the reasons a sync did not finish as codes and parameters
(``app.sync.SyncIssue``), the window words them; ``SyncSummary.text()`` stays the English of
the log and the command line."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from app.sandbox.server import FaultKind, SandboxServer
from app.sync import SyncIssue, SyncSummary
from app.sync_report import SyncPhase, SyncProgress
from ui import i18n
from ui.qt import QApplication
from ui.window_status import progress_tip, sync_summary_text


def unfinished_summary() -> SyncSummary:
    now = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
    return SyncSummary(
        since=now, until=now, resumed=True, listed=120, new=3, details=5, changed=7,
        detail_errors=2, winit_pages=1, winit_orders=20, winit_errors=1, elapsed_s=1.25,
        unfinished=[
            SyncIssue("details_owed", "details of 2 items could not be read (the next sync "
                      "asks for them first)", {"count": 2}),
            SyncIssue("winit_page", "WINIT return orders 2026-09-20..2026-11-22, page 2: "
                      "HTTP 503", {"first_day": "2026-09-20", "last_day": "2026-11-22",
                                   "page": 2, "error": "HTTP 503"})])


def sync_with_details_failing(window: Any, qtbot: Any, sandbox: SandboxServer) -> None:
    """"Sync now" while every details call fails (the sandbox answers 500) and an item's
    details are wanted: the sync ends unfinished. Returns once the window has said so."""
    recent = max(sandbox.items(), key=lambda i: i.create_on)
    sandbox.warehouse_act(recent.return_inventory_id, "inProgress")   # its details are wanted
    sandbox.fail_next(FaultKind.SERVER_ERROR, 1000, path="/ReturnInventory/GetReturnInventory")
    task = window.sync_now()
    assert task is not None
    qtbot.waitUntil(task.done, timeout=90000)
    # the task's done callbacks (the result message, the button) run on a later turn of
    # the loop than the one that finished the task
    qtbot.waitUntil(window.sync_button.isEnabled, timeout=5000)


def test_sync_now_shows_progress_and_the_result(window: Any, qtbot: Any) -> None:
    formats: list[str] = []
    window.sync_progress.valueChanged.connect(lambda _v: formats.append(window.sync_progress.format()))
    task = window.sync_now()
    assert task is not None
    assert window.sync_progress.isVisible() and not window.sync_button.isEnabled()
    assert window.sync_now() is None  # one sync at a time
    qtbot.waitUntil(task.done, timeout=90000)
    # the task's done callbacks (the result message, the button) run on a later turn of
    # the loop than the one that finished the task
    qtbot.waitUntil(window.sync_button.isEnabled, timeout=5000)
    assert any(m.startswith("Sync finished") and "Return Helper items" in m
               for m in window.messages), window.messages
    assert window.sync_button.isEnabled() and not window.sync_progress.isVisible()
    assert any("items" in f for f in formats)


def test_sync_now_says_when_the_sync_did_not_finish(window: Any, qtbot: Any,
                                                    sandbox: SandboxServer) -> None:
    """A details call fails (the sandbox answers 500): the result says the sync did not
    finish and why, as a problem, not "Sync finished"."""
    sync_with_details_failing(window, qtbot, sandbox)
    finished = [m for m in window.messages if m.startswith("Sync")]
    assert finished and finished[-1].startswith("Sync did not finish"), window.messages
    assert "could not be read" in finished[-1] and "continue where it stopped" in finished[-1]
    assert window.message_label.text().startswith("⚠")


def test_the_sync_summary_in_english_and_in_chinese(qapp: Any) -> None:
    summary = unfinished_summary()
    assert sync_summary_text(summary) == summary.text()    # the window's English is the CLI's
    one = SyncSummary(since=summary.since, until=summary.until, listed=4, new=4, details=3,
                      changed=4, detail_errors=1, elapsed_s=0.5,
                      unfinished=[SyncIssue("details_owed", "details of 1 item could not be "
                                            "read (the next sync asks for it first)",
                                            {"count": 1})])
    assert sync_summary_text(one) == one.text()
    try:
        assert i18n.install_language("zh_CN")
        assert sync_summary_text(summary) == (
            "Return Helper 物品 120 件（新增 3 件，读取详情 5 件），7 条记录有变更，"
            "WINIT 退货单 20 个，3 项无法读取，用时 1.2 秒（接续了上次中断的同步）；"
            "未完成：2 件物品的详情无法读取（下次同步会先读取它们）；"
            "WINIT 退货单 2026-09-20..2026-11-22，第 2 页：HTTP 503；请再次同步，从中断处继续")
        assert "1 件物品的详情无法读取（下次同步会先读取它）" in sync_summary_text(one)
        # a reason this window does not know yet is shown in the core's own words
        odd = SyncSummary(since=summary.since, until=summary.until,
                          unfinished=[SyncIssue("new_kind", "something new", {})])
        assert sync_summary_text(odd).endswith("未完成：something new；请再次同步，从中断处继续")
    finally:
        i18n.install_language("en")
        QApplication.processEvents()


def test_the_progress_bars_tooltip_follows_the_phase_in_the_operators_language(
        qapp: Any) -> None:
    """The core's progress message is English (the log, the command line); the tooltip is
    the window's own words from the phase and its counts."""
    steps = [SyncProgress(SyncPhase.STARTING, resumed=True, message="continuing an "
                          "interrupted sync"),
             SyncProgress(SyncPhase.RETURN_HELPER, pages_done=3, pages_total=8, items=150,
                          message="Return Helper: 150 items"),
             SyncProgress(SyncPhase.WINIT, winit_orders=20, message="WINIT: 20 return orders")]
    assert [progress_tip(p) for p in steps] == [
        "Continuing an interrupted sync", "Return Helper: 150 items, page 3 of 8",
        "WINIT: 20 return orders"]
    try:
        assert i18n.install_language("zh_CN")
        for step in steps:
            tip = progress_tip(step)
            assert tip and re.search(r"[\u4e00-\u9fff]", tip), tip
            assert step.message not in tip and "items" not in tip and "orders" not in tip
    finally:
        i18n.install_language("en")
        QApplication.processEvents()


def test_sync_now_says_in_chinese_why_the_sync_did_not_finish(
        window: Any, qtbot: Any, sandbox: SandboxServer) -> None:
    """A details call fails (the sandbox answers 500): a Simplified Chinese operator reads
    the whole result, numbers and reason, in Chinese."""
    try:
        assert i18n.install_language("zh_CN")
        QApplication.processEvents()
        sync_with_details_failing(window, qtbot, sandbox)
        said = [m for m in window.messages if m.startswith("同步")]
        assert said and said[-1].startswith("同步未完成：Return Helper 物品 "), window.messages
        assert re.search(r"；未完成：\d+ 件物品的详情无法读取（下次同步会先读取它", said[-1])
        assert said[-1].endswith("；请再次同步，从中断处继续")
        for english in ("items", "could not be read", "did not finish", "records changed"):
            assert english not in said[-1]
        assert window.message_label.text().startswith("⚠")
    finally:
        i18n.install_language("en")
        QApplication.processEvents()
