"""The outbox sender while its store stops answering (a real SQLite file behind a switch);
the time an applied decision is stamped with."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.clock_check import ClockCheck
from app.model import DecisionState, InventoryRecord, Source, is_awaiting_decision
from app.outbox import OutboxSender, accepted_at, vendor_now
from app.returnhelper.client import ApiResult
from app.store import open_store
from app.store.base import StoreError
from tests.app.store.helpers import decision

FAILED_READS = 6


class SwitchedStore:
    """A real store whose ``decisions_in_state`` raises while ``down`` is set (a database
    server that went away, a share that dropped)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.down = True
        self.failed_reads = 0
        self.enough_failures = asyncio.Event()
        self._loop = asyncio.get_running_loop()

    def decisions_in_state(self, states: list[DecisionState]) -> list[Any]:
        if self.down:
            self.failed_reads += 1
            if self.failed_reads >= FAILED_READS:
                self._loop.call_soon_threadsafe(self.enough_failures.set)
            raise StoreError("could not connect to server: Connection refused")
        return list(self.store.decisions_in_state(states))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


class Heard(logging.Handler):
    """Sets ``event`` when a record containing ``text`` is logged."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.event = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            self.event.set()


async def test_a_store_that_stops_answering_is_logged_once_and_its_return_too(
        tmp_path: Path, caplog: Any) -> None:
    store = SwitchedStore(open_store(str(tmp_path / "desk.sqlite3")))
    # No decision is queued, so the client is never called; it must only exist (offline
    # senders do not read the store at all).
    sender = OutboxSender(store, client=object(), max_delay=0.001)
    back = Heard("answers again")
    logging.getLogger("app.outbox").addHandler(back)
    caplog.set_level(logging.INFO, logger="app.outbox")
    sender.start()
    try:
        await asyncio.wait_for(store.enough_failures.wait(), 20)
        assert sender.store_unreachable
        store.down = False
        sender.wake()
        await asyncio.wait_for(back.event.wait(), 20)
    finally:
        logging.getLogger("app.outbox").removeHandler(back)
        await sender.stop()
        store.store.close()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert store.failed_reads >= FAILED_READS
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].exc_info is not None and "cannot read queued decisions" in errors[0].getMessage()
    assert not sender.store_unreachable
    assert [r.getMessage() for r in caplog.records].count(
        "outbox: the store answers again; queued decisions are being sent") == 1


# -- the time an applied decision is stamped with --------------------------------------------
class AcceptingClient:
    """Return Helper accepting every decision; ``clock_check`` as the real client has it
    (its ``offset`` measured from the answers' Date header: Return Helper's clock minus
    this computer's)."""

    def __init__(self, offset: timedelta | None) -> None:
        self.clock_check = ClockCheck("Return Helper")
        self.clock_check.offset = offset

    async def update_handling(self, return_inventory_id: int, handling_code: object, *,
                              idempotency_key: str) -> ApiResult:
        return ApiResult("corr-1", None)

    async def cancel_handling(self, return_inventory_id: int, *,
                              idempotency_key: str) -> ApiResult:
        return ApiResult("corr-2", None)


def _handling(at: datetime | None, code: str, status: str = "pending") -> InventoryRecord:
    return InventoryRecord(source=Source.RETURN_HELPER, key="rh:1", updated_at=at,
                           return_inventory_id=1, handling_code=code, handling_status=status)


async def _send_one(store: Any, client: AcceptingClient, new: str = "rst") -> None:
    queued = store.add_decision(decision("rh:1", new), expected_handling="tbc")
    done = await OutboxSender(store, client).send(queued)  # type: ignore[arg-type]
    assert done.state is DecisionState.APPLIED and done.correlation_id == "corr-1"


@pytest.mark.parametrize("clock", ["right", "an hour behind"])
async def test_an_event_from_before_the_decision_never_reverts_it(tmp_path: Path,
                                                                 clock: str) -> None:
    """The item was synced without vendor times; an event created before Return Helper
    accepted the decision (late, or a kept one replayed) used to put the old handling back,
    as the applied view had only the item's newest vendor time (none). With this computer's
    clock an hour behind Return Helper's, the client's measured offset places the decision."""
    offset = timedelta(hours=1) if clock == "an hour behind" else None
    with open_store(str(tmp_path / "desk.sqlite3")) as store:
        store.upsert(_handling(None, "tbc"))
        await _send_one(store, AcceptingClient(offset))
        vendor_now = datetime.now(UTC) + (offset or timedelta(0))
        store.upsert(_handling(vendor_now - timedelta(minutes=30), "tbc"))
        record = store.get("rh:1")
        assert record is not None and record.handling_code == "rst"
        assert record.handling_status == "pending" and not is_awaiting_decision(record)
        # the warehouse completing it afterwards still wins
        store.upsert(_handling(vendor_now + timedelta(seconds=2), "rst", "completed"))
        assert store.get("rh:1").handling_status == "completed"  # type: ignore[union-attr]


async def test_a_warehouse_event_after_the_decision_wins_on_a_clock_ahead(
        tmp_path: Path) -> None:
    """This computer's clock an hour ahead of Return Helper's: the decision cancelled in the
    warehouse half an hour after it was accepted (on Return Helper's clock) wins over it."""
    with open_store(str(tmp_path / "desk.sqlite3")) as store:
        store.upsert(_handling(None, "tbc"))
        await _send_one(store, AcceptingClient(-timedelta(hours=1)))
        vendor_now = datetime.now(UTC) - timedelta(hours=1)
        store.upsert(_handling(vendor_now + timedelta(minutes=30), "tbc"))
        record = store.get("rh:1")
        assert record is not None and record.handling_code == "tbc"
        assert is_awaiting_decision(record)


def test_vendor_now_uses_the_measured_offset_past_the_date_headers_resolution() -> None:
    before = datetime.now(UTC)
    assert before <= vendor_now(object()) <= datetime.now(UTC)          # no clock check
    assert before <= vendor_now(AcceptingClient(None)) <= datetime.now(UTC)
    small = AcceptingClient(-timedelta(milliseconds=700))                 # Date's rounding
    assert before <= vendor_now(small) <= datetime.now(UTC)
    late = vendor_now(AcceptingClient(timedelta(minutes=5)))
    assert before + timedelta(minutes=5) <= late <= datetime.now(UTC) + timedelta(minutes=5)
    # the applied handling's time: before the request left, less the Date header's second
    assert accepted_at(object()) <= before


async def test_the_warehouse_completing_at_once_wins_over_the_decision(tmp_path: Path) -> None:
    """The warehouse completes the item the moment Return Helper accepts the decision (the
    sandbox does): its event's time, taken after the request arrived, is newer than the
    applied view's, even with this computer's clock a fraction of a second ahead."""
    with open_store(str(tmp_path / "desk.sqlite3")) as store:
        store.upsert(_handling(None, "tbc"))
        started = datetime.now(UTC)
        await _send_one(store, AcceptingClient(None))
        store.upsert(_handling(started - timedelta(milliseconds=500), "rst", "completed"))
        assert store.get("rh:1").handling_status == "completed"  # type: ignore[union-attr]
