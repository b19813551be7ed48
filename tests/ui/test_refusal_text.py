"""Why a handling was refused, and why handling types are missing, in the operator's
language: the core says it with a code and parameters, the window words it."""

from __future__ import annotations

import asyncio
from typing import Any

from app.desk import DeskService, Problem
from app.model import Decision, DecisionAction, DecisionState, InventoryRecord, new_idempotency_key, utcnow
from tests.ui.conftest import FakeClock, run
from tests.ui.test_window import allowed_rh_record, type_scan
from ui import i18n
from ui.qt import QApplication


def other_desk_decides(desk: DeskService, record: InventoryRecord, code: str,
                       state: DecisionState | None = DecisionState.APPLIED) -> Decision:
    """Another desk's decision on the item, as its own sender leaves it in the shared store."""
    made = desk.store.add_decision(Decision(
        id=None, key=record.key, action=DecisionAction.UPDATE, new_handling=code,
        old_handling=record.handling_code, operator="bob", desk="desk-2", created_at=utcnow(),
        idempotency_key=new_idempotency_key()), expected_handling=record.handling_code)
    assert made.id is not None
    return made if state is None else desk.store.update_decision(made.id, state)


def test_refusals_and_the_catalogue_problem_are_in_chinese(
        window: Any, clock: FakeClock, qtbot: Any, qloop: asyncio.AbstractEventLoop) -> None:
    run(qtbot, qloop, window.desk.outbox.stop())  # the other desk's decision stays open
    record = allowed_rh_record(window)
    type_scan(window.scan_field, record.rma or "", clock)
    code = window.handling.combo.current_option().code
    try:
        assert i18n.install_language("zh_CN")
        QApplication.processEvents()
        other_desk_decides(window.desk, record, code, state=None)  # not seen by the list yet
        window.apply_handling(code)
        assert window.last_feedback.text == (
            f"未应用：{record.key} 的另一条处理决定（由 bob 在 desk-2 做出）仍在发送中；请等待其完成")
        window.desk.catalog = []
        window.desk.catalog_issue = Problem(
            "catalog_unreadable", "handling types could not be read from the API: 503",
            {"error": "503"})
        window.refresh_current()
        assert window.handling.warning.text() == "无法从 API 读取处理方式：503"
    finally:
        i18n.install_language("en")
        QApplication.processEvents()
    assert window.handling.warning.text() == "handling types could not be read from the API: 503"
