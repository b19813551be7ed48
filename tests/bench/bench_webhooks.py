"""Signed Return Helper events per second through the receiver into SQLite, beside a bare
Starlette endpoint on the same server stack that does nothing (run by hand:
``python tests/bench/bench_webhooks.py [--events 2000] [--concurrency 16]``).

Each server runs in its own process (uvicorn, h11, loopback). The receiver logs a line per
event to its file and to stderr as ``serve-hooks`` does (stderr to /dev/null here). The load
generator posts pre-signed ``newInventoryCreated`` events (unique notificationIds) with
bounded concurrency. Target: the receiver reaches at least half the bare endpoint's throughput.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from app.returnhelper.signature import sign  # noqa: E402
from app.sandbox.deliver import iso_now  # noqa: E402


def serve(kind: str, port: int, store_path: str) -> None:
    """Child process: the receiver (memory keyring, SQLite) or a bare endpoint."""
    import keyring
    import uvicorn
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from tests.fixtures.keyring_memory import MemoryKeyring

    if kind == "bare":
        async def bare(request: Request) -> JSONResponse:
            await request.body()
            return JSONResponse({"outcome": "applied"})

        app = Starlette(routes=[Route("/webhooks/returnhelper", bare, methods=["POST"])])
    else:
        from app.credentials import Credentials, Secret
        from app.logs import setup_logging
        from app.settings import Settings
        from app.store import open_store
        from app.webhooks.receiver import create_app

        setup_logging("returndesk-hooks")  # as serve-hooks does: a line per event (file, stderr)
        keyring.set_keyring(MemoryKeyring())
        credentials = Credentials()
        credentials.set(Secret.RH_SIGNING_KEY, os.environ["BENCH_SIGNING_KEY"], "uat")
        settings = Settings(webhooks_public_url=f"http://127.0.0.1:{port}/webhooks/returnhelper")
        app = create_app(open_store(store_path), credentials, settings)
    uvicorn.run(app, host="127.0.0.1", port=port, log_config=None, access_log=False,
                lifespan="off", http="h11", log_level="warning")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def event(i: int) -> dict[str, object]:
    return {
        "category": "newInventoryCreated", "action": "newInventoryCreated", "version": "202207",
        "eventTime": iso_now(), "notificationId": f"bench-{i}-{secrets.token_hex(4)}",
        "returnInventory": {
            "returnInventoryId": str(5_000_000 + i), "warehouseId": 2, "description": "Speaker",
            "quantity": 1, "dimension1": 30, "dimension2": 20, "dimension3": 10,
            "dimensionUom": "cm", "weight": 1250, "weightUom": "g", "handlingCode": "tbc",
            "handlingStatusCode": "pending", "sku": None, "rma": f"USE-2-240715-D{i:05d}-30",
            "createOn": iso_now(), "imageList": [], "returnInventoryMetaList": []},
        "shipment": {"shipmentId": i, "returnRequestId": i, "trackingNumber": f"1Z{i:016d}",
                     "shipToWarehouseId": 2, "receiveDate": iso_now()},
    }


async def _exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                    request: bytes) -> int:
    writer.write(request)
    await writer.drain()
    status_line = await reader.readline()
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    await reader.readexactly(length)
    return int(status_line.split()[1])


async def load(url: str, key: str, count: int, concurrency: int) -> tuple[float, int]:
    """POST ``count`` signed events over ``concurrency`` keep-alive connections.

    The load generator speaks HTTP/1.1 over asyncio streams directly: a full HTTP client
    (httpx) costs more CPU per request than the endpoints measured here, and on a small
    machine it, not the server, would set the pace.
    """
    host_port = url.split("/")[2]
    host, port = host_port.split(":")
    path = "/" + url.split("/", 3)[3]
    requests = []
    for i in range(count):
        raw = json.dumps(event(i)).encode()
        stamp = iso_now()
        head = (f"POST {path} HTTP/1.1\r\nHost: {host_port}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(raw)}\r\n"
                f"timestamp: {stamp}\r\n"
                f"returnhelper-signature: {sign(key, url, stamp, raw)}\r\n\r\n").encode()
        requests.append(head + raw)
    queue = list(reversed(requests))
    ok = 0

    async def worker() -> None:
        nonlocal ok
        reader, writer = await asyncio.open_connection(host, int(port))
        try:
            while queue:
                status = await _exchange(reader, writer, queue.pop())
                ok += status == 200
        finally:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return time.perf_counter() - started, ok


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(kind: str, count: int, concurrency: int, key: str,
        workdir: str) -> tuple[float, int, float]:
    port = free_port()
    env = {**os.environ, "BENCH_SIGNING_KEY": key, "PYTHONPATH": str(ROOT),
           "RETURNDESK_LOG_DIR": os.path.join(workdir, f"logs-{port}")}
    store_path = os.path.join(workdir, f"{kind}-{port}.sqlite3")
    # the receiver's stderr (its log lines, as serve-hooks prints them) goes nowhere: a
    # terminal drawing 2,000 lines would measure the terminal
    proc = subprocess.Popen([sys.executable, __file__, "--serve", kind, "--port", str(port),
                             "--store", store_path], env=env,
                            stderr=subprocess.DEVNULL if kind == "receiver" else None)
    url = f"http://127.0.0.1:{port}/webhooks/returnhelper"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        asyncio.run(load(url, key, min(200, count), concurrency))  # warm-up
        cpu = cpu_seconds(proc.pid)
        elapsed, ok = asyncio.run(load(url, key, count, concurrency))
        cpu_ms = (cpu_seconds(proc.pid) - cpu) / count * 1000
        if kind == "receiver":
            import json as _json
            import urllib.request
            with urllib.request.urlopen(url.replace("/webhooks/returnhelper", "/healthz")) as f:
                health = _json.loads(f.read())
            import sqlite3
            with contextlib.closing(sqlite3.connect(store_path)) as db:  # what a desk would see
                records = db.execute("SELECT COUNT(*) FROM inventory").fetchone()[0]
            print(f"    receiver wrote {health['accepted']} events in {health['write_batches']} "
                  f"transactions; {records} records queryable (every 200 came after its commit)")
        return elapsed, ok, cpu_ms
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--serve", choices=["bare", "receiver"])
    parser.add_argument("--port", type=int)
    parser.add_argument("--store")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.store)
        return
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    print(f"{args.events} signed events, concurrency {args.concurrency}, "
          f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs")
    best: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as workdir:
        for round_no in range(args.rounds):
            for kind in ("bare", "receiver"):
                elapsed, ok, cpu_ms = run(kind, args.events, args.concurrency, key, workdir)
                rate = args.events / elapsed
                best[kind] = max(best.get(kind, 0.0), rate)
                print(f"  round {round_no + 1} {kind:8s}: {rate:8.0f} events/s "
                      f"({ok}/{args.events} answered 200), server CPU {cpu_ms:.2f} ms/event")
    ratio = best["receiver"] / best["bare"]
    print(f"bare endpoint {best['bare']:.0f}/s, receiver into SQLite {best['receiver']:.0f}/s: "
          f"ratio {ratio:.2f} (target >= 0.50: {'met' if ratio >= 0.5 else 'NOT met'})")


if __name__ == "__main__":
    main()
