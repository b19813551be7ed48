"""The store contract, run against both engines (the ``store`` fixture is parametrised).

Raw events (ingest, group commit, checkpoints) and named state.
"""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest

from app.model import (
    Source,
)
from app.store import (
    RawEvent,
    RowFilter,
    RowQuery,
    Store,
)
from tests.app.store.helpers import T0, rh, winit

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


def test_kept_events_page_by_prefix_source_and_time(store: Store) -> None:
    kept = [_event(f"rejected:stale:{n:02d}", outcome="rejected:stale",
                   received_at=T0 + timedelta(minutes=n)) for n in range(5)]
    others = [_event("rh:n:1", outcome="applied"),
              _event("rejected:malformed_json:aa", outcome="rejected:malformed_json"),
              _event("rejected:stale:w1", source=Source.WINIT, outcome="rejected:stale"),
              _event("rejectedXstale:zz", outcome="applied"),        # no "_" wildcard match
              _event("winit:u:9:rejected", source=Source.WINIT, outcome="rejected:invalid:qty")]
    assert store.ingest_many([(e, []) for e in [*kept[:2], *others, *kept[2:]]]) == [True] * 10
    page = store.kept_events(prefix="rejected:stale:", source=Source.RETURN_HELPER, limit=3)
    assert [e.dedup_key for _, e in page] == [e.dedup_key for e in kept[:3]]   # oldest first
    rest = store.kept_events(prefix="rejected:stale:", source=Source.RETURN_HELPER,
                             after=page[-1][0])
    assert [e for _, e in rest] == kept[3:]                                   # whole events
    assert [e.dedup_key for _, e in store.kept_events(
        prefix="rejected:stale:", since=T0 + timedelta(minutes=3))] == [
        "rejected:stale:03", "rejected:stale:04"]
    assert len(store.kept_events()) == 7                 # every "rejected:" key, both sources
    assert [e.dedup_key for _, e in store.kept_events(prefix="rejected:malformed_json:")] == [
        "rejected:malformed_json:aa"]
    assert store.known_dedup_keys(["rh:n:1", "rh:n:2", "rejected:stale:00", "rh:n:1"]) == {
        "rh:n:1", "rejected:stale:00"}
    assert store.known_dedup_keys([]) == set()
    assert sorted(store.rejected_counts()) == sorted([
        (Source.RETURN_HELPER, "rejected:stale", 5),
        (Source.RETURN_HELPER, "rejected:malformed_json", 1),
        (Source.WINIT, "rejected:stale", 1), (Source.WINIT, "rejected:invalid:qty", 1)])
