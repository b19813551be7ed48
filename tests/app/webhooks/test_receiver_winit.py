"""WINIT status events posted over real HTTP to the running receiver (uvicorn + SQLite)."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from app.model import LineKind, Source
from app.webhooks.decrypt import UnavailableDecryptor
from tests.app.webhooks.events import ago, winit_record
from tests.fixtures.receiver import ReceiverFactory, RunningReceiver


def test_valid_records_land_with_both_sku_lists(receiver: RunningReceiver) -> None:
    second = winit_record("u-0002", "RO2", status="WP")
    second["actualSkuList"][0]["itemList"] = [{"itemSerno": "SN-0100"}]
    body = [winit_record("u-0001", "RO1"), second]
    response = receiver.post_winit(body)
    assert response.status_code == 200
    assert response.text == "success"                      # bare text, nothing else
    assert response.headers["content-type"].startswith("text/plain")
    record = receiver.store.get("winit:RO1")
    assert record is not None and record.source is Source.WINIT
    assert record.status == "RE" and record.rma == "RMA-4471"
    assert record.tracking_numbers == ("9400111899223197428490", "9400111899223197428491")
    estimate = [line for line in record.lines if line.kind is LineKind.ESTIMATE]
    actual = [line for line in record.lines if line.kind is LineKind.ACTUAL]
    assert len(estimate) == 1 and len(actual) == 1
    assert estimate[0].quantity == 2 and estimate[0].length_cm == Decimal("10.5")
    assert estimate[0].height_cm == Decimal("4.25") and estimate[0].weight_kg == Decimal("0.730")
    assert estimate[0].volume_m3 == Decimal("0.000357")
    assert actual[0].quantity == 1 and actual[0].grade == "DEFECTIVE"
    assert actual[0].serials == ("SN-0001", "SN-0002")
    assert actual[0].handle_method == "DEFECTIVE_SA"
    assert {m.key for m in receiver.store.lookup("SN-0002")} == {"winit:RO1"}
    assert {m.key for m in receiver.store.lookup("6901234567892")} == {"winit:RO1", "winit:RO2"}
    assert receiver.store.get("winit:RO2") is not None
    assert len(receiver.store.raw_events(source=Source.WINIT)) == 2


def test_each_uuid_is_stored_once(receiver: RunningReceiver) -> None:
    record = winit_record("u-dup", "RO3")
    assert receiver.post_winit([record]).text == "success"
    assert receiver.post_winit([record]).text == "success"
    assert receiver.post_winit([record, record]).text == "success"
    assert len(receiver.store.raw_events(source=Source.WINIT)) == 1


def test_newest_status_time_wins_and_history_is_kept(receiver: RunningReceiver) -> None:
    newer = winit_record("u-10", "RO4", status="WP", status_time=ago(minutes=5))
    older = winit_record("u-09", "RO4", status="RE", status_time=ago(hours=2))
    assert receiver.post_winit([newer]).text == "success"
    assert receiver.post_winit([older]).text == "success"
    record = receiver.store.get("winit:RO4")
    assert record is not None
    assert record.status == "WP"
    assert [c.status for c in record.history] == ["RE", "WP"]


def test_a_record_without_status_time_only_fills_gaps(receiver: RunningReceiver) -> None:
    done = winit_record("u-20", "RO9", status="OC", status_time=ago(minutes=5))
    timeless = winit_record("u-21", "RO9", status="RE", sellerOrderNo="SR-99")
    del timeless["statusTime"]
    del done["sellerOrderNo"]
    assert receiver.post_winit([done]).text == "success"
    assert receiver.post_winit([timeless]).text == "success"
    record = receiver.store.get("winit:RO9")
    assert record is not None
    assert record.status == "OC"                    # was turned back into RE
    assert record.seller_reference == "SR-99"       # what the order lacked is filled
    assert [c.status for c in record.history] == ["OC"]
    kept = {e.dedup_key: e.outcome for e in receiver.store.raw_events(source=Source.WINIT)}
    assert kept == {"winit:u:u-20": "applied", "winit:u:u-21": "applied"}  # nothing lost


def test_old_new_and_unknown_statuses_are_kept(receiver: RunningReceiver) -> None:
    for i, status in enumerate(["DT", "HI", "VO", "ZZ9", "oc"]):
        order = f"RO-S{i}"
        assert receiver.post_winit([winit_record(f"u-s{i}", order, status=status)]).text == "success"
        record = receiver.store.get(f"winit:{order}")
        assert record is not None and record.status == status.upper()


def test_wrong_token_is_refused(receiver: RunningReceiver) -> None:
    for token in ("nope", receiver.hook_token[:-1], receiver.hook_token + "x"):
        response = receiver.post_winit([winit_record("u-20", "RO5")], token=token)
        assert response.status_code == 404 and response.text == "fail"
    assert receiver.store.get("winit:RO5") is None
    assert receiver.store.raw_events() == []


def test_no_hook_token_configured_refuses_everything(receiver_factory: ReceiverFactory) -> None:
    r = receiver_factory(set_secrets=False)
    response = r.post_winit([winit_record("u-21", "RO6")], token=r.hook_token)
    assert response.text == "fail"
    assert r.store.get("winit:RO6") is None


def test_plaintext_off_keeps_the_body_and_says_fail(receiver_factory: ReceiverFactory) -> None:
    r = receiver_factory(winit_plaintext_events=False)
    response = r.post_winit([winit_record("u-22", "RO7")])
    assert response.status_code == 503 and response.text == "fail"
    assert r.store.get("winit:RO7") is None
    kept = r.store.raw_events(source=Source.WINIT)
    assert [e.outcome for e in kept] == ["rejected:cannot_decrypt"]
    assert json.loads(kept[0].body)[0]["uuid"] == "u-22"   # nothing lost: can be replayed


def test_an_explicit_decryptor_overrides_the_setting(receiver_factory: ReceiverFactory) -> None:
    r = receiver_factory(decryptor=UnavailableDecryptor())    # plaintext setting is on
    assert r.post_winit([winit_record("u-23", "RO8")]).text == "fail"


def test_malformed_bodies_say_fail_and_write_no_record(receiver: RunningReceiver) -> None:
    for raw in (b"[{", b"\xff", b'"text"', b"42", b"null"):
        response = receiver.post_winit(None, raw=raw)
        assert response.status_code == 400, raw
        assert response.text == "fail"
    assert all(e.outcome.startswith("rejected:") for e in receiver.store.raw_events())
    assert receiver.store.last_seq() == 0                 # no record written


def test_a_bad_record_is_kept_aside_and_good_ones_apply(receiver: RunningReceiver) -> None:
    good = winit_record("u-30", "RO9")
    bad = winit_record("u-31", "RO10")
    bad["estimateSkuList"][0]["quantity"] = "two"
    no_order = winit_record("u-32", "")
    response = receiver.post_winit([good, bad, no_order, "not an object"])
    assert response.text == "success"
    assert receiver.store.get("winit:RO9") is not None
    assert receiver.store.get("winit:RO10") is None        # nothing partial
    outcomes = sorted(e.outcome.split(":", 2)[0] + ":" + e.outcome.split(":", 2)[1]
                      if e.outcome.startswith("rejected") else e.outcome
                      for e in receiver.store.raw_events())
    assert outcomes == ["applied", "rejected:invalid", "rejected:invalid", "rejected:invalid"]
    reasons = " ".join(e.outcome for e in receiver.store.raw_events())
    assert "quantity" in reasons and "orderNo" in reasons
    # the fixed record under the same uuid is accepted later
    bad["estimateSkuList"][0]["quantity"] = "2"
    assert receiver.post_winit([bad]).text == "success"
    assert receiver.store.get("winit:RO10") is not None


def test_a_lone_object_is_accepted(receiver: RunningReceiver) -> None:
    assert receiver.post_winit(winit_record("u-40", "RO11")).text == "success"
    assert receiver.store.get("winit:RO11") is not None


def test_oversized_winit_body_is_refused(receiver_factory: ReceiverFactory) -> None:
    r = receiver_factory(max_body_bytes=2048)
    records = [winit_record(f"u-5{i}", f"RO5{i}") for i in range(5)]
    response = r.post_winit(records)
    assert response.status_code == 413 and response.text == "fail"
    assert r.store.raw_events() == [] and r.store.last_seq() == 0


def test_a_status_time_out_of_range_is_kept_aside(receiver: RunningReceiver) -> None:
    # zone-less WINIT text is China time: its year 1 starts before year 1 in UTC
    good = winit_record("u-40", "RO40")
    bad = [winit_record(f"u-4{i}", f"RO4{i}") for i in (1, 2, 3)]
    for record, value in zip(bad, ("0001-01-01 00:00:00", 1e300, 10 ** 30), strict=True):
        record["statusTime"] = value
    response = receiver.post_winit([good, *bad])
    assert response.status_code == 200 and response.text == "success"   # not a 503 for all
    assert receiver.store.get("winit:RO40") is not None
    assert all(receiver.store.get(f"winit:RO4{i}") is None for i in (1, 2, 3))
    rejected = [e for e in receiver.store.raw_events() if e.outcome != "applied"]
    assert len(rejected) == 3 and all("statusTime" in e.outcome for e in rejected)


def test_a_bug_in_processing_keeps_the_body(receiver: RunningReceiver,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import app.webhooks.receiver as receiver_module

    def broken(plaintext: bytes) -> object:
        raise RuntimeError("a bug")

    monkeypatch.setattr(receiver_module, "parse_body", broken)
    payload = [winit_record("u-50", "RO50")]
    response = receiver.post_winit(payload)
    assert response.status_code == 503 and response.text == "fail"    # not a 500
    kept = receiver.store.raw_events()
    assert [e.outcome for e in kept] == ["rejected:internal_error"]
    assert json.loads(kept[0].body) == payload
