"""Backfill and refresh: walk Return Helper's list (and WINIT's return orders) into the store.

Webhooks are the source of truth; this is the vendor's "backfill/reconciliation" path. It is
used by ``returndesk sync`` (terminal progress bar) and the window's "Sync now"
(:meth:`app.desk.DeskService.sync`), both through :func:`backfill`.

* Return Helper: the period is split into 62-day windows; the first page of every window is
  fetched at once (it tells the total), then all remaining pages run with bounded
  concurrency. Details (``GetReturnInventory``) are fetched only for items that are new to
  the store or whose list row differs from what the store holds.
* WINIT (when its credentials are set): ``queryReturnOderList`` page by page per window.
* Resumable: each source has its own resume point in the store's state, with its own
  period (``sync.cursor``: Return Helper, per window the offset below which every page is
  stored; ``sync.winit_cursor``: WINIT, per window the next page). They are saved at most
  every ``CURSOR_SAVE_S`` while pages come in, and whenever the sync stops (cancelled,
  failed). An interrupted sync (Ctrl+C, closed window, network loss) continues each source
  from its own point (after a crash: from the last timed save, re-reading at most that
  half second's pages); ``restart=True`` ignores them. A source's point is cleared as soon
  as its walk is done, whatever the other source did: a WINIT failure never holds Return
  Helper's walk in an old period. A WINIT page that fails does not stop the sync: its
  window stays in WINIT's point, the other windows are read, and the sync ends
  *unfinished* (:attr:`SyncSummary.unfinished` says why). A point where nothing was stored
  yet (WINIT refused the very first page, say) is not continued as it was: the next walk
  covers its period and the new one (from the earlier start to the new end).
* A details call that fails for a reason worth retrying (network, timeout, 429, 5xx: the
  error's ``retryable``) does not lose the change: the list row is stored, and the item is
  *owed* its details (``sync.details_owed``, saved before the row is written, kept across
  ``restart``); every later sync asks for owed details first, and a sync that ends with
  details owed did not finish. After ``OWED_SYNCS`` syncs in a row that could not read them,
  the item is given up like a refused one.
* Details refused for what they say (an unreadable field, a 4xx, an unknown item) would be
  refused the same way every time: the item is reported in :attr:`SyncSummary.errors`,
  naming it and why, and *set aside* (``sync.details_refused``): not owed, not a reason
  the sync did not finish, and not asked again until its list row changes, its details
  are read, or ``restart``.
* A list row is compared with what the store holds of the fields the list carries
  (:meth:`app.store.base.Store.listed_fields`, one query per page) before it is made into
  a record: a re-sync of an unchanged store maps and writes nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Coroutine
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any, TypeVar

from app.model import InventoryRecord, merge, rh_key
from app.returnhelper.client import MAX_PAGE_SIZE, ListPage, ReturnHelperClient, split_windows
from app.returnhelper.errors import ApiError, AuthError
from app.returnhelper.mapping import ListRow, list_row_record
from app.store.base import ListedFields, Store
from app.store.sqlite import SQLiteStore
from app.sync_report import MAX_ERRORS, SyncIssue, SyncPhase, SyncProgress, SyncSummary
from app.sync_resume import (
    CURSOR_SAVE_S,
    CURSOR_STATE,
    CURSOR_VERSION,
    DETAILS_STATE,
    LAST_SYNC_STATE,
    OWED_SYNCS,
    REFUSED_STATE,
    WINIT_CURSOR_STATE,
    _Cursor,
    _Owed,
    _ResumePoint,
    _Window,
)
from app.winit.client import WinitClient, WinitError, order_days
from app.winit.mapping import WinitMappingError, record_from_order

log = logging.getLogger(__name__)
T = TypeVar("T")

WINIT_WINDOW = timedelta(days=62)

# -- the work ------------------------------------------------------------------------------------
def needs_details(existing: ListedFields | None, row: ListRow, refused: bool = False) -> bool:
    """New to the store, or the list row says something the store does not hold.

    Every field the list carries is compared (a ``None`` in the row says nothing: merging
    it would not erase what the store holds), against what the store holds of those fields
    (:meth:`Store.listed_fields`: no record decoded, no list row made into a record). A
    ``modifyOn`` newer than the store's record also counts. So do details never stored,
    unless they were ``refused`` (see :class:`_Owed`): then only a change in the row counts.
    """
    if existing is None:
        return True
    if (row[1:10] == existing[:9] and row.handling_updated_at == existing.handling_updated_at
            and row.modified_at is None):  # the usual answer, in two tuple comparisons
        return not (existing.has_description or refused)
    for new, old in ((row.handling_status, existing.handling_status),
                     (row.handling_code, existing.handling_code),
                     (row.rma, existing.rma), (row.item_rma, existing.item_rma),
                     (row.sku, existing.sku), (row.warehouse, existing.warehouse),
                     (row.return_request_id, existing.return_request_id),
                     (row.line_item_id, existing.line_item_id),
                     (row.created_at, existing.created_at),
                     (row.handling_updated_at, existing.handling_updated_at)):
        if new is not None and new != old:
            return True
    modified = row.modified_at
    if modified is not None and (existing.updated_at is None or modified > existing.updated_at):
        return True
    # never had details: the details call is the only source of description, images, VAS
    return not (existing.has_description or refused)


async def backfill(store: Store, rh_client: ReturnHelperClient | None,
                   winit_client: WinitClient | None, *, since: datetime, until: datetime,
                   progress: Callable[[SyncProgress], None] | None = None,
                   restart: bool = False, concurrency: int | None = None,
                   page_size: int = MAX_PAGE_SIZE) -> SyncSummary:
    """Fill ``store`` from the APIs for items created in ``[since, until]``.

    Each source continues its own interrupted walk unless ``restart`` (that walk's period
    wins over the arguments, so it completes). Raises :class:`AuthError` (bad Return Helper
    credentials) and stops; other per-item failures are counted in the summary.
    """
    started = time.perf_counter()
    rh_point = winit_point = None
    if rh_client is not None:
        rh_point = await _ResumePoint.load(store, CURSOR_STATE, "rh", since, until,
                                           restart=restart)
    if winit_client is not None:
        winit_point = await _ResumePoint.load(store, WINIT_CURSOR_STATE, "winit", since, until,
                                              restart=restart, legacy=CURSOR_STATE)
    points = [p for p in (rh_point, winit_point) if p is not None]
    resumed = any(p.resumed for p in points)
    summary = SyncSummary(since=rh_point.cursor.since if rh_point else since,
                          until=rh_point.cursor.until if rh_point else until, resumed=resumed)
    if winit_point is not None:
        summary.winit_since, summary.winit_until = winit_point.cursor.since, winit_point.cursor.until
    limit = max(1, concurrency or (rh_client.concurrency if rh_client else 4))
    state = SyncProgress(phase=SyncPhase.STARTING, resumed=resumed,
                         message="continuing an interrupted sync" if resumed else "starting")

    def report(**changes: Any) -> None:
        nonlocal state
        state = replace(state, **changes)
        if progress is not None:
            try:
                progress(state)
            except Exception:  # a broken progress view must not stop the sync
                log.exception("sync progress callback failed")

    saved_at = 0.0

    async def save_cursor(force: bool = True) -> None:
        """Save the resume points (unless ``force`` is false and they were saved less than
        :data:`CURSOR_SAVE_S` ago: a stop saves them anyway, see below)."""
        nonlocal saved_at
        now = time.monotonic()
        if not force and now - saved_at < CURSOR_SAVE_S:
            return
        for point in points:
            await point.save()
        saved_at = now

    report()
    await save_cursor()
    try:
        if rh_point is None or rh_client is None:
            summary.skipped.append("Return Helper: no API key and token")
        else:
            owed = _Owed(store, await asyncio.to_thread(store.get_state, DETAILS_STATE),
                         await asyncio.to_thread(store.get_state, REFUSED_STATE),
                         restart=restart)
            await owed.save()  # after ``restart``: the refused marks are forgotten
            await _return_helper(store, rh_client, rh_point.cursor, summary, report,
                                 save_cursor, limit=limit, page_size=page_size,
                                 state=lambda: state, owed=owed)
            await rh_point.finish()  # walked to the end, whatever WINIT does next
            if owed.counts:
                count = len(owed.counts)
                summary.unfinished.append(SyncIssue(
                    "details_owed", f"details of {count} item{'s' if count != 1 else ''} "
                    "could not be read (the next sync asks for them first)", {"count": count}))
        if winit_point is None or winit_client is None:
            summary.skipped.append("WINIT: no credentials")
        elif await _winit(store, winit_client, winit_point.cursor, summary, report,
                          save_cursor):
            await winit_point.finish()
        else:  # a WINIT window stopped early: its page stays WINIT's resume point
            await save_cursor()
    except BaseException:
        # stopped (cancelled, bad credentials, network or store failure): keep every page
        # stored so far in the resume points, including those since the last timed save
        try:
            await save_cursor()
        except Exception:  # the store itself may be what failed; the last save stands
            log.exception("sync: could not save the resume point")
        raise
    if summary.complete:
        ends = [p.cursor.until for p in points] or [until]
        await asyncio.to_thread(store.set_state, LAST_SYNC_STATE, min(ends).isoformat())
    summary.elapsed_s = time.perf_counter() - started
    report(phase=SyncPhase.DONE, message=summary.text(), unfinished=tuple(summary.unfinished))
    return summary


async def _return_helper(store: Store, client: ReturnHelperClient, cursor: _Cursor,
                         summary: SyncSummary, report: Callable[..., None],
                         save_cursor: Callable[[bool], Any], *, limit: int, page_size: int,
                         state: Callable[[], SyncProgress], owed: _Owed) -> None:
    windows = [
        _Window(i, start, end, cursor.pages.get(i, 0))
        for i, (start, end) in enumerate(split_windows(cursor.since, cursor.until))
    ]
    summary.windows = len(windows)
    todo = [w for w in windows if w.index not in cursor.done]
    if owed.counts:
        await _owed_details(store, client, owed, summary, report, page_size=page_size)
    report(phase=SyncPhase.RETURN_HELPER, message="Return Helper: reading the list")
    # API calls in flight are bounded by the client (its ``concurrency``); pages being
    # fetched *or mapped* by this: twice as many, so mapping a page (CPU) never holds back
    # the next call (latency).
    semaphore = asyncio.Semaphore(2 * limit)
    # A page's read of the store: SQLite answers it in a fraction of a millisecond and never
    # waits for a writer (WAL), so it runs on the loop's thread (the store contract allows
    # reads there; a thread hop cost more than the read). Other stores (PostgreSQL: a
    # network round trip) are read in a thread.
    inline_reads = isinstance(store, SQLiteStore)
    pages_total: int | None = None
    pages_done = 0
    seen: set[int] = set()
    lock = asyncio.Lock()

    async def fetch(window: _Window, offset: int) -> ListPage:
        async with semaphore:
            return await client.list_inventory_rows(window.start, window.end,
                                                    page_size=page_size, offset=offset)

    async def store_page(window: _Window, offset: int, page: ListPage) -> None:
        nonlocal pages_done
        rows = [r for r in page.rows if r.return_inventory_id not in seen]
        seen.update(r.return_inventory_id for r in rows)
        keys = [rh_key(r.return_inventory_id) for r in rows]
        held = (store.listed_fields(keys) if inline_reads
                else await asyncio.to_thread(store.listed_fields, keys))
        # a row that says nothing new is not written again, nor made into a record
        refused = owed.refused
        wanted = [(row, key not in held) for row, key in zip(rows, keys, strict=True)
                  if needs_details(held.get(key), row, row.return_inventory_id in refused)]
        new = len(rows) - len(held)
        results = await _all([_details(client, row.return_inventory_id, summary)
                              for row, _ in wanted]) if wanted else []
        details = [None if isinstance(r, ApiError) else r for r in results]
        failures = {row.return_inventory_id: r for (row, _), r in zip(wanted, results, strict=True)
                    if isinstance(r, ApiError)}
        if failures:  # owed before the rows are written: from then on they match the list
            async with lock:
                owed.failed(failures, summary)
                await owed.save()
        records: list[InventoryRecord] = []
        for (row, is_new), detail in zip(wanted, details, strict=True):
            listed = list_row_record(row)
            if detail is None:
                records.append(listed)
            elif is_new:
                # what the store's merge makes of the two views in turn, written once
                records.append(merge(listed, detail))
            else:
                records += (listed, detail)
        changed = await _write(store, records) if records else 0
        async with lock:
            if owed.counts or owed.refused:  # owed or refused before, and read now
                owed.read(row.return_inventory_id for (row, _), detail
                          in zip(wanted, details, strict=True) if detail is not None)
                await owed.save()
            window.complete(offset, page_size)
            cursor.pages[window.index] = window.watermark
            if window.total is not None and window.watermark >= window.total:
                cursor.done.add(window.index)
            await save_cursor(False)
            summary.pages += 1
            summary.listed += len(rows)
            summary.new += new
            summary.changed += changed
            pages_done += 1
            now = state()
            report(pages_done=pages_done, pages_total=pages_total or None,
                   items=now.items + len(rows), new=now.new + new,
                   changed=now.changed + changed, details=summary.details,
                   message=f"Return Helper: {summary.listed} items")

    # The first page of every window tells its total: fetch them together, then every
    # remaining page (and the storing of the first ones) with bounded concurrency.
    first_offsets = [w.watermark for w in todo]
    firsts = await _all([fetch(w, o) for w, o in zip(todo, first_offsets, strict=True)])
    rest: list[tuple[_Window, int]] = []
    for window, offset, page in zip(todo, first_offsets, firsts, strict=True):
        window.total = page.total
        rest += [(window, o) for o in range(offset + page_size, page.total, page_size)]
    pages_total = len(todo) + len(rest)

    async def one(window: _Window, offset: int) -> None:
        page = await fetch(window, offset)
        await store_page(window, offset, page)

    await _all([*(store_page(w, o, p) for w, o, p in zip(todo, first_offsets, firsts, strict=True)),
                *(one(w, o) for w, o in rest)])
    for window in todo:
        cursor.done.add(window.index)
    await save_cursor(True)


async def _write(store: Store, records: list[InventoryRecord]) -> int:
    """``store.upsert_many`` in a thread, awaited to its end even when the sync is cancelled
    (another page failed): a thread cannot be stopped, and a write landing after the sync
    has stopped would change the store behind its caller's back."""
    write = asyncio.ensure_future(asyncio.to_thread(store.upsert_many, records))
    try:
        return await asyncio.shield(write)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await write
        raise


async def _all(coros: list[Coroutine[Any, Any, T]]) -> list[T]:
    """Run all; on the first failure cancel the rest and raise that failure itself."""
    try:
        async with asyncio.TaskGroup() as group:
            tasks = [group.create_task(c) for c in coros]
    except BaseExceptionGroup as group_error:
        first = group_error.exceptions[0]
        while isinstance(first, BaseExceptionGroup):
            first = first.exceptions[0]
        raise first from None
    return [t.result() for t in tasks]


async def _details(client: ReturnHelperClient, return_inventory_id: int,
                   summary: SyncSummary) -> InventoryRecord | ApiError:
    """The item's details, or the error that kept them from being read (counted and
    logged here; :meth:`_Owed.failed` decides what becomes of the item)."""
    try:
        record = await client.get_inventory(return_inventory_id)
    except AuthError:
        raise
    except ApiError as exc:
        summary.detail_errors += 1
        log.warning("sync: details of %s failed: %s", rh_key(return_inventory_id), exc)
        return exc
    summary.details += 1
    return record


async def _owed_details(store: Store, client: ReturnHelperClient, owed: _Owed,
                        summary: SyncSummary, report: Callable[..., None], *,
                        page_size: int) -> None:
    """The details earlier syncs could not read, before anything else (a page at a time)."""
    report(phase=SyncPhase.RETURN_HELPER,
           message=f"Return Helper: details of {len(owed.counts)} items owed by an earlier sync")
    ids = sorted(owed.counts)
    for start in range(0, len(ids), page_size):
        chunk = ids[start:start + page_size]
        results = await _all([_details(client, rid, summary) for rid in chunk])
        failures = {rid: r for rid, r in zip(chunk, results, strict=True)
                    if isinstance(r, ApiError)}
        records = [r for r in results if not isinstance(r, ApiError)]
        summary.changed += await _write(store, records) if records else 0
        owed.failed(failures, summary)
        owed.read(rid for rid in chunk if rid not in failures)
        await owed.save()
        report(details=summary.details, changed=summary.changed)


async def _winit(store: Store, client: WinitClient, cursor: _Cursor, summary: SyncSummary,
                 report: Callable[..., None], save_cursor: Callable[[bool], Any]) -> bool:
    """Every WINIT window not yet done, page by page; True when all are done.

    A page that fails (after the client's retries) stays in the cursor as its window's next
    page and the sync goes on with the other windows; a refusal (signature, app key, ...)
    would refuse them alike, so WINIT stops there. Either way the sync did not finish.
    """
    windows = split_windows(cursor.since, cursor.until, WINIT_WINDOW)
    report(phase=SyncPhase.WINIT, message="WINIT: reading return orders")
    for index, (start, end) in enumerate(windows):
        if index in cursor.done:
            continue
        page_no = cursor.pages.get(index, 1)
        first_day, last_day = order_days(start, end)  # WINIT's days are China days
        while True:
            try:
                page = await client.query_return_orders(first_day, last_day, page_no=page_no)
            except WinitError as exc:
                problem = f"WINIT return orders {first_day}..{last_day}, page {page_no}: {exc}"
                summary.winit_errors += 1
                summary.errors.append(problem)
                summary.unfinished.append(SyncIssue(
                    "winit_page", problem, {"first_day": first_day.isoformat(),
                                            "last_day": last_day.isoformat(), "page": page_no,
                                            "error": str(exc)}))
                log.warning("sync: WINIT page %d of %s..%s failed: %s", page_no, first_day,
                            last_day, exc)
                # the cursor keeps this page (cursor.pages[index]): the next sync continues here
                await save_cursor(True)
                report(message=f"WINIT: page {page_no} of {first_day}..{last_day} failed")
                if not exc.retryable:
                    return False
                break
            records = []
            for order in page.orders:
                try:
                    records.append(record_from_order(order))
                except WinitMappingError as exc:
                    summary.winit_errors += 1
                    summary.error(f"WINIT order: {exc}")
            changed = await _write(store, records)
            summary.winit_pages += 1
            summary.winit_orders += len(records)
            summary.changed += changed
            cursor.pages[index] = page_no + 1
            if page.is_last or not page.orders:
                cursor.done.add(index)
            await save_cursor(True)
            report(winit_orders=summary.winit_orders,
                   message=f"WINIT: {summary.winit_orders} return orders")
            if index in cursor.done:
                break
            page_no += 1
    return all(index in cursor.done for index in range(len(windows)))


__all__ = ["CURSOR_SAVE_S", "CURSOR_STATE", "CURSOR_VERSION", "DETAILS_STATE", "LAST_SYNC_STATE",
           "MAX_ERRORS", "OWED_SYNCS", "REFUSED_STATE", "WINIT_CURSOR_STATE", "WINIT_WINDOW",
           "SyncIssue", "SyncPhase", "SyncProgress", "SyncSummary", "backfill", "needs_details"]
