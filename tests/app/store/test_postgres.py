"""PostgreSQL-only behaviour: passwords (URL, keyring), LISTEN/NOTIFY wake-ups."""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from app.credentials import Credentials, Secret
from app.store import RowFilter, RowQuery, StoreError, open_store, redact_url
from app.store.postgres import PostgresStore, statement_timeout_in
from tests.app.store.helpers import rh
from tests.fixtures.postgres import PgServer


@pytest.fixture
def database(postgres_server: PgServer) -> Iterator[str]:
    name = postgres_server.new_database()
    try:
        yield name
    finally:
        postgres_server.drop_database(name)


def _password_url(server: PgServer, database: str, password: str | None) -> str:
    auth = server.password_role + (f":{password}" if password is not None else "")
    return f"postgresql://{auth}@{server.host}:{server.port}/{database}"


def test_redact_url() -> None:
    assert redact_url("postgresql://ann:s%40cret@db.example:5433/rd?sslmode=require") == \
        "postgresql://ann@db.example:5433/rd?sslmode=require"
    assert redact_url("postgresql://ann@db/rd") == "postgresql://ann@db/rd"


def test_password_from_url_never_in_url_or_logs(postgres_server: PgServer, database: str,
                                                caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    url = _password_url(postgres_server, database, postgres_server.password)
    with open_store(url) as store:
        store.upsert(rh(1))
        assert store.get("rh:1") is not None
        assert postgres_server.password not in store.url
        assert store.url == _password_url(postgres_server, database, None)
        assert postgres_server.password not in repr(store.__dict__.get("url"))
    assert "opened store" in caplog.text
    assert postgres_server.password not in caplog.text


def test_password_from_the_keyring(postgres_server: PgServer, database: str) -> None:
    credentials = Credentials()
    credentials.set(Secret.STORE_PASSWORD, postgres_server.password, postgres_server.host)
    url = _password_url(postgres_server, database, None)
    with open_store(url, credentials=credentials) as store:
        store.upsert(rh(1))
        assert store.url == url


def test_wrong_or_missing_password_is_a_clear_error(postgres_server: PgServer, database: str,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "Wrong-pw-should-not-leak"
    with pytest.raises(StoreError, match="Cannot reach the store") as caught:
        open_store(_password_url(postgres_server, database, wrong))
    assert wrong not in str(caught.value) and wrong not in caplog.text
    assert "password authentication failed" in str(caught.value)
    with pytest.raises(StoreError):  # no password anywhere
        open_store(_password_url(postgres_server, database, None), credentials=Credentials())


def test_unreachable_server(postgres_server: PgServer) -> None:
    url = "postgresql://returndesk:pw-xyz@127.0.0.1:1/nothing"
    with pytest.raises(StoreError, match="Cannot reach the store") as caught:
        open_store(url)
    assert "pw-xyz" not in str(caught.value)


def test_notify_wakes_other_desks_not_the_writer(postgres_url: str) -> None:
    desk_a = open_store(postgres_url)
    desk_b = open_store(postgres_url)
    assert isinstance(desk_a, PostgresStore) and isinstance(desk_b, PostgresStore)
    try:
        desk_a.listen()
        desk_b.listen()
        assert not desk_b.wait_for_change(0)  # nothing happened yet
        woke = threading.Event()
        waiting = threading.Event()

        def wait() -> None:
            waiting.set()
            if desk_b.wait_for_change(20):
                woke.set()
        waiter = threading.Thread(target=wait)
        waiter.start()
        assert waiting.wait(5)
        desk_a.upsert(rh(1))
        waiter.join(timeout=25)
        assert woke.is_set()
        _seq, keys = desk_b.changes_since(0)
        assert keys == ["rh:1"]
        # the writer's own change does not wake the writer
        assert not desk_a.wait_for_change(0.2)
        # an unchanged upsert sends nothing
        desk_a.upsert(rh(1))
        assert not desk_b.wait_for_change(0.2)
        desk_a.set_state("x", "y")  # state is not a record change either
        assert not desk_b.wait_for_change(0.2)
    finally:
        desk_a.close()
        desk_b.close()


def test_threads_share_a_small_pool(postgres_server: PgServer, postgres_url: str) -> None:
    store = PostgresStore(postgres_url, pool_size=2)
    try:
        errors: list[BaseException] = []

        def work(base: int) -> None:
            try:
                for n in range(base, base + 10):
                    store.upsert(rh(n))
                    assert store.lookup(f"RMA{n:05d}")[0].key == f"rh:{n}"
            except BaseException as exc:  # reported below
                errors.append(exc)
        threads = [threading.Thread(target=work, args=(b * 100,)) for b in range(1, 9)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert errors == []
        assert store.last_seq() == 80
        database = postgres_url.rsplit("/", 1)[1]
        import psycopg
        with psycopg.connect(postgres_server.admin_url, autocommit=True) as admin:
            row = admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                                "AND application_name = 'returndesk'", (database,)).fetchone()
        assert row is not None and 1 <= row[0] <= 2
    finally:
        store.close()


def test_reconnects_after_the_server_dropped_connections(postgres_server: PgServer,
                                                         postgres_url: str) -> None:
    store = PostgresStore(postgres_url)
    try:
        store.upsert(rh(1))
        store.idle_check_s = 0.0  # check every pooled connection before use
        database = postgres_url.rsplit("/", 1)[1]
        import psycopg
        with psycopg.connect(postgres_server.admin_url, autocommit=True) as admin:
            killed = admin.execute(
                "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = %s AND application_name = 'returndesk') AS t",
                (database,)).fetchone()
        assert killed is not None and killed[0] >= 1
        assert store.get("rh:1") is not None
        store.upsert(rh(2))
        assert store.count(RowQuery(filter=RowFilter.ALL)) == 2
    finally:
        store.close()


def _tcp_options(conn: Any) -> dict[str, int]:
    """The keepalive settings of the connection's own socket, as the kernel has them."""
    import os
    import socket

    with socket.socket(fileno=os.dup(conn.pgconn.socket)) as sock:
        found = {"keepalive": sock.getsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE)}
        if sys.platform == "linux":
            for name in ("TCP_KEEPIDLE", "TCP_KEEPINTVL", "TCP_KEEPCNT", "TCP_USER_TIMEOUT"):
                found[name] = sock.getsockopt(socket.IPPROTO_TCP, getattr(socket, name))
    return found


def test_connections_notice_a_dead_server_in_seconds_and_reads_are_limited(
        postgres_url: str) -> None:
    """A server gone without closing its connections used to hang a desk's read for the
    kernel's retransmissions (minutes): keepalives, tcp_user_timeout and, for reads, a
    statement timeout; every role opens the store this way (open_store)."""
    with open_store(postgres_url) as store:
        assert isinstance(store, PostgresStore)
        store.upsert(rh(1))
        with store._borrow() as conn:
            assert conn.execute("SHOW statement_timeout").fetchone() == ("10s",)
            assert conn.info.get_parameters()["connect_timeout"] == "5"
            tcp = _tcp_options(conn)
        assert tcp["keepalive"] == 1
        if sys.platform == "linux":
            assert (tcp["TCP_KEEPIDLE"], tcp["TCP_KEEPINTVL"], tcp["TCP_KEEPCNT"]) == (5, 2, 3)
            assert tcp["TCP_USER_TIMEOUT"] == 10_000
        # writes and schema upgrades are never cut short (a sync's batches, migrations)
        with store._writing() as q:
            assert q.one("SHOW statement_timeout") == ("0",)
        with store._schema_tx() as q:
            assert q.one("SHOW statement_timeout") == ("0",)
        assert store.pool_wait_s <= 5 and store.read_timeout_s == 10


def test_a_read_that_waits_too_long_is_a_store_error_and_a_write_is_not_cut_short(
        postgres_server: PgServer, postgres_url: str) -> None:
    import psycopg

    store = PostgresStore(postgres_url, read_timeout_s=0.3)
    try:
        store.upsert(rh(1))
        with pytest.raises(StoreError, match=r"did not answer within 0\.3 s"):
            store._read_all("SELECT pg_sleep(2)", ())  # the server cancels it at 0.3 s
        with store._writing() as q:  # no limit in a write: it runs to its end
            q.one("SELECT pg_sleep(0.6)")
        # An upgrade elsewhere holds the table: a desk's read gives up, not waits for it.
        database = postgres_url.rsplit("/", 1)[1]
        with psycopg.connect(postgres_server.url(database)) as admin:
            admin.execute("LOCK TABLE inventory IN ACCESS EXCLUSIVE MODE")
            with pytest.raises(StoreError, match="did not answer"):
                store.count(RowQuery(filter=RowFilter.ALL))
            with pytest.raises(StoreError, match="did not answer"):
                store.get("rh:1")  # a scan's read
            admin.rollback()
        assert store.count(RowQuery(filter=RowFilter.ALL)) == 1  # the pool still works
    finally:
        store.close()


def test_a_thread_waits_seconds_not_half_a_minute_for_a_pooled_connection(
        postgres_url: str) -> None:
    store = PostgresStore(postgres_url, pool_size=1, pool_wait_s=0.2)
    try:
        with store._borrow(), pytest.raises(StoreError, match="busy"):
            store.get("rh:1")  # the only connection is in use
        assert store.get("rh:1") is None
    finally:
        store.close()


def test_limits_given_in_the_store_url_win(postgres_url: str) -> None:
    store = PostgresStore(postgres_url + "?keepalives_idle=30&connect_timeout=7"
                          "&options=-c%20statement_timeout%3D1234")
    try:
        with store._borrow() as conn:
            assert conn.execute("SHOW statement_timeout").fetchone() == ("1234ms",)
            assert conn.info.get_parameters()["connect_timeout"] == "7"
            if sys.platform == "linux":
                assert _tcp_options(conn)["TCP_KEEPIDLE"] == 30
        assert store.read_timeout_s == pytest.approx(1.234)  # the URL's limit, for reads
        with store._writing() as q:  # writes and upgrades are never cut short
            assert q.one("SHOW statement_timeout") == ("0",)
        with store._schema_tx() as q:
            assert q.one("SHOW statement_timeout") == ("0",)
    finally:
        store.close()


def test_a_statement_timeout_in_the_url_limits_reads_only(postgres_url: str) -> None:
    """The README's own form (``?options=-c%20statement_timeout%3D30000``, here 300 ms):
    writes and schema upgrades used to run under it (a sync's batches, the receiver's
    commits and migrations cut short), and a cancelled read said "within 0 s"."""
    with open_store(postgres_url + "?options=-c%20statement_timeout%3D300") as store:
        assert isinstance(store, PostgresStore)
        store.upsert(rh(1))
        with store._writing() as q:      # longer than the URL's limit: runs to its end
            q.one("SELECT pg_sleep(0.6)")
            q.run("UPDATE inventory SET seq = seq WHERE key = 'rh:1'")
        with store._schema_tx() as q:    # a migration too
            q.one("SELECT pg_sleep(0.6)")
        with pytest.raises(StoreError, match=r"did not answer within 0\.3 s"):
            store._read_all("SELECT pg_sleep(2)", ())  # a read: cancelled at the URL's 300 ms
        assert store.get("rh:1") is not None


@pytest.mark.parametrize(("options", "seconds"), [
    ("", None), ("-c search_path=x", None),
    ("-c statement_timeout=30000", 30.0), ("-cstatement_timeout=250ms", 0.25),
    ("--statement-timeout=2s", 2.0), ("-c statement_timeout=1min", 60.0),
    ("-c statement_timeout=1.5s", 1.5), ("-c statement_timeout=5 -c statement_timeout=7", 0.007),
    ("-c statement_timeout=0", 0.0), ("-c statement_timeout=soon", 0.0),
])
def test_statement_timeout_in_the_urls_options(options: str, seconds: float | None) -> None:
    assert statement_timeout_in(options) == (None if seconds is None
                                             else pytest.approx(seconds))


def test_a_url_without_a_statement_limit_says_the_read_was_cancelled(
        postgres_server: PgServer, postgres_url: str) -> None:
    import psycopg

    store = PostgresStore(postgres_url + "?options=-c%20statement_timeout%3D0")
    try:
        assert store.read_timeout_s is None
        message = str(store._error(psycopg.errors.QueryCanceled("canceling statement")))
        assert "did not answer in time (the server cancelled the request)" in message
        assert "within 0 s" not in message
    finally:
        store.close()
