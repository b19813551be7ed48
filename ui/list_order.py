"""The inventory list's order in memory, for long lists.

SQL places a row (``COUNT`` of the rows before it) and reads a page far down (``OFFSET``) by
walking the index: ~20 ms each at 200,000 rows. A :class:`ListOrder` (every key of the
query's list, in order, and each key's row) is read on a background thread once changes
settle; with it, placing a scanned item is a dict lookup and a page is 50 reads by key.
It is dropped at the first change (SQL answers meanwhile) and read again after
``ORDER_DEBOUNCE_MS`` without changes. :class:`OrderMixin` is that part of
:class:`ui.inventory.InventoryModel`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from app.store.base import Row, RowQuery, Store
from ui.listing import PAGE_SIZE

log = logging.getLogger("ui.inventory")


@dataclass(frozen=True, slots=True)
class ListOrder:
    """Every key of one query's list in order, and each key's row: placing a scanned item
    and reading a page far down the list cost a dict lookup and a read by key instead of
    SQL counting its way there. Read in the background; dropped at the first change."""

    query: RowQuery
    keys: tuple[str, ...]  # a tuple of strings is not watched by the garbage collector
    rank: dict[str, int]


_pools: dict[str, Any] = {}


def _single_thread(name: str) -> Any:
    pool = _pools.get(name)
    if pool is None:
        from concurrent.futures import ThreadPoolExecutor

        pool = _pools[name] = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
    return pool


def _order_executor() -> Any:
    """One background thread for every model's order reads (one store connection)."""
    return _single_thread("inventory-order")


def poll_executor() -> Any:
    """One background thread for the window's store polls: apart from the order reads,
    which take a second at 200,000 rows and must not hold a poll up."""
    return _single_thread("store-poll")


async def store_reads_done(timeout: float = 5.0) -> bool:
    """Wait (without blocking the loop) until the store reads already on the background
    threads (polls, counts, list orders) have finished, at most ``timeout`` seconds: the
    caller closes the store next, and a read must not run into a closed store. False when
    one was still running at the timeout (a store that does not answer)."""
    import asyncio

    pending = [asyncio.wrap_future(pool.submit(lambda: None)) for pool in list(_pools.values())]
    if not pending:
        return True
    _done, late = await asyncio.wait(pending, timeout=timeout)
    return not late


class PollRead:
    """A widget's store read on the poll thread, one at a time.

    ``request(read)`` runs ``read`` there and emits its result (or the exception it raised)
    through ``arrived``, a widget's ``Signal(object)`` connected to its slot, which is thus
    called on the GUI thread. A request while a read is under way is not stacked: the slot's
    first call, :meth:`done`, says True and the widget asks once more, for what changed
    meanwhile. A widget gone before its answer is not called.
    """

    def __init__(self, arrived: Any) -> None:
        self._arrived = arrived
        self.busy = False
        self._again = False

    def request(self, read: Callable[[], object]) -> None:
        if self.busy:
            self._again = True
            return
        self.busy = True
        arrived = self._arrived

        def run() -> None:
            try:
                result = read()
            except Exception as exc:
                result = exc
            with contextlib.suppress(RuntimeError):  # the widget is gone
                arrived.emit(result)

        poll_executor().submit(run)

    def done(self) -> bool:
        """The answer is in (call first in the slot): True when it should be asked again."""
        self.busy = False
        again, self._again = self._again, False
        return again


RANK_CHUNK = 5_000


def rank_of(keys: Sequence[str]) -> dict[str, int]:
    """Each key's position, built in slices: one ``dict(zip(...))`` over 200,000 keys is a
    single C call that held the interpreter lock for ~100 ms here, and the GUI
    thread waited that long for it. Between slices the lock can change hands (a waiting
    thread gets it within the interpreter's switch interval)."""
    rank: dict[str, int] = {}
    for start in range(0, len(keys), RANK_CHUNK):
        part = keys[start:start + RANK_CHUNK]
        rank.update(zip(part, range(start, start + len(part)), strict=True))
    return rank


def count_in_background(store: Store) -> Any:
    """Start counting the default list on the background thread (SQLite counts without
    holding the GIL, so the window's widgets are built meanwhile); a Future of the count."""
    return _order_executor().submit(store.count, RowQuery())


class OrderMixin:
    """The list order part of the inventory model (signals and state live on the model)."""

    # Provided by InventoryModel.
    order: ListOrder | None
    order_min_rows: int
    store: Store
    query: RowQuery
    _count: int
    _order_generation: int
    _order_reading: bool
    _order_read: Any
    _order_timer: Any
    order_ready: Any

    def _page_by_keys(self, number: int) -> list[Row] | None:
        """The page's rows read by key from the known order; None: read it with OFFSET."""
        order = self.order
        if order is None:
            return None
        keys = order.keys[number * PAGE_SIZE:(number + 1) * PAGE_SIZE]
        found = self.store.rows_for(keys)
        if len(found) != len(keys):
            self._drop_order()  # a row left since the order was read
            return None
        return [found[key] for key in keys]

    # -- the list's order in memory ------------------------------------------------------------
    def request_order(self) -> None:
        """Read the whole list's key order in the background (long lists only)."""
        if self.order is not None or self._order_reading or self._count < self.order_min_rows:
            return
        self._order_reading = True
        generation, query, store = self._order_generation, self.query, self.store
        signal = self._order_read

        def read() -> None:
            # Everything here, the rank table included, is built on the worker thread: the
            # GUI thread only swaps the finished order in.
            order: ListOrder | None = None
            try:
                keys = tuple(store.ordered_keys(query))
                order = ListOrder(query, keys, rank_of(keys))
            except Exception as exc:  # the list still works through SQL
                log.warning("the list's order could not be read: %s", exc)
            with contextlib.suppress(RuntimeError):  # the model is gone
                signal.emit(generation, query, order)

        _order_executor().submit(read)

    def _order_arrived(self, generation: int, query: RowQuery, order: ListOrder | None) -> None:
        self._order_reading = False
        if generation != self._order_generation or query != self.query:
            return  # the list changed meanwhile: the next scan that needs it asks again
        if order is None or len(order.keys) != self._count:
            return  # the store changed under the read: likewise
        self.order = order
        self.order_ready.emit()

    def _drop_order(self, reread: bool = False) -> None:
        """A change that moves rows: forget the order now. ``reread`` (a new filter or sort)
        reads it again once the list settles; after store changes it is read again when a
        scan needs it (:meth:`want_order`), so a sync that changes rows all along never has
        the whole list read beside it."""
        self.order = None
        self._order_generation += 1
        if reread:
            self._order_timer.start()

    def want_order(self) -> None:
        """A row had to be placed by SQL: read the order soon (once, not per scan)."""
        if (self.order is None and not self._order_reading and not self._order_timer.isActive()
                and self._count >= self.order_min_rows):
            self._order_timer.start()
