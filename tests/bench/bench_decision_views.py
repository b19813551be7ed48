"""The decision views with many decisions (run by hand, offscreen; prints numbers and ratios).

    python tests/bench/bench_decision_views.py [--failed 500] [--rounds 20]

After an outage a desk can have hundreds of failed decisions, and a busy day's log as many
rows. Both views read again every 2 s while open and at each decision change, and the status
bar counts the outbox every second. This times, on a real SQLite store:

1. a re-read that changed nothing (the common case), and one where one decision changed
   state, through the failed decisions view's table: the GUI thread's time including the
   repaint; baseline: the same rows filled from scratch, which every re-read did before
   (the table forgets what it shows);
2. the outbox count (``app.outbox.counts``); baseline: the open decisions read as rows and
   counted in Python, as it was done before.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def timed(work: Callable[[], object], rounds: int) -> float:
    """Median milliseconds of ``work`` over ``rounds`` runs."""
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--failed", type=int, default=500)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()

    import ui.qt  # noqa: F401 - first (see ui.qt)
    from app.credentials import Credentials
    from app.desk import DeskService
    from app.model import Decision, DecisionAction, DecisionState, InventoryRecord, Source, utcnow
    from app.outbox import OutboxCounts, counts
    from app.settings import Settings
    from app.store import UNCHECKED, open_store
    from ui.decision_failed import FailedDecisionsDialog, _FailedRead
    from ui.qt import QApplication

    app = QApplication([])
    path = Path(tempfile.mkdtemp()) / "views.sqlite3"
    store = open_store(str(path))
    n = args.failed
    store.upsert_many([InventoryRecord(source=Source.RETURN_HELPER, key=f"rh:{i}",
                                       return_inventory_id=i, rma=f"USE-2-261207-D{i:05d}-01",
                                       handling_code="tbc") for i in range(n)])
    for i in range(n):
        made = store.add_decision(Decision(
            id=None, key=f"rh:{i}", action=DecisionAction.UPDATE, new_handling="ohd",
            old_handling="tbc", operator="ann", desk="desk-1", created_at=utcnow(),
            idempotency_key=str(uuid.uuid4())), expected_handling=UNCHECKED)
        assert made.id is not None
        store.update_decision(made.id, DecisionState.FAILED, count_attempt=True,
                              result_message="The item has been completed by the warehouse",
                              error_code="400", correlation_id=str(uuid.uuid4()))
    desk = DeskService(Settings(store=str(path)), store, Credentials(memory_only="bench"), None)
    view = FailedDecisionsDialog(desk)
    view._poll.stop()  # only the re-reads timed here
    view.resize(1000, 520)
    view.show()
    deadline = time.monotonic() + 30
    while not view.read_once and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
    assert len(view.decisions) == n, f"the view read {len(view.decisions)} of {n}"
    table = view.table

    def arrive(decisions: list[Decision]) -> None:
        """What the GUI thread does when a re-read arrives (the read is on the poll thread)."""
        view._arrived(_FailedRead(set(), failed=decisions))
        app.processEvents()

    listed = list(view.decisions.values())
    # each re-read brings new objects with the same values, as a read from the store does
    copies = [[replace(d) for d in listed] for _ in range(args.rounds)]

    def show() -> None:
        arrive(copies.pop() if copies else [replace(d) for d in listed])

    def from_scratch() -> None:
        table._ids_shown = []  # what every re-read did before: fill the table again
        view._show()
        app.processEvents()

    # and each of these has the first decision changed (one more attempt than the last)
    changed_reads = [[replace(listed[0], attempts=listed[0].attempts + 1 + n),
                      *(replace(d) for d in listed[1:])] for n in range(args.rounds)]

    def one_changed() -> None:
        arrive(changed_reads.pop(0))

    unchanged = timed(show, args.rounds)
    changed = timed(one_changed, args.rounds)
    refill = timed(from_scratch, args.rounds)

    def counted_as_rows() -> OutboxCounts:
        open_ = store.decisions_in_state([DecisionState.QUEUED, DecisionState.SENDING,
                                          DecisionState.FAILED])
        return OutboxCounts(queued=sum(d.state is DecisionState.QUEUED for d in open_),
                            sending=sum(d.state is DecisionState.SENDING for d in open_),
                            failed=sum(d.state is DecisionState.FAILED for d in open_))

    assert counts(store) == counted_as_rows()
    count_now = timed(lambda: counts(store), args.rounds)
    count_rows = timed(counted_as_rows, args.rounds)
    print(f"{n} failed decisions, SQLite, medians of {args.rounds}, "
          f"{time.strftime('%Y-%m-%d %H:%M')}")
    print(f"  failed view re-read, nothing changed   {unchanged:7.2f} ms   "
          f"filled from scratch {refill:7.2f} ms   ratio {unchanged / refill:.2f}")
    print(f"  failed view re-read, one row changed   {changed:7.2f} ms   "
          f"filled from scratch {refill:7.2f} ms   ratio {changed / refill:.2f}")
    print(f"  outbox count (status bar, every 1 s)   {count_now:7.2f} ms   "
          f"rows counted in Python {count_rows:7.2f} ms   ratio {count_now / count_rows:.3f}")
    view.close()
    store.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
