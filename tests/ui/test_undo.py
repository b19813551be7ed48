"""Ctrl+Z in the real window against the sandbox, by the state of the last decision: still
queued (withdrawn, nothing sent), being sent (wait, still undoable), applied (a cancel)."""

from __future__ import annotations

import asyncio
from typing import Any

from app.desk import WITHDRAWN_MESSAGE
from app.model import WITHDRAWN_CODE, DecisionAction, DecisionState, InventoryRecord, Source
from app.sandbox.server import FaultKind, SandboxServer
from tests.ui.conftest import FakeClock, outbox_shown, run
from tests.ui.decision_support import wait_for_cancel
from tests.ui.test_window import type_scan
from ui.i18n import decision_message
from ui.qt import Qt, load_qtest

QTest = load_qtest()
UPDATE_PATH = "UpdateReturnInventoryHandling"


def decidable_records(window: Any, count: int) -> list[InventoryRecord]:
    """Return Helper items that take a decision now, each found alone by its RMA."""
    found: list[InventoryRecord] = []
    for row in window.store.rows(window.model.query, 0, 400):
        record = window.store.get(row.key)
        if (record is not None and record.source is Source.RETURN_HELPER and record.rma
                and len({m.key for m in window.store.lookup(record.rma)}) == 1
                and any(o.allowed for o in window.desk.options(record))):
            found.append(record)
            if len(found) == count:
                return found
    raise AssertionError("not enough decidable Return Helper items in the sandbox data")


def decide_by_keyboard(window: Any, clock: FakeClock, record: InventoryRecord) -> str:
    """Scan, then the operator's Enter in the dropdown: the code selected is applied."""
    type_scan(window.scan_field, record.rma or "", clock)
    combo = window.handling.combo
    assert combo.hasFocus()
    code = str(combo.current_option().code)
    clock.advance(300)
    QTest.keyClick(combo, Qt.Key.Key_Return)
    assert window.last_feedback.kind == "queued"
    return code


def ctrl_z(window: Any) -> None:
    QTest.keyClick(window.scan_field, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)


def state_of(window: Any, key: str) -> DecisionState | None:
    live = window.model.live_state(key)
    return live.state if live is not None else None


def test_ctrl_z_withdraws_decisions_still_queued(
        window: Any, clock: FakeClock, sandbox: SandboxServer, qtbot: Any,
        qloop: asyncio.AbstractEventLoop) -> None:
    run(qtbot, qloop, window.desk.outbox.stop())  # offline: decisions wait in the outbox
    first, second = decidable_records(window, 2)
    decide_by_keyboard(window, clock, first)
    code = decide_by_keyboard(window, clock, second)
    qtbot.waitUntil(lambda: sum(outbox_shown(window)[:2]) == 2)
    # Before: the store refused a cancel of an open decision ("still being sent"), the
    # decision was gone from the undo list, and the second Ctrl+Z found nothing to undo.
    ctrl_z(window)
    assert window.last_feedback.kind == "applied"
    assert window.last_feedback.text.startswith(f"Withdrawn: {code} for ")
    assert window.sounds.played[-1] == "applied"
    ctrl_z(window)
    assert window.last_feedback.text.startswith("Withdrawn: ")
    for record in (first, second):
        [decision] = window.store.decisions_for(record.key)
        assert decision.state is DecisionState.DISCARDED
        assert decision.result_message == WITHDRAWN_MESSAGE  # the decision log says why
        assert decision.error_code == WITHDRAWN_CODE  # the window says it in its own words
        assert state_of(window, record.key) is DecisionState.DISCARDED  # and so does the row
        assert window.model.live_state(record.key).message == decision_message(None,
                                                                              WITHDRAWN_CODE)
    ctrl_z(window)
    assert window.messages[-1] == "Nothing to undo."
    qtbot.waitUntil(lambda: sum(outbox_shown(window)[:2]) == 0)
    assert window.scan_field.hasFocus()
    # The sender back on: nothing of either decision goes to Return Helper.
    window.desk.outbox.start()
    run(qtbot, qloop, window.desk.outbox.wait_idle(timeout=10))
    ids = {first.return_inventory_id, second.return_inventory_id}
    assert not [c for c in sandbox.applied() if c.return_inventory_id in ids]
    assert not [r for r in sandbox.requests() if UPDATE_PATH in r.path]


def test_ctrl_z_while_the_decision_is_sent_says_wait_and_undoes_it_once_applied(
        window: Any, clock: FakeClock, sandbox: SandboxServer, qtbot: Any) -> None:
    [record] = decidable_records(window, 1)
    sandbox.fail_next(FaultKind.HANG, path=UPDATE_PATH, delay_s=30)  # Return Helper is slow
    code = decide_by_keyboard(window, clock, record)
    qtbot.waitUntil(lambda: state_of(window, record.key) is DecisionState.SENDING, timeout=10000)
    played = len(window.sounds.played)
    ctrl_z(window)
    assert window.last_feedback.kind == "sending"
    assert window.last_feedback.text.startswith(f"Not undone yet: {code} for ")
    assert "press Ctrl+Z again" in window.last_feedback.text
    assert window.sounds.played[played:] == ["failed"]
    assert [d.action for d in window.store.decisions_for(record.key)] == [DecisionAction.UPDATE]
    sandbox.reset_faults()  # the hung request is answered (503), the sender retries it
    qtbot.waitUntil(lambda: state_of(window, record.key) is DecisionState.APPLIED, timeout=20000)
    ctrl_z(window)  # the same decision is still the one Ctrl+Z undoes
    assert window.last_feedback.text.startswith("Cancel queued for ")
    wait_for_cancel(qtbot, sandbox, record, code)
