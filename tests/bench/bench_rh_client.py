"""Return Helper backfill speed against the sandbox (run by hand:
``python tests/bench/bench_rh_client.py [--items 3000] [--latency-ms 20]``).

Reads every inventory of the last ~150 days (three 62-day windows, pages of 50) with
``ReturnHelperClient.iter_inventory`` at several concurrency limits, beside a baseline of
plain sequential ``httpx`` GETs of the same pages (no envelope checks, no mapping, no
retries). Prints items/s and the ratio to the baseline. The sandbox adds ``--latency-ms``
to every answer, like a distant API.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from app.returnhelper.client import ReturnHelperClient, split_windows  # noqa: E402
from app.sandbox.server import SandboxServer  # noqa: E402


def iso(when) -> str:  # type: ignore[no-untyped-def]
    return when.isoformat().replace("+00:00", "Z")


async def baseline(sb: SandboxServer, since, until) -> int:  # type: ignore[no-untyped-def]
    count = 0
    headers = {"x-rr-apikey": sb.api_key, "x-rr-apitoken": sb.api_token}
    async with httpx.AsyncClient(headers=headers) as http:
        for start, end in split_windows(since, until):
            offset, total = 0, 1
            while offset < total:
                body = (await http.get(sb.user_base + "/ReturnInventory/list", params={
                    "createFrom": iso(start), "createTo": iso(end), "pageSize": 50,
                    "offset": offset})).json()
                total = body["totalNumberOfRecords"]
                ids = {row["returnInventoryId"] for row in body["data"]}
                count += len(ids)
                offset += 50
    return count


async def with_client(sb: SandboxServer, since, until, concurrency: int) -> int:  # type: ignore[no-untyped-def]
    async with ReturnHelperClient(sb.user_base, sb.public_base, sb.api_key, sb.api_token,
                                  concurrency=concurrency) as client:
        return len([r async for r in client.iter_inventory(since, until)])


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=3000)
    parser.add_argument("--latency-ms", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with SandboxServer(items=args.items, latency_ms=args.latency_ms) as sb:
        items = sb.items()
        since = min(i.create_on for i in items) - timedelta(minutes=1)
        until = max(i.create_on for i in items) + timedelta(minutes=1)
        print(f"{args.items} items, {len(split_windows(since, until))} windows, "
              f"latency {args.latency_ms} ms, best of {args.rounds}")
        runs: list[tuple[str, float, int]] = []
        for name, run in [("raw httpx, sequential (baseline)", lambda: baseline(sb, since, until)),
                          *[(f"iter_inventory, concurrency {c}",
                             lambda c=c: with_client(sb, since, until, c)) for c in (1, 4, 8)]]:
            best = float("inf")
            count = 0
            for _ in range(args.rounds):
                started = time.perf_counter()
                count = await run()
                best = min(best, time.perf_counter() - started)
            runs.append((name, best, count))
        base = runs[0][1]
        print(f"{'run':38} {'items':>6} {'seconds':>8} {'items/s':>8} {'vs baseline':>11}")
        for name, seconds, count in runs:
            assert count == args.items, f"{name}: {count} items, expected {args.items}"
            print(f"{name:38} {count:6d} {seconds:8.2f} {count / seconds:8.0f} "
                  f"{base / seconds:10.2f}x")


if __name__ == "__main__":
    asyncio.run(main())
