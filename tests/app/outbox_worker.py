"""A desk's outbox sender as its own process, for the crash test (not collected by pytest).

Reads its configuration as one JSON line on stdin (so no secret is on a command line), sends
every open decision, prints one line per state change, exits 0 when nothing is left.
"""

from __future__ import annotations

import asyncio
import json
import sys

from app.outbox import OutboxSender
from app.returnhelper.client import ReturnHelperClient
from app.store import open_store


async def main() -> int:
    config = json.loads(sys.stdin.readline())
    store = open_store(config["store"])
    client = ReturnHelperClient(config["user_base"], config["public_base"], config["key"],
                                config["token"], timeout=config.get("timeout", 5.0),
                                backoff_initial=0.01, backoff_max=0.05)
    sender = OutboxSender(store, client, concurrency=4, base_delay=0.01, max_delay=0.1,
                          on_change=lambda d: print(f"{d.state.value} {d.id}", flush=True))
    sender.start()
    try:
        await sender.wait_idle(timeout=300)
    finally:
        await sender.stop()
        await client.aclose()
        store.close()
    print("idle", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
