"""The store contract, run against both engines (the ``store`` fixture is parametrised)."""

from __future__ import annotations

import dataclasses
import threading
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app.model import (
    DecisionState,
    IdKind,
    Image,
    InventoryRecord,
    LineKind,
    SkuLine,
    Source,
    is_awaiting_decision,
)
from app.store import (
    UNCHECKED,
    ConflictError,
    RawEvent,
    Row,
    RowFilter,
    RowQuery,
    SortKey,
    Store,
    StoreError,
    open_store,
    schema,
)
from tests.app.store.helpers import T0, decision, raw_execute, rh, winit

# -- upsert and merge ------------------------------------------------------------------------


def test_upsert_newest_wins_and_older_view_only_fills_gaps(store: Store) -> None:
    first = store.upsert(rh(1, at=T0, description=None, handling_code="tbc"))
    assert first.changed
    newer = store.upsert(rh(1, at=T0 + timedelta(hours=1), handling_code="ohd",
                            description=None, lines=()))
    assert newer.changed and newer.seq > first.seq
    older = store.upsert(rh(1, at=T0 - timedelta(days=1), handling_code="rtn",
                            description="from an old listing", lines=()))
    got = store.get("rh:1")
    assert got is not None
    assert got.handling_code == "ohd"            # the older view does not overwrite
    assert got.description == "from an old listing"  # ... but fills the gap
    assert got.updated_at == T0 + timedelta(hours=1)
    assert got.lines[0].weight_kg == Decimal("1.125")  # dimensions kept from the first view
    assert older.changed
    row = store.row("rh:1")
    assert row is not None and row.handling_code == "ohd"
    assert row.description == "from an old listing"


def test_upsert_without_change_keeps_seq(store: Store) -> None:
    first = store.upsert(rh(2))
    again = store.upsert(rh(2))
    assert not again.changed
    assert again.seq == first.seq == store.last_seq()
    assert store.upsert_many([rh(2), rh(3), rh(4)]) == 2


def test_upsert_many_equals_one_by_one(store: Store, sqlite_store: Store,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import app.store.sql
    monkeypatch.setattr(app.store.sql, "UPSERT_BATCH", 7)  # several batches, keys split
    store.upsert_many([rh(n) for n in range(1, 6)])
    sqlite_store.upsert_many([rh(n) for n in range(1, 6)])
    views = []
    for n in range(1, 30):
        views.append(rh(n % 9 + 1, at=T0 + timedelta(minutes=n), handling_code="ohd" if n % 2 else None,
                        tracking_numbers=(f"T-{n}",) if n % 3 == 0 else ()))
        views.append(rh(n % 9 + 1, at=T0 - timedelta(days=1), description=f"old {n}"))
        views.append(rh(n % 9 + 1, at=T0 + timedelta(minutes=n)))  # same time: wins again
        views.append(rh(n % 9 + 1, at=T0 + timedelta(minutes=n)))  # a repeat: no change
    expected_changes = sum(sqlite_store.upsert(v).changed for v in views)
    assert 0 < expected_changes < len(views)
    assert store.upsert_many(views) == expected_changes
    for n in range(1, 11):
        assert store.get(f"rh:{n}") == sqlite_store.get(f"rh:{n}")
        for kind, value in (sqlite_store.get(f"rh:{n}") or rh(0)).identifiers():
            assert store.lookup(value) == sqlite_store.lookup(value), (kind, value)
    assert store.lookup("T-3") == []  # replaced by a newer view's tracking number
    assert store.last_seq() == sqlite_store.last_seq()


def test_decimals_and_times_round_trip_exactly(store: Store) -> None:
    record = rh(5, lines=(SkuLine(sku="X", weight_kg=Decimal("0.1000"),
                                  length_cm=Decimal("12345678.123456789")),),
                images=(Image(url="https://img/x.jpg"),), meta={"EAN": "4006381333931"},
                received_at=datetime(2026, 3, 1, 23, 59, 59, 999999, tzinfo=UTC))
    store.upsert(record)
    assert store.get(record.key) == record
    row = store.row(record.key)
    assert row is not None
    assert str(row.weight_kg) == "0.1000"
    assert row.length_cm == Decimal("12345678.123456789")
    assert row.received_at == record.received_at


def test_rows_for_reads_many_keys_at_once_and_matches_row(store: Store) -> None:
    store.upsert_many([rh(n, handling_code="rst" if n % 2 else "tbc") for n in range(1, 1201)])
    keys = [f"rh:{n}" for n in range(1, 1301)] + ["rh:7", "winit:nothing"]  # > one batch
    found = store.rows_for(keys)
    assert set(found) == {f"rh:{n}" for n in range(1, 1201)}
    for key in ("rh:1", "rh:2", "rh:600", "rh:1200"):
        assert found[key] == store.row(key)
    assert found["rh:3"].handling_code == "rst" and found["rh:4"].handling_code == "tbc"
    assert store.rows_for([]) == {}
    assert store.rows_for(["rh:9999"]) == {}


def test_rows_for_default_in_the_interface_uses_row(store: Store) -> None:
    store.upsert(rh(1))
    assert Store.rows_for(store, ["rh:1", "rh:2"]) == {"rh:1": store.row("rh:1")}


# -- lookups -------------------------------------------------------------------------------------


def _rich_records() -> list[InventoryRecord]:
    return [
        rh(10, rma="RMA-A", item_rma="RMA-A-1", tracking_numbers=("1Z999", "tn-second"),
           seller_reference="SELLER-REF-9",
           lines=(SkuLine(sku="sku-red", third_party_code="3P-RED", barcode="BC-RED",
                          serials=("SN-001", "sn-002")),),
           meta={"EAN": "4006381333931", "IMEI": "356938035643809", "colour": "red"}),
        winit("WR2026001", outbound_order_no="WO-OUT-77",
              lines=(SkuLine(kind=LineKind.ESTIMATE, sku="W-SKU", barcode="WBC-1"),)),
    ]


@pytest.mark.parametrize(("scan", "key", "kind"), [
    ("RMA-A", "rh:10", IdKind.RMA),
    ("rma-a-1", "rh:10", IdKind.RMA),               # item RMA, any case
    ("1z999", "rh:10", IdKind.TRACKING),
    ("TN-SECOND", "rh:10", IdKind.TRACKING),        # the second tracking number
    ("10", "rh:10", IdKind.INVENTORY_ID),
    ("wr2026001", "winit:WR2026001", IdKind.WINIT_ORDER),
    ("WO-OUT-77", "winit:WR2026001", IdKind.WINIT_ORDER),
    ("seller-ref-9", "rh:10", IdKind.SELLER_REFERENCE),
    ("SKU-RED", "rh:10", IdKind.SKU),
    ("3p-red", "rh:10", IdKind.SKU),
    ("bc-red", "rh:10", IdKind.BARCODE),
    ("WBC-1", "winit:WR2026001", IdKind.BARCODE),
    ("SN-002", "rh:10", IdKind.SERIAL),
    ("4006381333931", "rh:10", IdKind.OTHER),       # meta EAN
    (" 356938035643809 ", "rh:10", IdKind.OTHER),   # meta IMEI, with stray spaces
])
def test_lookup_every_identifier_kind(store: Store, scan: str, key: str, kind: IdKind) -> None:
    store.upsert_many(_rich_records())
    matches = store.lookup(scan)
    assert [(m.key, m.kind) for m in matches] == [(key, kind)]
    assert matches[0].value.strip().upper() == scan.strip().upper()


def test_lookup_misses_and_non_identifiers(store: Store) -> None:
    store.upsert_many(_rich_records())
    assert store.lookup("red") == []       # meta "colour" is not an identifier
    assert store.lookup("RMA-") == []      # exact, not prefix
    assert store.lookup("   ") == []


def test_lookup_shared_sku_finds_every_item(store: Store) -> None:
    store.upsert_many([rh(n) for n in (7, 14, 21, 8)])
    assert sorted(m.key for m in store.lookup("sku-0")) == ["rh:14", "rh:21", "rh:7"]


def test_identifiers_rewritten_when_a_record_changes(store: Store) -> None:
    store.upsert(rh(11, tracking_numbers=("OLD-TN",)))
    assert store.lookup("OLD-TN")
    store.upsert(rh(11, at=T0 + timedelta(hours=1), tracking_numbers=("NEW-TN",)))
    assert store.lookup("OLD-TN") == []
    assert [m.key for m in store.lookup("new-tn")] == ["rh:11"]


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


# -- schema -------------------------------------------------------------------------------------------


def test_upgrade_from_an_older_schema_keeps_data(store_url: str) -> None:
    old = open_store(store_url, schema_target=1)
    try:
        assert old.schema_version() == 1
        old.upsert(rh(1))
        old.upsert(winit("W1"))
    finally:
        old.close()
    upgraded = open_store(store_url)
    try:
        assert upgraded.schema_version() == schema.LATEST
        assert [m.key for m in upgraded.lookup("RMA00001")] == ["rh:1"]
        assert upgraded.count(RowQuery(filter=RowFilter.ALL, sort=SortKey.WEIGHT)) == 2
    finally:
        upgraded.close()
    if store_url.startswith("postgresql://"):
        names = {r[0] for r in raw_execute(store_url, "SELECT indexname FROM pg_indexes")}
    else:
        names = {r[0] for r in raw_execute(store_url,
                                           "SELECT name FROM sqlite_master WHERE type='index'")}
    assert {"ix_all_weight", "ix_awaiting_received", "ix_awaiting_by_warehouse"} <= names


def test_refuses_a_store_from_a_newer_version(store_url: str) -> None:
    open_store(store_url).close()
    raw_execute(store_url, f"UPDATE schema_version SET version = {schema.LATEST + 1}")
    with pytest.raises(StoreError, match="newer Return Desk"):
        open_store(store_url)


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


# -- decisions ------------------------------------------------------------------------------------------


def test_decision_log_and_state_updates(store: Store) -> None:
    store.upsert(rh(1))
    added = store.add_decision(decision("rh:1", "rst", idem="k-1"), expected_handling="TBC")
    assert added.id is not None and added.state is DecisionState.QUEUED
    assert store.decisions_in_state([DecisionState.QUEUED]) == [added]
    sending = store.update_decision(added.id, DecisionState.SENDING, count_attempt=True)
    assert sending.attempts == 1
    row = store.row("rh:1")
    assert row is not None and row.decision_state is DecisionState.SENDING
    applied = store.update_decision(added.id, DecisionState.APPLIED, result_message="ok",
                                    correlation_id="corr-9")
    assert applied.attempts == 1 and applied.correlation_id == "corr-9"
    assert store.get_decision(added.id) == applied
    assert store.decisions_for("rh:1") == [applied]
    record = store.get("rh:1")
    assert record is not None and record.handling_code == "rst"  # applied to the item
    assert store.count(RowQuery()) == 0                            # no longer awaiting
    between = store.decisions_between(added.created_at - timedelta(seconds=1),
                                      added.created_at + timedelta(seconds=1))
    assert [d.id for d in between] == [added.id]
    with pytest.raises(StoreError):
        store.update_decision(999_999, DecisionState.FAILED)
    with pytest.raises(StoreError, match="not in the store"):
        store.add_decision(decision("rh:404"))


def test_conflict_when_handling_changed_or_decision_pending(store: Store) -> None:
    store.upsert(rh(1, handling_code="ohd"))
    with pytest.raises(ConflictError) as caught:
        store.add_decision(decision("rh:1"), expected_handling="tbc")
    assert caught.value.current is not None and caught.value.current.handling_code == "ohd"
    first = store.add_decision(decision("rh:1", idem="a"), expected_handling="ohd")
    with pytest.raises(ConflictError, match="still"):
        store.add_decision(decision("rh:1", idem="b"), expected_handling=UNCHECKED)
    assert first.id is not None
    store.update_decision(first.id, DecisionState.FAILED, error_code="E1")
    again = store.add_decision(decision("rh:1", idem="c"))  # nothing pending any more
    assert again.id != first.id
    assert [d.idempotency_key for d in store.decisions_for("rh:1")] == ["a", "c"]


def test_idempotency_key_applies_once(store: Store) -> None:
    store.upsert_many([rh(1), rh(2)])
    first = store.add_decision(decision("rh:1", idem="same"))
    assert store.add_decision(decision("rh:1", idem="same")) == first
    assert len(store.decisions_for("rh:1")) == 1
    with pytest.raises(StoreError, match="another item"):
        store.add_decision(decision("rh:2", idem="same"))


def test_two_desks_race_exactly_one_wins(store_url: str) -> None:
    desks = [open_store(store_url), open_store(store_url)]
    try:
        desks[0].upsert_many([rh(n) for n in range(1, 21)])
        for n in range(1, 21):
            barrier = threading.Barrier(2)
            results: list[object] = [None, None]

            def decide(i: int, n: int = n, barrier: threading.Barrier = barrier,
                       results: list[object] = results) -> None:
                barrier.wait(timeout=10)
                try:
                    results[i] = desks[i].add_decision(
                        decision(f"rh:{n}", "rst" if i else "rtn", desk=f"desk-{i}"),
                        expected_handling="tbc")
                except ConflictError as exc:
                    results[i] = exc
            threads = [threading.Thread(target=decide, args=(i,)) for i in (0, 1)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=30)
            winners = [r for r in results if not isinstance(r, ConflictError)]
            losers = [r for r in results if isinstance(r, ConflictError)]
            assert len(winners) == 1 and len(losers) == 1, results
            assert losers[0].current is not None and losers[0].current.key == f"rh:{n}"
            assert len(desks[1].decisions_for(f"rh:{n}")) == 1
    finally:
        for desk in desks:
            desk.close()


def test_concurrent_writers_in_threads(store: Store) -> None:
    def write(base: int) -> None:
        for n in range(base, base + 25):
            store.upsert(rh(n))
    threads = [threading.Thread(target=write, args=(b,)) for b in (1, 101, 201, 301)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert store.count(RowQuery(filter=RowFilter.ALL)) == 100
    seq, keys = store.changes_since(0, limit=1000)
    assert len(keys) == 100 and seq == store.last_seq() == 100


# -- raw events --------------------------------------------------------------------------------------------


def _event(dedup: str, **changes: object) -> RawEvent:
    values: dict[str, object] = dict(source=Source.RETURN_HELPER, dedup_key=dedup,
                                     received_at=T0, body=b'{"event": 1}\x00\xff',
                                     category="rinv", action="newInventoryCreated",
                                     event_time=T0, headers={"content-type": "application/json"})
    values.update(changes)
    return RawEvent(**values)  # type: ignore[arg-type]


def test_ingest_stores_once(store: Store) -> None:
    assert store.ingest(_event("e-1"), [rh(1)])
    seq = store.last_seq()
    assert not store.ingest(_event("e-1"), [rh(1, at=T0 + timedelta(hours=2), handling_code="ohd")])
    got = store.get("rh:1")
    assert got is not None and got.handling_code == "tbc"  # the duplicate changed nothing
    assert store.last_seq() == seq
    events = store.raw_events()
    assert len(events) == 1
    assert events[0] == _event("e-1")
    assert store.ingest(_event("e-2", source=Source.WINIT, event_time=None), [])
    assert [e.dedup_key for e in store.raw_events(source=Source.WINIT)] == ["e-2"]
    assert [e.dedup_key for e in store.raw_events(limit=1)] == ["e-2"]


def test_ingest_is_atomic(store: Store) -> None:
    bad = dataclasses.replace(rh(2), meta={"EAN": object()})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        store.ingest(_event("e-bad"), [rh(1), bad])
    assert store.raw_events() == []
    assert store.get("rh:1") is None
    assert store.last_seq() == 0
    assert store.ingest(_event("e-bad"), [rh(1)])  # the same event can come again


def test_ingest_many_group_commit(store: Store) -> None:
    assert store.ingest(_event("e-1"), [rh(1)])
    results = store.ingest_many([
        (_event("e-1"), [rh(1, at=T0 + timedelta(hours=1), handling_code="ohd")]),  # seen before
        (_event("e-2"), [rh(2)]),
        (_event("e-2"), [rh(3)]),                                                  # twice in one batch
        (_event("e-3"), [rh(4), winit("W1")]),
    ])
    assert results == [False, True, False, True]
    got = store.get("rh:1")
    assert got is not None and got.handling_code == "tbc"
    assert store.get("rh:3") is None
    assert {r.key for r in store.rows(RowQuery(filter=RowFilter.ALL), 0, 10)} == {
        "rh:1", "rh:2", "rh:4", "winit:W1"}
    assert [e.dedup_key for e in store.raw_events()] == ["e-3", "e-2", "e-1"]
    assert store.ingest_many([]) == []


def test_ingest_many_batch_matches_one_by_one(store: Store, sqlite_store: Store) -> None:
    """The batched group commit gives what ingesting the same events one at a time gives:
    merges across events of one batch, duplicates, unchanged records, identifier rewrites."""
    later = T0 + timedelta(hours=1)
    before = [(_event("e-0"), [rh(5)])]
    batch = [
        (_event("e-1"), [rh(1)]),
        (_event("e-2"), [rh(1, at=later, handling_code="ohd", tracking_numbers=("TN-NEW",))]),
        (_event("e-3"), [rh(2), winit("W1")]),
        (_event("e-2"), [rh(3)]),                                         # duplicate in the batch
        (_event("e-4"), [rh(2, at=T0 - timedelta(days=1), description="older fills a gap")]),
        (_event("e-5"), [rh(1, at=later, handling_code="ohd", tracking_numbers=("TN-NEW",))]),
        (_event("e-6"), [rh(5, at=later, rma="RMA-CHANGED")]),            # stored before
        (_event("e-0"), [rh(6)]),                                         # seen before
    ]
    for event, records in before:
        assert store.ingest(event, records) and sqlite_store.ingest(event, records)
    one_by_one = [sqlite_store.ingest(event, records) for event, records in batch]
    assert store.ingest_many(batch) == one_by_one == [True, True, True, False, True, True,
                                                      True, False]
    assert store.last_seq() == sqlite_store.last_seq() == 7  # e-5 changed nothing
    for key in ("rh:1", "rh:2", "rh:3", "rh:5", "rh:6", "winit:W1"):
        assert store.get(key) == sqlite_store.get(key), key
    got = store.get("rh:2")
    assert got is not None and got.description == "older fills a gap"
    for identifier in ("TN-NEW", "TN00001", "RMA-CHANGED", "RMA00005", "RMA00002"):
        assert ([m.key for m in store.lookup(identifier)]
                == [m.key for m in sqlite_store.lookup(identifier)]), identifier
    assert [m.key for m in store.lookup("RMA-CHANGED")] == ["rh:5"]
    assert store.lookup("RMA00005") == []
    assert ([(e.dedup_key, e.outcome) for e in store.raw_events()]
            == [(e.dedup_key, e.outcome) for e in sqlite_store.raw_events()])


def test_ingest_many_larger_than_one_statement(store: Store) -> None:
    """A batch with more rows than one multi-row statement holds is written whole."""
    items = [(_event(f"big-{n}"), [rh(n, tracking_numbers=(f"TN{n:05d}", f"ALT{n:05d}"))])
             for n in range(1, 151)]
    assert store.ingest_many(items) == [True] * 150
    assert store.count(RowQuery(filter=RowFilter.ALL)) == 150 and store.last_seq() == 150
    assert [m.key for m in store.lookup("ALT00150")] == ["rh:150"]
    assert [m.key for m in store.lookup("RMA00001")] == ["rh:1"]
    assert len(store.raw_events(limit=500)) == 150


def test_checkpoints_can_be_deferred_on_every_engine(store: Store) -> None:
    store.defer_checkpoints()
    assert store.ingest_many([(_event("c-1"), [rh(1)])]) == [True]
    store.checkpoint()
    got = store.get("rh:1")
    assert got is not None and got.rma == "RMA00001"


def test_ingest_many_is_all_or_nothing(store: Store) -> None:
    bad = dataclasses.replace(rh(9), meta={"EAN": object()})  # type: ignore[dict-item]
    with pytest.raises(TypeError):
        store.ingest_many([(_event("e-1"), [rh(1)]), (_event("e-2"), [bad])])
    assert store.raw_events() == []
    assert store.get("rh:1") is None and store.last_seq() == 0


# -- state ---------------------------------------------------------------------------------------------------


def test_state(store: Store) -> None:
    assert store.get_state("cursor") is None
    store.set_state("cursor", "2026-03-01")
    store.set_state("cursor", "2026-03-02")
    assert store.get_state("cursor") == "2026-03-02"
    store.set_state("cursor", None)
    assert store.get_state("cursor") is None


def test_closed_store_says_so(store_url: str) -> None:
    opened = open_store(store_url)
    opened.close()
    with pytest.raises(StoreError, match="closed"):
        opened.get("rh:1")
