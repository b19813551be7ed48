"""The desk end to end on real parts: the sandbox over HTTP, signed webhooks through the real
receiver into a real SQLite file, decisions through the outbox, the warehouse answering."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable

import pytest

from app.demo import DemoEnvironment, demo_environment
from app.desk import DecisionRefused, DeskService, ScanOutcome
from app.model import DecisionState
from app.settings import Settings

ITEMS = 60


async def wait_for(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    """Wait until ``condition()`` holds (checked on the loop), or fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


@pytest.fixture
async def demo() -> AsyncIterator[DemoEnvironment]:
    async with demo_environment(Settings(), items=ITEMS, act_after_s=0.2) as env:
        report = await asyncio.wait_for(env.delivery, 60)  # type: ignore[arg-type]
        assert report.failed == 0
        yield env


@pytest.fixture
async def desk(demo: DemoEnvironment) -> AsyncIterator[DeskService]:
    service = DeskService(demo.settings, demo.store, demo.credentials, demo.rh,
                          clock_ms=lambda: time.monotonic() * 1000)
    await service.start()
    yield service
    await service.close()


def pending_item(demo: DemoEnvironment, skip: int = 0) -> int:
    """A plain pending item whose RMA and tracking number are its own (some parcels share them)."""
    items = demo.sandbox.items()
    rmas = [i.rma for i in items]
    tracking = [i.tracking_number for i in items]
    for item in items:
        if (item.handling_code == "tbc" and item.handling_status == "pending"
                and not item.has_unfinished_vas and rmas.count(item.rma) == 1
                and tracking.count(item.tracking_number) == 1):
            if skip == 0:
                return item.return_inventory_id
            skip -= 1
    raise AssertionError("the sandbox seeded no plain pending item")


async def test_webhooks_fill_the_store_with_dimensions(demo: DemoEnvironment) -> None:
    item = demo.sandbox.items()[0]
    record = demo.store.get(f"rh:{item.return_inventory_id}")
    assert record is not None and record.rma == item.rma
    line = record.primary_line
    assert line is not None and line.length_cm is not None and line.weight_kg is not None


async def test_scan_by_rma_and_tracking_then_decide_and_the_warehouse_acts(
        demo: DemoEnvironment, desk: DeskService) -> None:
    inventory_id = pending_item(demo)
    item = demo.sandbox.item(inventory_id)
    result = desk.scan(f"{item.rma}\r")
    assert result.outcome is ScanOutcome.FOUND
    record = result.records[0]
    assert record.return_inventory_id == inventory_id
    assert desk.scan(item.rma).outcome is ScanOutcome.REPEATED  # a double trigger is dropped
    by_tracking = desk.scan(f"{item.tracking_number}\t")
    assert by_tracking.outcome is ScanOutcome.FOUND and by_tracking.records[0].key == record.key

    seen: list[DecisionState] = []
    desk.subscribe(lambda d: seen.append(d.state))
    decision = desk.decide(record.key, "rst")
    assert decision.state is DecisionState.QUEUED
    await desk.outbox.wait_idle(timeout=15)
    final = demo.store.get_decision(decision.id)  # type: ignore[arg-type]
    assert final is not None and final.state is DecisionState.APPLIED and final.correlation_id
    assert seen[0] is DecisionState.QUEUED and DecisionState.APPLIED in seen
    applied = [a for a in demo.sandbox.applied() if a.return_inventory_id == inventory_id]
    assert len(applied) == 1 and applied[0].handling_code == "rst"
    assert demo.store.get(record.key).handling_code == "rst"  # type: ignore[union-attr]
    # the sandbox's warehouse completes the handling and says so by webhook
    await wait_for(lambda: demo.store.get(record.key).handling_status == "completed")  # type: ignore[union-attr]
    assert not any(o.allowed for o in desk.options(demo.store.get(record.key)))  # type: ignore[arg-type]


async def test_refused_decisions_never_reach_the_outbox(demo: DemoEnvironment, desk: DeskService) -> None:
    inventory_id = pending_item(demo)
    with pytest.raises(DecisionRefused, match="own flow"):
        desk.decide(f"rh:{inventory_id}", "rsd")
    with pytest.raises(DecisionRefused, match="not a handling type"):
        desk.decide(f"rh:{inventory_id}", "zzz")
    assert desk.counts().pending == 0


async def test_soft_error_fails_the_decision_with_the_vendors_words(
        demo: DemoEnvironment, desk: DeskService) -> None:
    inventory_id = pending_item(demo)
    # The warehouse completed the item and our store has not heard yet: the API refuses
    # with HTTP 200 and meta.status 400.
    demo.sandbox.warehouse_act(inventory_id, "completed")
    decision = desk.decide(f"rh:{inventory_id}", "dsp")
    await desk.outbox.wait_idle(timeout=15)
    failed = demo.store.get_decision(decision.id)  # type: ignore[arg-type]
    assert failed is not None and failed.state is DecisionState.FAILED
    assert failed.error_code == "VALIDATION_FAILED" and failed.correlation_id
    assert "completed" in (failed.result_message or "")
    assert desk.counts().failed == 1
    assert not [a for a in demo.sandbox.applied() if a.return_inventory_id == inventory_id]
    discarded = desk.discard(failed.id)  # type: ignore[arg-type]
    assert discarded.state is DecisionState.DISCARDED and desk.counts().failed == 0


async def test_server_errors_are_retried_with_one_idempotency_key(
        demo: DemoEnvironment, desk: DeskService) -> None:
    inventory_id = pending_item(demo)
    demo.sandbox.fail_next("500", count=6, path="UpdateReturnInventoryHandling")
    demo.sandbox.fail_next("drop", count=1, path="UpdateReturnInventoryHandling")
    desk.outbox.base_delay = 0.01
    decision = desk.decide(f"rh:{inventory_id}", "rtn")
    await desk.outbox.wait_idle(timeout=30)
    done = demo.store.get_decision(decision.id)  # type: ignore[arg-type]
    assert done is not None and done.state is DecisionState.APPLIED
    applied = [a for a in demo.sandbox.applied() if a.return_inventory_id == inventory_id]
    assert len(applied) == 1 and applied[0].idempotency_key == decision.idempotency_key


async def test_undo_cancels_the_last_decision(demo: DemoEnvironment, desk: DeskService) -> None:
    demo.sandbox.set_receiver(None)  # the warehouse does not act in this test
    inventory_id = pending_item(demo)
    key = f"rh:{inventory_id}"
    desk.decide(key, "ohd")
    await desk.outbox.wait_idle(timeout=15)
    undo = desk.undo_last()
    assert undo is not None
    await desk.outbox.wait_idle(timeout=15)
    assert demo.store.get_decision(undo.id).state is DecisionState.APPLIED  # type: ignore[arg-type, union-attr]
    assert demo.store.get(key).handling_code == "tbc"  # type: ignore[union-attr]
    assert demo.sandbox.item(inventory_id).handling_code in ("tbc", None)


async def test_open_desk_wires_clients_and_the_in_app_receiver(sandbox: object, tmp_path: object) -> None:
    """The configured desk: Return Helper and WINIT clients from the keyring, the receiver on
    this loop when asked, and everything closed on exit."""
    import httpx

    from app.credentials import Credentials, Secret
    from app.desk import open_desk
    from app.settings import Environment

    sb = sandbox  # the shared sandbox fixture (a running SandboxServer)
    credentials = Credentials()
    scope = Environment.CUSTOM.value
    credentials.set(Secret.RH_API_KEY, sb.api_key, scope)  # type: ignore[attr-defined]
    credentials.set(Secret.RH_API_TOKEN, sb.api_token, scope)  # type: ignore[attr-defined]
    credentials.set(Secret.WINIT_APP_KEY, "app-key")
    credentials.set(Secret.WINIT_TOKEN, "winit-token-value")
    settings = Settings(environment=Environment.CUSTOM, rh_user_api=sb.user_base,  # type: ignore[attr-defined]
                        rh_public_api=sb.public_base, store=str(tmp_path) + "/desk.sqlite3",  # type: ignore[attr-defined]
                        winit_url="http://127.0.0.1:9/openapi/service",
                        webhooks_in_app=True, webhooks_port=0)
    async with open_desk(settings, credentials) as desk:
        await desk.start()
        assert desk.online and desk.winit is not None
        assert "ohd" in [h.code for h in desk.catalog]
        health_url = desk.receiver.url + "/healthz"
        async with httpx.AsyncClient() as http:
            assert (await http.get(health_url)).status_code == 200
        await desk.close()
    async with httpx.AsyncClient() as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(health_url)


async def test_open_desk_with_clients_later_connects_when_asked(sandbox: object, tmp_path: object) -> None:
    """What the window does: the desk on its store at once (offline, "connecting"), the
    clients and the receiver once ``connect`` runs, closed with the desk."""
    import httpx

    from app.credentials import Credentials, Secret
    from app.desk import open_desk
    from app.settings import Environment

    sb = sandbox
    credentials = Credentials()
    scope = Environment.CUSTOM.value
    credentials.set(Secret.RH_API_KEY, sb.api_key, scope)  # type: ignore[attr-defined]
    credentials.set(Secret.RH_API_TOKEN, sb.api_token, scope)  # type: ignore[attr-defined]
    settings = Settings(environment=Environment.CUSTOM, rh_user_api=sb.user_base,  # type: ignore[attr-defined]
                        rh_public_api=sb.public_base, store=str(tmp_path) + "/desk.sqlite3",  # type: ignore[attr-defined]
                        webhooks_in_app=True, webhooks_port=0)
    async with open_desk(settings, credentials, clients_later=True) as desk:
        assert desk.connecting and not desk.online and desk.receiver is None
        assert desk.outbox.client is None
        await desk.connect()
        assert not desk.connecting and desk.online and desk.outbox.client is desk.rh
        await desk.connect()  # once: nothing more is made
        health_url = desk.receiver.url + "/healthz"
        async with httpx.AsyncClient() as http:
            assert (await http.get(health_url)).status_code == 200
        await desk.start()
        assert "ohd" in [h.code for h in desk.catalog]
        await desk.close()
    async with httpx.AsyncClient() as http:
        with pytest.raises(httpx.ConnectError):
            await http.get(health_url)


async def test_a_desk_whose_connect_fails_stays_offline(tmp_path: object) -> None:
    from app.credentials import CredentialsError
    from app.desk import open_desk

    settings = Settings(store=str(tmp_path) + "/desk.sqlite3")
    async with open_desk(settings, clients_later=True) as desk:
        async def broken() -> None:
            raise CredentialsError("the keyring could not be read (KeyringLocked)")
        desk._connector = broken
        with pytest.raises(CredentialsError):
            await desk.connect()
        assert not desk.connecting and not desk.online


async def test_open_desk_when_the_receivers_port_is_taken_opens_without_it(
        tmp_path: object, caplog: pytest.LogCaptureFixture) -> None:
    """Another program holds the in-app receiver's port: the desk still opens (scans,
    decisions, Sync now work), says why the receiver is not running, and logs it."""
    import socket

    from app.desk import open_desk

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = Settings(store=str(tmp_path) + "/desk.sqlite3", webhooks_in_app=True,
                            webhooks_host="127.0.0.1", webhooks_port=port)
        async with open_desk(settings) as desk:
            assert desk.receiver is None
            issue = desk.receiver_issue
            assert issue is not None and issue.code == "receiver_down"
            assert issue.params["address"] == f"127.0.0.1:{port}"
            assert "port in use" in str(issue)
            await desk.start()
            assert desk.scan("no-such-label").outcome.value == "not_found"  # the desk works
            await desk.close()
    assert any("opens without it" in r.getMessage() and r.levelname == "ERROR"
               for r in caplog.records)


async def test_open_desk_without_credentials_is_offline_and_keeps_decisions(tmp_path: object) -> None:
    from app.desk import open_desk
    from app.model import InventoryRecord, Source

    settings = Settings(store=str(tmp_path) + "/offline.sqlite3")
    async with open_desk(settings) as desk:
        assert not desk.online and desk.winit is None and desk.receiver is None
        desk.store.set_state("rh.handlings", '[["ohd", "Hold"], ["rst", "Restock"]]')
        await desk.start()
        desk.store.upsert(InventoryRecord(source=Source.RETURN_HELPER, key="rh:5", return_inventory_id=5,
                                          handling_code="tbc", handling_status="pending"))
        decision = desk.decide("rh:5", "rst")
        assert desk.counts().queued == 1 and decision.state is DecisionState.QUEUED
        await desk.close()
