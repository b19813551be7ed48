"""GroupCommit: concurrent events share transactions, written by one writer thread."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import pytest

from app.model import InventoryRecord, Source, rh_key
from app.store import RawEvent, Store, StoreError, open_store
from app.webhooks.receiver import GroupCommit

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class _Recording:
    """A real store noting the threads it is used on and the batch sizes."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.calls: list[tuple[str, int]] = []
        self.deferred_on: list[str] = []
        self.checkpointed_on: list[str] = []
        self.checkpointed = threading.Event()

    def defer_checkpoints(self) -> None:
        self.deferred_on.append(threading.current_thread().name)
        self.store.defer_checkpoints()

    def durable_commits(self) -> None:
        self.store.durable_commits()

    def checkpoint(self) -> None:
        self.checkpointed_on.append(threading.current_thread().name)
        self.store.checkpoint()
        self.checkpointed.set()

    def ingest_many(self, items: Sequence[tuple[RawEvent, Sequence[InventoryRecord]]],
                    ) -> list[bool]:
        self.calls.append((threading.current_thread().name, len(items)))
        return self.store.ingest_many(items)


def _item(n: int) -> tuple[RawEvent, list[InventoryRecord]]:
    event = RawEvent(source=Source.RETURN_HELPER, dedup_key=f"rh:n:{n}", received_at=T0,
                     body=b"{}", outcome="applied")
    record = InventoryRecord(source=Source.RETURN_HELPER, key=rh_key(n), updated_at=T0,
                             return_inventory_id=n, rma=f"RMA{n}")
    return event, [record]


async def test_concurrent_events_share_transactions_on_one_writer_thread(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "gc.sqlite3"))
    recording = _Recording(store)
    writer = GroupCommit(cast(Store, recording), checkpoint_every=2)
    try:
        for round_no in range(3):
            items = [_item(round_no * 100 + i) for i in range(20)]
            results = await asyncio.gather(*(writer.ingest(e, r) for e, r in items))
            assert results == [True] * 20
        again = await asyncio.gather(*(writer.ingest(*_item(i)) for i in (0, 1, 500)))
        assert again == [False, False, True]  # duplicates are told apart per event
        assert await asyncio.to_thread(recording.checkpointed.wait, 30)
    finally:
        writer.close()
    assert sum(size for _, size in recording.calls) == 63
    assert writer.batches == len(recording.calls) < 63  # events were grouped
    assert len({name for name, _ in recording.calls}) == 1
    assert recording.calls[0][0].startswith("webhook-writer")
    # the writer's own commits skip automatic checkpoints; another thread runs them
    assert recording.deferred_on == [recording.calls[0][0]]
    assert recording.checkpointed_on and recording.calls[0][0] not in recording.checkpointed_on
    assert threading.current_thread().name not in {name for name, _ in recording.calls}
    # after close() the next write starts a new writer thread
    assert await writer.ingest(*_item(600))
    writer.close()
    assert store.get(rh_key(600)) is not None and store.get(rh_key(219)) is not None
    store.close()


async def test_built_events_are_built_on_the_writer_and_fail_alone(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "built.sqlite3"))
    writer = GroupCommit(store)
    built_on: list[str] = []

    def build(n: int) -> Callable[[], tuple[RawEvent, list[InventoryRecord]]]:
        def make() -> tuple[RawEvent, list[InventoryRecord]]:
            built_on.append(threading.current_thread().name)
            if n == 2:
                raise ValueError("cannot read event 2")
            return _item(n)
        return make

    try:
        results = await asyncio.gather(*(writer.ingest_built(build(n)) for n in range(5)),
                                       writer.ingest(*_item(9)), return_exceptions=True)
    finally:
        writer.close()
    assert results[:2] == [True, True] and results[3:] == [True, True, True]
    assert isinstance(results[2], ValueError) and "event 2" in str(results[2])
    assert writer.batches == 1  # the failed build did not fail its batch
    assert len(built_on) == 5 and set(built_on) != {threading.current_thread().name}
    assert all(name.startswith("webhook-writer") for name in built_on)
    assert store.get(rh_key(2)) is None and store.get(rh_key(4)) is not None
    assert [e.dedup_key for e in store.raw_events()] == [
        "rh:n:9", "rh:n:4", "rh:n:3", "rh:n:1", "rh:n:0"]
    store.close()


async def test_the_writer_commits_durably_and_the_desk_does_not_wait_for_it(
        tmp_path: Path) -> None:
    """A 2xx must survive a power cut (the vendor never sends an acknowledged event again):
    the writer thread's SQLite commits sync the log (synchronous=FULL); the desk's own
    connections keep NORMAL."""
    store = open_store(str(tmp_path / "gc.sqlite3"))
    writer = GroupCommit(store)
    try:
        event, records = _item(7)
        assert await writer.ingest(event, records) is True

        def synchronous() -> int:
            return int(store._conn().execute("PRAGMA synchronous").fetchone()[0])  # type: ignore[attr-defined]

        on_writer = await asyncio.get_running_loop().run_in_executor(writer._executor(), synchronous)
        assert on_writer == 2  # FULL
        assert synchronous() == 1  # NORMAL, this (desk) thread
    finally:
        writer.close()
        store.close()


async def test_a_store_that_cannot_promise_durability_acknowledges_nothing(
        tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "gc.sqlite3"))
    recording = _Recording(store)

    def refuse() -> None:
        raise StoreError("the store cannot sync its log")

    recording.durable_commits = refuse  # type: ignore[method-assign]
    writer = GroupCommit(cast(Store, recording))
    try:
        event, records = _item(8)
        with pytest.raises(StoreError, match="sync its log"):
            await writer.ingest(event, records)
        assert recording.calls == [] and store.get(rh_key(8)) is None
    finally:
        writer.close()
        store.close()


async def test_an_event_the_store_cannot_write_fails_alone(tmp_path: Path) -> None:
    # not a StoreError (the store is fine): a bug in one event's records. Before, its batch
    # failed as a whole with a StoreError (503 for every event in it) on every retry.
    import dataclasses

    store = open_store(str(tmp_path / "poison.sqlite3"))
    writer = GroupCommit(store)
    event, records = _item(3)
    poison = (event, [dataclasses.replace(records[0], meta={"EAN": object()})])  # type: ignore[dict-item]
    try:
        results = await asyncio.gather(*(writer.ingest(*_item(n)) for n in (1, 2)),
                                       writer.ingest(*poison), writer.ingest(*_item(4)),
                                       return_exceptions=True)
        alone = await asyncio.gather(writer.ingest(*poison), return_exceptions=True)
    finally:
        writer.close()
    assert results[:2] == [True, True] and results[3] is True
    assert isinstance(results[2], TypeError) and not isinstance(results[2], StoreError)
    assert isinstance(alone[0], TypeError)           # alone in its batch: the same
    assert writer.batches == 2
    assert store.get(rh_key(3)) is None and store.get(rh_key(4)) is not None
    assert sorted(e.dedup_key for e in store.raw_events()) == ["rh:n:1", "rh:n:2", "rh:n:4"]
    store.close()


class _Gated(_Recording):
    """Holds the first batch until the test lets it go, so what queues meanwhile is known."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.entered = threading.Event()
        self.gate = threading.Event()

    def ingest_many(self, items: Sequence[tuple[RawEvent, Sequence[InventoryRecord]]],
                    ) -> list[bool]:
        self.entered.set()
        assert self.gate.wait(30)
        return super().ingest_many(items)


@pytest.mark.parametrize(("gather_s", "sizes"), [(0.0005, [1, 2]), (0.0, [1, 1, 1])])
async def test_a_sender_answered_joins_the_next_batch(
        tmp_path: Path, gather_s: float, sizes: list[int]) -> None:
    # Sender A's event is being written while B's waits. A is answered and sends its next
    # event at once: after the short gather it shares B's batch (one commit, not two).
    # Without the gather (0.0) it would be a batch of its own: two cohorts, two commits.
    store = open_store(str(tmp_path / "gather.sqlite3"))
    gated = _Gated(store)
    writer = GroupCommit(cast(Store, gated), gather_s=gather_s)

    async def sender_a() -> list[bool]:
        return [await writer.ingest(*_item(0)), await writer.ingest(*_item(2))]

    try:
        a = asyncio.create_task(sender_a())
        assert await asyncio.to_thread(gated.entered.wait, 30)
        b = asyncio.create_task(writer.ingest(*_item(1)))
        await asyncio.sleep(0)  # B is queued behind the held batch
        gated.gate.set()
        assert await a == [True, True] and await b is True
    finally:
        writer.close()
    assert [size for _, size in gated.calls] == sizes
    assert all(store.get(rh_key(n)) is not None for n in range(3))
    store.close()


async def test_an_event_on_an_idle_writer_is_written_without_waiting(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    real_sleep = asyncio.sleep

    async def noting_sleep(delay: float) -> None:
        waits.append(delay)
        await real_sleep(delay)

    monkeypatch.setattr("app.webhooks.group_commit.asyncio.sleep", noting_sleep)
    store = open_store(str(tmp_path / "idle.sqlite3"))
    writer = GroupCommit(store)
    try:
        assert await writer.ingest(*_item(1)) is True
        assert await writer.ingest(*_item(2)) is True  # the writer was idle again
    finally:
        writer.close()
        store.close()
    assert waits == [] and writer.batches == 2
