"""Retrying a failed decision: a fresh idempotency key, only from FAILED (store, desk, CLI).

Return Helper replays the stored answer for a known idempotency key, so a refused decision
sent again with its old key is refused again forever (the sandbox behaves the same; the UI
test ``tests/ui/test_decisions.py`` retries against it over HTTP).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from app.credentials import Credentials
from app.desk import DecisionRefused, DeskService
from app.model import DecisionState
from app.outbox import outbox_command
from app.settings import Settings
from app.store import Store, open_store
from tests.app.store.helpers import decision, rh


def test_update_decision_replaces_the_idempotency_key_only_when_given(store: Store) -> None:
    store.upsert_many([rh(1), rh(2)])
    first = store.add_decision(decision("rh:1", idem="old-key"))
    assert first.id is not None
    failed = store.update_decision(first.id, DecisionState.FAILED, result_message="refused")
    assert failed.idempotency_key == "old-key"
    again = store.update_decision(first.id, DecisionState.QUEUED, idempotency_key="new-key")
    assert again.idempotency_key == "new-key"
    stored = store.get_decision(first.id)
    assert stored is not None and stored.idempotency_key == "new-key"
    assert stored.result_message == "refused"  # kept until the next answer
    # the old key is free again; the new one is taken
    other = store.add_decision(decision("rh:2", idem="old-key"))
    assert other.id != first.id
    assert store.add_decision(decision("rh:1", idem="new-key")).id == first.id


def test_desk_retry_gives_a_fresh_key_and_refuses_non_failed(tmp_path: Path) -> None:
    settings = Settings(store=str(tmp_path / "desk.sqlite3"))
    with open_store(settings.store) as store:
        store.upsert(rh(1))
        desk = DeskService(settings, store, Credentials(), None)
        queued = store.add_decision(decision("rh:1", idem="k1"))
        assert queued.id is not None
        with pytest.raises(DecisionRefused, match="not a failed decision"):
            desk.retry(queued.id)  # in flight: a new key could apply it twice
        assert store.get_decision(queued.id).idempotency_key == "k1"  # type: ignore[union-attr]
        store.update_decision(queued.id, DecisionState.FAILED)
        seen = []
        desk.subscribe(seen.append)
        retried = desk.retry(queued.id)
        assert retried.state is DecisionState.QUEUED
        assert retried.idempotency_key not in ("k1", "")
        assert seen == [retried]


def test_cli_outbox_retry_gives_a_fresh_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings(store=str(tmp_path / "cli.sqlite3"))
    with open_store(settings.store) as store:
        store.upsert(rh(1))
        made = store.add_decision(decision("rh:1", idem="k1"))
        assert made.id is not None
        store.update_decision(made.id, DecisionState.FAILED)
    assert outbox_command(argparse.Namespace(action="retry", ids=[made.id]), settings) == 0
    with open_store(settings.store) as store:
        after = store.get_decision(made.id)
    assert after is not None and after.state is DecisionState.QUEUED
    assert after.idempotency_key != "k1"
