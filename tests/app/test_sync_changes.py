"""A re-sync notices a change in any field a Return Helper list row carries (and only then
fetches details), and a sync stopped by a failure keeps every page it stored."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from app.model import InventoryRecord
from app.returnhelper.errors import ApiError, ServerError
from app.returnhelper.mapping import ListRow
from app.sandbox.seed import SeedItem
from app.sandbox.server import SandboxServer
from app.store import open_store
from app.store.base import ListedFields, Store
from app.sync import (
    CURSOR_STATE,
    DETAILS_STATE,
    OWED_SYNCS,
    REFUSED_STATE,
    SyncProgress,
    backfill,
    needs_details,
)
from tests.app.sync_support import ALL, period
from tests.fixtures.sandbox import ClientFactory


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(str(tmp_path / "changes.sqlite3"))
    yield s
    s.close()


def detail_ids(sandbox: SandboxServer) -> list[int]:
    return [int(parse_qs(r.query)["returnInventoryId"][0]) for r in sandbox.requests()
            if r.path.endswith("/GetReturnInventory")]


def change(sandbox: SandboxServer, return_inventory_id: int, **values: Any) -> None:
    """The vendor changes an inventory (what its list and details then say)."""
    with sandbox.state.lock:
        item = sandbox.state.items[return_inventory_id]
        for name, value in values.items():
            setattr(item, name, value)


def other_code(current: str, codes: tuple[str, ...]) -> str:
    return next(c for c in codes if c != current)


#: every field a list row carries (but the id, which is the key): how to change it in the
#: sandbox, and what the store's record then says
CHANGES: dict[str, tuple[Callable[[SeedItem], dict[str, Any]],
                         Callable[[SeedItem, InventoryRecord], bool]]] = {
    "returnRequestId": (lambda i: {"return_request_id": i.return_request_id + 1000},
                        lambda i, r: r.return_request_id == i.return_request_id + 1000),
    "returnRequestLineItemId": (lambda i: {"line_item_id": i.line_item_id + 1000},
                                lambda i, r: r.line_item_id == i.line_item_id + 1000),
    "rma": (lambda i: {"rma": i.rma + "-B"}, lambda i, r: r.rma == i.rma + "-B"),
    "itemRma": (lambda i: {"item_rma": i.item_rma + "-B"},
                lambda i, r: r.item_rma == i.item_rma + "-B"),
    "sku": (lambda i: {"sku": "SKU-CHANGED"},
            lambda i, r: r.primary_line is not None and r.primary_line.sku == "SKU-CHANGED"),
    "handlingCode": (lambda i: {"handling_code": other_code(i.handling_code, ("ohd", "rtn"))},
                     lambda i, r: r.handling_code == other_code(i.handling_code, ("ohd", "rtn"))),
    "handlingStatusCode": (
        lambda i: {"handling_status": other_code(i.handling_status, ("inProgress", "pending"))},
        lambda i, r: r.handling_status == other_code(i.handling_status,
                                                     ("inProgress", "pending"))),
    "warehouseId": (lambda i: {"warehouse_id": i.warehouse_id + 40},
                    lambda i, r: r.warehouse == str(i.warehouse_id + 40)),
    "createOn": (lambda i: {"create_on": i.create_on + timedelta(seconds=1)},
                 lambda i, r: r.created_at == i.create_on.replace(microsecond=0)
                 + timedelta(seconds=1)),
}


async def test_a_change_in_any_listed_field_fetches_that_items_details(
        sandbox: SandboxServer, rh_client_factory: ClientFactory, store: Store) -> None:
    client = rh_client_factory(concurrency=4)
    since, until = period()
    await backfill(store, client, None, since=since, until=until)
    quiet = await backfill(store, client, None, since=since, until=until)
    assert quiet.details == 0 and quiet.changed == 0

    # one item per field, spread over the period (and so over pages and windows)
    listed = [i for i in sandbox.items() if i.create_on >= since + timedelta(days=1)]
    step = len(listed) // len(CHANGES)
    chosen = {field: listed[n * step + 3] for n, field in enumerate(CHANGES)}
    for field, item in chosen.items():
        change(sandbox, item.return_inventory_id, **CHANGES[field][0](item))
    before = len(detail_ids(sandbox))
    summary = await backfill(store, client, None, since=since, until=until)

    fetched = detail_ids(sandbox)[before:]
    assert sorted(fetched) == sorted(i.return_inventory_id for i in chosen.values())
    assert summary.details == len(CHANGES) and summary.new == 0
    # each changed item is written as its list row and then its details (each counted
    # when it changed the record)
    assert len(CHANGES) <= summary.changed <= 2 * len(CHANGES)
    for field, item in chosen.items():
        record = store.get(f"rh:{item.return_inventory_id}")
        assert record is not None
        assert CHANGES[field][1](item, record), f"the store missed the change of {field}"
    # the store now says what the list says: nothing more to fetch
    again = await backfill(store, client, None, since=since, until=until)
    assert again.details == 0 and again.changed == 0


def test_needs_details_compares_every_listed_field_and_the_vendors_times() -> None:
    t0 = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
    row = ListRow(5, 10, 20, "UKW-5-1", "UKW-5-1-01", "SKU", "tbc", "pending", "UKW-5",
                  t0, None, t0 + timedelta(hours=1))
    held = ListedFields(10, 20, "UKW-5-1", "UKW-5-1-01", "SKU", "tbc", "pending", "UKW-5",
                        t0, t0 + timedelta(hours=1), t0 + timedelta(days=1), True)
    assert not needs_details(held, row)
    assert needs_details(None, row)                                  # new to the store
    assert needs_details(held._replace(has_description=False), row)  # never had details
    for name in ListRow._fields:
        if name in {"return_inventory_id", "modified_at"}:
            continue
        value = getattr(row, name)
        other: Any = (value + timedelta(seconds=1) if isinstance(value, datetime)
                      else value + 1 if isinstance(value, int) else value + "x")
        assert needs_details(held, row._replace(**{name: other})), name
        assert not needs_details(held, row._replace(**{name: None})), name  # says nothing
    # modifyOn: newer than the stored record is a change, older is not
    assert needs_details(held, row._replace(modified_at=t0 + timedelta(days=2)))
    assert not needs_details(held, row._replace(modified_at=t0))
    assert needs_details(held._replace(updated_at=None), row._replace(modified_at=t0))


async def test_a_sync_stopped_by_a_failure_keeps_the_pages_it_stored(
        sandbox: SandboxServer, rh_client_factory: ClientFactory, store: Store) -> None:
    client = rh_client_factory(concurrency=1, retries=0)
    since, until = period(200)
    expected = sum(1 for i in sandbox.items() if i.create_on >= since)
    failing: list[int] = []

    def fail_later(p: SyncProgress) -> None:
        if p.pages_done == 3 and not failing:
            failing.append(p.pages_done)
            sandbox.fail_next("500", 1, path="/ReturnInventory/list")

    with pytest.raises(ServerError):
        await backfill(store, client, None, since=since, until=until, progress=fail_later,
                       concurrency=1)
    assert failing
    stored = store.count(ALL)
    assert 0 < stored < expected
    assert store.get_state(CURSOR_STATE) is not None     # saved when the failure stopped it

    summary = await backfill(store, client, None, since=since, until=until, concurrency=1)
    assert summary.resumed
    assert store.count(ALL) == expected
    assert summary.new == expected - stored
    assert summary.listed < expected                     # the stored pages were not read again
    assert store.get_state(CURSOR_STATE) is None


async def test_a_sync_cut_off_with_pages_in_flight_continues_with_every_item(
        sandbox: SandboxServer, rh_client_factory: ClientFactory, store: Store) -> None:
    """Concurrency 4, pages finishing out of order: a list answer is cut off mid-way (the
    connection drops) while other pages and details calls are in flight. The resumed sync
    stores every item, with its details, and finishes."""
    client = rh_client_factory(concurrency=4, retries=0)
    since, until = period(200)
    expected = [i for i in sandbox.items() if i.create_on >= since]
    sandbox.set_latency(30)                               # pages still to come when it breaks

    def cut_off(p: SyncProgress) -> None:
        if p.pages_done == 3:
            sandbox.fail_next("drop", 1, path="/ReturnInventory/list")

    with pytest.raises(ApiError):
        await backfill(store, client, None, since=since, until=until, progress=cut_off)
    sandbox.set_latency(0)
    assert 0 < store.count(ALL) < len(expected)
    assert store.get_state(CURSOR_STATE) is not None
    summary = await backfill(store, client, None, since=since, until=until)
    assert summary.resumed and summary.complete
    assert store.count(ALL) == len(expected)
    for item in expected:
        record = store.get(f"rh:{item.return_inventory_id}")
        assert record is not None and record.description == item.description
    assert store.get_state(CURSOR_STATE) is None


async def test_a_re_sync_on_both_engines_fetches_only_what_changed(
        sandbox: SandboxServer, rh_client_factory: ClientFactory, store_url: str) -> None:
    client = rh_client_factory(concurrency=4)
    since, until = period(70)
    with open_store(store_url) as engine_store:
        first = await backfill(engine_store, client, None, since=since, until=until)
        assert first.new == first.listed > 0
        quiet = await backfill(engine_store, client, None, since=since, until=until)
        assert quiet.details == 0 and quiet.changed == 0 and quiet.listed == first.listed
        item = next(i for i in sandbox.items() if i.create_on >= since + timedelta(days=1))
        change(sandbox, item.return_inventory_id, item_rma=item.item_rma + "-C")
        before = len(detail_ids(sandbox))
        again = await backfill(engine_store, client, None, since=since, until=until)
        assert detail_ids(sandbox)[before:] == [item.return_inventory_id]
        record = engine_store.get(f"rh:{item.return_inventory_id}")
        assert record is not None and record.item_rma == item.item_rma + "-C"
        assert again.details == 1


# -- details that could not be read ---------------------------------------------------------
REMARKS = "scratched on the left side"


def owed(store: Store) -> list[int]:
    """The items a sync still owes their details (what the next sync asks for first)."""
    text = store.get_state(DETAILS_STATE)
    return [int(i) for i in json.loads(text)] if text else []


def changed_items(sandbox: SandboxServer, since: datetime, count: int) -> list[int]:
    """``count`` items the warehouse has since worked on: their list row changes (handling
    status) and so do their details (remarks), spread over the period."""
    listed = [i for i in sandbox.items() if i.create_on >= since + timedelta(days=1)]
    chosen = [listed[n * (len(listed) // count) + 2].return_inventory_id for n in range(count)]
    for rid in chosen:
        sandbox.warehouse_act(rid, "inProgress")
        change(sandbox, rid, remarks=REMARKS)
    return chosen


async def test_details_that_failed_are_fetched_by_the_next_sync(
        sandbox: SandboxServer, rh_client_factory: ClientFactory, store: Store) -> None:
    client = rh_client_factory(concurrency=4, retries=0)
    since, until = period(70)
    await backfill(store, client, None, since=since, until=until)
    chosen = changed_items(sandbox, since, 3)
    sandbox.fail_next("500", 3, path="/ReturnInventory/GetReturnInventory")
    failed = await backfill(store, client, None, since=since, until=until)
    assert failed.detail_errors == 3 and failed.details == 0
    assert not failed.complete and "did not finish" in failed.text()
    assert [(i.code, i.params) for i in failed.unfinished] == [("details_owed", {"count": 3})]
    assert "details of 3 items could not be read" in str(failed.unfinished[0])
    # The list rows carry no time of their own, so they do not replace what a timed view
    # set (app.model.merge); the items are owed their details, which do carry one.
    assert set(owed(store)) == set(chosen)
    for rid in chosen:
        record = store.get(f"rh:{rid}")
        assert record is not None and record.remarks != REMARKS          # details are not in

    before = len(detail_ids(sandbox))
    second = await backfill(store, client, None, since=since, until=until)
    # the details owed are asked for, and only them: the list rows now match the store
    assert sorted(detail_ids(sandbox)[before:]) == sorted(chosen)
    assert second.details == 3 and second.complete and not second.errors
    assert owed(store) == []
    for rid in chosen:
        record = store.get(f"rh:{rid}")
        assert record is not None and record.remarks == REMARKS
        assert record.handling_status == "inProgress"   # the details' time says it is newer
    third = await backfill(store, client, None, since=since, until=until)
    assert third.details == 0 and third.changed == 0 and third.complete


async def test_a_resumed_sync_first_fetches_the_details_owed(
        sandbox: SandboxServer, rh_client_factory: ClientFactory, store: Store) -> None:
    """Details fail, then the sync is cancelled: the resumed sync asks for those details before
    anything else, though the pages that listed the items are below its resume point."""
    client = rh_client_factory(concurrency=1, retries=0)
    since, until = period(70)
    await backfill(store, client, None, since=since, until=until, concurrency=1)
    chosen = changed_items(sandbox, since, 2)
    sandbox.fail_next("500", 2, path="/ReturnInventory/GetReturnInventory")

    def interrupt(p: SyncProgress) -> None:
        if set(owed(store)) == set(chosen):
            task.cancel()                                  # both items are owed their details

    task = asyncio.ensure_future(backfill(store, client, None, since=since, until=until,
                                          progress=interrupt, concurrency=1))
    with pytest.raises(asyncio.CancelledError):
        await task
    assert store.get_state(CURSOR_STATE) is not None
    seen = len(sandbox.requests())
    resumed = await backfill(store, client, None, since=since, until=until, concurrency=1)
    assert resumed.resumed and resumed.complete
    calls = sandbox.requests()[seen:]
    assert sorted(int(parse_qs(r.query)["returnInventoryId"][0]) for r in calls[:2]) \
        == sorted(chosen)
    assert all(r.path.endswith("/GetReturnInventory") for r in calls[:2])
    for rid in chosen:
        record = store.get(f"rh:{rid}")
        assert record is not None and record.remarks == REMARKS


def refused(store: Store) -> list[int]:
    """The items whose details were refused for what they say (not asked again as they are)."""
    text = store.get_state(REFUSED_STATE)
    return [int(i) for i in json.loads(text)] if text else []


async def test_details_refused_for_what_they_say_are_an_error_not_owed(
        sandbox: SandboxServer, rh_client_factory: ClientFactory, store: Store) -> None:
    """An item whose details carry an ambiguous weight ("1,250": 1.25 or 1250?) fails the same
    way on every call: the sync names it as an error and finishes; the item is not owed, and
    the next syncs do not ask again (they end without errors) until its list row changes."""
    client = rh_client_factory(concurrency=4)
    since, until = period(70)
    broken = [i for i in sandbox.items() if i.create_on >= since + timedelta(days=1)][5]
    rid = broken.return_inventory_id
    change(sandbox, rid, weight_g="1,250")
    first = await backfill(store, client, None, since=since, until=until)
    assert first.complete and "did not finish" not in first.text()
    assert first.detail_errors == 1
    assert len(first.errors) == 1 and f"rh:{rid}" in first.errors[0]
    assert "weight" in first.errors[0] and "'1,250'" in first.errors[0]
    assert owed(store) == [] and refused(store) == [rid]
    record = store.get(f"rh:{rid}")
    assert record is not None and record.rma == broken.rma           # its list row is stored

    before = len(detail_ids(sandbox))
    second = await backfill(store, client, None, since=since, until=until)
    assert rid not in detail_ids(sandbox)[before:]                    # not asked again
    assert second.complete and not second.errors and second.details == 0

    # the warehouse works on it and the weight is fixed: its list row changed, so it is asked
    sandbox.warehouse_act(rid, "inProgress")
    change(sandbox, rid, weight_g=1250)
    third = await backfill(store, client, None, since=since, until=until)
    assert third.complete and not third.errors and third.details == 1
    assert refused(store) == []
    record = store.get(f"rh:{rid}")
    assert record is not None and record.description == broken.description


async def test_a_restart_asks_again_for_refused_details(
        sandbox: SandboxServer, rh_client_factory: ClientFactory, store: Store) -> None:
    """Refused details are not asked again while the list row stays the same, except after
    ``--restart`` (the way to read them once an update can)."""
    client = rh_client_factory(concurrency=4)
    since, until = period(70)
    rid = [i for i in sandbox.items() if i.create_on >= since + timedelta(days=1)][3] \
        .return_inventory_id
    change(sandbox, rid, weight_g="1,250")
    first = await backfill(store, client, None, since=since, until=until)
    assert first.complete and refused(store) == [rid]
    change(sandbox, rid, weight_g=1250)              # readable now; the list row is the same
    before = len(detail_ids(sandbox))
    again = await backfill(store, client, None, since=since, until=until)
    assert detail_ids(sandbox)[before:] == [] and refused(store) == [rid] and again.complete
    restarted = await backfill(store, client, None, since=since, until=until, restart=True)
    assert detail_ids(sandbox)[before:] == [rid]
    assert restarted.complete and not restarted.errors and restarted.details == 1
    assert refused(store) == []


async def test_owed_details_are_given_up_after_some_syncs(
        sandbox: SandboxServer, rh_client_factory: ClientFactory, store: Store) -> None:
    """Return Helper answers 500 for one item's details, sync after sync: it is owed (the sync
    did not finish) for ``OWED_SYNCS`` syncs, then reported as an error and given up, so
    the syncs after that finish (and ``returndesk sync`` can exit 0 again)."""
    client = rh_client_factory(concurrency=4, retries=0)
    since, until = period(70)
    await backfill(store, client, None, since=since, until=until)
    [rid] = changed_items(sandbox, since, 1)
    sandbox.fail_next("500", 1000, path="/ReturnInventory/GetReturnInventory")
    for attempt in range(1, OWED_SYNCS):
        summary = await backfill(store, client, None, since=since, until=until)
        assert not summary.complete and summary.detail_errors == 1, attempt
        assert json.loads(store.get_state(DETAILS_STATE) or "{}") == {str(rid): attempt}
    last = await backfill(store, client, None, since=since, until=until)
    assert last.complete and last.detail_errors == 1
    assert f"rh:{rid}" in last.errors[0] and f"in {OWED_SYNCS} syncs in a row" in last.errors[0]
    assert "500" in last.errors[0]
    assert owed(store) == [] and refused(store) == [rid]
    before = len(detail_ids(sandbox))
    after = await backfill(store, client, None, since=since, until=until)
    assert after.complete and not after.errors and detail_ids(sandbox)[before:] == []


def test_owed_marks_saved_by_the_earlier_version_are_read(store: Store) -> None:
    from app.sync import _Owed

    assert _Owed(store, "[7, 9]", None).counts == {7: 1, 9: 1}       # a list of ids
    assert _Owed(store, '{"7": 3}', "[9]").counts == {7: 3}
    assert _Owed(store, '{"7": 3}', "[9]", restart=True).refused == set()
