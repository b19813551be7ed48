"""The store contract, run against both engines (the ``store`` fixture is parametrised).

Decisions: log, conflicts, idempotency, two desks racing; concurrent writers.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from app.model import (
    DecisionState,
    InventoryRecord,
    Source,
    is_awaiting_decision,
)
from app.store import (
    UNCHECKED,
    ConflictError,
    RowFilter,
    RowQuery,
    Store,
    StoreError,
    open_store,
)
from tests.app.store.helpers import decision, rh

# -- decisions ------------------------------------------------------------------------------------------


def test_decision_log_and_state_updates(store: Store) -> None:
    store.upsert(rh(1))
    added = store.add_decision(decision("rh:1", "rst", idem="k-1"), expected_handling="TBC")
    assert added.id is not None and added.state is DecisionState.QUEUED
    assert store.decisions_in_state([DecisionState.QUEUED]) == [added]
    counted = [DecisionState.QUEUED, DecisionState.SENDING, DecisionState.FAILED]
    assert store.decision_counts(counted) == {DecisionState.QUEUED: 1, DecisionState.SENDING: 0,
                                              DecisionState.FAILED: 0}
    sending = store.update_decision(added.id, DecisionState.SENDING, count_attempt=True)
    assert store.decision_counts(counted)[DecisionState.SENDING] == 1
    assert store.decision_counts([]) == {}
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
    assert store.decision_counts(counted) == dict.fromkeys(counted, 0)
    with pytest.raises(StoreError) as missing:
        store.update_decision(999_999, DecisionState.FAILED)
    assert missing.value.code == "decision_missing"  # not the store's trouble: told apart
    with pytest.raises(StoreError, match="not in the store"):
        store.add_decision(decision("rh:404"))


def _view(at: datetime | None, code: str, status: str = "pending", n: int = 1
          ) -> InventoryRecord:
    """A Return Helper view of item ``n``'s handling, as an event or a sync gives it."""
    return InventoryRecord(source=Source.RETURN_HELPER, key=f"rh:{n}", updated_at=at,
                           return_inventory_id=n, handling_code=code, handling_status=status)


def _applied(store: Store, new: str = "rst", n: int = 1, **kwargs: object) -> None:
    made = store.add_decision(decision(f"rh:{n}", new), expected_handling="tbc")
    assert made.id is not None
    store.update_decision(made.id, DecisionState.SENDING, count_attempt=True)
    store.update_decision(made.id, DecisionState.APPLIED, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("synced_at", [None, "an hour ago"])
def test_an_applied_decision_is_not_reverted_by_an_older_event(
        store: Store, synced_at: str | None) -> None:
    """Stamped with the time it was applied, not the item's newest vendor time (an item
    synced without vendor times had none): an event from before the decision, arriving late
    or replayed from the kept events, used to put the old handling back; the item then
    awaited a decision again and an undo was refused as "changed"."""
    now = datetime.now(UTC)
    store.upsert(_view(None if synced_at is None else now - timedelta(hours=1), "tbc"))
    _applied(store)
    store.upsert(_view(now - timedelta(minutes=30), "tbc"))  # created before the decision
    record = store.get("rh:1")
    assert record is not None and record.handling_code == "rst"
    assert not is_awaiting_decision(record) and store.count(RowQuery()) == 0
    with pytest.raises(ConflictError, match="changed meanwhile"):  # nobody decides it again
        store.add_decision(decision("rh:1", "rtn", desk="desk-2"), expected_handling="tbc")
    # the warehouse's next event, newer than the decision, still wins
    store.upsert(_view(datetime.now(UTC) + timedelta(seconds=1), "rst", "completed"))
    record = store.get("rh:1")
    assert record is not None and record.handling_status == "completed"
    store.upsert(_view(datetime.now(UTC) + timedelta(seconds=2), "ohd"))
    assert store.get("rh:1").handling_code == "ohd"  # type: ignore[union-attr]


def test_an_applied_decision_is_stamped_with_the_time_it_was_accepted(store: Store) -> None:
    """``applied_at`` (the outbox's time of Return Helper's answer) orders the decision
    among vendor events; the item's newer time, when it has one, is the least stamp."""
    accepted = datetime.now(UTC) - timedelta(hours=2)
    store.upsert(_view(None, "tbc"))
    _applied(store, applied_at=accepted)
    store.upsert(_view(accepted - timedelta(seconds=1), "tbc"))  # just before: kept out
    assert store.get("rh:1").handling_code == "rst"  # type: ignore[union-attr]
    store.upsert(_view(accepted + timedelta(seconds=1), "ohd"))  # just after: wins
    assert store.get("rh:1").handling_code == "ohd"  # type: ignore[union-attr]
    # an item whose vendor time is later than that (this clock behind the vendor's): the
    # decision still replaces what the store holds
    store.upsert(_view(accepted + timedelta(minutes=1), "tbc", n=2))
    _applied(store, n=2, applied_at=accepted)
    assert store.get("rh:2").handling_code == "rst"  # type: ignore[union-attr]
    store.upsert(_view(accepted + timedelta(minutes=2), "ohd", n=2))
    assert store.get("rh:2").handling_code == "ohd"  # type: ignore[union-attr]


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
