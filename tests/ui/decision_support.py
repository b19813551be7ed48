"""Helpers shared by the decision views' tests (failed decisions, the day's log)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.desk import DeskService
from app.model import Decision, DecisionAction, DecisionState, InventoryRecord, Source
from app.sandbox.server import SandboxServer
from app.store.base import RowQuery
from ui.qt import Qt


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


def wait_for_cancel(qtbot: Any, sandbox: SandboxServer, record: InventoryRecord,
                    code: str) -> None:
    """Until Return Helper (the sandbox) has applied a cancel of ``record``'s handling, and
    check that it put back the code the item had before (``code``)."""
    qtbot.waitUntil(lambda: any(c.return_inventory_id == record.return_inventory_id
                                and c.action == "cancel" for c in sandbox.applied()),
                    timeout=20000)
    cancel = [c for c in sandbox.applied() if c.action == "cancel"][-1]
    assert cancel.previous_code == code
