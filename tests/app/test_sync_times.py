"""A sync merges with vendor times only: a list row or details record without one never
replaces what a webhook measured, and a details record with a newer vendor time still wins."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from app.model import rh_key
from app.returnhelper.mapping import map_recalibrate, map_webhook_inventory
from app.sandbox.seed import SeedItem
from app.sandbox.server import SandboxServer
from app.store import open_store
from app.store.base import Store
from app.sync import backfill
from tests.app.sync_support import period
from tests.fixtures.sandbox import ClientFactory


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(str(tmp_path / "times.sqlite3"))
    yield s
    s.close()


def arrived_by_webhook(store: Store, sandbox: SandboxServer, item: SeedItem,
                       remeasured_at: datetime) -> None:
    """newInventoryCreated (no itemRma, no line item id: only the documented fields), then
    completeRecalibrate: 40 x 30 x 20 cm, 2 kg."""
    created_at = remeasured_at - timedelta(minutes=5)
    store.upsert(map_webhook_inventory(item.webhook_inventory(sandbox.file_base), item.shipment(),
                                       event_time=created_at))
    store.upsert(map_recalibrate({
        "warehouseId": item.warehouse_id, "returnInventoryId": item.return_inventory_id,
        "dimension1": 40, "dimension2": 30, "dimension3": 20, "weight": 2000,
        "recalibratedOn": remeasured_at.isoformat()}, event_time=remeasured_at))


def pending_items(sandbox: SandboxServer) -> list[SeedItem]:
    return [i for i in sandbox.items() if i.handling_status == "pending"
            and i.handling_updated_on is None and i.weight_g != 2000]


async def test_a_sync_without_vendor_times_keeps_the_remeasured_weight(
        sandbox: SandboxServer, rh_client_factory: ClientFactory, store: Store) -> None:
    item = pending_items(sandbox)[0]
    arrived_by_webhook(store, sandbox, item, datetime.now(UTC) - timedelta(minutes=1))
    since, until = period()
    await backfill(store, rh_client_factory(), None, since=since, until=until)
    record = store.get(rh_key(item.return_inventory_id))
    assert record is not None
    line = record.primary_line
    assert line is not None
    # the details (weight in grams, no handlingUpdatedOnStr) were stamped with the fetch
    # time and replaced 2 kg with the first weight, keeping 40 cm
    assert line.weight_kg == Decimal(2)
    assert (line.length_cm, line.width_cm, line.height_cm) == (Decimal(40), Decimal(30),
                                                               Decimal(20))
    # what the webhook lacked is filled from the list and the details
    assert record.item_rma == item.item_rma and record.line_item_id == item.line_item_id
    assert record.description == item.description


async def test_details_with_a_newer_vendor_time_still_win(
        sandbox: SandboxServer, rh_client_factory: ClientFactory, store: Store) -> None:
    item = pending_items(sandbox)[1]
    remeasured_at = datetime.now(UTC) - timedelta(hours=1)
    arrived_by_webhook(store, sandbox, item, remeasured_at)
    with sandbox.state.lock:  # the warehouse weighs again and puts it on hold, later
        stored = sandbox.state.items[item.return_inventory_id]
        stored.weight_g = 2500
        stored.handling_code = "ohd"
        stored.handling_updated_on = datetime.now(UTC).replace(microsecond=0)
    since, until = period()
    await backfill(store, rh_client_factory(), None, since=since, until=until)
    record = store.get(rh_key(item.return_inventory_id))
    assert record is not None and record.primary_line is not None
    assert record.handling_code == "ohd"
    assert record.primary_line.weight_kg == Decimal("2.5")
    assert record.primary_line.length_cm == Decimal(40)  # the details have no dimensions
