"""SQLite-only behaviour: file settings, a full disk, a read-only file, two processes."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from app import settings
from app.store import RowFilter, RowQuery, Store, StoreError, open_store, run_in_thread
from app.store.sqlite import SQLiteStore
from tests.app.store.helpers import rh
from tests.fixtures.filesystems import tmpfs

ROOT = Path(__file__).resolve().parents[3]


def test_default_store_is_in_the_data_folder() -> None:
    with open_store(None) as store:
        assert Path(store.url) == Path(settings.default_store_url())
        assert Path(store.url).parent == settings.data_dir()
        assert Path(store.url).exists()


@pytest.mark.parametrize("form", ["path", "url"])
def test_paths_and_urls_create_parent_folders(tmp_path: Path, form: str) -> None:
    target = tmp_path / "deep" / "er" / "desk.sqlite3"
    given = str(target) if form == "path" else f"sqlite:///{target}"
    with open_store(given) as store:
        store.upsert(rh(1))
        assert store.url == given
    assert target.exists()


def test_sqlite_url_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    with open_store("sqlite:///relative/desk.sqlite3") as store:
        store.upsert(rh(1))
    assert (tmp_path / "relative" / "desk.sqlite3").exists()
    absolute = tmp_path / "abs" / "x.sqlite3"
    with open_store(f"sqlite:///{absolute}") as store:  # four slashes: absolute
        assert Path(store.url.removeprefix("sqlite:///")) == absolute
    assert absolute.exists()
    with pytest.raises(StoreError, match="names no file"):
        open_store("sqlite:///")


def test_unknown_scheme_is_refused_without_echoing_a_password() -> None:
    with pytest.raises(StoreError, match="unknown kind of store") as caught:
        open_store("mysql://ann:hunter2@db/x")
    assert "hunter2" not in str(caught.value)


def test_connection_settings(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "s.sqlite3"))
    assert isinstance(store, SQLiteStore)
    try:
        conn = store._conn()
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    finally:
        store.close()


def test_not_a_database_file(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(StoreError, match="not a Return Desk store"):
        open_store(str(path))


def test_full_database_rolls_back_whole_batch(tmp_path: Path) -> None:
    """PRAGMA max_page_count makes the database "full" without privileges."""
    store = open_store(str(tmp_path / "full.sqlite3"))
    assert isinstance(store, SQLiteStore)
    try:
        store.upsert_many([rh(n) for n in range(1, 11)])
        pages = store._conn().execute("PRAGMA page_count").fetchone()[0]
        store._conn().execute(f"PRAGMA max_page_count = {pages + 2}")
        seq = store.last_seq()
        with pytest.raises(StoreError, match="full") as caught:
            store.upsert_many([rh(n, description="x" * 2000) for n in range(100, 400)])
        assert "nothing was saved" in str(caught.value)
        assert store.count(RowQuery(filter=RowFilter.ALL)) == 10
        assert store.last_seq() == seq
        assert store.lookup("RMA00100") == []
        store.upsert(rh(11))  # small writes still fit
        assert store.get("rh:11") is not None
    finally:
        store.close()


def test_full_disk_on_a_real_small_filesystem(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "small", "400k") as mount:
        store = open_store(str(mount / "desk.sqlite3"))
        try:
            store.upsert_many([rh(n) for n in range(1, 6)])
            seq = store.last_seq()
            with pytest.raises(StoreError, match=r"disk .* is full") as raised:
                for batch in range(50):  # until the disk is full
                    store.upsert_many([rh(batch * 100 + n, description="x" * 3000)
                                       for n in range(100, 200)])
                    seq = store.last_seq()
            assert raised.value.code == "store_full"  # the window words it for the operator
            # The failed batch left nothing behind; everything committed before is intact.
            assert store.last_seq() == seq
            assert store.count(RowQuery(filter=RowFilter.ALL)) == seq
            assert store.get("rh:1") is not None
        finally:
            store.close()


def test_read_only_filesystem(tmp_path: Path) -> None:
    with tmpfs(tmp_path / "ro", "4m") as mount:
        path = mount / "desk.sqlite3"
        with open_store(str(path)) as store:
            store.upsert(rh(1))
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        try:
            with pytest.raises(StoreError, match=r"is read-only") as raised, \
                    open_store(str(path)) as store:
                store.upsert(rh(2))
            assert raised.value.code == "store_read_only"
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(mount)], check=False)


CHILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from app.store import open_store
    from tests.app.store.helpers import rh
    store = open_store({path!r})
    print("ready", flush=True)
    sys.stdin.readline()  # go
    for n in range(1000, 1200):
        store.upsert(rh(n))
    store.close()
    print("done", flush=True)
""")


def test_two_processes_write_one_file(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.sqlite3")
    store = open_store(path)
    try:
        child = subprocess.Popen([sys.executable, "-c", CHILD.format(root=str(ROOT), path=path)],
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert child.stdout is not None and child.stdin is not None
        assert child.stdout.readline().strip() == "ready"
        child.stdin.write("go\n")
        child.stdin.flush()
        for n in range(1, 201):  # both write at the same time
            store.upsert(rh(n))
        assert child.stdout.readline().strip() == "done"
        assert child.wait(timeout=60) == 0
        assert store.count(RowQuery(filter=RowFilter.ALL)) == 400
        seq, keys = store.changes_since(0, limit=1000)
        assert len(keys) == len(set(keys)) == 400 and seq == 400
        assert store.lookup("RMA01199")[0].key == "rh:1199"
    finally:
        store.close()


def test_wait_for_change_sees_another_process_or_desk(tmp_path: Path) -> None:
    path = str(tmp_path / "w.sqlite3")
    desk_a, desk_b = open_store(path), open_store(path)
    try:
        assert not desk_a.wait_for_change(0)
        woke = threading.Event()
        waiting = threading.Event()

        def wait() -> None:
            waiting.set()
            if desk_a.wait_for_change(20):
                woke.set()
        waiter = threading.Thread(target=wait)
        waiter.start()
        assert waiting.wait(5)
        desk_b.upsert(rh(1))
        waiter.join(timeout=25)
        assert woke.is_set()
        assert not desk_a.wait_for_change(0.3)  # nothing new since
    finally:
        desk_a.close()
        desk_b.close()


def test_run_in_thread(sqlite_store: Store) -> None:
    async def main() -> bool:
        result = await run_in_thread(sqlite_store.upsert, rh(1))
        return result.changed
    assert asyncio.run(main())
    assert sqlite_store.get("rh:1") is not None


def test_deferred_checkpoints_leave_the_copy_back_to_checkpoint(tmp_path: Path) -> None:
    """After defer_checkpoints(), this thread's commits never copy the WAL back into the
    file (an untouched store does, once the WAL passes 1000 pages); checkpoint() does,
    from another thread, and every record stays readable throughout."""

    def fill(store: Store, first: int) -> None:
        for n in range(first, first + 80):  # one commit each: well over 1000 WAL pages
            store.upsert(rh(n))

    sizes = {}
    for deferred in (False, True):
        path = tmp_path / f"deferred-{deferred}.sqlite3"
        with open_store(str(path)) as store:
            if deferred:
                store.defer_checkpoints()
            before = path.stat().st_size
            fill(store, 1)
            sizes[deferred] = path.stat().st_size - before
            if deferred:
                assert store.count(RowQuery(filter=RowFilter.ALL)) == 80
                worker = threading.Thread(target=store.checkpoint)
                worker.start()
                worker.join(30)
                assert path.stat().st_size - before > 100_000  # copied back now
    assert sizes[False] > 100_000   # the automatic checkpoint ran inside some commit
    assert sizes[True] == 0         # ... and never with checkpoints deferred


CLOSE_WHILE_READING = r'''
import os, sqlite3, sys, tempfile, threading
from app.store import open_store
from app.store.base import StoreError
folder = tempfile.mkdtemp()
for n in range(100):
    store = open_store(os.path.join(folder, f"s{n}.sqlite3"))
    reading = [threading.Event() for _ in range(3)]
    stopped = []
    def reader(started):
        try:
            while True:
                store.last_seq()
                started.set()  # this thread has its connection and keeps reading
        except (StoreError, sqlite3.Error) as exc:
            stopped.append(type(exc).__name__)
            started.set()
    threads = [threading.Thread(target=reader, args=(event,)) for event in reading]
    for thread in threads:
        thread.start()
    for event in reading:
        event.wait()
    store.close()
    for thread in threads:
        thread.join()
    assert len(stopped) == 3, stopped
print("closed while reading", flush=True)
'''


def test_closing_the_store_while_other_threads_read_is_safe(tmp_path: Path) -> None:
    """A window, a receiver or an outbox sender closes its store on the way out while a
    worker thread may be reading. Closing that thread's connection under it crashed the
    process (SIGSEGV; the crash test's last sender died so once). Each thread now closes
    its own connection; the readers stop with an error. In a child process, so a crash
    fails this test instead of the test run."""
    done = subprocess.run([sys.executable, "-c", CLOSE_WHILE_READING], cwd=ROOT,
                          capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0, (done.returncode, done.stderr[-2000:])
    assert "closed while reading" in done.stdout
