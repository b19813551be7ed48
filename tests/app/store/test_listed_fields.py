"""``Store.listed_fields``: what the sync compares list rows with, on both engines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from app.model import InventoryRecord, LineKind, SkuLine
from app.store import Store
from app.store.base import ListedFields
from tests.app.store.helpers import T0, rh


def full(n: int) -> InventoryRecord:
    return rh(n, return_request_id=880000 + n, line_item_id=3300000 + n, item_rma=f"IRMA{n}",
              created_at=datetime(2026, 5, 1, 8, 30, tzinfo=timezone(timedelta(hours=2))),
              handling_updated_at=T0 + timedelta(hours=n), description=None if n % 2 else "a")


def test_listed_fields_match_the_records_on_both_engines(store: Store) -> None:
    records = [full(n) for n in range(1, 601)]          # more than one batch of keys
    store.upsert_many(records)
    keys = [r.key for r in records] + ["rh:99999", "rh:5"]
    found = store.listed_fields(keys)
    assert set(found) == {r.key for r in records}
    for record in (records[0], records[1], records[599]):
        stored = store.get(record.key)
        assert stored is not None
        expected = ListedFields.of(stored)
        assert found[record.key] == expected
        assert expected.return_request_id == record.return_request_id
        assert expected.item_rma == record.item_rma and expected.sku == "SKU-" + str(
            int(record.key[3:]) % 7)
        assert expected.created_at == record.created_at
        assert expected.handling_updated_at == record.handling_updated_at
        assert expected.has_description is (record.description is not None)
    assert store.listed_fields([]) == {}
    # the interface's default (record by record) says the same as the engine's query
    assert Store.listed_fields(store, keys[:3]) == {k: found[k] for k in keys[:3]}


def test_listed_fields_of_a_sparse_record(store: Store) -> None:
    sparse = InventoryRecord(source=rh(1).source, key="rh:7", return_inventory_id=7)
    store.upsert(sparse)
    assert store.listed_fields(["rh:7"])["rh:7"] == ListedFields(
        None, None, None, None, None, None, None, None, None, None, None, False)


def test_listed_fields_sku_is_the_primary_line_and_description_may_be_the_lines(
        store: Store) -> None:
    record = rh(3, lines=(SkuLine(kind=LineKind.ESTIMATE, sku="EST"),
                          SkuLine(kind=LineKind.RECEIVED, sku="GOT", description="blue mug")),
                updated_at=datetime(2026, 6, 1, tzinfo=UTC))
    store.upsert(record)
    fields = store.listed_fields([record.key])[record.key]
    assert fields.sku == "GOT" and fields.has_description
    assert fields.updated_at == datetime(2026, 6, 1, tzinfo=UTC)
