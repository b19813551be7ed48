"""Backfill speed: 10,000 inventories from the sandbox with 20 ms latency per call (run by
hand: ``python tests/bench/bench_backfill.py [--items 10000] [--latency-ms 20]
[--concurrency 4]``).

The sandbox runs as its own process (``returndesk sandbox``). Two runs into a fresh SQLite
store through :func:`app.sync.backfill`:

1. first sync: every list page and, since every item is new, every item's details;
   ideal = (pages + details) x latency / concurrency;
2. re-sync of the now-current store: list pages only (nothing new or changed);
   ideal = pages x latency / concurrency. Target: within 1.3x of the ideal. Each re-sync
   runs ``--repeat`` times (default 3); the best run is judged, the median shown.

Client CPU is the whole process's per call (the store's writer threads included), with the
event loop's thread alone in brackets: at high concurrency that thread sets the pace.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.returnhelper.client import ReturnHelperClient  # noqa: E402
from app.store import open_store  # noqa: E402
from app.sync import SyncSummary, backfill  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_sandbox(items: int, latency_ms: int) -> tuple[subprocess.Popen[str], str, str, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "sandbox", "--items", str(items), "--latency-ms",
         str(latency_ms), "--port", str(port)],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
        text=True)
    assert proc.stdout is not None
    key = token = ""
    for line in proc.stdout:
        if m := re.match(r"\s*API key:\s*(\S+)", line):
            key = m.group(1)
        if m := re.match(r"\s*API token:\s*(\S+)", line):
            token = m.group(1)
        if line.startswith("Serving"):
            break
    if not key or not token:
        proc.kill()
        raise RuntimeError("the sandbox did not print its credentials")
    return proc, f"http://127.0.0.1:{port}", key, token


async def one_run(root: str, key: str, token: str, store_path: str,
                  concurrency: int) -> tuple[SyncSummary, float, float, float]:
    store = open_store(store_path)
    until = datetime.now(UTC) + timedelta(minutes=1)
    try:
        async with ReturnHelperClient(root + "/user/api", root + "/public/api", key, token,
                                      concurrency=concurrency) as client:
            started = time.perf_counter()
            cpu = time.process_time()
            loop_cpu = time.thread_time()  # the event loop's thread: what limits the pace
            summary = await backfill(store, client, None, since=until - timedelta(days=200),
                                     until=until, concurrency=concurrency)
            return (summary, time.perf_counter() - started, time.process_time() - cpu,
                    time.thread_time() - loop_cpu)
    finally:
        store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3,
                        help="runs of each re-sync; the best and the median are shown (a busy "
                             "machine's noise mostly slows runs down)")
    args = parser.parse_args()
    latency = args.latency_ms / 1000
    proc, root, key, token = start_sandbox(args.items, args.latency_ms)
    print(f"backfill of {args.items} items, {args.latency_ms} ms per call, concurrency "
          f"{args.concurrency}, {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs")
    try:
        with tempfile.TemporaryDirectory() as workdir:
            store_path = os.path.join(workdir, "bench.sqlite3")
            runs = [("first sync, details for every new item", args.concurrency)]
            runs += [(f"re-sync, store current (list pages only), concurrency {c}", c)
                     for c in sorted({1, 2, args.concurrency, 2 * args.concurrency})]
            for n, (label, concurrency) in enumerate(runs):
                results = sorted(
                    (asyncio.run(one_run(root, key, token, store_path, concurrency))
                     for _ in range(1 if n == 0 else max(1, args.repeat))),
                    key=lambda result: result[1])
                summary, elapsed, cpu, loop_cpu = results[0]
                median = results[len(results) // 2][1]
                calls = summary.pages + summary.details
                ideal = calls * latency / concurrency
                ratio = elapsed / ideal
                verdict = ""
                if summary.details == 0:
                    verdict = f" -> target 1.3x {'met' if ratio <= 1.3 else 'NOT met'}"
                spread = (f" (best of {len(results)}; median {median:.2f} s, ratio "
                          f"{median / ideal:.2f})" if len(results) > 1 else "")
                print(f"  {label}: {elapsed:.2f} s for {summary.listed} items, "
                      f"{summary.pages} pages + {summary.details} details; ideal {calls} x "
                      f"{args.latency_ms} ms / {concurrency} = {ideal:.2f} s; ratio {ratio:.2f}"
                      f"{verdict}; client CPU {cpu / max(1, calls) * 1000:.1f} ms/call (loop thread "
                      f"{loop_cpu / max(1, calls) * 1000:.1f}){spread}")
    finally:
        proc.terminate()
        proc.wait(10)


if __name__ == "__main__":
    main()
