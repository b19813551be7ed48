"""Kept WINIT bodies replayed: one the receiver failed on (a bug), and one it could not
decrypt, once a decryptor reads it. Through the real receiver into SQLite, then
``iter_replay`` / ``kept_counts``; each record is applied once, under its own uuid."""

from __future__ import annotations

import pytest

from app.webhooks.decrypt import PlaintextDecryptor, UnavailableDecryptor
from app.webhooks.kept import REPLAYED_HEADER, Status, iter_replay, kept_counts
from tests.app.webhooks.events import winit_record
from tests.fixtures.receiver import ReceiverFactory, RunningReceiver


def test_a_winit_body_kept_for_a_bug_applies_once_the_bug_is_gone(
        receiver: RunningReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    import app.webhooks.receiver as receiver_module

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("a bug")

    monkeypatch.setattr(receiver_module, "parse_body", broken)
    body = [winit_record("u-bug-1", "RO-BUG-1"), winit_record("u-bug-2", "RO-BUG-2")]
    response = receiver.post_winit(body)
    assert response.status_code == 503 and response.text == "fail"  # WINIT sends it again
    monkeypatch.undo()                                       # the fixed version is installed
    assert receiver.store.get("winit:RO-BUG-1") is None
    [count] = [c for c in kept_counts(receiver.store) if c.reason == "internal_error"]
    assert (count.kept, count.waiting, count.applied) == (1, 1, 0)

    [dry] = iter_replay(receiver.store, dry_run=True)
    assert dry.status == Status.WOULD_APPLY and set(dry.keys) == {"winit:RO-BUG-1", "winit:RO-BUG-2"}
    assert receiver.store.get("winit:RO-BUG-1") is None

    [item] = iter_replay(receiver.store, reason="internal_error")
    assert item.status == Status.APPLIED and set(item.keys) == {"winit:RO-BUG-1", "winit:RO-BUG-2"}
    record = receiver.store.get("winit:RO-BUG-2")
    assert record is not None and record.status == "RE"
    [stored] = [e for e in receiver.store.raw_events() if e.dedup_key == "winit:u:u-bug-1"]
    assert stored.headers[REPLAYED_HEADER] == item.kept_key

    [again] = iter_replay(receiver.store)                     # idempotent
    assert again.status == Status.ALREADY
    [count] = [c for c in kept_counts(receiver.store) if c.reason == "internal_error"]
    assert (count.waiting, count.applied) == (0, 1)
    # the same records delivered again in time are duplicates, not applied twice
    assert receiver.post_winit(body).status_code == 200


def test_a_winit_body_kept_undecrypted_replays_once_a_decryptor_reads_it(
        receiver_factory: ReceiverFactory) -> None:
    r = receiver_factory(decryptor=UnavailableDecryptor())
    assert r.post_winit([winit_record("u-enc-1", "RO-ENC-1")]).status_code == 503
    assert r.store.get("winit:RO-ENC-1") is None
    [count] = [c for c in kept_counts(r.store) if c.reason == "cannot_decrypt"]
    assert (count.kept, count.waiting, count.not_replayable) == (1, 0, 1)  # nothing reads it
    [skipped] = iter_replay(r.store)
    assert skipped.status == Status.SKIPPED and "cannot_decrypt" in skipped.note
    assert r.store.get("winit:RO-ENC-1") is None

    plain = PlaintextDecryptor()
    [count] = [c for c in kept_counts(r.store, plain) if c.reason == "cannot_decrypt"]
    assert (count.waiting, count.not_replayable) == (1, 0)
    [item] = iter_replay(r.store, decryptor=plain)
    assert item.status == Status.APPLIED and item.keys == ("winit:RO-ENC-1",)
    assert r.store.get("winit:RO-ENC-1") is not None
