"""Nothing lost, nothing applied twice: the outbox under SIGKILL at random points.

200 decisions are queued in a real store (SQLite file and PostgreSQL server); a sender
process works through them against the sandbox and is killed with SIGKILL again and again,
once deterministically in the worst window (Return Helper applied the change, the answer
never reached the desk). After a final clean run, the sandbox's own record of applied
requests must hold every decision exactly once.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.model import Decision, DecisionAction, DecisionState, InventoryRecord, Source, utcnow
from app.outbox import OPEN_STATES
from app.sandbox.server import SandboxServer
from app.store import open_store

ROOT = Path(__file__).resolve().parents[2]
DECISIONS = 200
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def crash_sandbox() -> Iterator[SandboxServer]:
    with SandboxServer(items=600, seed=7) as sandbox:
        yield sandbox


class Worker:
    def __init__(self, sandbox: SandboxServer, store_url: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(ROOT / "tests/app/outbox_worker.py")], cwd=ROOT,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
            env={**os.environ, "PYTHONPATH": str(ROOT)})
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(json.dumps({
            "store": store_url, "user_base": sandbox.user_base, "public_base": sandbox.public_base,
            "key": sandbox.api_key, "token": sandbox.api_token}) + "\n")
        self.process.stdin.close()
        self.lines: list[str] = []
        self.applied = threading.Semaphore(0)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.strip())
            if line.startswith("applied"):
                self.applied.release()
        self.applied.release()  # wake a waiter at end of output

    def kill_after_applied(self, count: int, timeout: float = 60) -> None:
        for _ in range(count):
            if not self.applied.acquire(timeout=timeout) or self.process.poll() is not None:
                break
        self.kill()

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.reader.join(timeout=30)

    def finish(self, timeout: float = 300) -> int:
        code = self.process.wait(timeout=timeout)
        self.reader.join(timeout=30)
        return code


def test_sigkill_at_random_points_applies_every_decision_exactly_once(
        crash_sandbox: SandboxServer, store_url: str) -> None:
    sandbox = crash_sandbox
    sandbox.reset()
    chosen = [i for i in sandbox.items() if i.handling_status == "pending" and i.handling_code != "ohd"]
    assert len(chosen) >= DECISIONS
    chosen = chosen[:DECISIONS]
    store = open_store(store_url)
    try:
        store.upsert_many(InventoryRecord(
            source=Source.RETURN_HELPER, key=f"rh:{i.return_inventory_id}",
            return_inventory_id=i.return_inventory_id, handling_code=i.handling_code,
            handling_status="pending", updated_at=utcnow()) for i in chosen)
        decisions = [store.add_decision(Decision(
            id=None, key=f"rh:{i.return_inventory_id}", action=DecisionAction.UPDATE,
            new_handling="ohd", old_handling=i.handling_code, operator="crash-test", desk="desk-1",
            created_at=utcnow(), idempotency_key=str(uuid.uuid4()))) for i in chosen]
    finally:
        store.close()

    # 1. The worst window, on purpose: applied by Return Helper, answer lost, process killed.
    sandbox.fail_next("hang", path="UpdateReturnInventoryHandling", after_apply=True, delay_s=60)
    worker = Worker(sandbox, store_url)
    deadline_applied = 1
    while len(sandbox.applied()) < deadline_applied:
        assert worker.process.poll() is None, worker.lines
        worker.applied.acquire(timeout=0.05)  # bounded wait between checks of the sandbox
    worker.kill()
    sandbox.reset_faults()
    assert len(sandbox.applied()) >= 1

    # 2. Random kills while it works.
    rng = random.Random(20261121)
    kills = 0
    for _ in range(12):
        worker = Worker(sandbox, store_url)
        worker.kill_after_applied(rng.randint(1, 25))
        kills += 1
        if "idle" in worker.lines:
            break

    # 3. A clean run to the end.
    worker = Worker(sandbox, store_url)
    assert worker.finish() == 0 and worker.lines[-1] == "idle"

    applied = sandbox.applied()
    by_key = Counter(a.idempotency_key for a in applied)
    expected = {d.idempotency_key for d in decisions}
    assert set(by_key) == expected, "a decision was lost or an unknown one was applied"
    assert max(by_key.values()) == 1, f"applied twice: {[k for k, n in by_key.items() if n > 1]}"
    assert Counter(a.return_inventory_id for a in applied).most_common(1)[0][1] == 1
    store = open_store(store_url)
    try:
        assert not store.decisions_in_state(list(OPEN_STATES))
        states = Counter(store.get_decision(d.id).state for d in decisions)  # type: ignore[arg-type, union-attr]
        assert states == {DecisionState.APPLIED: DECISIONS}
        assert all(store.get(d.key).handling_code == "ohd" for d in decisions)  # type: ignore[union-attr]
    finally:
        store.close()
    assert kills >= 2
    # The decision caught in the worst window was sent again with its own key and replayed,
    # not re-applied: the sandbox saw that key more than once but applied it once.
    sent = Counter(r.idempotency_key for r in sandbox.requests()
                   if r.path.endswith("UpdateReturnInventoryHandling"))
    resent = [key for key, n in sent.items() if n > 1]
    assert resent and all(by_key[key] == 1 for key in resent)
