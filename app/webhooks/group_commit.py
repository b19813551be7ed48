"""Group commit for the webhook receiver: store writes from concurrent requests share one
transaction on one writer thread (see :class:`GroupCommit`)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Callable, Sequence

from app.model import InventoryRecord
from app.store.base import RawEvent, Store, StoreError

log = logging.getLogger("app.webhooks")

Build = Callable[[], tuple[RawEvent, Sequence[InventoryRecord]]]


class GroupCommit:
    """Store writes from concurrent requests, committed together.

    Each request waits for its own result; while one batch is being written (in a worker
    thread), new requests queue up and go in the next batch, so under load many events
    share one transaction and when idle an event is written at once. A batch that fails
    fails every request in it (each answers 503 and the vendor retries): all or nothing.

    Under load, the next batch waits ``gather_s`` (half a millisecond) before it starts, the
    way PostgreSQL's ``commit_delay`` does: the senders just answered send their next events
    within that time, and they join it. Without the wait, batches settle into two cohorts
    that alternate (16 senders gave batches of 8), each paying a commit. An event that comes
    when the writer is idle is written at once; only the batch after a busy one waits.

    The writer's commits skip the store's automatic log checkpoint
    (:meth:`Store.defer_checkpoints`); a second thread runs :meth:`Store.checkpoint`
    every ``checkpoint_every`` batches instead, so the copy-back and its fsync never hold
    up an answer (on SQLite they were about half the writer's time).
    """

    def __init__(self, store: Store, max_batch: int = 64, checkpoint_every: int = 16,
                 gather_s: float = 0.0005) -> None:
        self._store = store
        self._max = max_batch
        self._gather_s = gather_s
        self._checkpoint_every = checkpoint_every
        self._pending: list[tuple[RawEvent | Build, Sequence[InventoryRecord],
                                  asyncio.Future[bool]]] = []
        self._task: asyncio.Task[None] | None = None
        self._thread: concurrent.futures.ThreadPoolExecutor | None = None
        self._checkpointer: concurrent.futures.ThreadPoolExecutor | None = None
        self._checkpointing: concurrent.futures.Future[None] | None = None
        self._since_checkpoint = 0
        self._durable: threading.Thread | None = None  # the writer thread made durable
        self.batches = 0
        self.checkpoints = 0
        self.failed_batches = 0
        #: Why the last batch failed, until a batch is written again (``/healthz`` says it:
        #: a full disk or a store gone refuses every event until someone acts).
        self.failing: str | None = None

    def _executor(self) -> concurrent.futures.ThreadPoolExecutor:
        """One writer thread: batches are written one after another anyway, and one thread
        keeps one store connection (SQLite: one warm page cache) instead of one per worker
        of the loop's shared pool."""
        if self._thread is None:
            self._thread = concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="webhook-writer")
            self._thread.submit(self._prepare_writer)  # runs before the first batch
        return self._thread

    def _prepare_writer(self) -> None:
        try:
            self._store.defer_checkpoints()
        except Exception:  # the store checkpoints as usual then: slower, nothing lost
            log.warning("webhook writer: the store's checkpoints stay automatic", exc_info=True)

    def _checkpoint(self) -> None:
        try:
            self._store.checkpoint()
            self.checkpoints += 1
        except Exception:  # the next one tries again; the log only grows meanwhile
            log.warning("webhook writer: checkpoint failed", exc_info=True)

    def _after_batch(self) -> None:
        self._since_checkpoint += 1
        if self._since_checkpoint < self._checkpoint_every or (
                self._checkpointing is not None and not self._checkpointing.done()):
            return
        self._since_checkpoint = 0
        if self._checkpointer is None:
            self._checkpointer = concurrent.futures.ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="webhook-checkpoint")
        self._checkpointing = self._checkpointer.submit(self._checkpoint)

    def close(self) -> None:
        """Let the writer and checkpoint threads end (after any work under way). Writing
        later starts new ones."""
        thread, self._thread = self._thread, None
        checkpointer, self._checkpointer = self._checkpointer, None
        for executor in (thread, checkpointer):
            if executor is not None:
                executor.shutdown(wait=False)

    async def ingest_built(self, build: Build) -> bool:
        """:meth:`ingest` of the event and records ``build()`` returns, called on the
        writer thread just before the batch is written (so parsing work leaves the event
        loop); an exception from ``build`` fails this event only, raised here."""
        return await self.ingest(build, ())

    async def ingest(self, event: RawEvent | Build, records: Sequence[InventoryRecord]) -> bool:
        future: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        self._pending.append((event, records, future))
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._drain())
        return await future

    def _write(self, batch: list[tuple[RawEvent | Build, Sequence[InventoryRecord]]],
               ) -> list[bool | Exception]:
        """On the writer thread: build what is to be built, then one ingest_many."""
        if self._durable is not threading.current_thread():
            # A 2xx promises the event is kept: this thread's commits must survive a power
            # cut, since the vendor does not send an acknowledged event again. If the store
            # cannot promise that, the batch fails (503: the vendor retries) rather than
            # being acknowledged on weaker terms.
            self._store.durable_commits()
            self._durable = threading.current_thread()
        out: list[bool | Exception] = [False] * len(batch)
        items: list[tuple[RawEvent, Sequence[InventoryRecord]]] = []
        where: list[int] = []
        for index, (work, records) in enumerate(batch):
            if not isinstance(work, RawEvent):
                try:
                    work, records = work()
                except Exception as exc:  # this event only (EventError: a 422)
                    out[index] = exc
                    continue
            items.append((work, records))
            where.append(index)
        if items:
            for index, inserted in zip(where, self._ingest_isolated(items), strict=True):
                out[index] = inserted
        return out

    def _ingest_isolated(self, items: list[tuple[RawEvent, Sequence[InventoryRecord]]],
                         ) -> list[bool | Exception]:
        """``ingest_many``; when it fails with anything but a StoreError (an event the store
        cannot write: a bug, not the store), each event is written alone so only that one
        fails (its request keeps it as rejected) instead of the batch failing again on
        every retry. A StoreError fails the batch (503: retried)."""
        try:
            return list(self._store.ingest_many(items))
        except StoreError:
            raise
        except Exception as exc:
            if len(items) == 1:
                return [exc]
            log.warning("webhook writer: a batch failed (%s); writing its events one by one",
                        type(exc).__name__)
        results: list[bool | Exception] = []
        for item in items:
            try:
                results.extend(self._store.ingest_many([item]))
            except StoreError:
                raise
            except Exception as exc:  # this event only
                results.append(exc)
        return results

    async def _drain(self) -> None:
        busy = False  # a batch was just written: more events are likely on their way
        while self._pending:
            if busy and self._gather_s > 0 and len(self._pending) < self._max:
                await asyncio.sleep(self._gather_s)
            busy = True
            batch, self._pending = self._pending[:self._max], self._pending[self._max:]
            try:
                results = await asyncio.get_running_loop().run_in_executor(
                    self._executor(), self._write, [(work, records) for work, records, _ in batch])
            except BaseException as exc:
                if isinstance(exc, Exception) and not isinstance(exc, StoreError):
                    log.exception("webhook store write failed")
                    failure: Exception = StoreError(
                        f"the store could not write the event ({type(exc).__name__})")
                elif isinstance(exc, StoreError):
                    failure = exc
                else:
                    failure = StoreError("the write was interrupted")
                self.failed_batches += 1
                self.failing = str(failure)
                for _, _, future in batch:
                    if not future.done():
                        future.set_exception(failure)
                if not isinstance(exc, Exception):
                    raise
                continue
            self.batches += 1
            self.failing = None
            for (_, _, future), inserted in zip(batch, results, strict=True):
                if not future.done():
                    if isinstance(inserted, BaseException):
                        future.set_exception(inserted)
                    else:
                        future.set_result(inserted)
            self._after_batch()
