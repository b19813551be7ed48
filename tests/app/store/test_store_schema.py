"""The store contract, run against both engines (the ``store`` fixture is parametrised).

Schema versions: upgrades keep data, newer stores refused; a closed store.
"""

from __future__ import annotations

import pytest

from app.store import (
    RowFilter,
    RowQuery,
    SortKey,
    StoreError,
    open_store,
    schema,
)
from tests.app.store.helpers import raw_execute, rh, winit

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
    assert {"ix_list_weight", "ix_list_received", "ix_by_warehouse", "ix_inventory_decided",
            "ix_awaiting_received"} <= names
    assert not {"ix_all_weight", "ix_awaiting_weight", "ix_awaiting_by_warehouse"} & names


def test_refuses_a_store_from_a_newer_version(store_url: str) -> None:
    open_store(store_url).close()
    raw_execute(store_url, f"UPDATE schema_version SET version = {schema.LATEST + 1}")
    with pytest.raises(StoreError, match="newer Return Desk"):
        open_store(store_url)


def test_closed_store_says_so(store_url: str) -> None:
    opened = open_store(store_url)
    opened.close()
    with pytest.raises(StoreError, match="closed"):
        opened.get("rh:1")
