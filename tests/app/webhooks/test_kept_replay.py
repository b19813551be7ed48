"""Kept events (authenticated, not applied when received) counted and replayed: through the
real receiver into SQLite and PostgreSQL, then ``iter_replay`` / ``returndesk hooks``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.cli import main
from app.credentials import Credentials
from app.desk import DeskService
from app.model import (
    Decision,
    DecisionAction,
    DecisionState,
    InventoryRecord,
    Source,
    is_awaiting_decision,
    new_idempotency_key,
    rh_key,
)
from app.sandbox.server import SandboxServer
from app.settings import Settings
from app.store import ConflictError, RawEvent, RowFilter, RowQuery, open_store
from app.webhooks.kept import (
    REPLAYED_HEADER,
    Status,
    iter_replay,
    kept_counts,
    kept_key,
    parse_since,
)
from tests.app.webhooks.events import ago, inventory, iso, new_inventory, rh_event
from tests.fixtures.receiver import ReceiverFactory, RunningReceiver
from tests.fixtures.sandbox import ClientFactory


def _late_receiver(factory: ReceiverFactory, **kwargs: object,
                   ) -> tuple[RunningReceiver, list[timedelta]]:
    """A receiver whose clock is 40 minutes ahead (settable): every event is stale to it."""
    offset = [timedelta(minutes=40)]
    clock: Callable[[], datetime] = lambda: datetime.now(UTC) + offset[0]  # noqa: E731
    return factory(clock=clock, **kwargs), offset


def _handled(rid: int, code: str, minutes_ago: int, **fields: object) -> dict[str, object]:
    when = ago(minutes=minutes_ago)
    return rh_event("rinv", "completeInventoryHandling", {"returnInventory": inventory(
        rid, handlingCode=code, handlingStatusCode="completed", modifyOn=iso(when),
        handlingUpdatedOn=iso(when), **fields)}, when=when)


def test_stale_events_replay_once_in_each_engine(receiver_factory: ReceiverFactory,
                                                 store_url: str) -> None:
    r, offset = _late_receiver(receiver_factory, store_url=store_url)
    created = new_inventory(881001, when=ago(minutes=3))
    handled = _handled(881001, "rst", 2)
    for event in (created, handled):
        assert r.post_rh(event).status_code == 202          # stale to this clock: kept
    assert r.post_rh(b'{"not json').status_code == 202
    assert r.store.get("rh:881001") is None
    [count] = [c for c in kept_counts(r.store) if c.reason == "stale"]
    assert (count.kept, count.waiting, count.applied, count.not_replayable) == (2, 2, 0, 0)

    dry = list(iter_replay(r.store, dry_run=True))
    assert [i.status for i in dry] == [Status.WOULD_APPLY, Status.WOULD_APPLY, Status.SKIPPED]
    assert dry[0].keys == ("rh:881001",) and "still unreadable" in dry[2].note
    assert r.store.get("rh:881001") is None                  # a dry run writes nothing

    done = list(iter_replay(r.store))
    assert [(i.reason, i.status) for i in done] == [
        ("stale", Status.APPLIED), ("stale", Status.APPLIED),
        ("malformed_json", Status.SKIPPED)]
    record = r.store.get("rh:881001")
    assert record is not None and record.handling_code == "rst"
    assert record.tracking_numbers == ("1Z999AA10123456784",)
    # each is now stored under its own key, marked as replayed from where it was kept
    own = {e.dedup_key: e for e in r.store.raw_events() if e.dedup_key.startswith("rh:n:")}
    assert set(own) == {f"rh:n:{created['notificationId']}", f"rh:n:{handled['notificationId']}"}
    assert all(e.headers[REPLAYED_HEADER].startswith("rejected:stale:") for e in own.values())

    seq = r.store.last_seq()
    again = list(iter_replay(r.store))                       # idempotent
    assert [i.status for i in again] == [Status.ALREADY, Status.ALREADY, Status.SKIPPED]
    assert r.store.last_seq() == seq
    [count] = [c for c in kept_counts(r.store) if c.reason == "stale"]
    assert (count.waiting, count.applied) == (0, 2)
    offset[0] = timedelta(0)                                 # a retry in time: a duplicate
    assert r.post_rh(handled).json()["outcome"] == "duplicate"


def test_replaying_an_old_event_never_overwrites_newer_data(
        receiver_factory: ReceiverFactory) -> None:
    r, offset = _late_receiver(receiver_factory)
    older = new_inventory(881010, when=ago(minutes=30), modifyOn=iso(ago(minutes=30)),
                          handlingCode="tbc", description="older description")
    assert r.post_rh(older).status_code == 202               # kept as stale
    offset[0] = timedelta(0)
    newer = _handled(881010, "dsp", 1, description=None)
    assert r.post_rh(newer).json()["outcome"] == "applied"
    assert [i.status for i in iter_replay(r.store, reason="stale")] == [Status.APPLIED]
    record = r.store.get("rh:881010")
    assert record is not None
    assert record.handling_code == "dsp" and record.handling_status == "completed"  # newest
    assert record.description == "older description"        # the older view fills a gap


async def test_replaying_an_event_from_before_an_applied_decision_keeps_the_decision(
        receiver_factory: ReceiverFactory, store_url: str, sandbox: SandboxServer,
        rh_client_factory: ClientFactory) -> None:
    """The receiver was down: an item's newInventoryCreated (handling tbc) was kept as stale.
    The item came in by a sync without vendor times, an operator chose rst and Return Helper
    (the sandbox) accepted it. ``hooks replay --reason stale``, as the README advises after
    an outage, used to put tbc back (the applied view carried only the item's newest vendor
    time: none): the item awaited a decision again, another desk could decide it again, and an
    undo was refused as "changed"."""
    rid = next(i for i in sandbox.state.order if sandbox.state.items[i].handling_code == "tbc"
               and sandbox.state.items[i].handling_status == "pending"
               and not sandbox.state.items[i].has_unfinished_vas)
    key = rh_key(rid)
    r, offset = _late_receiver(receiver_factory, store_url=store_url)
    assert r.post_rh(new_inventory(rid, when=ago(hours=1))).status_code == 202   # kept
    offset[0] = timedelta(0)
    r.store.upsert(InventoryRecord(source=Source.RETURN_HELPER, key=key,    # the sync's view
                                   return_inventory_id=rid, handling_code="tbc",
                                   handling_status="pending"))
    client = rh_client_factory()
    desk = DeskService(Settings(store=store_url, operator="ann", desk="desk-1"), r.store,
                       Credentials(), client)
    await desk.load_catalog()
    made = desk.decide(key, "rst")
    assert (await desk.outbox.send(made)).state is DecisionState.APPLIED
    assert sandbox.state.items[rid].handling_code == "rst"

    assert [(i.status, i.keys) for i in iter_replay(r.store, reason="stale")] == [
        (Status.APPLIED, (key,))]
    record = r.store.get(key)
    assert record is not None and record.handling_code == "rst"          # not put back
    assert not is_awaiting_decision(record)
    awaiting = r.store.rows(RowQuery(filter=RowFilter.AWAITING), 0, 1000)
    assert key not in {row.key for row in awaiting}
    assert record.tracking_numbers                                      # the event filled gaps
    # a desk that still shows the item as tbc cannot decide it a second time
    with pytest.raises(ConflictError, match="changed meanwhile"):
        r.store.add_decision(Decision(
            id=None, key=key, action=DecisionAction.UPDATE, new_handling="rtn",
            old_handling="tbc", operator="bob", desk="desk-2", created_at=datetime.now(UTC),
            idempotency_key=new_idempotency_key()), expected_handling="tbc")
    cancel = desk.undo_last()                                            # and undoable
    assert cancel is not None and cancel.action is DecisionAction.CANCEL
    assert (await desk.outbox.send(cancel)).state is DecisionState.APPLIED
    assert r.store.get(key).handling_code == "tbc"  # type: ignore[union-attr]


def test_only_signature_verified_events_are_replayed(receiver_factory: ReceiverFactory) -> None:
    r = receiver_factory()
    body = json.dumps(new_inventory(881020)).encode()
    # kept without the receiver's mark (as before this version, or written by anything else)
    unmarked = RawEvent(source=Source.RETURN_HELPER, dedup_key=kept_key("stale", body),
                        received_at=datetime.now(UTC), body=body, outcome="rejected:stale",
                        headers={"content-type": "application/json"})
    assert r.store.ingest(unmarked, [])
    [item] = iter_replay(r.store)
    assert item.status == Status.SKIPPED and "not recorded as verified" in item.note
    assert r.store.get("rh:881020") is None
    [count] = kept_counts(r.store)
    assert (count.kept, count.waiting, count.not_replayable) == (1, 0, 1)


def test_an_event_kept_for_a_bug_applies_once_the_bug_is_gone(
        receiver: RunningReceiver, monkeypatch: pytest.MonkeyPatch) -> None:
    import app.webhooks.receiver as receiver_module

    def broken(*args: object, **kwargs: object) -> object:
        raise RuntimeError("a bug")

    monkeypatch.setattr(receiver_module, "interpret", broken)
    assert receiver.post_rh(new_inventory(881030)).status_code == 202
    monkeypatch.undo()                                       # the fixed version is installed
    [item] = iter_replay(receiver.store, reason="internal_error")
    assert item.status == Status.APPLIED and item.keys == ("rh:881030",)
    assert receiver.store.get("rh:881030") is not None


def test_reason_and_since_choose_what_is_replayed(receiver_factory: ReceiverFactory) -> None:
    r, _ = _late_receiver(receiver_factory)
    assert r.post_rh(new_inventory(881040)).status_code == 202              # stale
    assert r.post_rh(new_inventory(881041, weight="heavy")).status_code == 202   # stale too
    assert [i.status for i in iter_replay(r.store, reason="invalid")] == []
    future = datetime.now(UTC) + timedelta(hours=2)          # received "now + 40 min"
    assert list(iter_replay(r.store, since=future)) == []
    results = list(iter_replay(r.store, reason="stale", since=datetime.now(UTC)))
    assert [i.status for i in results] == [Status.APPLIED, Status.SKIPPED]
    assert "still invalid" in results[1].note and "weight" in results[1].note


def test_parse_since() -> None:
    now = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    assert parse_since("30m", now) == now - timedelta(minutes=30)
    assert parse_since("12h", now) == now - timedelta(hours=12)
    assert parse_since(" 7d ", now) == now - timedelta(days=7)
    assert parse_since("2026-11-20", now) == datetime(2026, 11, 20, tzinfo=UTC)
    assert parse_since("2026-11-20T08:00:00+08:00", now) == datetime(2026, 11, 20, tzinfo=UTC)
    for bad in ("yesterday", "7w", ""):
        with pytest.raises(ValueError, match="--since"):
            parse_since(bad, now)


def test_the_hooks_commands(receiver_factory: ReceiverFactory, tmp_path: Path,
                            capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "desk.sqlite3"
    r, _ = _late_receiver(receiver_factory, store_path=path)
    assert main(["hooks", "kept", "--store", str(path)]) == 0
    assert "kept events: none" in capsys.readouterr().out
    assert r.post_rh(new_inventory(881050)).status_code == 202                  # stale
    assert r.post_rh(b"[1, 2]").status_code == 202                               # not an object
    assert r.post_winit(None, raw=b"not json").status_code == 400                # WINIT, kept

    assert main(["hooks", "kept", "--store", str(path)]) == 0
    out = capsys.readouterr().out
    assert "kept events (authenticated, not applied when received): 3" in out
    rows = {tuple(line.split()[:2]): line.split()[2:] for line in out.splitlines()
            if line.startswith("  ") and not line.strip().startswith("source")}
    assert rows[("returnhelper", "stale")] == ["1", "1", "0", "0"]
    assert rows[("returnhelper", "not_an_object")] == ["1", "1", "0", "0"]
    assert rows[("winit", "malformed_json")] == ["1", "0", "0", "1"]  # still unreadable
    assert "returndesk hooks replay" in out

    assert main(["hooks", "replay", "--dry-run", "--store", str(path)]) == 0
    out = capsys.readouterr().out
    assert "would apply: rejected:stale:" in out and "-> rh:881050" in out
    assert out.strip().endswith("(dry run: nothing written)")
    assert r.store.get("rh:881050") is None

    assert main(["hooks", "replay", "--reason", "stale", "--since", "1h",
                 "--store", str(path)]) == 0
    out = capsys.readouterr().out
    assert "applied: rejected:stale:" in out and "newInventoryCreated/newInventoryCreated" in out
    assert out.strip().splitlines()[-1] == "hooks replay: 1 applied"
    assert r.store.get("rh:881050") is not None
    assert main(["hooks", "replay", "--store", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.strip().splitlines()[-1] == "hooks replay: 1 already applied, 2 skipped"

    assert main(["hooks", "replay", "--since", "yesterday", "--store", str(path)]) == 2
    assert main(["hooks", "replay", "--reason", "'; drop", "--store", str(path)]) == 2
    assert "--reason" in capsys.readouterr().err
    with open_store(str(path)) as store:           # what the command left: still consistent
        assert store.get("rh:881050") is not None
