"""The receiver on a real full disk (a small tmpfs): the event that does not fit is answered
503 (Return Helper sends it again), nothing of it is half-written, everything answered 200
before stays, and once there is room the same event is applied."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.app.webhooks.events import new_inventory
from tests.fixtures.filesystems import tmpfs
from tests.fixtures.receiver import nothing_stored

REMARKS = "water damage on the outer carton, " * 120  # ~4 kB per event: the disk fills fast


def test_a_full_disk_answers_503_loses_nothing_and_recovers(
        tmp_path: Path, receiver_factory: Any) -> None:
    with tmpfs(tmp_path / "small", "2m") as mount:
        filler = mount / "filler.bin"  # room the test gives back later
        filler.write_bytes(b"\0" * 256 * 1024)
        r = receiver_factory(store_path=mount / "hooks.sqlite3")
        accepted: list[int] = []
        refused: tuple[int, dict[str, Any]] | None = None
        for rid in range(990_000, 991_000):  # until the disk is full
            event = new_inventory(rid, warehouseRemarks=REMARKS)
            response = r.post_rh(event)
            if response.status_code == 200:
                accepted.append(rid)
                continue
            assert response.status_code == 503, response.text  # retried by Return Helper
            assert response.json()["outcome"] == "store_unavailable"
            assert "full" in response.json()["detail"]
            refused = (rid, event)
            break
        assert refused is not None, "the disk never filled up"
        assert len(accepted) >= 5
        rid, event = refused
        nothing_stored(r, rid)  # nothing half-written
        for done in accepted:  # every event answered 200 is still there
            assert r.store.get(f"rh:{done}") is not None
        # the service lives on and monitoring is told why events are refused
        health = r.client.get(r.base_url + "/healthz")
        assert health.status_code == 200
        assert health.json()["status"] == "degraded"
        assert "is full" in health.json()["writes"] and health.json()["failed_batches"] == 1
        filler.unlink()  # the admin makes room
        again = r.post_rh(event)  # Return Helper's retry of the refused event
        assert again.status_code == 200, again.text
        assert again.json()["outcome"] == "applied"
        record = r.store.get(f"rh:{rid}")
        assert record is not None and record.remarks == REMARKS.strip()
        health = r.client.get(r.base_url + "/healthz").json()
        assert health["status"] == "ok" and health["writes"] == "ok"
