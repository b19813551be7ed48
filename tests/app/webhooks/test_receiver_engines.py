"""The receiver writing into each store engine (SQLite file, real PostgreSQL server)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from tests.app.webhooks.events import new_inventory, winit_record
from tests.fixtures.receiver import ReceiverFactory


def test_both_vendors_land_once_in_each_engine(receiver_factory: ReceiverFactory,
                                               store_url: str) -> None:
    r = receiver_factory(store_url=store_url)
    events = [new_inventory(910000 + i, notification_id=f"n-{i}") for i in range(30)]
    with ThreadPoolExecutor(8) as pool:      # concurrent: they share group commits
        first = list(pool.map(lambda e: r.post_rh(e).json()["outcome"], events))
        again = list(pool.map(lambda e: r.post_rh(e).json()["outcome"], events))
    assert first == ["applied"] * 30 and again == ["duplicate"] * 30
    assert r.post_winit([winit_record("u-e1", "RO-E1"), winit_record("u-e2", "RO-E2")]).text \
        == "success"
    assert r.post_winit([winit_record("u-e1", "RO-E1")]).text == "success"
    assert all(r.store.get(f"rh:{910000 + i}") is not None for i in range(30))
    assert r.store.get("winit:RO-E1") is not None and r.store.get("winit:RO-E2") is not None
    assert len(r.store.raw_events(limit=1000)) == 32
    stored = {json.loads(e.body).get("notificationId") for e in r.store.raw_events(limit=1000)}
    assert {f"n-{i}" for i in range(30)} <= stored
