"""Longest event-loop stall of the desk window while a sync and 50 updates run (by hand).

    python tests/bench/bench_ui_stall.py [--items 200000] [--sandbox-items 3000] [--latency-ms 40]

The window runs on a copy of the 200,000-item bench store (built by bench_ui_window.py if
missing) under the real qasync loop, its Return Helper client talking to the sandbox over
loopback HTTP. The sandbox runs as its own process, as a real (remote) API would;
``--in-process-sandbox`` runs it on a thread of the window's process instead, where its
request handling competes with the window for the interpreter lock. A 5 ms heartbeat QTimer
records the gaps between its ticks:

- idle: 3 s with the window just open (the baseline),
- busy: "Sync now" (backfill of the sandbox's items) and 50 handling updates queued at
  once, until the sync has finished and all 50 are applied.

Prints the longest and p99 gap of each phase (target: longest busy stall < 50 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


class Heartbeat:
    def __init__(self, interval_ms: int = 5) -> None:
        from ui.qt import QTimer

        self.interval_ms = interval_ms
        self.timer = QTimer()
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self.gaps: list[float] = []
        self.spans: list[tuple[float, float]] = []  # (start, end) of each gap, perf_counter
        self._last: float | None = None

    def _tick(self) -> None:
        now = time.perf_counter()
        if self._last is not None:
            self.gaps.append((now - self._last) * 1000)
            self.spans.append((self._last, now))
        self._last = now

    def longest(self, count: int) -> list[tuple[float, float]]:
        return sorted(self.spans, key=lambda span: span[0] - span[1])[:count]

    def start(self) -> None:
        self.gaps.clear()
        self.spans.clear()
        self._last = None
        self.timer.start()

    def stop(self) -> list[float]:
        self.timer.stop()
        return list(self.gaps)


class StallExplainer:
    """``--why``: a thread samples the main thread's Python stack every 2 ms; the samples
    that fall inside the busy phase's longest gaps are summed by their innermost frames.
    (Sampling needs the interpreter lock: a stall spent in Qt's C++ shows up as the Python
    frame that called into Qt.)"""

    def __init__(self) -> None:
        import threading

        self.main = threading.main_thread().ident
        self.samples: list[tuple[float, tuple[str, ...]]] = []
        # The main thread's CPU time beside each sample (Linux: /proc), to tell a gap the
        # thread spent working (in Python or in Qt's C++) from one it spent waiting for a
        # CPU (other processes, the machine's other tenants).
        self.cpu: list[tuple[float, float]] = []
        native = getattr(threading.main_thread(), "native_id", None)
        stat = Path(f"/proc/self/task/{native}/stat")
        self._stat = stat if stat.exists() else None
        self._tick = os.sysconf("SC_CLK_TCK") if self._stat else 100
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="stall-sampler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(0.002):
            frame = sys._current_frames().get(self.main)
            names = []
            while frame is not None and len(names) < 12:
                code = frame.f_code
                if "asyncio" not in code.co_filename and "qasync" not in code.co_filename:
                    names.append(f"{code.co_name} ({Path(code.co_filename).name}:{frame.f_lineno})")
                frame = frame.f_back
            now = time.perf_counter()
            self.samples.append((now, tuple(names)))
            if self._stat is not None:
                fields = self._stat.read_text().rsplit(")", 1)[1].split()
                self.cpu.append((now, (int(fields[11]) + int(fields[12])) / self._tick))

    def report(self, stalls: list[tuple[float, float]], top: int = 12) -> None:
        from collections import Counter

        found: Counter[str] = Counter()
        for start, end in stalls:
            for when, names in self.samples:
                if start <= when <= end:
                    found[" <- ".join(names[:4]) or "(in Qt, outside Python)"] += 1
        total = sum(found.values()) or 1
        print(f"\n  where the main thread was during the {len(stalls)} longest busy gaps "
              f"({total} samples):")
        if self.cpu:
            spent = []
            for start, end in stalls:
                inside = [cpu for when, cpu in self.cpu if start <= when <= end]
                if len(inside) >= 2:
                    spent.append((inside[-1] - inside[0], (end - start)))
            on_cpu = sum(a for a, _ in spent) / max(sum(b for _, b in spent), 1e-9)
            print(f"    the main thread was on a CPU for {on_cpu * 100:.0f}% of those gaps "
                  "(the rest it waited: for the interpreter lock or for a CPU)")
        for where, count in found.most_common(top):
            print(f"    {count * 100 / total:5.1f}%  {where[:220]}")


def describe(name: str, gaps: list[float]) -> str:
    ordered = sorted(gaps) or [0.0]
    p99 = ordered[min(len(ordered) - 1, int(0.99 * (len(ordered) - 1)))]
    return (f"  {name:5s} longest gap {max(ordered):7.1f} ms   p99 {p99:6.1f} ms   "
            f"median {statistics.median(ordered):5.1f} ms   ({len(gaps)} ticks)")


def sandbox_twin(root: str, items: int) -> Any:
    """The child sandbox's seeded data in this process, never started: its addresses are
    the child's (the records' image links point there)."""
    from app.sandbox.server import SandboxServer

    class Twin(SandboxServer):
        def __init__(self, root: str, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self._child_root = root

        @property
        def root(self) -> str:
            return self._child_root

    return Twin(root, items=items)


class SandboxProcess:
    """``returndesk sandbox`` as a child process, with the few controls the bench uses; its
    ``twin`` (same seed and port, never started) gives the records to seed the store with."""

    def __init__(self, items: int, latency_ms: int) -> None:
        from tests.bench.bench_backfill import start_sandbox

        self.proc, root, self.api_key, self.api_token = start_sandbox(items, latency_ms)
        self.user_base, self.public_base = root + "/user/api", root + "/public/api"
        self.control = root + "/_sandbox"
        self.twin = sandbox_twin(root, items)

    def set_latency(self, ms: float) -> None:
        import json
        import urllib.request

        request = urllib.request.Request(self.control + "/latency", method="POST",
                                         data=json.dumps({"ms": ms}).encode(),
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as answer:
            answer.read()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


async def run(args: argparse.Namespace) -> int:
    from app.credentials import Credentials, Secret
    from app.desk import DeskService
    from app.model import DecisionState, Source
    from app.returnhelper.client import ReturnHelperClient
    from app.sandbox.server import SandboxServer
    from app.settings import Environment, Settings
    from app.store import RowFilter, RowQuery, open_store
    from tests.ui.conftest import sandbox_records
    from ui.feedback import SoundPlayer
    from ui.main import favour_the_gui_thread, freeze_startup_heap
    from ui.window import MainWindow

    if args.in_process_sandbox:
        sandbox: Any = SandboxServer(items=args.sandbox_items, latency_ms=args.latency_ms)
        await asyncio.to_thread(sandbox.start)
    else:  # the API in its own process, as a real desk has it: its CPU is not the window's
        sandbox = await asyncio.to_thread(SandboxProcess, args.sandbox_items, args.latency_ms)
    folder = Path(tempfile.mkdtemp(prefix="bench-stall-"))
    store_path = folder / "desk.sqlite3"
    shutil.copy(args.store, store_path)
    store = open_store(str(store_path))
    store.upsert_many(sandbox_records(sandbox.twin if hasattr(sandbox, "twin") else sandbox))
    credentials = Credentials(memory_only="bench")
    credentials.set(Secret.RH_API_KEY, sandbox.api_key, "custom")
    credentials.set(Secret.RH_API_TOKEN, sandbox.api_token, "custom")
    settings = Settings(environment=Environment.CUSTOM, rh_user_api=sandbox.user_base,
                        rh_public_api=sandbox.public_base, store=str(store_path), sync_days=62)
    client = ReturnHelperClient(sandbox.user_base, sandbox.public_base, sandbox.api_key,
                                sandbox.api_token, concurrency=4)
    desk = DeskService(settings, store, credentials, client)
    await desk.start()
    window = MainWindow(desk, sounds=SoundPlayer(backend="none"))
    freeze_startup_heap()  # as ui.main.run_window does once the window is built
    favour_the_gui_thread()  # as ui.main.run_gui does
    window.resize(1500, 900)
    window.show()
    await asyncio.sleep(0.5)
    beat = Heartbeat()
    beat.start()
    await asyncio.sleep(3)
    idle = beat.stop()

    decidable = []
    for row in store.rows(RowQuery(filter=RowFilter.AWAITING, source=Source.RETURN_HELPER), 0, 2000):
        if not row.key.startswith("rh:51"):  # the sandbox's own ids
            continue
        record = store.get(row.key)
        options = [o for o in desk.options(record) if o.allowed] if record else []
        if options:
            decidable.append((row.key, options[0].code))
        if len(decidable) == 50:
            break
    # The operator's part (scan, choose, apply) is timed by bench_ui_window; here the 50
    # decisions are queued first, then the heartbeat measures while they are sent and a
    # sync runs, all in the background.
    sandbox.set_latency(args.latency_ms * 5)  # keep the 50 in flight while the sync starts
    for key, code in decidable:
        window.select_key(key, scroll=True)
        window.apply_handling(code)
    explainer = StallExplainer() if args.why else None
    if explainer:
        explainer.start()
    beat.start()
    started = time.perf_counter()
    sync = window.sync_now()
    await asyncio.sleep(0.5)
    sandbox.set_latency(args.latency_ms)

    def all_applied() -> bool:
        states = [window.model.live_state(k) for k, _ in decidable]
        return all(s is not None and s.state in (DecisionState.APPLIED, DecisionState.FAILED)
                   for s in states)

    while not (sync is not None and sync.done() and all_applied()):
        await asyncio.sleep(0.05)
        if time.perf_counter() - started > 600:
            print("timed out waiting for the sync and the updates")
            break
    busy = beat.stop()
    if explainer:
        explainer.stop()
    elapsed = time.perf_counter() - started
    applied = sum(1 for k, _ in decidable if window.model.live_state(k)
                  and window.model.live_state(k).state is DecisionState.APPLIED)
    print(f"\nevent-loop stalls, {store.count(RowQuery(filter=RowFilter.ALL)):,} items in the store, "
          f"sandbox {args.sandbox_items} items at {args.latency_ms} ms latency:")
    print(describe("idle", idle))
    print(describe("busy", busy))
    print(f"  busy phase: sync + {len(decidable)} updates ({applied} applied) in {elapsed:.1f} s; "
          f"{window.messages[-1] if window.messages else ''}")
    print(f"  longest busy stall {max(busy or [0]):.1f} ms   (target < 50 ms)   "
          f"ratio to idle {max(busy or [0]) / max(max(idle or [1]), 1e-6):.1f} x")
    if explainer:
        explainer.report(beat.longest(20))
    await window.shutdown()
    window.close()
    await desk.close()
    with contextlib.suppress(Exception):
        await client.aclose()
    store.close()
    await asyncio.to_thread(sandbox.stop)
    shutil.rmtree(folder, ignore_errors=True)
    return 0


def main() -> int:
    from tests.bench.bench_ui_window import DEFAULT_STORE, build_store

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=200_000)
    parser.add_argument("--store", type=Path, default=DEFAULT_STORE)
    parser.add_argument("--sandbox-items", type=int, default=3000)
    parser.add_argument("--latency-ms", type=int, default=40)
    parser.add_argument("--in-process-sandbox", action="store_true",
                        help="run the sandbox API in this process (it then competes with the "
                             "window for the interpreter lock, unlike a real, remote API)")
    parser.add_argument("--why", action="store_true",
                        help="sample the main thread's stack and say where the longest "
                             "busy gaps went (the sampling itself costs a little)")
    args = parser.parse_args()
    for name in ("CONFIG_DIR", "DATA_DIR", "LOG_DIR"):
        os.environ[f"RETURNDESK_{name}"] = tempfile.mkdtemp()
    build_store(args.store, args.items)
    import qasync

    import ui.qt  # noqa: F401 - pins None/True/False on 3.11
    from ui.qt import QApplication

    app = QApplication.instance() or QApplication([])
    app.setQuitOnLastWindowClosed(False)  # closing the window must not stop the loop
    with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
        return runner.run(run(args))


if __name__ == "__main__":
    sys.exit(main())
