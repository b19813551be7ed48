"""Several desks on one store, as separate processes: they see each other's changes within a
second, and when two decide the same item at once, exactly one wins and the other is told."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.model import InventoryRecord, Source, utcnow
from app.store import open_store

ROOT = Path(__file__).resolve().parents[2]
ITEMS = 40


class Desk:
    def __init__(self, store_url: str, name: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "tests/app/desk_worker.py"), store_url, name],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1, cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert self.read() == "ready"

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def read(self) -> str:
        assert self.process.stdout is not None
        return self.process.stdout.readline().strip()

    def close(self) -> None:
        self.send("quit")
        self.process.wait(timeout=30)


@pytest.fixture
def desks(store_url: str) -> Iterator[tuple[str, Desk, Desk]]:
    a, b = Desk(store_url, "desk-a"), Desk(store_url, "desk-b")
    try:
        yield store_url, a, b
    finally:
        a.close()
        b.close()


def record(n: int) -> InventoryRecord:
    return InventoryRecord(source=Source.RETURN_HELPER, key=f"rh:{n}", return_inventory_id=n,
                           handling_code="tbc", handling_status="pending", updated_at=utcnow())


def test_a_new_parcel_reaches_other_desks_within_a_second(desks: tuple[str, Desk, Desk]) -> None:
    url, a, b = desks
    a.send("watch rh:1")
    b.send("watch rh:1")
    with open_store(url) as receiver:  # the webhook receiver's connection, a third party
        started = time.monotonic()
        receiver.upsert(record(1))
    assert a.read() == "seen rh:1" and b.read() == "seen rh:1"
    assert time.monotonic() - started < 1.0


def test_two_desks_deciding_one_item_at_once_exactly_one_wins(desks: tuple[str, Desk, Desk]) -> None:
    url, a, b = desks
    with open_store(url) as store:
        store.upsert_many(record(n) for n in range(100, 100 + ITEMS))
    for n in range(100, 100 + ITEMS):  # both desks get the same item at the same moment
        a.send(f"decide rh:{n} rst tbc")
        b.send(f"decide rh:{n} dsp tbc")
    answers_a = [a.read() for _ in range(ITEMS)]
    answers_b = [b.read() for _ in range(ITEMS)]
    for n, (x, y) in enumerate(zip(answers_a, answers_b, strict=True), start=100):
        wins = [s for s in (x, y) if s.startswith("ok")]
        assert len(wins) == 1, f"rh:{n}: {x!r} / {y!r}"
        loser = y if x.startswith("ok") else x
        assert loser.startswith("conflict"), loser
    with open_store(url) as store:
        for n in range(100, 100 + ITEMS):
            assert len(store.decisions_for(f"rh:{n}")) == 1
