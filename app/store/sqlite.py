"""The embedded store: one SQLite file (WAL), shared by threads and by processes.

Settings: ``journal_mode=WAL`` (readers never block the writer; two processes on one file
work), ``synchronous=NORMAL`` (durable across application crashes; a power cut may lose
the last commits but never corrupts the file), ``busy_timeout`` (a writer waits for
another instead of failing), ``foreign_keys=ON``. A connection per thread; writes in one
process also take a lock so threads queue in Python rather than spinning on SQLite's busy
handler. Every error becomes :class:`StoreError` with a message for people; a failed write
is rolled back whole.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from app.store.base import StoreError
from app.store.schema import SQLITE
from app.store.sql import Query, SqlStore, iso_utc

log = logging.getLogger(__name__)
BUSY_TIMEOUT_MS = 15_000
POLL_S = 0.2  # wait_for_change: how often the change counter is read


class SQLiteStore(SqlStore):
    dialect = SQLITE

    def __init__(self, path: str | Path, *, url: str | None = None,
                 schema_target: int | None = None) -> None:
        self.path = Path(path)
        self.url = url or str(self.path)
        self._local = threading.local()
        # each connection with the thread that made it: only that thread may close it
        self._connections: list[tuple[threading.Thread, sqlite3.Connection]] = []
        self._lock = threading.Lock()
        self._write_lock = threading.RLock()
        self._closed = False
        self._closing = threading.Event()
        super().__init__()
        self._upgrade(schema_target)
        self._seen_seq = self.last_seq()
        log.info("opened store %s", self.url)

    # -- connections ---------------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                   isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        try:
            mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                log.warning("store %s: journal mode is %s, not WAL (a network drive?); "
                            "several desks on one file will wait for each other", self.url, mode)
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.Error as exc:
            conn.close()
            raise self._error(exc) from None
        return conn

    def _conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if self._closed:
            if conn is not None:  # closed by another thread: this thread closes its own
                self._local.conn = None
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
            raise StoreError(f"the store {self.url} is closed")
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
            with self._lock:
                self._connections.append((threading.current_thread(), conn))
        return conn

    def close(self) -> None:
        """Close the store. Each connection is closed by the thread that made it: this
        thread's (and those of threads that have ended) now; another thread's on its next
        use, which then raises :class:`StoreError`, or when that thread ends. Closing a
        connection while its thread was in the middle of a query crashed the process
        (the shutdown of a window, a receiver or a sender with a worker thread reading);
        a query still running elsewhere is interrupted instead, so that thread stops soon."""
        self._closing.set()
        with self._lock:
            self._closed = True
            connections, self._connections = self._connections, []
        me = threading.current_thread()
        for thread, conn in connections:
            if thread is me or not thread.is_alive():
                with contextlib.suppress(sqlite3.Error):
                    conn.close()
                if thread is me:
                    self._local.conn = None
            else:
                with contextlib.suppress(sqlite3.Error):
                    conn.interrupt()

    # -- change notification -------------------------------------------------------------
    def wait_for_change(self, timeout: float) -> bool:
        """Block up to ``timeout`` s until the change number moves (any writer: another
        process, another thread, or this store itself). SQLite has no notifications, so
        this checks the change counter every :data:`POLL_S` seconds; the first call only
        notes where the counter stands, unless it has moved since the store was opened."""
        deadline = time.monotonic() + max(0.0, timeout)
        while True:
            seq = self.last_seq()
            if seq != self._seen_seq:
                self._seen_seq = seq
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self._closing.wait(min(POLL_S, remaining)):
                return False

    # -- checkpoints (see Store.defer_checkpoints) ---------------------------------------
    def defer_checkpoints(self) -> None:
        try:
            self._conn().execute("PRAGMA wal_autocheckpoint=0")
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def durable_commits(self) -> None:
        try:
            self._conn().execute("PRAGMA synchronous=FULL")
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def checkpoint(self) -> None:
        try:
            self._conn().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    # -- errors --------------------------------------------------------------------------
    def _error(self, exc: sqlite3.Error) -> StoreError:
        text = str(exc).lower()
        code: str | None = None
        if "full" in text:
            code = "store_full"
            message = (f"The disk holding the store {self.url} is full, so nothing was saved. "
                       "Free some space and try again.")
        elif "readonly" in text or "read-only" in text or (
                "unable to open" in text and self._read_only()):
            code = "store_read_only"
            message = (f"The store {self.url} is read-only, so nothing was saved. Check the "
                       "file's permissions or choose another store.")
        elif "locked" in text or "busy" in text:
            code = "store_busy"
            message = (f"The store {self.url} is busy (another program kept it locked for "
                       f"{BUSY_TIMEOUT_MS // 1000} s). Try again.")
        elif "unable to open" in text:
            message = f"The store {self.url} cannot be opened: {exc}."
        elif "not a database" in text or "malformed" in text:
            message = f"{self.url} is not a Return Desk store or is damaged: {exc}."
        else:
            message = f"Store error ({self.url}): {exc}"
        error = StoreError(message, code)
        error.__cause__ = exc
        return error

    def _read_only(self) -> bool:
        """A WAL store needs to write next to the file even to read it."""
        folder = self.path.parent
        return folder.exists() and (not os.access(folder, os.W_OK) or (
            self.path.exists() and not os.access(self.path, os.W_OK)))

    # -- hooks ---------------------------------------------------------------------------
    def _execute(self, conn: Any, sql: str, params: Sequence[Any]) -> Any:
        return conn.execute(sql, params)

    def _execute_many(self, conn: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        conn.executemany(sql, rows)

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Query]:
        conn = self._conn()
        try:
            yield Query(self, conn)
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def _read_all(self, sql: str, params: Sequence[Any]) -> list[Any]:
        try:
            return self._conn().execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[tuple[sqlite3.Connection, Query]]:
        conn = self._conn()
        with self._write_lock:
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._error(exc) from None
            try:
                yield conn, Query(self, conn)
            except BaseException as exc:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise self._error(exc) from None
                raise
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                with contextlib.suppress(sqlite3.Error):
                    conn.execute("ROLLBACK")
                raise self._error(exc) from None

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Query]:
        with self._transaction() as (conn, q):
            q.seq = int(conn.execute("SELECT value FROM counter WHERE name = 'seq'").fetchone()[0])
            yield q
            if q.changed:
                conn.execute("UPDATE counter SET value = ? WHERE name = 'seq'", (q.seq,))

    @contextlib.contextmanager
    def _schema_tx(self) -> Iterator[Query]:
        with self._transaction() as (_conn, q):
            yield q

    def _time_in(self, value: datetime | None) -> Any:
        return None if value is None else iso_utc(value)

    def _dec_in(self, value: Decimal | None) -> Any:
        return None if value is None else format(value, "f")
