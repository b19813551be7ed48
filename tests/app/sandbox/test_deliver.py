"""Signed webhook delivery from the sandbox to a receiver on loopback."""

from __future__ import annotations

import asyncio
import json
import threading
import uuid
from decimal import Decimal

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from app.returnhelper.mapping import map_recalibrate, map_webhook_inventory
from app.returnhelper.signature import is_fresh, verify
from app.sandbox import deliver
from app.sandbox.server import LoopbackServer, SandboxServer


class Receiver:
    """A webhook receiver that checks every signature and records the events."""

    def __init__(self, signing_key: str, *, fail_every: int = 0) -> None:
        self.signing_key = signing_key
        self.fail_every = fail_every
        self.events: list[dict] = []
        self.bad_signatures = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.changed = threading.Condition()
        self.server = LoopbackServer(Starlette(routes=[
            Route("/hooks", self.hook, methods=["POST"])]), name="test-receiver")
        self.registered_url = ""

    async def hook(self, request: Request) -> Response:
        with self.changed:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.01)  # hold the request so overlaps are visible
            raw = await request.body()
            ok = verify(self.signing_key, self.registered_url, request.headers["timestamp"], raw,
                        request.headers.get("returnhelper-signature"))
            with self.changed:
                if not ok:
                    self.bad_signatures += 1
                    self.changed.notify_all()
                    return Response(status_code=401)
                event = json.loads(raw)
                self.events.append(event)
                self.changed.notify_all()
                if self.fail_every and len(self.events) % self.fail_every == 0:
                    return Response(status_code=500)
            return Response(status_code=204)
        finally:
            with self.changed:
                self.in_flight -= 1

    def wait_for(self, count: int, timeout: float = 20) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: len(self.events) >= count, timeout)

    def __enter__(self) -> Receiver:
        self.server.start()
        self.registered_url = self.server.root + "/hooks"
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.stop()


@pytest.fixture
def receiver(sandbox: SandboxServer):
    with Receiver(sandbox.signing_key) as r:
        yield r


def test_new_inventory_events_are_delivered_signed(sandbox, receiver):
    ids = [i.return_inventory_id for i in sandbox.items()[:40]]
    report = sandbox.deliver_new_inventories(receiver.registered_url, ids=ids, concurrency=4)
    assert (report.accepted, report.failed) == (40, 0)
    assert receiver.bad_signatures == 0
    assert 1 <= receiver.max_in_flight <= 4
    assert len({e["notificationId"] for e in receiver.events}) == 40
    by_id = {int(e["returnInventory"]["returnInventoryId"]): e for e in receiver.events}
    assert set(by_id) == set(ids)
    for inventory_id, event in by_id.items():
        item = sandbox.item(inventory_id)
        assert event["category"] == event["action"] == "newInventoryCreated"
        assert event["version"] == "202207"
        assert is_fresh(event["eventTime"])
        inv, shipment = event["returnInventory"], event["shipment"]
        assert isinstance(inv["returnInventoryId"], str)  # as the vendor's sample sends it
        assert [inv["dimension1"], inv["dimension2"], inv["dimension3"]] == list(item.dims_cm)
        assert all(isinstance(inv[f"dimension{n}"], int) for n in (1, 2, 3))
        assert inv["dimensionUom"] == "cm" and inv["weightUom"] == "g"
        assert inv["weight"] == item.weight_g and isinstance(inv["weight"], int)
        assert shipment["trackingNumber"] == item.tracking_number
        record = map_webhook_inventory(inv, shipment)
        assert record.lines[0].weight_kg == Decimal(item.weight_g) / 1000
        assert record.tracking_numbers == (item.tracking_number,)


def test_failures_are_counted(sandbox):
    with Receiver(sandbox.signing_key, fail_every=3) as receiver:
        report = sandbox.deliver_new_inventories(
            receiver.registered_url, ids=[i.return_inventory_id for i in sandbox.items()[:9]])
    assert (report.accepted, report.failed) == (6, 3)
    assert report.statuses == {204: 6, 500: 3}


def test_a_wrong_registered_url_fails_verification(sandbox, receiver):
    report = sandbox.deliver_new_inventories(
        receiver.registered_url, registered_url=receiver.registered_url + "?x=1",
        ids=[sandbox.items()[0].return_inventory_id])
    assert (report.accepted, report.failed) == (0, 1)
    assert receiver.bad_signatures == 1


def test_an_unreachable_receiver_counts_as_failed(sandbox):
    server = LoopbackServer(Starlette()).start()
    url = server.root + "/hooks"
    server.stop()  # nothing listens there any more
    report = deliver.deliver([deliver.vas_updated([])], url, sandbox.signing_key, timeout=5)
    assert (report.accepted, report.failed) == (0, 1)
    assert report.statuses == {0: 1}


async def test_the_warehouse_acts_after_an_update_and_notifies(rh_client, sandbox, receiver):
    sandbox.set_receiver(receiver.registered_url, registered_url=receiver.registered_url,
                         act_after_s=0)
    item = next(i for i in sandbox.items()
                if i.handling_code == "tbc" and not i.has_unfinished_vas)
    await rh_client.update_handling(item.return_inventory_id, "rst",
                                    idempotency_key=str(uuid.uuid4()))
    assert await asyncio.to_thread(receiver.wait_for, 1)
    (event,) = receiver.events
    assert (event["category"], event["action"]) == ("rinv", "completeInventoryHandling")
    inventory = event["returnInventory"]
    assert int(inventory["returnInventoryId"]) == item.return_inventory_id
    assert (inventory["handlingCode"], inventory["handlingStatusCode"]) == ("rst", "completed")
    assert sandbox.item(item.return_inventory_id).handling_status == "completed"
    record = map_webhook_inventory(inventory)
    assert record.handling_status == "completed"


def test_event_builders_have_the_documented_envelope():
    inventory = {"returnInventoryId": 1, "rma": "USE-2-240715-D00003-30"}
    built = [
        deliver.complete_inventory_handling(inventory),
        deliver.cancel_inventory_handling(inventory),
        deliver.user_update_sku(inventory),
        deliver.warehouse_update_remarks(inventory),
        deliver.update_inventory_meta(inventory),
        deliver.complete_recalibrate({"returnInventoryId": 1, "dimension1": "10.5",
                                      "dimension2": 3, "dimension3": 2, "weight": 900,
                                      "recalibratedOn": "2026-11-21T10:00:00Z"}),
        deliver.rma_swapped(1, "A", "B"),
        deliver.vas_updated([{"vasStatusCode": "successful"}]),
    ]
    actions = [e["action"] for e in built]
    assert actions == ["completeInventoryHandling", "cancelInventoryHandling",
                       "userUpdateReturnInventorySku", "warehouseUpdateWarehouseRemarks",
                       "updateReturnInventoryMeta", "completeRecalibrate",
                       "notifyUserRmaSwapped", "vasUpdated"]
    assert all(e["category"] and e["eventTime"] and e["notificationId"] for e in built)
    assert len({e["notificationId"] for e in built}) == len(built)
    assert built[6]["payload"] == {"userApiId": "sandbox-api", "clientCode": "SANDBOX",
                                   "returnInventoryId": 1, "oldRma": "A", "newRma": "B"}
    assert built[7]["category"] == "rrliv"
    recalibrated = map_recalibrate(built[5]["recalibrateSupplement"])
    assert recalibrated.lines[0].length_cm == Decimal("10.5")


def test_encode_signed_signs_the_exact_bytes(sandbox):
    raw, headers = deliver.encode_signed({"a": "ü"}, "https://x/hooks", sandbox.signing_key,
                                         timestamp="2026-11-21T10:00:00.000Z")
    assert raw == '{"a":"ü"}'.encode()
    assert headers["timestamp"] == "2026-11-21T10:00:00.000Z"
    assert verify(sandbox.signing_key, "https://x/hooks", headers["timestamp"], raw,
                  headers["returnhelper-signature"])
