"""Events posted over HTTP to the running receiver appear in the window's inventory model
(the real Qt model, offscreen), the way the window's change poll applies them."""

from __future__ import annotations

import pytest

import ui.qt  # noqa: F401 - first (see ui.qt)
from tests.app.webhooks.events import ago, new_inventory, winit_record
from tests.fixtures.receiver import RunningReceiver
from ui.inventory import Column, InventoryModel


def _texts(model: InventoryModel, column: Column) -> list[str]:
    return [str(model.data(model.index(row, column))) for row in range(model.rowCount())]


@pytest.mark.usefixtures("qapp")
def test_webhook_events_show_up_in_the_inventory_model(receiver: RunningReceiver) -> None:
    model = InventoryModel(receiver.store)
    assert model.rowCount() == 0
    seq = receiver.store.last_seq()
    assert receiver.post_rh(new_inventory(440001, rma="USE-2-240715-D04400-11",
                                          when=ago(minutes=2))).status_code == 200
    assert receiver.post_winit([winit_record("u-ui-1", "RO-UI-1", status="WP")]).text == "success"
    seq, keys = receiver.store.changes_since(seq)
    assert set(keys) == {"rh:440001", "winit:RO-UI-1"}
    model.apply_changes(keys)
    assert model.rowCount() == 2
    assert "USE-2-240715-D04400-11" in _texts(model, Column.RMA)
    assert "RMA-4471" in _texts(model, Column.RMA)
    assert any("30" in text and "20" in text for text in _texts(model, Column.DIMENSIONS))

    # a later event changes the row in place
    done = new_inventory(440001, rma="USE-2-240715-D04400-11", handlingCode="rst",
                         handlingStatusCode="completed", modifyOn=ago(seconds=1).isoformat())
    assert receiver.post_rh(done).status_code == 200
    _, keys = receiver.store.changes_since(seq)
    model.apply_changes(keys)
    assert model.rowCount() == 1            # no longer awaiting a decision: leaves the list
    assert _texts(model, Column.RMA) == ["RMA-4471"]
