"""vasUpdated: each update changes its own VAS code only, out of order and within one
group-commit batch; VAS status codes the reference does not document are not "finished"."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.handling import HandlingType, Reason, allowed_codes, handling_options
from app.model import InventoryRecord, Source, Vas, rh_key
from app.store import RawEvent, open_store
from app.webhooks.group_commit import GroupCommit
from app.webhooks.returnhelper_events import interpret, parse_envelope, vas_finished
from tests.app.webhooks.events import iso

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
RID = 770001
CATALOG = [HandlingType("ohd", "Hold"), HandlingType("rst", "Restock")]


def vas_event(code: str, status: str, when: datetime, **entry: object) -> bytes:
    return json.dumps({
        "category": "rrliv", "action": "vasUpdated", "eventTime": iso(when),
        "notificationId": f"n-{code}-{status}-{when.timestamp()}",
        "updateVasList": [{"returnInventoryId": RID, "vasCode": code, "vasStatusCode": status,
                           **entry}]}).encode()


def both_pending() -> InventoryRecord:
    return InventoryRecord(source=Source.RETURN_HELPER, key=rh_key(RID), updated_at=T0,
                           return_inventory_id=RID, handling_code="tbc",
                           handling_status="pending",
                           vas=(Vas("photo", False, "pending"), Vas("test", False, "pending")))


def test_an_update_names_only_its_own_code() -> None:
    event = parse_envelope(vas_event("test", "successful", T0 + timedelta(minutes=1),
                                     weight=1400))
    result = interpret(event)
    [record] = result.records
    assert record.vas == (Vas("test", True, "successful"),)   # not a rebuilt whole list
    assert record.primary_line is not None and str(record.primary_line.weight_kg) == "1.4"


async def test_updates_in_one_batch_do_not_undo_each_other(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "vas.sqlite3"))
    store.upsert(both_pending())
    writer = GroupCommit(store)

    def build(body: bytes):  # type: ignore[no-untyped-def]
        event = parse_envelope(body)

        def run() -> tuple[RawEvent, Sequence[InventoryRecord]]:
            # what the receiver does: interpret on the writer thread, just before the batch
            result = interpret(event)
            raw = RawEvent(source=Source.RETURN_HELPER, dedup_key=f"rh:n:{event.notification_id}",
                           received_at=T0, body=body, outcome=result.outcome)
            return raw, result.records
        return run

    try:
        results = await asyncio.gather(
            writer.ingest_built(build(vas_event("photo", "successful", T0 + timedelta(minutes=1)))),
            writer.ingest_built(build(vas_event("test", "successful", T0 + timedelta(minutes=2)))))
    finally:
        writer.close()
    assert results == [True, True]
    assert writer.batches == 1                               # both in one group commit
    record = store.get(rh_key(RID))
    store.close()
    assert record is not None
    assert {v.code: v.finished for v in record.vas} == {"photo": True, "test": True}
    assert "rst" in allowed_codes(handling_options(record, CATALOG))


@pytest.mark.parametrize("status", ["successful", "failed", " Successful "])
def test_documented_finished_statuses(status: str) -> None:
    assert vas_finished(status)


@pytest.mark.parametrize("status", ["1", "2", "3", "completed", "done", "cancelled", "0", "",
                                    None])
def test_undocumented_statuses_are_not_finished_and_logged(
        status: str | None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="app.webhooks"):
        assert not vas_finished(status)
    assert any("vas_status=unknown" in r.getMessage() for r in caplog.records)


def test_pending_is_not_finished_and_not_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="app.webhooks"):
        assert not vas_finished("pending")
    assert not caplog.records


def test_a_numeric_status_keeps_the_item_blocked() -> None:
    event = parse_envelope(vas_event("photo", "2", T0 + timedelta(minutes=1)))
    [record] = interpret(event).records
    assert record.vas == (Vas("photo", False, "2"),)          # the code is kept as sent
    options = {o.code: o for o in handling_options(
        InventoryRecord(source=Source.RETURN_HELPER, key=rh_key(RID), return_inventory_id=RID,
                        handling_code="tbc", handling_status="pending", vas=record.vas),
        CATALOG)}
    assert options["rst"].reason is Reason.UNFINISHED_VAS
