"""Where a sync resumes (:mod:`app.sync`): each source's resume point in the store's state,
and the Return Helper items a sync still owes (or gave up asking) their details."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from app.model import rh_key
from app.returnhelper.errors import ApiError
from app.store.base import Store
from app.sync_report import SyncSummary

CURSOR_STATE = "sync.cursor"              # Return Helper's resume point
WINIT_CURSOR_STATE = "sync.winit_cursor"  # WINIT's resume point
LAST_SYNC_STATE = "sync.last_completed"
DETAILS_STATE = "sync.details_owed"  # Return Helper items whose details a sync could not read
REFUSED_STATE = "sync.details_refused"  # ... and not worth asking again as they are
OWED_SYNCS = 5  # syncs in a row that could not read an owed item's details: then given up
CURSOR_VERSION = 2  # 1: one cursor for both sources (still read)
CURSOR_SAVE_S = 0.5  # the cursor is saved at most this often while pages are stored


# -- the resume points -------------------------------------------------------------------------
@dataclass(slots=True)
class _Cursor:
    """One source's resume point: the period it walks and, per window, how far it got."""

    since: datetime
    until: datetime
    pages: dict[int, int] = field(default_factory=dict)  # window -> RH offset / WINIT page
    done: set[int] = field(default_factory=set)

    @property
    def started(self) -> bool:
        return bool(self.pages or self.done)

    def to_json(self) -> str:
        return json.dumps({"version": CURSOR_VERSION, "since": self.since.isoformat(),
                           "until": self.until.isoformat(),
                           "pages": {str(k): v for k, v in self.pages.items()},
                           "done": sorted(self.done)})

    @classmethod
    def from_json(cls, text: str, source: str, *, legacy_only: bool = False) -> _Cursor | None:
        """``source`` ("rh" or "winit") names its half of a version 1 cursor (both
        sources in one, as an earlier version saved it); ``legacy_only``: only that."""
        try:
            data = json.loads(text)
            version = data.get("version")
            if version == CURSOR_VERSION and not legacy_only:
                pages, done = data.get("pages", {}), data.get("done", [])
            elif version == 1:
                pages, done = data.get(source, {}), data.get(f"{source}_done", [])
            else:
                return None
            return cls(since=datetime.fromisoformat(data["since"]),
                       until=datetime.fromisoformat(data["until"]),
                       pages={int(k): int(v) for k, v in pages.items()},
                       done={int(k) for k in done})
        except (ValueError, TypeError, KeyError, AttributeError):
            return None


class _ResumePoint:
    """A source's cursor and the state key it is saved under; once its walk is done the
    point is cleared, and a later save (the sync stopping in the other source) leaves it so."""

    def __init__(self, store: Store, key: str, cursor: _Cursor, saved: str | None,
                 resumed: bool) -> None:
        self.store = store
        self.key = key
        self.cursor = cursor
        self.resumed = resumed
        self._saved = saved
        self._finished = False

    @classmethod
    async def load(cls, store: Store, key: str, source: str, since: datetime, until: datetime,
                   *, restart: bool, legacy: str | None = None) -> _ResumePoint:
        """The saved point (or the ``legacy`` key's version 1 cursor), unless ``restart``;
        a saved point with nothing stored yet is widened to the new period instead."""
        saved = None if restart else await asyncio.to_thread(store.get_state, key)
        cursor = _Cursor.from_json(saved, source) if saved else None
        if saved is None and legacy is not None and not restart:
            text = await asyncio.to_thread(store.get_state, legacy)
            cursor = _Cursor.from_json(text, source, legacy_only=True) if text else None
        if cursor is not None and cursor.started:
            return cls(store, key, cursor, saved, resumed=True)
        if cursor is not None:  # e.g. refused at its first page: walk its period and the new one
            since = min(since, cursor.since)
        return cls(store, key, _Cursor(since=since, until=until), saved, resumed=False)

    async def save(self) -> None:
        if self._finished:
            return
        text = self.cursor.to_json()
        if text != self._saved:
            await asyncio.to_thread(self.store.set_state, self.key, text)
            self._saved = text

    async def finish(self) -> None:
        """The walk is done: nothing to resume."""
        self._finished = True
        await asyncio.to_thread(self.store.set_state, self.key, None)


class _Window:
    """Completion of one window's pages, which finish out of order under concurrency."""

    def __init__(self, index: int, start: datetime, end: datetime, watermark: int) -> None:
        self.index = index
        self.start = start
        self.end = end
        self.watermark = watermark      # every page below this offset is stored
        self.finished: set[int] = set()
        self.total: int | None = None

    def complete(self, offset: int, page_size: int) -> None:
        self.finished.add(offset)
        while self.watermark in self.finished:
            self.finished.discard(self.watermark)
            self.watermark += page_size


class _Owed:
    """Return Helper items whose details a sync could not read, in the store's state.

    *Owed* (:data:`DETAILS_STATE`: id -> syncs in a row that failed): the call failed for a
    reason worth retrying. Their list rows are stored, so the next walk finds them
    unchanged and would not ask again: the mark is what makes a sync fetch them (first
    thing, resumed or not). It lives apart from the cursors, so ``restart`` and a finished
    walk keep it, and it is saved *before* the rows it covers are written (a crash in
    between must not lose it). After :data:`OWED_SYNCS` failing syncs the item is given up.

    *Refused* (:data:`REFUSED_STATE`): Return Helper answered and the answer was refused
    for what it says (or the item was given up); asking again would fail the same way, so
    a sync asks again only when the list row changes (``needs_details(refused=True)``);
    ``restart`` forgets these marks. Each is reported once, as an error naming the item.
    """

    def __init__(self, store: Store, owed: str | None, refused: str | None, *,
                 restart: bool = False) -> None:
        self.store = store
        self.counts: dict[int, int] = {}
        self.refused: set[int] = set()
        with contextlib.suppress(ValueError, TypeError, AttributeError):
            data = json.loads(owed) if owed else {}
            # an earlier version saved a list of ids
            self.counts = ({int(i): 1 for i in data} if isinstance(data, list)
                           else {int(k): int(v) for k, v in data.items()})
        with contextlib.suppress(ValueError, TypeError):
            self.refused = {int(i) for i in json.loads(refused)} if refused else set()
        # saved as found; ``restart`` then forgets the refused marks (saved with the next change)
        self._saved = (dict(self.counts), frozenset(self.refused))
        if restart:
            self.refused = set()
        self._failed_now: set[int] = set()  # failed in this sync (counted once per sync)

    def failed(self, failures: dict[int, ApiError], summary: SyncSummary) -> None:
        """Owe (retryable) or set aside (refused, or owed too long) each failed item."""
        for rid, exc in failures.items():
            key = rh_key(rid)
            if exc.retryable:
                if rid not in self._failed_now:
                    self._failed_now.add(rid)
                    self.counts[rid] = self.counts.get(rid, 0) + 1
                if self.counts[rid] < OWED_SYNCS:
                    summary.error(f"details of {key}: {exc}")
                    continue
                del self.counts[rid]
                reason = f"could not be read in {OWED_SYNCS} syncs in a row (last: {exc})"
            else:
                self.counts.pop(rid, None)
                reason = str(exc)
            self.refused.add(rid)
            summary.error(f"details of {key}: {reason}; not asked again until its list row "
                          "changes (or 'returndesk sync --restart')")

    def read(self, ids: Iterable[int]) -> None:
        """These items' details are stored now."""
        for rid in ids:
            self.counts.pop(rid, None)
            self.refused.discard(rid)

    async def save(self) -> None:
        counts, refused = self._saved
        if self.counts != counts:
            await asyncio.to_thread(self.store.set_state, DETAILS_STATE,
                                    json.dumps({str(k): v for k, v in sorted(self.counts.items())})
                                    if self.counts else None)
        if self.refused != refused:
            await asyncio.to_thread(self.store.set_state, REFUSED_STATE,
                                    json.dumps(sorted(self.refused)) if self.refused else None)
        self._saved = (dict(self.counts), frozenset(self.refused))
