"""The list's key order in memory: read in the background for long lists, used to place
rows and read pages by key, dropped when rows move, kept when they only change text; its
rank table is built in slices (so the interpreter lock can change hands between them)."""

from __future__ import annotations

import dataclasses
import gc
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import ui.qt  # noqa: F401 - first (see ui.qt)
from app.model import utcnow
from app.store import RowFilter, RowQuery, SortKey, Store
from tests.ui.conftest import fresh_records
from ui.inventory import Column, InventoryModel
from ui.list_order import RANK_CHUNK, rank_of


@pytest.mark.parametrize("size", [0, 1, RANK_CHUNK - 1, RANK_CHUNK, RANK_CHUNK + 1,
                                  3 * RANK_CHUNK + 17])
def test_rank_of_places_every_key_at_its_position(size: int) -> None:
    keys = [f"rh:{n:08d}" for n in range(size)][::-1]  # any order: positions, not sorting
    rank = rank_of(keys)
    assert rank == {key: position for position, key in enumerate(keys)}
    assert len(rank) == size


def test_long_lists_place_rows_by_key_from_an_order_read_in_the_background(
        qtbot: Any, store: Store) -> None:
    """The in-memory order gives the same rows and positions as SQL, is dropped at the first
    change (SQL answers meanwhile) and is read again once changes settle."""
    model = InventoryModel(store, order_min_rows=1)
    with qtbot.waitSignal(model.order_ready, timeout=10_000):
        model.set_query(RowQuery(filter=RowFilter.ALL, sort=SortKey.RMA))
    query = model.query
    everything = store.rows(query, 0, 10_000)
    assert model.order is not None and model.order.keys == tuple(r.key for r in everything)
    gc.collect()  # a tuple of strings leaves the collector's watch: full collections skip it
    assert not gc.is_tracked(model.order.keys) and not gc.is_tracked(model.order.rank)
    model_reads = model.page_reads
    assert [model.row_at(i) for i in range(len(everything))] == everything  # pages by key
    assert model.page_reads > model_reads
    for row in everything[::7]:
        assert model.position_of(row.key) == store.position(query, row.key)

    fresh = fresh_records(store, 2)
    store.upsert_many(fresh)
    with qtbot.waitSignal(model.order_ready, timeout=10_000):
        model.apply_changes([r.key for r in fresh])
        assert model.order is None  # dropped at once: positions come from SQL meanwhile
        assert model.position_of(fresh[1].key) == store.position(query, fresh[1].key)
    assert model.order is not None and fresh[1].key in model.order.rank
    for row in store.rows(query, 0, 10_000)[::5]:
        assert model.position_of(row.key) == store.position(query, row.key)


def test_short_lists_never_read_an_order(qtbot: Any, store: Store) -> None:
    model = InventoryModel(store)  # the default threshold: far more rows than this store has
    model.set_query(RowQuery(filter=RowFilter.ALL))
    model.request_order()
    assert model.order is None and not model._order_reading


def test_changed_rows_that_keep_their_place_keep_the_order(qtbot: Any, store: Store) -> None:
    """A webhook changing a row's text repaints it in place and keeps the list's order (scans
    stay fast); a change that moves a row, or takes it out of the list, drops the order and
    the list is placed again by SQL."""
    model = InventoryModel(store, order_min_rows=1)
    with qtbot.waitSignal(model.order_ready, timeout=10_000):
        model.set_query(RowQuery(filter=RowFilter.ALL))
    order = model.order
    assert order is not None
    middle = model.row_at(5)
    assert middle is not None
    layouts: list[int] = []
    model.layoutChanged.connect(lambda *_a: layouts.append(1))
    record = store.get(middle.key)
    assert record is not None
    store.upsert(dataclasses.replace(record, description="re-measured, box damaged",
                                     updated_at=utcnow() + timedelta(minutes=5)))
    model.apply_changes([middle.key])
    assert model.order is order and not layouts  # same place: order kept, no re-layout
    assert model.index(5, int(Column.DESCRIPTION)).data() == "re-measured, box damaged"

    # Received much earlier: the row moves to the end of the newest-first list.
    moved = dataclasses.replace(record, received_at=datetime(2001, 1, 1, tzinfo=UTC),
                                updated_at=utcnow() + timedelta(minutes=10))
    store.upsert(moved)
    model.apply_changes([middle.key])
    assert model.order is None  # moved: the order is dropped, SQL places rows meanwhile
    query = model.query
    assert model.position_of(middle.key) == store.position(query, middle.key) == model.rowCount() - 1
    assert [model.row_at(i).key for i in range(model.rowCount())] == store.ordered_keys(query)
