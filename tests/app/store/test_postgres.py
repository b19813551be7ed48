"""PostgreSQL-only behaviour: passwords (URL, keyring), LISTEN/NOTIFY wake-ups."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest

from app.credentials import Credentials, Secret
from app.store import RowFilter, RowQuery, StoreError, open_store, redact_url
from app.store.postgres import PostgresStore
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
