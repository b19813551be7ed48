"""The store contract, run against both engines (the ``store`` fixture is parametrised).

List queries: filters, counts, sort keys, paging, positions; the change feed.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.model import (
    DecisionState,
    InventoryRecord,
    SkuLine,
    Source,
    is_awaiting_decision,
)
from app.store import (
    Row,
    RowFilter,
    RowQuery,
    SortKey,
    Store,
    open_store,
)
from tests.app.store.helpers import T0, decision, rh, winit

# -- list queries ----------------------------------------------------------------------------------


def _population(store: Store) -> list[InventoryRecord]:
    records: list[InventoryRecord] = []
    for n in range(1, 41):
        changes: dict[str, object] = {}
        if n % 4 == 0:
            changes["handling_code"] = "rst"
        if n % 9 == 0:
            changes["handling_status"] = "completed"
        if n % 6 == 0:
            changes["warehouse"] = "WH-B"
        if n % 10 == 0:  # gaps in several sort columns
            changes.update(warehouse=None, received_at=None, rma=None, tracking_numbers=(),
                           lines=(SkuLine(sku=None),))
        if n % 13 == 0:
            changes["rma"] = "RMA00001"   # duplicates: ties broken by key
        records.append(rh(n, **changes))
    records.append(winit("W-WAIT", status="WP"))
    records.append(winit("W-DONE", status="OC"))
    records.append(winit("W-NEW", status="xx-unknown", warehouse=None))
    store.upsert_many(records)
    return records


def _sort_value(row: Row, key: SortKey) -> object:
    return {
        SortKey.RECEIVED: row.received_at, SortKey.RMA: row.rma, SortKey.TRACKING: row.tracking,
        SortKey.SKU: row.sku, SortKey.DESCRIPTION: row.description,
        SortKey.QUANTITY: row.quantity, SortKey.WEIGHT: row.weight_kg,
        SortKey.STATUS: row.status, SortKey.HANDLING: row.handling_code,
        SortKey.HANDLING_STATUS: row.handling_status, SortKey.WAREHOUSE: row.warehouse,
        SortKey.SOURCE: row.source.value,
    }[key]


def _expected_order(rows: list[Row], key: SortKey, descending: bool) -> list[str]:
    """NULLs first ascending (last descending), ties by item key: the documented order."""
    def sort_key(row: Row) -> tuple[bool, object, str]:
        value = _sort_value(row, key)
        if isinstance(value, str):
            value = value.encode()  # byte order on both engines
        return (value is not None, value if value is not None else 0, row.key)
    return [r.key for r in sorted(rows, key=sort_key, reverse=descending)]


def test_filters(store: Store) -> None:
    records = _population(store)
    awaiting = {r.key for r in records if is_awaiting_decision(r)}
    assert "winit:W-WAIT" in awaiting and "winit:W-DONE" not in awaiting
    assert "rh:4" not in awaiting and "rh:9" not in awaiting and "rh:1" in awaiting
    assert store.count(RowQuery()) == len(awaiting)
    assert {r.key for r in store.rows(RowQuery(), 0, 100)} == awaiting
    everything = RowQuery(filter=RowFilter.ALL)
    assert store.count(everything) == len(records)
    wh_b = RowQuery(filter=RowFilter.ALL, warehouse="WH-B")
    assert {r.key for r in store.rows(wh_b, 0, 100)} == {
        r.key for r in records if r.warehouse == "WH-B"}
    winit_only = RowQuery(filter=RowFilter.ALL, source=Source.WINIT)
    assert store.count(winit_only) == 3
    assert store.warehouses() == ["WH-A", "WH-B", "WH-W"]
    combined = RowQuery(filter=RowFilter.AWAITING, warehouse="WH-B", source=Source.RETURN_HELPER)
    assert store.count(combined) == len(
        [r for r in records if r.key in awaiting and r.warehouse == "WH-B"])


def test_counts_follow_other_desks_changes(store_url: str) -> None:
    desk_a, desk_b = open_store(store_url), open_store(store_url)
    try:
        desk_a.upsert_many([rh(1), rh(2)])
        assert desk_a.count(RowQuery()) == 2
        assert desk_a.count(RowQuery()) == 2  # again, unchanged
        desk_b.upsert(rh(3))
        assert desk_a.count(RowQuery()) == 3
        desk_b.add_decision(decision("rh:1"))
        today = RowQuery(filter=RowFilter.DECIDED_TODAY)
        assert desk_a.count(today) == 1
        desk_b.upsert(rh(1, at=T0 + timedelta(hours=1), handling_code="rst"))
        assert desk_a.count(RowQuery()) == 2
        assert desk_a.count(RowQuery(warehouse="WH-A")) == 2
    finally:
        desk_a.close()
        desk_b.close()


def test_decided_today_filter(store: Store) -> None:
    store.upsert_many([rh(1), rh(2), rh(3)])
    now = datetime.now(UTC)
    day_start = now - timedelta(hours=1)
    store.add_decision(decision("rh:1", at=now))
    store.add_decision(decision("rh:2", at=now - timedelta(days=1)))  # yesterday
    today = RowQuery(filter=RowFilter.DECIDED_TODAY, day_start=day_start)
    assert [r.key for r in store.rows(today, 0, 10)] == ["rh:1"]
    assert store.count(today) == 1
    row = store.row("rh:1")
    assert row is not None and row.decision_state is DecisionState.QUEUED


@pytest.mark.parametrize("descending", [False, True])
@pytest.mark.parametrize("sort", list(SortKey))
def test_every_sort_key_paging_and_position(store: Store, sort: SortKey, descending: bool) -> None:
    _population(store)
    for filter_ in (RowFilter.ALL, RowFilter.AWAITING):
        query = RowQuery(filter=filter_, sort=sort, descending=descending)
        everything = store.rows(query, 0, 1000)
        assert len(everything) == store.count(query)
        assert [r.key for r in everything] == _expected_order(everything, sort, descending)
        paged: list[Row] = []
        for offset in range(0, len(everything), 7):
            paged.extend(store.rows(query, offset, 7))
        assert [r.key for r in paged] == [r.key for r in everything]
        for index, row in enumerate(everything):
            assert store.position(query, row.key) == index
        # The whole list's keys in one read, in the same order (engine and default paths).
        assert store.ordered_keys(query) == [r.key for r in everything]
        assert Store.ordered_keys(store, query) == [r.key for r in everything]
        # Some keys, in list order, those outside the list left out (engine and default).
        some = {r.key for r in everything[::2]} | {"rh:4", "rh:nope"}
        expected = [r.key for r in everything if r.key in some]
        assert store.ordered_among(query, some) == expected
        assert Store.ordered_among(store, query, some) == expected
        assert store.ordered_among(query, []) == []
    assert store.position(RowQuery(sort=sort, descending=descending), "rh:4") is None  # decided
    assert store.position(RowQuery(filter=RowFilter.ALL), "rh:nope") is None


# -- changes ------------------------------------------------------------------------------------------


def test_changes_since(store: Store) -> None:
    assert store.changes_since(0) == (0, [])
    store.upsert_many([rh(1), rh(2)])
    seq, keys = store.changes_since(0)
    assert keys == ["rh:1", "rh:2"] and seq == store.last_seq() == 2
    assert store.changes_since(seq) == (seq, [])
    store.upsert(rh(1))  # unchanged: no new seq
    assert store.changes_since(seq) == (seq, [])
    store.upsert(rh(1, at=T0 + timedelta(hours=1), handling_code="ohd"))
    store.add_decision(decision("rh:2"))
    newest, keys = store.changes_since(seq)
    assert keys == ["rh:1", "rh:2"] and newest == store.last_seq() == 4
    first, keys = store.changes_since(0, limit=1)
    assert keys == ["rh:1"] and first == 3
