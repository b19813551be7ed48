"""Load test: 20 concurrent senders post 10,000 signed webhooks to the receiver on PostgreSQL
while two desks read. Prints numbers; fails loudly if one event is lost or stored twice.

Run by hand:  .venv/bin/python tests/bench/load_webhooks_pg.py [--events 10000] [--senders 20]
(a smaller run of the same code is a regular test: tests/app/test_load_webhooks.py)
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.credentials import Credentials, Secret  # noqa: E402
from app.sandbox import deliver  # noqa: E402
from app.sandbox.seed import generate  # noqa: E402
from app.settings import Settings  # noqa: E402
from app.store import open_store  # noqa: E402
from app.webhooks.receiver import create_app  # noqa: E402
from tests.fixtures.receiver import ServerThread  # noqa: E402

SENDER = """
import asyncio, json, sys
from app.sandbox.deliver import post_events
config = json.loads(sys.stdin.readline())
events = [json.loads(line) for line in open(config["events"], encoding="utf-8")]
report = asyncio.run(post_events(events, config["url"], config["key"], concurrency=config["concurrency"],
                                 timeout=60))
print(json.dumps({"accepted": report.accepted, "failed": report.failed, "errors": report.errors[:5]}))
"""


@dataclass
class DeskReads:
    reads: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    seen_max: int = 0


@dataclass
class LoadResult:
    events: int
    senders: int
    seconds: float
    accepted: int
    failed: int
    stored_records: int
    stored_events: int
    duplicates_resent: int
    stored_after_resend: int
    desk_reads: list[DeskReads]

    @property
    def per_second(self) -> float:
        return self.events / self.seconds


def _desk_reader(url: str, stop: threading.Event, out: DeskReads) -> None:
    from app.store.base import RowQuery
    store = open_store(url)
    seq = 0
    try:
        while not stop.is_set():
            started = time.perf_counter()
            seq, _keys = store.changes_since(seq)
            store.count(RowQuery())
            store.rows(RowQuery(), 0, 50)
            out.latencies_ms.append((time.perf_counter() - started) * 1000)
            out.reads += 1
            store.wait_for_change(0.2)
            stop.wait(0.1)  # a desk window refreshes at most ~10 times a second
    finally:
        out.seen_max = seq
        store.close()


def run_load(pg_url: str, events: int = 10_000, senders: int = 20) -> LoadResult:
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    store = open_store(pg_url)
    credentials = Credentials(memory_only="load test")
    credentials.set(Secret.RH_SIGNING_KEY, key, "uat")
    settings = Settings()
    app = create_app(store, credentials, settings)
    items = generate(events, seed=99)
    with tempfile.TemporaryDirectory() as folder, ServerThread(app) as server:
        url = server.base_url + "/webhooks/returnhelper"
        settings.webhooks_public_url = url
        files = []
        # each sender process gets its share of the events
        for n in range(2):
            path = Path(folder) / f"events-{n}.jsonl"
            with path.open("w", encoding="utf-8") as handle:
                for item in items[n::2]:
                    event = deliver.new_inventory_created(item.webhook_inventory("http://127.0.0.1/f"),
                                                          item.shipment())
                    handle.write(json.dumps(event) + "\n")
            files.append(path)
        stop = threading.Event()
        reads = [DeskReads(), DeskReads()]
        readers = [threading.Thread(target=_desk_reader, args=(pg_url, stop, r)) for r in reads]
        for reader in readers:
            reader.start()
        started = time.perf_counter()
        processes = []
        for path in files:
            process = subprocess.Popen([sys.executable, "-c", SENDER], stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, text=True, cwd=ROOT,
                                       env={**os.environ, "PYTHONPATH": str(ROOT)})
            assert process.stdin is not None
            process.stdin.write(json.dumps({"events": str(path), "url": url, "key": key,
                                            "concurrency": senders // 2}) + "\n")
            process.stdin.close()
            processes.append(process)
        reports = [json.loads(p.stdout.read()) for p in processes]  # type: ignore[union-attr]
        for process in processes:
            process.wait(timeout=60)
        seconds = time.perf_counter() - started
        stop.set()
        for reader in readers:
            reader.join()
        stored_records = len({r for r in _all_keys(store)})
        stored_events = len(store.raw_events(limit=events * 2))
        # every event again: duplicates must be absorbed, nothing stored twice
        resend = [json.loads(line) for line in files[0].read_text(encoding="utf-8").splitlines()[:500]]
        dup_report = asyncio.run(deliver.post_events(resend, url, key, concurrency=10))
        stored_after = len(store.raw_events(limit=events * 2))
    store.close()
    return LoadResult(events, senders, seconds, sum(r["accepted"] for r in reports),
                      sum(r["failed"] for r in reports), stored_records, stored_events,
                      dup_report.accepted, stored_after, reads)


def _all_keys(store: object) -> list[str]:
    from app.store.base import RowFilter, RowQuery
    query = RowQuery(filter=RowFilter.ALL)
    total = store.count(query)  # type: ignore[attr-defined]
    return [row.key for row in store.rows(query, 0, total)]  # type: ignore[attr-defined]


def report(result: LoadResult) -> str:
    lines = [f"events {result.events}, senders {result.senders}: {result.seconds:.1f} s, "
             f"{result.per_second:.0f} events/s",
             f"accepted {result.accepted}, failed {result.failed}, records stored "
             f"{result.stored_records}, raw events stored {result.stored_events}",
             f"lost {result.events - result.stored_records}, duplicated "
             f"{result.stored_events - result.events} (after re-sending 500: "
             f"{result.stored_after_resend - result.events} extra, {result.duplicates_resent} answered 2xx)"]
    for n, desk in enumerate(result.desk_reads, 1):
        lat = sorted(desk.latencies_ms) or [0.0]
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        lines.append(f"desk {n}: {desk.reads} reads while loading, read p50 "
                     f"{statistics.median(lat):.1f} ms, p99 {p99:.1f} ms")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--senders", type=int, default=20)
    args = parser.parse_args()
    from tests.fixtures.postgres import _own_server
    with _own_server() as server:
        url = server.url(server.new_database())
        result = run_load(url, args.events, args.senders)
    print(report(result))
    ok = (result.accepted == result.events and result.stored_records == result.events
          and result.stored_events == result.events and result.stored_after_resend == result.events)
    print("OK: 0 lost, 0 duplicated" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
