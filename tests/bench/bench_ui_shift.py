"""A shift's worth of scans in one window: does memory stay flat? (run by hand, offscreen)

    python tests/bench/bench_ui_shift.py [--scans 4000] [--items 20000]

The window stays open all shift, so what a scan leaves behind adds up. This scans random
items of a fresh SQLite store (every identifier kind the desk sees, each item once in a
while again) through the real window, and prints the process's resident memory, the Python
heap (tracemalloc, no snapshots kept), live Python objects and widgets every 500 scans.
Baseline: the same numbers after the first 500 scans (caches filled). Expected: no growth
beyond the list's bounded caches (their sawtooth), i.e. well under 2 MB per 1,000 scans.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scans", type=int, default=4000)
    parser.add_argument("--items", type=int, default=20_000)
    args = parser.parse_args()
    for name in ("CONFIG_DIR", "DATA_DIR", "LOG_DIR"):
        os.environ[f"RETURNDESK_{name}"] = tempfile.mkdtemp()

    import tracemalloc

    import qasync

    import ui.qt  # noqa: F401 - pins None/True/False on 3.11
    from app.credentials import Credentials
    from app.desk import DeskService
    from app.settings import Settings
    from app.store import RowFilter, RowQuery, open_store
    from tests.bench.bench_lookup import chunks, make_record
    from ui.feedback import SoundPlayer
    from ui.qt import QApplication
    from ui.window import MainWindow

    work = Path(tempfile.mkdtemp())
    store = open_store(str(work / "shift.sqlite3"))
    for block in chunks(args.items, 5000):
        store.upsert_many(make_record(n) for n in block)
    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app, already_running=True)
    import asyncio

    asyncio.set_event_loop(loop)
    settings = Settings(store=str(work / "shift.sqlite3"), scan_repeat_ms=0)
    desk = DeskService(settings, store, Credentials(memory_only="bench"), None)
    window = MainWindow(desk, sounds=SoundPlayer(backend="none"))
    window.resize(1500, 900)
    window.show()
    app.processEvents()
    window.filter_combo.setCurrentIndex(window.filter_combo.findData(RowFilter.ALL.value))
    app.processEvents()

    rng = random.Random(3)
    total = store.count(RowQuery(filter=RowFilter.ALL))
    labels: list[str] = []
    for row in (store.rows(RowQuery(filter=RowFilter.ALL), rng.randrange(total), 1)[0]
                for _ in range(1500)):
        record = store.get(row.key)
        if record is not None:
            labels.append(rng.choice([value for _kind, value in record.identifiers()]))
    tracemalloc.start()
    print(f"{args.scans:,} scans of {len(labels):,} labels, {args.items:,} items, "
          f"{time.strftime('%Y-%m-%d %H:%M')}")
    print(f"{'scans':>7} {'RSS MB':>8} {'Python MB':>10} {'objects':>9} {'widgets':>8}")
    points: list[tuple[int, float, float]] = []
    started = time.perf_counter()
    for number in range(1, args.scans + 1):
        window.scan_field.submit(rng.choice(labels))
        app.processEvents()
        if number % 500 == 0:
            gc.collect()
            app.processEvents()
            heap = tracemalloc.get_traced_memory()[0] / 1e6
            points.append((number, rss_mb(), heap))
            print(f"{number:>7} {points[-1][1]:>8.1f} {heap:>10.1f} {len(gc.get_objects()):>9,} "
                  f"{len(app.allWidgets()):>8}", flush=True)
    elapsed = time.perf_counter() - started
    first, last = points[0], points[-1]
    per_k = (last[1] - first[1]) / max(1, (last[0] - first[0])) * 1000
    heap_k = (last[2] - first[2]) / max(1, (last[0] - first[0])) * 1000
    print(f"after the first 500 scans (baseline): resident memory {per_k:+.2f} MB and Python "
          f"heap {heap_k:+.2f} MB per 1,000 scans (expected: well under 2 MB); "
          f"{elapsed / args.scans * 1000:.1f} ms a scan (tracemalloc on: slower than "
          "bench_ui_window's scans)")
    store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
