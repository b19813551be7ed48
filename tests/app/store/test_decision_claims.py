"""Conditional decision updates: how the outbox claims a decision and records its outcome
without ever overwriting another writer's change (both engines)."""

import uuid

import pytest

from app.model import Decision, DecisionAction, DecisionState, InventoryRecord, Source, utcnow
from app.store import ConflictError, Store


def queued(store: Store) -> Decision:
    store.upsert(InventoryRecord(source=Source.RETURN_HELPER, key="rh:1", return_inventory_id=1,
                                 handling_code="tbc", handling_status="pending"))
    return store.add_decision(Decision(
        id=None, key="rh:1", action=DecisionAction.UPDATE, new_handling="rst", old_handling="tbc",
        operator="ann", desk="d1", created_at=utcnow(), idempotency_key=str(uuid.uuid4())))


def test_claim_and_finish_only_from_the_expected_state(store: Store) -> None:
    decision = queued(store)
    assert decision.id is not None
    claimed = store.update_decision(decision.id, DecisionState.SENDING, count_attempt=True,
                                    expected=(DecisionState.QUEUED, DecisionState.SENDING))
    assert claimed.state is DecisionState.SENDING and claimed.attempts == 1
    done = store.update_decision(decision.id, DecisionState.APPLIED, correlation_id="c-1",
                                 expected=(DecisionState.SENDING,))
    assert done.state is DecisionState.APPLIED


def test_a_change_made_meanwhile_is_never_overwritten(store: Store) -> None:
    decision = queued(store)
    assert decision.id is not None
    store.update_decision(decision.id, DecisionState.SENDING, expected=(DecisionState.QUEUED,))
    # someone else settles it while the request is in flight (an operator, another process)
    store.update_decision(decision.id, DecisionState.DISCARDED, result_message="given up")
    with pytest.raises(ConflictError, match="discarded"):
        store.update_decision(decision.id, DecisionState.APPLIED, correlation_id="late",
                              expected=(DecisionState.SENDING,))
    kept = store.get_decision(decision.id)
    assert kept is not None and kept.state is DecisionState.DISCARDED and kept.correlation_id is None
    with pytest.raises(ConflictError):
        store.update_decision(decision.id, DecisionState.SENDING,
                              expected=(DecisionState.QUEUED, DecisionState.SENDING))
