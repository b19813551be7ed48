"""The shared store for several desks: PostgreSQL through psycopg 3.

A connection per thread (autocommit; writes in explicit transactions). Every write
transaction first locks the change-counter row (``SELECT ... FOR UPDATE``), which
serialises writers across desks: read-merge-write upserts and the decision race cannot
interleave, and change numbers (``seq``) become visible in order. On commit a
``NOTIFY returndesk_changes`` wakes the other desks (:meth:`PostgresStore.wait_for_change`
LISTENs on a dedicated connection).

A server that stops answering must cost a desk seconds, not minutes: the window reads the
store on its GUI thread (a scan's lookup), and a server that vanished without closing its
connections (power cut, a dropped VPN) used to leave a read waiting for the operating
system's TCP retransmissions, a quarter of an hour on Linux. Every connection therefore has:

* ``connect_timeout`` 5 s (was 10 s);
* TCP keepalives (first probe after 5 s idle, then every 2 s, 3 probes) and
  ``tcp_user_timeout`` 10 s (Linux: data unacknowledged that long drops the connection), so a
  dead server is noticed in about 10 s (Windows sends its own fixed 10 probes: ~25 s);
* ``statement_timeout`` 10 s for reads (the server cancels a read that waits that long: an
  overloaded server, a table locked by an upgrade; the longest desk read, the list's order at
  200,000 items, takes about a second). Writes and schema upgrades run with no limit
  (``SET LOCAL statement_timeout = 0`` in their transaction, also when the URL sets a
  timeout): a sync's batches, the webhook receiver's group commits and migrations are never
  cut short;
* at most 5 s waiting for one of the pool's connections (was 30 s).

Every role (desk, webhook receiver, sync, the command line) opens the store through
:func:`app.store.open_store`, so they all get these; what a long job needs (writes,
upgrades) is exempt. A value given in the store's URL (``?keepalives_idle=30``,
``?connect_timeout=10``, ``?options=-c%20statement_timeout%3D30000``: the reads' limit, named
when a read is cancelled) wins. Every failure is a :class:`StoreError`.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus

from app.model import as_aware
from app.store.base import StoreError
from app.store.schema import POSTGRES
from app.store.sql import Query, SqlStore

log = logging.getLogger(__name__)
CHANNEL = "returndesk_changes"
IDLE_CHECK_S = 10.0  # check a pooled connection idle longer than this before using it
CONNECT_TIMEOUT_S = 5
READ_TIMEOUT_S = 10.0  # statement_timeout of reads; writes and upgrades have none
POOL_WAIT_S = 5.0  # a thread waits this long for one of the pool's connections
#: libpq's TCP settings: a server gone without closing its connections is noticed in seconds.
TCP_LIMITS = {"keepalives": "1", "keepalives_idle": "5", "keepalives_interval": "2",
              "keepalives_count": "3", "tcp_user_timeout": "10000"}
_SCHEMA_LOCK = 0x52657444  # pg_advisory_xact_lock id for schema upgrades ("RetD")


#: ``-c statement_timeout=30000`` / ``--statement-timeout=30s`` in libpq's ``options``
_STATEMENT_TIMEOUT = re.compile(r"(?:^|\s)(?:-c\s*|--)statement[_-]timeout\s*=\s*(\S*)",
                                re.IGNORECASE)
_TIME_VALUE = re.compile(r"(\d+(?:\.\d*)?|\.\d+)\s*(us|ms|s|min|h|d)?", re.IGNORECASE)
_UNIT_S = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}


def statement_timeout_in(options: str) -> float | None:
    """The ``statement_timeout`` libpq's ``options`` set, in s (the last one wins, as in
    PostgreSQL; a number without a unit is ms): None when they do not set it, 0 when they
    set no limit (0) or a value this cannot read."""
    found = _STATEMENT_TIMEOUT.findall(options)
    if not found:
        return None
    match = _TIME_VALUE.fullmatch(found[-1].strip("'\""))
    if match is None:
        return 0.0
    return float(match.group(1)) * _UNIT_S[(match.group(2) or "ms").lower()]


class PostgresStore(SqlStore):
    dialect = POSTGRES

    def __init__(self, url: str, *, password: str | None = None,
                 schema_target: int | None = None, connect_timeout: int = CONNECT_TIMEOUT_S,
                 pool_size: int = 4, read_timeout_s: float | None = READ_TIMEOUT_S,
                 pool_wait_s: float = POOL_WAIT_S) -> None:
        self.url = url  # already without a password (see app.store.redact_url)
        self._password = password
        self.pool_wait_s = pool_wait_s
        self._conninfo, self.read_timeout_s = self._limits(connect_timeout, read_timeout_s)
        self._instance = uuid.uuid4().hex
        self._pool_size = max(1, pool_size)
        self.idle_check_s = IDLE_CHECK_S
        self._idle: list[tuple[psycopg.Connection[Any], float]] = []
        self._open = 0
        self._pool = threading.Condition()
        self._listen_lock = threading.Lock()
        self._listener: psycopg.Connection[Any] | None = None
        self._closed = False
        super().__init__()
        self._sql_cache: dict[str, str] = {}
        self._upgrade(schema_target)
        log.info("opened store %s", self.url)

    # -- connections: a small pool, so threads share a few server connections -----------
    def _limits(self, connect_timeout: int, read_timeout_s: float | None
                ) -> tuple[str, float | None]:
        """The URL with the parameters this store adds (the URL's own win; see the module
        docstring), and the reads' statement timeout in s (None: no limit, or one this store
        cannot read). A ``statement_timeout`` in the URL's ``options`` is the reads' limit."""
        try:
            given = psycopg.conninfo.conninfo_to_dict(self.url)
        except psycopg.Error as exc:
            raise self._error(exc) from None
        wanted = {"connect_timeout": str(connect_timeout), **TCP_LIMITS}
        params = {name: value for name, value in wanted.items() if name not in given}
        options = str(given.get("options") or "")
        in_url = statement_timeout_in(options)
        if in_url is not None:
            read_timeout_s = in_url or None
        elif read_timeout_s is not None:
            params["options"] = (f"{options} -c statement_timeout="
                                 f"{round(read_timeout_s * 1000)}").strip()
        return psycopg.conninfo.make_conninfo(self.url, **params), read_timeout_s

    def _connect(self) -> psycopg.Connection[Any]:
        try:
            return psycopg.connect(self._conninfo, password=self._password, autocommit=True,
                                   application_name="returndesk")
        except psycopg.Error as exc:
            raise self._error(exc) from None

    @staticmethod
    def _no_statement_limit(conn: psycopg.Connection[Any]) -> None:
        """In a write or upgrade transaction: no statement timeout (it is for reads), also
        when the URL sets one."""
        conn.execute("SET LOCAL statement_timeout = 0")

    @contextlib.contextmanager
    def _borrow(self) -> Iterator[psycopg.Connection[Any]]:
        conn: psycopg.Connection[Any] | None = None
        idle_since = 0.0
        with self._pool:
            while True:
                if self._closed:
                    raise StoreError(f"the store {self.url} is closed")
                if self._idle:
                    conn, idle_since = self._idle.pop()
                    break
                if self._open < self._pool_size:
                    self._open += 1
                    break
                if not self._pool.wait(timeout=self.pool_wait_s):
                    raise StoreError(f"the store {self.url} is busy: all {self._pool_size} "
                                     "connections stayed in use")
        try:
            if conn is not None and time.monotonic() - idle_since >= self.idle_check_s:
                try:  # the server or a firewall may have dropped a long-idle connection
                    conn.execute("SELECT 1")
                except psycopg.Error:
                    with contextlib.suppress(psycopg.Error):
                        conn.close()
                    conn = None
            if conn is None:
                conn = self._connect()
        except BaseException:
            with self._pool:
                self._open -= 1
                self._pool.notify()
            raise
        try:
            yield conn
        finally:
            reusable = (not conn.closed and not conn.broken
                        and conn.info.transaction_status == TransactionStatus.IDLE)
            with self._pool:
                if reusable and not self._closed:
                    self._idle.append((conn, time.monotonic()))
                    conn = None
                else:
                    self._open -= 1
                self._pool.notify()
            if conn is not None:
                with contextlib.suppress(psycopg.Error):
                    conn.close()

    def close(self) -> None:
        with self._pool:
            self._closed = True
            connections = [c for c, _ in self._idle]
            self._idle = []
            self._pool.notify_all()
        with self._listen_lock:
            if self._listener is not None:
                connections.append(self._listener)
                self._listener = None
        for conn in connections:
            with contextlib.suppress(psycopg.Error):
                conn.close()

    # -- errors --------------------------------------------------------------------------
    def _error(self, exc: psycopg.Error) -> StoreError:
        text = str(exc).strip() or type(exc).__name__
        if self._password:
            text = text.replace(self._password, "***")
        code: str | None = None
        if isinstance(exc, psycopg.errors.DiskFull):
            code = "store_server_full"
            message = (f"The PostgreSQL server of store {self.url} is out of disk space, so "
                       "nothing was saved. Ask its administrator to free space.")
        elif isinstance(exc, psycopg.errors.ReadOnlySqlTransaction):
            code = "store_read_only"
            message = f"The store {self.url} is read-only (a standby server?), so nothing was saved."
        elif isinstance(exc, psycopg.errors.QueryCanceled):
            within = (f"within {self.read_timeout_s:g} s" if self.read_timeout_s
                      else "in time (the server cancelled the request)")
            message = (f"The store {self.url} did not answer {within} "
                       "(the PostgreSQL server is overloaded, or a long change such as an "
                       f"upgrade holds its tables): {text}")
        elif isinstance(exc, psycopg.OperationalError):
            message = f"Cannot reach the store {self.url}: {text}"
        else:
            message = f"Store error ({self.url}): {text}"
        error = StoreError(message, code)
        error.__cause__ = None
        return error

    # -- hooks ---------------------------------------------------------------------------
    def _sql(self, sql: str) -> str:
        converted = self._sql_cache.get(sql)
        if converted is None:
            converted = sql.replace("%", "%%").replace("?", "%s")
            self._sql_cache[sql] = converted
        return converted

    def _execute(self, conn: Any, sql: str, params: Sequence[Any]) -> Any:
        return conn.execute(self._sql(sql), params)

    def _execute_many(self, conn: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with conn.cursor() as cursor:
            cursor.executemany(self._sql(sql), rows)

    @contextlib.contextmanager
    def _reading(self) -> Iterator[Query]:
        with self._borrow() as conn:
            try:
                yield Query(self, conn)
            except psycopg.Error as exc:
                raise self._error(exc) from None

    def _read_all(self, sql: str, params: Sequence[Any]) -> list[Any]:
        with self._borrow() as conn:
            try:
                return conn.execute(self._sql(sql), params).fetchall()
            except psycopg.Error as exc:
                raise self._error(exc) from None

    @contextlib.contextmanager
    def _writing(self) -> Iterator[Query]:
        with self._borrow() as conn, self._mapping_errors(), conn.transaction():
            self._no_statement_limit(conn)
            row = conn.execute("SELECT value FROM counter WHERE name = 'seq' FOR UPDATE"
                               ).fetchone()
            assert row is not None
            q = Query(self, conn, int(row[0]))
            yield q
            if q.changed:
                conn.execute("UPDATE counter SET value = %s WHERE name = 'seq'", (q.seq,))
                conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, f"{self._instance}:{q.seq}"))

    @contextlib.contextmanager
    def _schema_tx(self) -> Iterator[Query]:
        with self._borrow() as conn, self._mapping_errors(), conn.transaction():
            self._no_statement_limit(conn)
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (_SCHEMA_LOCK,))
            yield Query(self, conn)

    @contextlib.contextmanager
    def _mapping_errors(self) -> Iterator[None]:
        try:
            yield
        except psycopg.Error as exc:
            raise self._error(exc) from None

    def _time_in(self, value: datetime | None) -> Any:
        if value is None:
            return None
        return as_aware(value)

    def _dec_in(self, value: Decimal | None) -> Any:
        return value

    # -- change notification -------------------------------------------------------------
    def listen(self) -> None:
        """Start listening for other desks' changes now (else on the first wait)."""
        with self._listen_lock:
            self._ensure_listener()

    def _ensure_listener(self) -> psycopg.Connection[Any]:
        if self._closed:
            raise StoreError(f"the store {self.url} is closed")
        if self._listener is None or self._listener.closed or self._listener.broken:
            conn = self._connect()
            try:
                conn.execute(f"LISTEN {CHANNEL}")
            except psycopg.Error as exc:
                conn.close()
                raise self._error(exc) from None
            self._listener = conn
        return self._listener

    def wait_for_change(self, timeout: float) -> bool:
        """Block up to ``timeout`` s until another store (desk, process) commits a change.

        Listening starts on the first call (or :meth:`listen`); changes committed before
        that are found with :meth:`changes_since`. Own changes do not wake.
        """
        with self._listen_lock:
            conn = self._ensure_listener()
            try:
                for notify in conn.notifies(timeout=max(0.0, timeout)):
                    if not notify.payload.startswith(self._instance + ":"):
                        return True
            except psycopg.Error as exc:
                with contextlib.suppress(psycopg.Error):
                    conn.close()
                self._listener = None
                raise self._error(exc) from None
        return False
