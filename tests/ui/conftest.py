"""GUI test set-up: the real window, offscreen, on a qasync loop, against the sandbox over HTTP.

- ``qloop``: a qasync ``QEventLoop`` marked running (``already_running=True``) so asyncio
  tasks run whenever Qt processes events, i.e. inside ``qtbot.waitUntil``/``waitSignal``.
- ``fill_store``: records as the sandbox's ``newInventoryCreated`` webhooks describe them
  (dimensions, weights, images) and WINIT return orders, mapped by the core's own mappers.
- ``desk``: a :class:`~app.desk.DeskService` on a fresh SQLite file, its Return Helper
  client talking to the sandbox over loopback HTTP with short timeouts.
- ``window``: the :class:`~ui.window.MainWindow` on that desk, shown, with a fake clock
  for scan timing and a sound player that records instead of playing.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import dataclasses
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest

import ui.qt  # noqa: F401 - first: pins None/True/False on Python 3.11 (see ui.qt)
from app.credentials import Credentials, Secret
from app.desk import DeskService
from app.model import InventoryRecord, utcnow
from app.returnhelper.client import ReturnHelperClient
from app.returnhelper.mapping import map_webhook_inventory
from app.sandbox.server import SandboxServer
from app.settings import Environment, Settings
from app.store import RowFilter, RowQuery, Store, open_store
from app.winit.mapping import record_from_order
from app.winit.sandbox import generate_orders
from ui.decision_failed import FailedDecisionsDialog
from ui.decision_log import DecisionLogDialog
from ui.feedback import SoundPlayer
from ui.tasks import TaskManager

T = TypeVar("T")
WINIT_ORDERS = 40


class FakeClock:
    """Milliseconds that move only when a test says so."""

    def __init__(self, start: float = 1_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, ms: float) -> None:
        self.now += ms


@pytest.fixture
def qloop(qapp: Any) -> Iterator[asyncio.AbstractEventLoop]:
    import qasync

    loop = qasync.QEventLoop(qapp, already_running=True)
    workers = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="test-to-thread")
    loop.set_default_executor(workers)  # asyncio.to_thread; joined at teardown
    asyncio.set_event_loop(loop)
    try:
        yield loop
    finally:
        pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
        for task in pending:
            task.cancel()
        deadline = loop.time() + 5
        while any(not t.done() for t in pending) and loop.time() < deadline:
            qapp.processEvents()
        workers.shutdown(wait=True)
        asyncio.events._set_running_loop(None)
        asyncio.set_event_loop(None)


def run(qtbot: Any, loop: asyncio.AbstractEventLoop, awaitable: Awaitable[T],
        timeout: float = 15.0) -> T:
    """Run ``awaitable`` on the qasync loop while Qt processes events; return its result."""
    task = loop.create_task(awaitable)  # type: ignore[arg-type]
    qtbot.waitUntil(task.done, timeout=int(timeout * 1000))
    return task.result()


def sandbox_records(sandbox: SandboxServer) -> list[InventoryRecord]:
    """Every seeded parcel as its ``newInventoryCreated`` webhook describes it."""
    return [map_webhook_inventory(event["returnInventory"], event["shipment"],
                                  file_base=sandbox.file_base)
            for event in sandbox.new_inventory_events()]


def winit_records(count: int = WINIT_ORDERS) -> list[InventoryRecord]:
    return [record_from_order(order) for order in generate_orders(count, seed=11)]


@pytest.fixture
def fill_store(sandbox: SandboxServer) -> Callable[[Store], int]:
    def fill(store: Store) -> int:
        return store.upsert_many([*sandbox_records(sandbox), *winit_records()])
    return fill


@pytest.fixture
def desk_store_path(tmp_path: Path) -> Path:
    """Where the desk's store is (a test module may put it elsewhere: a small disk)."""
    return tmp_path / "desk.sqlite3"


@pytest.fixture
def desk(qtbot: Any, qloop: asyncio.AbstractEventLoop, sandbox: SandboxServer,
         desk_store_path: Path, fill_store: Callable[[Store], int]) -> Iterator[DeskService]:
    settings = Settings(environment=Environment.CUSTOM, rh_user_api=sandbox.user_base,
                        rh_public_api=sandbox.public_base, store=str(desk_store_path),
                        operator="tester", desk="desk-1", timeout_s=2.0, concurrency=4)
    store = open_store(settings.store)
    fill_store(store)
    credentials = Credentials()
    credentials.set(Secret.RH_API_KEY, sandbox.api_key, "custom")
    credentials.set(Secret.RH_API_TOKEN, sandbox.api_token, "custom")
    client = ReturnHelperClient(sandbox.user_base, sandbox.public_base, sandbox.api_key,
                                sandbox.api_token, timeout=3.0, retries=0, concurrency=4,
                                backoff_initial=0.01, backoff_max=0.05, retry_after_cap=0.5)
    service = DeskService(settings, store, credentials, client)
    service.outbox.base_delay = 0.05
    service.outbox.max_delay = 0.2
    run(qtbot, qloop, service.start())
    try:
        yield service
    finally:
        with contextlib.suppress(Exception):
            run(qtbot, qloop, service.close())
        with contextlib.suppress(Exception):
            run(qtbot, qloop, client.aclose())
        store.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def window(qtbot: Any, qloop: asyncio.AbstractEventLoop, desk: DeskService,
           clock: FakeClock) -> Iterator[Any]:
    import httpx

    from ui.window import MainWindow, image_loader

    http = httpx.AsyncClient(timeout=2.0)
    win = MainWindow(desk, sounds=SoundPlayer(enabled=True, backend="none"), clock=clock,
                     load_image=image_loader(http), poll_ms=100)
    win.show()  # not qtbot.addWidget: pytest-qt would delete it before this fixture's teardown
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: win.scan_field.hasFocus())
    try:
        yield win
    finally:
        run(qtbot, qloop, win.shutdown())
        win.close()
        win.deleteLater()
        run(qtbot, qloop, http.aclose())


def outbox_shown(window: Any) -> tuple[int, int, int]:
    """The status bar's outbox counts as the operator reads them: queued, sending, failed."""
    status = window.decision_views.status
    texts = (status.queued_label.text(), status.sending_label.text(), status.failed_button.text())
    return tuple(int(text.split()[0]) for text in texts)  # type: ignore[return-value]


# -- a store of the sandbox's and WINIT's parcels, for the window's parts on their own --
@pytest.fixture
def store(tmp_path: Path, sandbox: SandboxServer) -> Any:
    opened = open_store(str(tmp_path / "parts.sqlite3"))
    opened.upsert_many([*sandbox_records(sandbox), *winit_records()])
    yield opened
    opened.close()


def fresh_records(store: Store, count: int, start: int = 0) -> list[InventoryRecord]:
    """``count`` new Return Helper parcels awaiting a decision, newest of all."""
    template = store.get(store.rows(RowQuery(filter=RowFilter.ALL), 0, 1)[0].key)
    assert template is not None
    return [dataclasses.replace(
        template, key=f"rh:{8_000_000 + i}", return_inventory_id=8_000_000 + i, rma=f"FRESH-{i}",
        tracking_numbers=(f"FRESHTRACK{i}",), handling_code="tbc", handling_status="pending",
        received_at=utcnow() + timedelta(minutes=i), created_at=utcnow() + timedelta(minutes=i))
        for i in range(start, start + count)]


# -- the decision views (tests/ui/test_decisions.py, test_decision_log.py) -----------------------
@pytest.fixture
def tasks(qloop: Any) -> Iterator[TaskManager]:
    manager = TaskManager()
    yield manager


@pytest.fixture
def failed_dialog(qtbot: Any, desk: DeskService) -> Iterator[FailedDecisionsDialog]:
    dialog = FailedDecisionsDialog(desk)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: dialog.read_once)  # the list is read on the poll thread
    yield dialog
    dialog.close()


@pytest.fixture
def log_dialog(qtbot: Any, desk: DeskService, tasks: TaskManager,
               tmp_path: Path) -> Iterator[DecisionLogDialog]:
    dialog = DecisionLogDialog(desk, tasks, native_file_dialog=False, export_folder=tmp_path)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    qtbot.waitUntil(lambda: not dialog.loading)
    yield dialog
    dialog.close()
