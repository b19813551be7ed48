"""The store contract, run against both engines (the ``store`` fixture is parametrised).

Records: upsert and merge, rows, identifier lookups.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from app.model import (
    IdKind,
    Image,
    InventoryRecord,
    LineKind,
    SkuLine,
)
from app.store import (
    Store,
)
from tests.app.store.helpers import T0, rh, winit

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


def test_a_row_read_is_the_row_its_fields_make(store: Store) -> None:
    """Rows are made through their slots (fast path): equal to, hashed like and as frozen as
    ``Row(...)`` made from the same fields, every field in place."""
    import dataclasses

    from app.model import DecisionState, Source
    from app.store import Row

    store.upsert(rh(5, rma="RMA-5", lines=(SkuLine(sku="S", quantity=2, length_cm=Decimal("30"),
                                                   width_cm=Decimal("20"), height_cm=Decimal("10"),
                                                   weight_kg=Decimal("1.25")),)))
    row = store.row("rh:5")
    assert row is not None
    fields = {field.name: getattr(row, field.name) for field in dataclasses.fields(Row)}
    assert row == Row(**fields) and hash(row) == hash(Row(**fields))
    assert row.source is Source.RETURN_HELPER and row.rma == "RMA-5"
    assert row.length_cm == Decimal("30") and row.weight_kg == Decimal("1.25")
    assert row.decision_state is None or isinstance(row.decision_state, DecisionState)
    with pytest.raises(dataclasses.FrozenInstanceError):
        row.rma = "changed"  # type: ignore[misc]


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
