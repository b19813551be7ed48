"""``returndesk`` without Return Helper credentials: the demo on a fresh computer, but a
desk that is set up (its keyring entries lost) opens its own store without Return Helper
and says so, instead of a demo whose fake parcels answer every real scan "not found"."""

from __future__ import annotations

import argparse
import asyncio
import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.model import DecisionState, Source
from app.settings import Environment, Settings, default_store_url, load, settings_path
from app.store import RowFilter, RowQuery, Store, open_store
from tests.ui.conftest import outbox_shown, winit_records
from ui.main import configured_desk, run_window
from ui.qt import QApplication
from ui.tasks import CrashHandler
from ui.window import MainWindow


def _write_settings(**values: Any) -> None:
    path = settings_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(values), encoding="utf-8")


def _start(qapp: Any, qloop: asyncio.AbstractEventLoop, qtbot: Any, settings: Settings,
           args: argparse.Namespace | None = None) -> tuple[asyncio.Task[int], MainWindow]:
    """``run_window`` as ``returndesk`` runs it; returns its task and the window it shows."""
    task = qloop.create_task(run_window(qapp, settings, args, False, CrashHandler()))
    shown: list[MainWindow] = []

    def up() -> bool:
        assert not task.done() or task.result() is None  # raises what went wrong at start
        shown[:] = [w for w in QApplication.topLevelWidgets()
                    if isinstance(w, MainWindow) and w.isVisible()]
        return bool(shown)

    qtbot.waitUntil(up, timeout=30000)
    return task, shown[0]


def _close(qtbot: Any, task: asyncio.Task[int], window: MainWindow) -> None:
    window.close()
    qtbot.waitUntil(task.done, timeout=30000)
    assert task.result() == 0


def test_the_rule_for_a_set_up_desk(tmp_path: Path) -> None:
    assert configured_desk(load()) is None  # a fresh computer
    _write_settings(language="zh_CN", sound=False)  # the demo's settings saved: nothing set up
    assert configured_desk(load()) is None
    _write_settings(environment="production")
    assert "production" in (configured_desk(load()) or "")
    _write_settings(store=str(tmp_path / "desk.sqlite3"))
    assert "store" in (configured_desk(load()) or "")
    _write_settings()
    with open_store(default_store_url()):  # an empty local store (returndesk check made it)
        pass
    assert configured_desk(load()) is None
    with open_store(default_store_url()) as store:
        store.upsert_many(winit_records(1))
    assert "holds items" in (configured_desk(load()) or "")


def test_a_fresh_computer_opens_the_demo(qapp: Any, qloop: asyncio.AbstractEventLoop,
                                         qtbot: Any, logging_restored: None) -> None:
    task, window = _start(qapp, qloop, qtbot, load(), argparse.Namespace(items=20))
    try:
        assert window.demo
        assert window.connection_label.text() == "Demo: built-in sandbox"
        assert not Path(default_store_url()).exists()  # the demo's store is a temporary one
    finally:
        _close(qtbot, task, window)


@pytest.fixture
def desk_store(tmp_path: Path, fill_store: Any) -> str:
    """A desk's store as a shift left it: parcels and the cached handling types."""
    path = str(tmp_path / "desk.sqlite3")
    with open_store(path) as store:
        fill_store(store)
        store.set_state("rh.handlings", '[["ohd", "Hold"], ["rst", "Restock"]]')
    return path


def _awaiting(store: Store) -> tuple[str, str]:
    for row in store.rows(RowQuery(filter=RowFilter.AWAITING, source=Source.RETURN_HELPER), 0, 200):
        record = store.get(row.key)
        if record is not None and record.rma and len(store.lookup(record.rma)) == 1:
            return record.key, record.rma
    raise AssertionError("no Return Helper parcel awaiting a decision")


def test_a_set_up_desk_without_credentials_opens_its_store_offline(
        qapp: Any, qloop: asyncio.AbstractEventLoop, qtbot: Any, desk_store: str,
        logging_restored: None) -> None:
    _write_settings(store=desk_store, environment="production", operator="ann")
    task, window = _start(qapp, qloop, qtbot, load())
    try:
        assert not window.demo and not window.desk.online
        assert window.store.url == desk_store  # the desk's own store, not a demo's
        qtbot.waitUntil(lambda: not window.desk.connecting)  # the keyring is read once it shows
        said = window.message_label.text()
        assert said.startswith("⚠") and "No Return Helper API key and token for production" in said
        assert "Settings (Ctrl+,)" in said and "outbox" in said
        assert window.connection_label.text() == "Offline: no Return Helper credentials"
        assert "Settings" in window.connection_label.toolTip()

        key, rma = _awaiting(window.store)
        window.scan_field.submit(rma)  # a real parcel is found, not "not found"
        assert window.last_feedback is not None and window.last_feedback.kind == "found"
        assert window.current_key == key
        decision = window.apply_handling("rst")
        assert decision is not None  # queued in the outbox, for when the credentials are set
        outbox = window.desk.outbox
        qtbot.waitUntil(lambda: outbox.running)
        outbox._idle.clear()
        outbox.wake()
        qtbot.waitUntil(outbox._idle.is_set)  # the sender went through its queue: nothing sent
        stored = window.store.get_decision(decision.id)
        assert stored is not None and stored.state is DecisionState.QUEUED
        qtbot.waitUntil(lambda: sum(outbox_shown(window)[:2]) == 1)
    finally:
        _close(qtbot, task, window)
    assert Environment(load().environment) is Environment.PRODUCTION  # nothing rewritten


@pytest.fixture
def connect_held(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Connecting (the worker thread's part) waits until the returned event is set."""
    import ui.main

    release = threading.Event()
    real_load = ui.main._load_client_parts

    def held(credentials: Any) -> None:
        assert release.wait(30)
        real_load(credentials)

    monkeypatch.setattr(ui.main, "_load_client_parts", held)
    yield release
    release.set()


def test_a_set_up_desk_shows_its_window_before_the_keyring_and_clients_load(
        qapp: Any, qloop: asyncio.AbstractEventLoop, qtbot: Any, desk_store: str,
        logging_restored: None, monkeypatch: pytest.MonkeyPatch,
        connect_held: threading.Event) -> None:
    """The keyring's backend search, httpx and the CA bundle took 150-250 ms before the
    window could show: a set-up desk now shows its window (its store, scans) first and
    connects after, on a worker thread, while scans are handled."""
    import keyring

    searched: list[str] = []
    real_search = keyring.get_keyring
    monkeypatch.setattr(keyring, "get_keyring",
                        lambda: searched.append(threading.current_thread().name) or real_search())
    release = connect_held
    _write_settings(store=desk_store, environment="production")
    task, window = _start(qapp, qloop, qtbot, load())
    try:
        qtbot.waitUntil(lambda: window.view._painted)  # on screen, still connecting
        assert window.desk.connecting and searched == []
        assert window.connection_label.text() == "Connecting to Return Helper…"
        _key, rma = _awaiting(window.store)
        window.scan_field.submit(rma)  # the window works while it connects
        assert window.last_feedback is not None and window.last_feedback.kind == "found"
        assert window.sync_now() is None  # not "needs credentials": they are not read yet
        assert window.messages[-1] == "Still connecting to Return Helper: sync again in a moment."
        release.set()
        qtbot.waitUntil(lambda: not window.desk.connecting)
        assert searched and searched[0] != threading.main_thread().name  # on the worker
        assert window.connection_label.text() == "Offline: no Return Helper credentials"
    finally:
        release.set()
        _close(qtbot, task, window)


def test_a_window_closed_while_it_connects_ends_cleanly(
        qapp: Any, qloop: asyncio.AbstractEventLoop, qtbot: Any, desk_store: str,
        logging_restored: None, monkeypatch: pytest.MonkeyPatch,
        connect_held: threading.Event) -> None:
    import ui.main

    release = connect_held
    started: list[object] = []

    async def start(desk: Any) -> None:
        started.append(desk)

    monkeypatch.setattr(ui.main.DeskService, "start", start)
    _write_settings(store=desk_store, environment="production")
    task, window = _start(qapp, qloop, qtbot, load())
    window.close()
    release.set()
    qtbot.waitUntil(task.done, timeout=30000)
    assert task.result() == 0
    assert started == []  # the desk was not started after its window closed


async def test_the_windows_late_http_client_serves_whoever_waited() -> None:
    from ui.main import LateClient

    class Client:
        async def get(self, url: str, **kwargs: Any) -> str:
            return f"got {url} {kwargs}"

    late = LateClient()
    waiting = asyncio.ensure_future(late.get("http://x/1.png", follow_redirects=True))
    await asyncio.sleep(0)
    assert not waiting.done()  # an image asked for before the client exists waits for it
    client = Client()
    late.set(client)
    assert await waiting == "got http://x/1.png {'follow_redirects': True}"
    assert await late.client() is client

    broken = LateClient()
    broken.fail(OSError("no CA bundle"))
    with pytest.raises(OSError, match="no CA bundle"):
        await broken.get("http://x/2.png")
