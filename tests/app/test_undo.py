"""Undo (Ctrl+Z) of this desk's decisions, by the state each is in: still queued, being sent,
applied. A desk with no Return Helper client (nothing is ever sent) on a real SQLite file;
the window's Ctrl+Z against the sandbox is in ``tests/ui/test_undo.py``."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.credentials import Credentials
from app.desk import WITHDRAWN_MESSAGE, DecisionRefused, DeskService
from app.handling import HandlingType
from app.model import Decision, DecisionAction, DecisionState
from app.settings import Settings
from app.store import Store, open_store
from tests.app.store.helpers import decision, rh

CATALOG = [HandlingType("tbc", "To be confirmed"), HandlingType("ohd", "On hold"),
           HandlingType("rst", "Restock"), HandlingType("rtn", "Return")]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(str(tmp_path / "undo.sqlite3")) as opened:
        opened.upsert_many([rh(1), rh(2), rh(3)])
        yield opened


@pytest.fixture
def desk(store: Store, tmp_path: Path) -> DeskService:
    service = DeskService(Settings(store=str(tmp_path / "undo.sqlite3"), operator="ann",
                                   desk="desk-1"), store, Credentials(), None)
    service.catalog = list(CATALOG)
    return service


def test_two_queued_decisions_are_withdrawn_one_undo_each(desk: DeskService, store: Store) -> None:
    first = desk.decide("rh:1", "ohd")
    second = desk.decide("rh:2", "rst")
    seen: list[Decision] = []
    desk.subscribe(seen.append)
    # Before: the store refused a cancel while the decision was open, the undo list lost it,
    # and the second undo found nothing left.
    undone = desk.undo_last()
    assert undone is not None and undone.id == second.id
    assert undone.state is DecisionState.DISCARDED and undone.action is DecisionAction.UPDATE
    undone = desk.undo_last()
    assert undone is not None and undone.id == first.id and undone.state is DecisionState.DISCARDED
    assert desk.undo_last() is None
    for made in (first, second):
        assert made.id is not None
        stored = store.get_decision(made.id)
        assert stored is not None and stored.state is DecisionState.DISCARDED
        assert stored.result_message == WITHDRAWN_MESSAGE  # in the decision log
        assert stored.attempts == 0
    assert [d.state for d in seen] == [DecisionState.DISCARDED, DecisionState.DISCARDED]
    # no cancel was written (nothing reached Return Helper to cancel), nothing is left to send
    assert all(d.action is DecisionAction.UPDATE for d in store.decisions_for("rh:1"))
    assert desk.counts().pending == 0
    assert store.get("rh:1").handling_code == "tbc"  # type: ignore[union-attr]
    # the item can be decided again at once
    assert desk.decide("rh:1", "rtn").state is DecisionState.QUEUED


def test_a_decision_being_sent_waits_and_stays_undoable_until_applied(
        desk: DeskService, store: Store) -> None:
    made = desk.decide("rh:1", "ohd")
    assert made.id is not None
    store.update_decision(made.id, DecisionState.SENDING, count_attempt=True)  # the sender's claim
    for _ in range(2):  # each Ctrl+Z while it is sent says so; none loses it
        with pytest.raises(DecisionRefused) as refused:
            desk.undo_last()
        assert refused.value.code == "undo_wait"
        assert refused.value.params == {"key": "rh:1", "handling": "ohd", "state": "sending"}
        assert "being sent" in str(refused.value)
    assert store.get_decision(made.id).state is DecisionState.SENDING  # type: ignore[union-attr]
    store.update_decision(made.id, DecisionState.APPLIED)  # Return Helper's answer
    cancel = desk.undo_last()  # applied: a cancel is queued for Return Helper
    assert cancel is not None and cancel.action is DecisionAction.CANCEL
    assert cancel.state is DecisionState.QUEUED
    assert cancel.old_handling == "ohd" and cancel.new_handling == "tbc"
    assert store.get_decision(made.id).state is DecisionState.APPLIED  # type: ignore[union-attr]
    assert desk.undo_last() is None  # taken off the list once the cancel was written


def test_a_decision_sent_once_and_queued_for_a_retry_is_not_withdrawn(
        desk: DeskService, store: Store) -> None:
    made = desk.decide("rh:1", "ohd")
    assert made.id is not None
    store.update_decision(made.id, DecisionState.SENDING, count_attempt=True)
    store.update_decision(made.id, DecisionState.QUEUED, result_message="no answer in 3 s")
    # The request may have reached Return Helper: only its answer (on the retry) says.
    with pytest.raises(DecisionRefused) as refused:
        desk.undo_last()
    assert refused.value.code == "undo_wait" and refused.value.params["state"] == "queued"
    assert store.get_decision(made.id).state is DecisionState.QUEUED  # type: ignore[union-attr]


def test_refusals_carry_a_code_and_parameters(desk: DeskService, store: Store) -> None:
    with pytest.raises(DecisionRefused) as refused:
        desk.decide("rh:1", "tbc")
    assert refused.value.code == "not_allowed"
    assert refused.value.params == {"handling": "tbc", "reason": "own_flow"}
    assert str(refused.value) == "tbc: has its own flow and cannot be chosen here"  # the log's
    with pytest.raises(DecisionRefused) as refused:
        desk.decide("rh:1", "zzz")
    assert refused.value.code == "not_offered" and refused.value.params == {"handling": "zzz"}
    with pytest.raises(DecisionRefused) as refused:
        desk.decide("rh:99", "ohd")
    assert refused.value.code == "not_in_store" and refused.value.params == {"key": "rh:99"}
    # another desk's decision on the item is still open
    store.add_decision(decision("rh:3", "rtn", desk="desk-2"))
    with pytest.raises(DecisionRefused) as refused:
        desk.decide("rh:3", "ohd")
    assert refused.value.code == "busy"
    assert refused.value.params == {"key": "rh:3", "operator": "ann", "desk": "desk-2"}
    assert "still being sent" in str(refused.value)


def test_an_undo_after_another_desk_decided_is_refused_once(desk: DeskService, store: Store) -> None:
    made = desk.decide("rh:1", "ohd")
    assert made.id is not None
    store.update_decision(made.id, DecisionState.SENDING, count_attempt=True)
    store.update_decision(made.id, DecisionState.APPLIED)
    other = store.add_decision(decision("rh:1", "rtn", desk="desk-2", old="ohd"))
    assert other.id is not None
    store.update_decision(other.id, DecisionState.APPLIED)
    with pytest.raises(DecisionRefused) as refused:
        desk.undo_last()
    assert refused.value.code == "changed"
    assert refused.value.params == {"key": "rh:1", "current": "rtn", "expected": "ohd"}
    assert desk.undo_last() is None  # never undoable again: off the list


def test_the_catalog_problem_has_a_code(desk: DeskService) -> None:
    desk.catalog = []
    desk.load_cached_catalog()
    assert desk.catalog_issue is not None and desk.catalog_issue.code == "catalog_unknown"
    assert desk.catalog_problem == "no handling types known yet: connect to Return Helper once"
