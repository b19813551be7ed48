"""Return Helper events posted over real HTTP to the running receiver (uvicorn + SQLite)."""

from __future__ import annotations

import base64
import json
import logging
import re
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from app.credentials import Secret
from app.model import Source
from tests.app.webhooks.events import ago, inventory, iso, new_inventory, rh_event, winit_record
from tests.fixtures.receiver import RunningReceiver, nothing_stored


def raw_count(r: RunningReceiver) -> int:
    return len(r.store.raw_events(limit=10_000))


def test_new_inventory_lands_in_the_store(receiver: RunningReceiver) -> None:
    response = receiver.post_rh(new_inventory("880001"))
    assert response.status_code == 200, response.text
    assert response.json()["outcome"] == "applied"
    record = receiver.store.get("rh:880001")
    assert record is not None
    assert record.return_inventory_id == 880001          # sent as a string
    assert record.tracking_numbers == ("1Z999AA10123456784",)
    line = record.primary_line
    assert line is not None
    assert (line.length_cm, line.width_cm, line.height_cm) == (Decimal(30), Decimal(20), Decimal(10))
    assert line.weight_kg == Decimal("1.25")             # 1250 g
    assert record.handling_code == "tbc" and record.handling_status == "pending"
    assert [m.key for m in receiver.store.lookup("USE-2-240715-D00003-30")] == ["rh:880001"]
    events = receiver.store.raw_events(source=Source.RETURN_HELPER)
    assert len(events) == 1 and events[0].outcome == "applied"
    assert "returnhelper-signature" not in events[0].headers


def test_every_listed_event_kind_changes_the_record(receiver: RunningReceiver) -> None:
    rid = 990001
    steps = [
        new_inventory(rid, when=ago(minutes=9)),
        rh_event("rinv", "completeRecalibrate", {"recalibrateSupplement": {
            "warehouseId": 2, "returnInventoryId": rid, "returnRequestLineItemId": 4401,
            "rma": "USE-2-240715-D00003-30", "dimension1": "31.5", "dimension2": 20.25,
            "dimension3": 10, "weight": 1310, "recalibratedOn": iso(ago(minutes=8))}},
            when=ago(minutes=8)),
        rh_event("rinv", "userUpdateReturnInventorySku",
                 {"returnInventory": {"returnInventoryId": rid, "sku": "SPK-BLK-01",
                                      "modifyOn": iso(ago(minutes=7))}}, when=ago(minutes=7)),
        rh_event("rinv", "warehouseUpdateWarehouseRemarks",
                 {"returnInventory": {"returnInventoryId": str(rid),
                                      "warehouseRemarks": "box crushed",
                                      "modifyOn": iso(ago(minutes=6))}}, when=ago(minutes=6)),
        rh_event("rinv", "updateReturnInventoryMeta",
                 {"returnInventory": {"returnInventoryId": rid, "modifyOn": iso(ago(minutes=5)),
                                      "returnInventoryMetaList": [
                                          {"metaType": "whs", "metaMap": {"IMEI": "356938035643809"}}]}},
                 when=ago(minutes=5)),
        rh_event("rinv", "notifyUserRmaSwapped", {"payload": {
            "userApiId": "u1", "clientCode": "C1", "returnInventoryId": str(rid),
            "oldRma": "USE-2-240715-D00003-30", "newRma": "USE-2-240716-D00009-11"}},
            when=ago(minutes=4)),
        rh_event("rrliv", "vasUpdated", {"updateVasList": [{
            "returnInventoryId": rid, "vasCode": "photo", "vasStatusCode": "pending"}]},
            when=ago(minutes=3)),
        rh_event("rrliv", "vasUpdated", {"updateVasList": [{
            "returnInventoryId": rid, "vasCode": "photo", "vasStatusCode": "successful",
            "dimension1": 32, "dimension2": 21, "dimension3": 11, "weight": 1400,
            "imageUrlList": ["https://example.invalid/a.jpg"]}]}, when=ago(minutes=2, seconds=30)),
        rh_event("rinv", "completeInventoryHandling",
                 {"returnInventory": inventory(rid, handlingCode="rst",
                                               handlingStatusCode="completed",
                                               rma="USE-2-240716-D00009-11", sku="SPK-BLK-01",
                                               modifyOn=iso(ago(minutes=2)),
                                               handlingUpdatedOn=iso(ago(minutes=2)),
                                               dimension1=None, dimension2=None,
                                               dimension3=None, weight=None)},
                 when=ago(minutes=2)),
    ]
    seen = []
    for event in steps:
        response = receiver.post_rh(event)
        assert response.status_code == 200, (event["action"], response.text)
        assert response.json()["outcome"] == "applied", event["action"]
        record = receiver.store.get(f"rh:{rid}")
        assert record is not None
        seen.append(record)
    recal, sku, remarks, meta, swap, vas_pending, vas_done, done = seen[1:]
    assert recal.primary_line is not None and recal.primary_line.length_cm == Decimal("31.5")
    assert recal.primary_line.weight_kg == Decimal("1.31")
    assert sku.primary_line is not None and sku.primary_line.sku == "SPK-BLK-01"
    assert sku.primary_line.length_cm == Decimal("31.5")      # a SKU update keeps dimensions
    assert remarks.remarks == "box crushed"
    assert meta.meta.get("IMEI") == "356938035643809"
    assert [m.key for m in receiver.store.lookup("356938035643809")] == [f"rh:{rid}"]
    assert swap.rma == "USE-2-240716-D00009-11"
    assert vas_pending.has_unfinished_vas
    assert not vas_done.has_unfinished_vas
    assert vas_done.primary_line is not None and vas_done.primary_line.weight_kg == Decimal("1.4")
    assert done.handling_code == "rst" and done.handling_status == "completed"
    assert done.primary_line is not None and done.primary_line.length_cm == Decimal(32)
    cancel = rh_event("rinv", "cancelInventoryHandling",
                      {"returnInventory": {"returnInventoryId": rid, "handlingCode": "tbc",
                                           "handlingStatusCode": "pending",
                                           "modifyOn": iso(ago(minutes=1)),
                                           "handlingUpdatedOn": iso(ago(minutes=1))}})
    assert receiver.post_rh(cancel).json()["outcome"] == "applied"
    cancelled = receiver.store.get(f"rh:{rid}")
    assert cancelled is not None and cancelled.handling_code == "tbc"
    assert cancelled.handling_status == "pending"
    assert raw_count(receiver) == len(steps) + 1


def test_handling_codes_as_numbers_are_read(receiver: RunningReceiver) -> None:
    event = new_inventory(770001, handlingCode=4, handlingStatusCode="0")
    assert receiver.post_rh(event).status_code == 200
    record = receiver.store.get("rh:770001")
    assert record is not None and record.handling_code == "ohd"
    assert record.handling_status == "pending"


def test_duplicates_are_stored_once(receiver: RunningReceiver) -> None:
    event = new_inventory(880002, notification_id="n-dup-1")
    first = receiver.post_rh(event)
    second = receiver.post_rh(event)
    assert first.json()["outcome"] == "applied"
    assert second.status_code == 200 and second.json()["outcome"] == "duplicate"
    # same notificationId, re-serialised differently: still the same event
    respaced = json.dumps(event, indent=1).encode()
    third = receiver.post_rh(respaced)
    assert third.status_code == 200 and third.json()["outcome"] == "duplicate"
    assert raw_count(receiver) == 1


def test_events_without_notification_id_dedupe_on_the_body(receiver: RunningReceiver) -> None:
    event = new_inventory(880003, notification_id=None)
    body = json.dumps(event).encode()
    assert receiver.post_rh(body).json()["outcome"] == "applied"
    assert receiver.post_rh(body).json()["outcome"] == "duplicate"
    other = json.dumps({**event, "eventTime": iso(ago(seconds=1))}).encode()
    assert receiver.post_rh(other).json()["outcome"] == "applied"   # a different body
    assert raw_count(receiver) == 2


def test_out_of_order_events_keep_the_newest(receiver: RunningReceiver) -> None:
    rid = 880004
    newer = rh_event("rinv", "completeInventoryHandling",
                     {"returnInventory": inventory(rid, handlingCode="dsp",
                                                   handlingStatusCode="completed",
                                                   modifyOn=iso(ago(minutes=1)),
                                                   handlingUpdatedOn=iso(ago(minutes=1)))},
                     when=ago(minutes=1))
    older = new_inventory(rid, when=ago(minutes=10), modifyOn=iso(ago(minutes=10)),
                          description="older description", sku="OLD-SKU")
    assert receiver.post_rh(newer).json()["outcome"] == "applied"
    assert receiver.post_rh(older).json()["outcome"] == "applied"
    record = receiver.store.get(f"rh:{rid}")
    assert record is not None
    assert record.handling_code == "dsp" and record.handling_status == "completed"
    assert record.tracking_numbers == ("1Z999AA10123456784",)   # the older view fills gaps
    assert raw_count(receiver) == 2


def test_vas_updates_out_of_order_each_keep_their_own_code(receiver: RunningReceiver) -> None:
    rid = 880005

    def vas(code: str, status: str, minutes: float) -> dict[str, object]:
        return rh_event("rrliv", "vasUpdated", {"updateVasList": [{
            "returnInventoryId": rid, "vasCode": code, "vasStatusCode": status}]},
            when=ago(minutes=minutes))
    assert receiver.post_rh(new_inventory(rid, when=ago(minutes=10))).status_code == 200
    for step in (vas("photo", "pending", 9), vas("test", "pending", 9),
                 vas("photo", "successful", 1),    # the newer update arrives first ...
                 vas("test", "successful", 2)):    # ... then the older one for another code
        response = receiver.post_rh(step)
        assert response.status_code == 200 and response.json()["outcome"] == "applied"
    record = receiver.store.get(f"rh:{rid}")
    assert record is not None
    assert {v.code: v.finished for v in record.vas} == {"photo": True, "test": True}
    assert not record.has_unfinished_vas              # the operator may decide


def test_forged_signature_is_refused(receiver: RunningReceiver) -> None:
    other_key = base64.b64encode(b"not the key" * 3).decode()
    response = receiver.post_rh(new_inventory(880010), key=other_key)
    assert response.status_code == 401
    nothing_stored(receiver, 880010)
    assert raw_count(receiver) == 0          # unauthenticated input never reaches the store


def test_missing_or_garbage_signature_is_refused(receiver: RunningReceiver) -> None:
    event = new_inventory(880011)
    assert receiver.post_rh(event, signature="").status_code == 401
    assert receiver.post_rh(event, signature="%%%not base64%%%").status_code == 401
    body = json.dumps(event).encode()
    response = receiver.client.post(receiver.rh_url, content=body,
                                    headers={"content-type": "application/json"})
    assert response.status_code == 401
    nothing_stored(receiver, 880011)
    assert raw_count(receiver) == 0


def test_tampered_body_is_refused(receiver: RunningReceiver) -> None:
    event = new_inventory(880012)
    body = json.dumps(event).encode()
    tampered = body.replace(b'"weight": 1250', b'"weight": 9250')
    assert tampered != body
    response = receiver.post_rh(body, send_body=tampered)
    assert response.status_code == 401
    nothing_stored(receiver, 880012)


def test_wrong_url_in_the_signed_text_is_refused(receiver: RunningReceiver) -> None:
    event = new_inventory(880013)
    for url in (receiver.rh_url + "/", receiver.rh_url.replace("127.0.0.1", "localhost"),
                "https://hooks.example.com/webhooks/returnhelper"):
        assert receiver.post_rh(event, signed_url=url).status_code == 401, url
    nothing_stored(receiver, 880013)
    assert receiver.post_rh(event).status_code == 200     # the registered URL verifies


def test_registered_public_url_is_what_is_signed(receiver_factory) -> None:  # type: ignore[no-untyped-def]
    r = receiver_factory()
    r.settings.webhooks_public_url = "https://hooks.example.com/rd/webhooks/returnhelper"
    event = new_inventory(880014)
    assert r.post_rh(event).status_code == 401              # signed over the local URL
    response = r.post_rh(event, signed_url="https://hooks.example.com/rd/webhooks/returnhelper")
    assert response.status_code == 200
    assert r.store.get("rh:880014") is not None


def test_stale_event_is_refused_but_kept_for_audit(receiver: RunningReceiver,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="app.webhooks")
    for rid, when in ((880020, ago(minutes=16)), (880021, ago(minutes=-16))):
        event = new_inventory(rid, when=when)
        response = receiver.post_rh(event)
        assert response.status_code == 202, response.text     # kept: 2xx, never suspended
        assert response.json()["outcome"] == "rejected"
        assert "15 minutes" in response.json()["detail"]
        assert "kept as rejected: stale" in response.json()["detail"]
        nothing_stored(receiver, rid)
        # Return Helper retries it: still nothing applied, kept once, answered 2xx so the
        # endpoint is not suspended for an event that can never become fresh
        retry = receiver.post_rh(event)
        assert retry.status_code == 202
        assert retry.json()["detail"] == "already kept as rejected: stale"
        nothing_stored(receiver, rid)
    kept = receiver.store.raw_events()
    assert sorted(e.outcome for e in kept) == ["rejected:stale", "rejected:stale"]
    assert all(e.dedup_key.startswith("rejected:stale:") for e in kept)   # not their own keys
    # the log says by how much: a wrong clock here shows as every event off by the same amount
    offsets = [int(m.group(1)) for r in caplog.records
               for m in [re.search(r"reason=stale kept=now .*offset_s=(-?\d+)",
                                   r.getMessage())] if m]
    assert len(offsets) == 2
    assert -16 * 60 - 5 < offsets[0] < -16 * 60 + 5 and 16 * 60 - 5 < offsets[1] < 16 * 60 + 5
    # inside the window is fine
    assert receiver.post_rh(new_inventory(880022, when=ago(minutes=14))).status_code == 200


def test_late_retry_of_an_applied_event_is_a_duplicate(receiver_factory) -> None:  # type: ignore[no-untyped-def]
    offset = [timedelta(0)]
    r = receiver_factory(clock=lambda: datetime.now(UTC) + offset[0])
    event = new_inventory(880023)
    assert r.post_rh(event).json()["outcome"] == "applied"
    before = r.store.get("rh:880023")
    offset[0] = timedelta(minutes=40)          # our 200 was lost; the retry comes late
    retry = r.post_rh(event)
    assert retry.status_code == 200 and retry.json()["outcome"] == "duplicate"
    assert r.store.get("rh:880023") == before
    assert [e.outcome for e in r.store.raw_events()] == ["applied"]


def test_malformed_json_is_refused_and_kept(receiver: RunningReceiver) -> None:
    for body in (b'{"category": "rinv", "action": ', b"\xff\xfe not utf-8", b"[1, 2, 3]",
                 b'"just a string"', b""):
        response = receiver.post_rh(body)
        assert response.status_code == 202, body
        assert response.json()["outcome"] == "rejected"
        assert "kept as rejected" in response.json()["detail"]
    outcomes = {e.outcome for e in receiver.store.raw_events()}
    assert outcomes <= {"rejected:malformed_json", "rejected:not_an_object"}
    assert receiver.client.get(receiver.base_url + "/healthz").status_code == 200


def test_known_event_with_wrong_types_writes_nothing(receiver: RunningReceiver) -> None:
    bad_events = [
        new_inventory("not-a-number"),
        new_inventory(880030, dimension1={"x": 1}),
        new_inventory(880031, weight="heavy"),
        new_inventory(880032, weightUom="stone"),
        rh_event("rinv", "completeRecalibrate", {"recalibrateSupplement": "oops"}),
        rh_event("rinv", "notifyUserRmaSwapped", {"payload": {"returnInventoryId": 880033}}),
        rh_event("rrliv", "vasUpdated", {"updateVasList": {"not": "a list"}}),
    ]
    for event in bad_events:
        response = receiver.post_rh(event)
        assert response.status_code == 202, (event["action"], response.text)
        assert response.json()["outcome"] == "rejected"
        assert response.json()["detail"].endswith("kept as rejected: invalid, not applied")
    for rid in (880030, 880031, 880032, 880033):
        nothing_stored(receiver, rid)
    assert all(e.outcome == "rejected:invalid" for e in receiver.store.raw_events())
    assert raw_count(receiver) == len(bad_events)


def test_unknown_event_is_kept_and_acknowledged(receiver: RunningReceiver) -> None:
    event = rh_event("resend", "forceCancelResend", {"resend": {"resendId": 295}})
    response = receiver.post_rh(event)
    assert response.status_code == 200
    assert response.json()["outcome"] == "unknown_event"
    kept = receiver.store.raw_events()
    assert [(e.category, e.action, e.outcome) for e in kept] == [
        ("resend", "forceCancelResend", "unknown_event")]
    assert json.loads(kept[0].body) == event


def test_oversized_body_is_refused(receiver_factory) -> None:  # type: ignore[no-untyped-def]
    r = receiver_factory(max_body_bytes=4096)
    big = new_inventory(880040, description="x" * 8000)
    response = r.post_rh(big)
    assert response.status_code == 413
    nothing_stored(r, 880040)

    def chunks():  # no content-length: the cap applies while streaming
        body = json.dumps(big).encode()
        for i in range(0, len(body), 1000):
            yield body[i:i + 1000]

    stamp = iso(ago(seconds=0))
    body = json.dumps(big).encode()
    response = r.client.post(r.rh_url, content=chunks(), headers={
        "timestamp": stamp, "returnhelper-signature": r.sign(body, stamp)})
    assert response.status_code == 413
    nothing_stored(r, 880040)
    assert raw_count(r) == 0
    assert r.post_rh(new_inventory(880041)).status_code == 200   # still serving


def test_missing_signing_key_is_a_clear_503(receiver_factory) -> None:  # type: ignore[no-untyped-def]
    r = receiver_factory(set_secrets=False)
    response = r.post_rh(new_inventory(880050))
    assert response.status_code == 503
    assert Secret.RH_SIGNING_KEY.value in response.json()["detail"]
    nothing_stored(r, 880050)


def test_many_concurrent_events_all_land(receiver: RunningReceiver) -> None:
    events = [new_inventory(600000 + i, rma=f"USE-2-240715-D{i:05d}-30") for i in range(40)]
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda e: receiver.post_rh(e).status_code, events))
    assert statuses == [200] * 40
    for i in range(40):
        assert receiver.store.get(f"rh:{600000 + i}") is not None
    assert raw_count(receiver) == 40


def test_logs_are_structured_and_hold_no_secret(receiver: RunningReceiver,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="app.webhooks")
    event = new_inventory(880060)
    body = json.dumps(event).encode()
    stamp = iso(ago(seconds=0))
    signature = receiver.sign(body, stamp)
    receiver.post_rh(body, timestamp=stamp)
    receiver.post_rh(body, key=base64.b64encode(b"k" * 32).decode())
    receiver.post_winit([], token="wrong-token")
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == "app.webhooks")
    assert "outcome=applied" in text and "reason=bad_signature" in text
    assert "reason=bad_token" in text
    for secret in (receiver.signing_key, signature, receiver.hook_token, "wrong-token"):
        assert secret not in text


def test_healthz(receiver: RunningReceiver) -> None:
    response = receiver.client.get(receiver.base_url + "/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert receiver.client.post(receiver.base_url + "/healthz").status_code == 405


def test_get_on_the_endpoint_is_not_allowed(receiver: RunningReceiver) -> None:
    assert receiver.client.get(receiver.rh_url).status_code == 405
    assert isinstance(receiver.client, httpx.Client)


def test_store_failure_is_a_503_and_the_service_lives_on(receiver_factory) -> None:  # type: ignore[no-untyped-def]
    r = receiver_factory()
    assert r.post_rh(new_inventory(880070)).status_code == 200
    r.store.close()                                   # the store goes away (disk, server)
    response = r.post_rh(new_inventory(880071))
    assert response.status_code == 503                # Return Helper will retry it
    assert response.json()["outcome"] == "store_unavailable"
    assert r.post_winit([winit_record("u-st", "RO-ST")]).text == "fail"
    assert r.client.get(r.base_url + "/healthz").status_code == 503
