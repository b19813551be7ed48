"""Return Helper events the receiver keeps instead of applying, over real HTTP to the running
receiver (uvicorn + SQLite): times out of range, unreadable bodies, its own failures, stale
events; each is kept, answered 2xx (its retries too), and never a 500 with the body lost."""

from __future__ import annotations

import json
import logging
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest

from tests.app.webhooks.events import ago, iso, new_inventory
from tests.fixtures.receiver import RunningReceiver, nothing_stored


def raw_count(r: RunningReceiver) -> int:
    return len(r.store.raw_events(limit=10_000))


#: Times out of range as JSON text (1e400 reads as infinity; 10**30 ms overflows time_t).
OUT_OF_RANGE_JSON = ["1e400", "-1e400", str(10 ** 30), "1e300", "-1e20", str(10 ** 20),
                     "NaN", '"99999999999999999999"', '"0001-01-01T00:00:00+08:00"',
                     '"9999-12-31T23:59:59-08:00"']


def _with_raw_field(event: dict[str, object], raw_json: str) -> bytes:
    """The event's JSON with ``"X"`` replaced by ``raw_json`` as written (e.g. 1e400)."""
    body = json.dumps(event).encode()
    assert body.count(b'"X"') == 1
    return body.replace(b'"X"', raw_json.encode())


@pytest.mark.parametrize("raw_time", OUT_OF_RANGE_JSON)
def test_a_time_out_of_range_is_a_field_error_and_the_event_is_kept(
        receiver: RunningReceiver, raw_time: str) -> None:
    rid = 880300
    body = _with_raw_field(new_inventory(rid, modifyOn="X"), raw_time)
    response = receiver.post_rh(body)
    assert response.status_code == 202, response.text       # not a 500, not a 503
    assert response.json()["outcome"] == "rejected"
    assert "returnInventory.modifyOn" in response.json()["detail"]
    nothing_stored(receiver, rid)
    kept = receiver.store.raw_events()
    assert [e.outcome for e in kept] == ["rejected:invalid"]
    assert kept[0].body == body                               # the raw body, for replay
    assert receiver.post_rh(new_inventory(rid + 1)).status_code == 200   # still serving


def test_an_event_time_out_of_range_is_refused_and_kept(receiver: RunningReceiver) -> None:
    for raw_time in ("1e400", str(10 ** 30), '"0001-01-01T00:00:00+08:00"'):
        event = new_inventory(880310)
        event["eventTime"] = "X"
        response = receiver.post_rh(_with_raw_field(event, raw_time))
        assert response.status_code == 202, response.text
        assert "eventTime" in response.json()["detail"]
    assert {e.outcome for e in receiver.store.raw_events()} == {"rejected:invalid"}
    assert len(receiver.store.raw_events()) == 3


@pytest.mark.parametrize(("body", "reason"), [
    (b'{"category": "rinv", "action": ', "malformed_json"),
    (b"[1, 2, 3]", "not_an_object"),
    (json.dumps(new_inventory(880400, weight="heavy")).encode(), "invalid"),
    (_with_raw_field(new_inventory(880401, modifyOn="X"), "1e400"), "invalid"),
])
def test_a_kept_event_and_its_retries_are_answered_2xx(
        receiver: RunningReceiver, caplog: pytest.LogCaptureFixture, body: bytes,
        reason: str) -> None:
    caplog.set_level(logging.INFO, logger="app.webhooks")
    first = receiver.post_rh(body)
    assert first.status_code == 202, first.text
    assert first.json()["outcome"] == "rejected"
    assert first.json()["detail"].endswith(f"kept as rejected: {reason}, not applied")
    # Return Helper retries an event (it cannot know we kept it): same body, a new timestamp
    # and signature; ten 4xx answers would suspend the endpoint for everyone's parcels
    for _ in range(3):
        retry = receiver.post_rh(body, timestamp=iso(ago(seconds=1)))
        assert retry.status_code == 202, retry.text
        assert retry.json() == {"outcome": "rejected",
                                "detail": f"already kept as rejected: {reason}"}
    kept = receiver.store.raw_events()
    assert [(e.dedup_key.rsplit(":", 1)[0], e.body) for e in kept] == [
        (f"rejected:{reason}", body)]                               # kept once
    lines = [r.getMessage() for r in caplog.records if r.name == "app.webhooks"]
    assert sum("kept=now" in line for line in lines) == 1
    assert sum("kept=before" in line and "already kept as rejected" in line
               for line in lines) == 3
    health = receiver.client.get(receiver.base_url + "/healthz").json()
    assert health["rejected"] == 1 and health["duplicates"] == 3


def test_a_refused_event_that_cannot_be_kept_is_a_503(receiver_factory) -> None:  # type: ignore[no-untyped-def]
    r = receiver_factory()
    r.store.close()                                 # nothing can be kept: Return Helper retries
    response = r.post_rh(b'{"category": "rinv", "action": ')
    assert response.status_code == 503, response.text
    assert response.json()["outcome"] == "store_unavailable"
    assert "could not be kept" in response.json()["detail"]


def test_a_bug_in_processing_keeps_the_event_instead_of_a_500(
        receiver: RunningReceiver, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    import app.webhooks.receiver as receiver_module

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("a bug in mapping")

    caplog.set_level(logging.INFO, logger="app.webhooks")
    monkeypatch.setattr(receiver_module, "interpret", broken)
    event = new_inventory(880500)
    response = receiver.post_rh(event)
    assert response.status_code == 202, response.text
    assert response.json()["outcome"] == "rejected"
    assert "kept as rejected: internal_error" in response.json()["detail"]
    assert receiver.post_rh(event).json()["detail"] == "already kept as rejected: internal_error"
    kept = receiver.store.raw_events()
    assert len(kept) == 1 and kept[0].outcome == "rejected:internal_error"
    assert json.loads(kept[0].body) == event
    assert (kept[0].category, kept[0].action) == ("newInventoryCreated", "newInventoryCreated")
    assert any(r.levelno == logging.ERROR and r.exc_info for r in caplog.records)
    nothing_stored(receiver, 880500)
    # anywhere after the signature: the envelope reader failing too
    monkeypatch.setattr(receiver_module, "parse_envelope", broken)
    assert receiver.post_rh(new_inventory(880501)).status_code == 202
    assert receiver.store.raw_events()[0].outcome == "rejected:internal_error"
    monkeypatch.undo()
    assert receiver.post_rh(new_inventory(880502)).json()["outcome"] == "applied"


def test_a_record_the_store_cannot_write_is_kept_not_retried_forever(
        receiver: RunningReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    import dataclasses

    import app.webhooks.receiver as receiver_module

    real = receiver_module.interpret

    def poisoned(event, **kwargs):  # type: ignore[no-untyped-def]
        result = real(event, **kwargs)
        if result.records and result.records[0].return_inventory_id == 880510:
            bad = dataclasses.replace(result.records[0], meta={"EAN": object()})
            return dataclasses.replace(result, records=[bad])
        return result

    monkeypatch.setattr(receiver_module, "interpret", poisoned)
    events = [new_inventory(880510)] + [new_inventory(880511 + i) for i in range(6)]
    with ThreadPoolExecutor(7) as pool:      # concurrent: likely in one batch with the poison
        answers = list(pool.map(receiver.post_rh, events))
    assert answers[0].status_code == 202, answers[0].text
    assert "internal_error" in answers[0].json()["detail"]
    assert [a.json()["outcome"] for a in answers[1:]] == ["applied"] * 6
    nothing_stored(receiver, 880510)
    assert all(receiver.store.get(f"rh:{880511 + i}") is not None for i in range(6))


def test_a_stale_event_does_not_block_a_later_delivery_in_time(receiver_factory) -> None:  # type: ignore[no-untyped-def]
    # the receiver's clock was 40 minutes off (or it was down): the event is kept aside,
    # not under its own key, so the same event delivered in time later is applied
    offset = [timedelta(minutes=40)]
    r = receiver_factory(clock=lambda: datetime.now(UTC) + offset[0])
    event = new_inventory(880600, notification_id="n-late-1")
    first = r.post_rh(event)
    assert first.status_code == 202 and "rejected: stale" in first.json()["detail"]
    nothing_stored(r, 880600)
    offset[0] = timedelta(0)                                  # the clock is put right
    again = r.post_rh(event)
    assert again.status_code == 200 and again.json()["outcome"] == "applied"
    assert r.store.get("rh:880600") is not None
    kept = {e.dedup_key.rsplit(":", 1)[0]: e for e in r.store.raw_events()}
    assert set(kept) == {"rejected:stale", "rh:n"}
    # both were signature-checked, and the log says so (the signature itself is not kept)
    assert all(e.headers["returndesk-verified"] == "hmac-sha256" for e in kept.values())
    assert all("returnhelper-signature" not in e.headers for e in kept.values())
