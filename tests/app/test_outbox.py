"""The outbox sender while its store stops answering (a real SQLite file behind a switch)."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

from app.model import DecisionState
from app.outbox import OutboxSender
from app.store import open_store
from app.store.base import StoreError

FAILED_READS = 6


class SwitchedStore:
    """A real store whose ``decisions_in_state`` raises while ``down`` is set (a database
    server that went away, a share that dropped)."""

    def __init__(self, store: Any) -> None:
        self.store = store
        self.down = True
        self.failed_reads = 0
        self.enough_failures = asyncio.Event()
        self._loop = asyncio.get_running_loop()

    def decisions_in_state(self, states: list[DecisionState]) -> list[Any]:
        if self.down:
            self.failed_reads += 1
            if self.failed_reads >= FAILED_READS:
                self._loop.call_soon_threadsafe(self.enough_failures.set)
            raise StoreError("could not connect to server: Connection refused")
        return list(self.store.decisions_in_state(states))

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)


class Heard(logging.Handler):
    """Sets ``event`` when a record containing ``text`` is logged."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text
        self.event = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            self.event.set()


async def test_a_store_that_stops_answering_is_logged_once_and_its_return_too(
        tmp_path: Path, caplog: Any) -> None:
    store = SwitchedStore(open_store(str(tmp_path / "desk.sqlite3")))
    # No decision is queued, so the client is never called; it must only exist (offline
    # senders do not read the store at all).
    sender = OutboxSender(store, client=object(), max_delay=0.001)
    back = Heard("answers again")
    logging.getLogger("app.outbox").addHandler(back)
    caplog.set_level(logging.INFO, logger="app.outbox")
    sender.start()
    try:
        await asyncio.wait_for(store.enough_failures.wait(), 20)
        assert sender.store_unreachable
        store.down = False
        sender.wake()
        await asyncio.wait_for(back.event.wait(), 20)
    finally:
        logging.getLogger("app.outbox").removeHandler(back)
        await sender.stop()
        store.store.close()
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert store.failed_reads >= FAILED_READS
    assert len(errors) == 1, [r.getMessage() for r in errors]
    assert errors[0].exc_info is not None and "cannot read queued decisions" in errors[0].getMessage()
    assert not sender.store_unreachable
    assert [r.getMessage() for r in caplog.records].count(
        "outbox: the store answers again; queued decisions are being sent") == 1
