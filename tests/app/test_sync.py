"""Backfill against the real loopback sandboxes (Return Helper and WINIT) into real SQLite."""

from __future__ import annotations

import asyncio
import io
import json
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs

import pytest

from app.model import LineKind, Source
from app.returnhelper.errors import AuthError
from app.sandbox.server import SandboxServer
from app.store import open_store
from app.store.base import RowFilter, RowQuery, Store
from app.sync import (
    CURSOR_STATE,
    LAST_SYNC_STATE,
    WINIT_CURSOR_STATE,
    SyncPhase,
    SyncProgress,
    backfill,
)
from app.sync_command import TerminalProgress
from app.winit.client import WinitAuth, WinitClient, WinitError, order_days
from app.winit.sandbox import SERVICE_PATH, WinitSandbox, generate_orders
from tests.app.sync_support import ALL, period
from tests.fixtures.receiver import ServerThread
from tests.fixtures.sandbox import ClientFactory


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = open_store(str(tmp_path / "sync.sqlite3"))
    yield s
    s.close()



def created_within(sandbox: SandboxServer, since: datetime) -> int:
    return sum(1 for i in sandbox.items() if i.create_on >= since)


def list_offsets(sandbox: SandboxServer) -> list[tuple[str, int]]:
    seen = []
    for r in sandbox.requests():
        if r.path.endswith("/ReturnInventory/list"):
            q = parse_qs(r.query)
            seen.append((q["createFrom"][0], int(q["offset"][0])))
    return seen


def detail_calls(sandbox: SandboxServer) -> int:
    return sum(1 for r in sandbox.requests() if r.path.endswith("/GetReturnInventory"))


async def test_full_backfill_fills_the_store(sandbox: SandboxServer, rh_client_factory: ClientFactory,
                                             store: Store) -> None:
    client = rh_client_factory(concurrency=4)
    since, until = period()
    updates: list[SyncProgress] = []
    summary = await backfill(store, client, None, since=since, until=until,
                             progress=updates.append)
    total = len(sandbox.items())
    assert store.count(ALL) == total
    assert summary.listed == total and summary.new == total
    assert summary.details == total == detail_calls(sandbox)
    assert summary.changed == total       # a new item's list row and details: one write
    assert summary.windows == 4                       # 200 days in 62-day windows
    assert summary.pages == len(list_offsets(sandbox))
    assert summary.skipped == ["WINIT: no credentials"]
    assert not summary.errors
    item = sandbox.items()[0]
    record = store.get(f"rh:{item.return_inventory_id}")
    assert record is not None and record.rma == item.rma
    assert record.description == item.description              # from the details call
    done = [u.pages_done for u in updates if u.phase is SyncPhase.RETURN_HELPER and u.pages_done]
    assert done == sorted(done) and done[-1] == summary.pages
    assert updates[-1].phase is SyncPhase.DONE and updates[-1].fraction == 1.0
    assert store.get_state(CURSOR_STATE) is None                # finished: no resume point
    assert store.get_state(LAST_SYNC_STATE) == until.isoformat()
    assert sandbox.max_in_flight() <= 4


async def test_second_sync_fetches_details_only_for_changes(
        sandbox: SandboxServer, rh_client_factory: ClientFactory, store: Store) -> None:
    client = rh_client_factory()
    since, until = period()
    await backfill(store, client, None, since=since, until=until)
    before = detail_calls(sandbox)
    again = await backfill(store, client, None, since=since, until=until)
    assert again.new == 0 and again.details == 0
    assert detail_calls(sandbox) == before
    pending = next(i for i in sandbox.items() if i.handling_status == "pending")
    sandbox.warehouse_act(pending.return_inventory_id, "completed")
    third = await backfill(store, client, None, since=since, until=until)
    assert third.details == 1
    record = store.get(f"rh:{pending.return_inventory_id}")
    assert record is not None and record.handling_status == "completed"


async def test_an_interrupted_sync_continues_where_it_stopped(
        sandbox: SandboxServer, rh_client_factory: ClientFactory, store: Store) -> None:
    client = rh_client_factory(concurrency=1)
    since, until = period(70)
    expected = created_within(sandbox, since)
    stop_after = 4

    def interrupt(p: SyncProgress) -> None:
        if p.pages_done >= stop_after:
            task.cancel()

    task = asyncio.ensure_future(backfill(store, client, None, since=since, until=until,
                                          progress=interrupt, concurrency=1))
    with pytest.raises(asyncio.CancelledError):
        await task
    cursor = store.get_state(CURSOR_STATE)
    assert cursor is not None
    first_run = list_offsets(sandbox)
    stored_after_interrupt = store.count(ALL)
    assert 0 < stored_after_interrupt < expected

    resumed_updates: list[SyncProgress] = []
    summary = await backfill(store, client, None, since=since - timedelta(days=5), until=until,
                             progress=resumed_updates.append, concurrency=1)
    assert summary.resumed and resumed_updates[0].resumed
    assert summary.since == since                               # the interrupted walk completes
    assert store.count(ALL) == expected
    second_run = list_offsets(sandbox)[len(first_run):]
    # pages stored before the interruption are not fetched again
    stored_pages = {(f, o) for f, o in first_run[:stop_after]}
    refetched = [p for p in second_run if p in stored_pages and p[1] != 0]
    assert refetched == []
    assert summary.pages < len(first_run) + len(second_run)
    assert summary.new == expected - stored_after_interrupt
    assert store.get_state(CURSOR_STATE) is None


async def test_restart_ignores_the_resume_point(sandbox: SandboxServer,
                                                rh_client_factory: ClientFactory,
                                                store: Store) -> None:
    client = rh_client_factory(concurrency=1)
    since, until = period(70)

    def interrupt(p: SyncProgress) -> None:
        if p.pages_done >= 2:
            task.cancel()

    task = asyncio.ensure_future(backfill(store, client, None, since=since, until=until,
                                          progress=interrupt))
    with pytest.raises(asyncio.CancelledError):
        await task
    assert store.get_state(CURSOR_STATE) is not None
    short = until - timedelta(days=10)
    summary = await backfill(store, client, None, since=short, until=until, restart=True)
    assert not summary.resumed and summary.since == short and summary.windows == 1


async def test_bad_credentials_stop_the_sync(sandbox: SandboxServer,
                                             rh_client_factory: ClientFactory,
                                             store: Store) -> None:
    client = rh_client_factory(api_token="wrong-token")
    since, until = period()
    with pytest.raises(AuthError):
        await backfill(store, client, None, since=since, until=until)
    assert store.count(ALL) == 0


async def test_failing_details_are_counted_and_rows_kept(sandbox: SandboxServer,
                                                         rh_client_factory: ClientFactory,
                                                         store: Store) -> None:
    client = rh_client_factory(retries=0)
    sandbox.fail_next("500", 3, path="/ReturnInventory/GetReturnInventory")
    since, until = period(40)
    summary = await backfill(store, client, None, since=since, until=until)
    assert summary.detail_errors == 3
    assert summary.details == created_within(sandbox, since) - 3
    assert store.count(ALL) == created_within(sandbox, since)                # every list row is stored
    assert len(summary.errors) == 3 and all("details of rh:" in e for e in summary.errors)


# -- WINIT ----------------------------------------------------------------------------------
@pytest.fixture
def winit_sandbox() -> Iterator[tuple[WinitSandbox, str]]:
    sandbox = WinitSandbox(app_key="app-" + secrets.token_hex(4), token=secrets.token_hex(16),
                           client_secret=secrets.token_hex(16),
                           orders=generate_orders(450, now=datetime.now(UTC), days=120))
    with ServerThread(sandbox.app) as server:
        yield sandbox, server.base_url + SERVICE_PATH


async def test_winit_return_orders_are_synced(winit_sandbox: tuple[WinitSandbox, str],
                                              store: Store) -> None:
    sandbox, url = winit_sandbox
    auth = WinitAuth(app_key=sandbox.app_key, token=sandbox.token, client_id="cid",
                     client_secret=sandbox.client_secret)
    async with WinitClient(url, auth) as client:
        since, until = period()
        summary = await backfill(store, None, client, since=since, until=until)
    assert all(call["ok"] for call in sandbox.calls)            # sign and client_sign verified
    assert summary.skipped == ["Return Helper: no API key and token"]
    assert store.count(RowQuery(filter=RowFilter.ALL, source=Source.WINIT)) == 450
    assert summary.winit_pages >= 4                               # 200 per page, 4 windows
    order = sandbox.orders[0]
    record = store.get(f"winit:{order['orderNo']}")
    assert record is not None and record.status == order["status"]
    actual = [line for line in record.lines if line.kind is LineKind.ACTUAL]
    goods = order["orderGoodsList"][0]
    assert actual[0].length_cm == Decimal(goods["confirmLength"])
    assert actual[0].weight_kg == Decimal(goods["confirmWeight"])
    assert actual[0].serials == (goods["itemList"][0]["itemSerno"],)


async def test_winit_orders_of_todays_china_day_are_synced_in_the_utc_evening(
        store: Store) -> None:
    """From 16:00 UTC it is already tomorrow in China, where WINIT's days are counted: orders
    made in the last hours carry tomorrow's date and must be asked for by it."""
    until = datetime(2026, 11, 22, 20, 0, tzinfo=UTC)  # 04:00 on the 23rd in China
    late = generate_orders(12, now=until - timedelta(minutes=30), days=0.05)  # last ~1.7 hours
    assert {o["createTime"][:10] for o in late} == {"2026-11-23"}
    sandbox = WinitSandbox(app_key="app-" + secrets.token_hex(4), token=secrets.token_hex(16),
                           orders=late)
    with ServerThread(sandbox.app) as server:
        async with WinitClient(server.base_url + SERVICE_PATH,
                               WinitAuth(app_key=sandbox.app_key, token=sandbox.token)) as client:
            summary = await backfill(store, None, client, since=until - timedelta(days=3),
                                     until=until)
    assert summary.winit_errors == 0 and summary.winit_orders == 12
    assert store.count(RowQuery(filter=RowFilter.ALL, source=Source.WINIT)) == 12
    asked = sandbox.calls[0]["data"]
    assert (asked["OderStartDatetime"], asked["OderEndDatetime"]) == ("2026-11-19", "2026-11-23")


async def test_winit_refuses_a_wrong_signature(winit_sandbox: tuple[WinitSandbox, str],
                                               store: Store) -> None:
    sandbox, url = winit_sandbox
    auth = WinitAuth(app_key=sandbox.app_key, token="not-the-token", client_id="cid",
                     client_secret=sandbox.client_secret)
    async with WinitClient(url, auth) as client:
        with pytest.raises(WinitError, match="sign"):
            await client.query_return_orders(datetime.now(UTC).date(), datetime.now(UTC).date())
        since, until = period()
        summary = await backfill(store, None, client, since=since, until=until)
    assert summary.winit_errors == 1 and "sign" in summary.errors[0]
    assert store.count(ALL) == 0
    # a refusal would refuse every window alike: WINIT stops at the first, and the sync says
    # it did not finish (the next one, with the right token, continues there)
    assert len(sandbox.calls) == 2 and not summary.complete
    assert store.get_state(WINIT_CURSOR_STATE) is not None


async def test_a_failed_winit_page_keeps_the_resume_point_and_the_next_sync_continues(
        store: Store) -> None:
    """Page 2 of the first WINIT window fails: the other windows are still read, the sync says
    it did not finish (and why), and the next sync asks for that page and nothing else."""
    until = datetime.now(UTC) + timedelta(minutes=1)
    since = until - timedelta(days=200)                        # 4 WINIT windows
    orders = generate_orders(1000, now=until - timedelta(minutes=5), days=199)
    sandbox = WinitSandbox(app_key="app-" + secrets.token_hex(4), token=secrets.token_hex(16),
                           orders=orders)
    updates: list[SyncProgress] = []

    def fail_the_second_page(p: SyncProgress) -> None:
        updates.append(p)
        if p.winit_orders and not any(u.winit_orders for u in updates[:-1]):
            sandbox.fail_next = 1                              # page 1 of window 0 is stored

    with ServerThread(sandbox.app) as server:
        async with WinitClient(server.base_url + SERVICE_PATH,
                               WinitAuth(app_key=sandbox.app_key, token=sandbox.token),
                               retries=0) as client:
            first = await backfill(store, None, client, since=since, until=until,
                                   progress=fail_the_second_page)
            first_calls = list(sandbox.calls)
            windows = sorted({c["data"]["OderStartDatetime"] for c in first_calls})
            assert len(windows) == 4                           # the other windows were read
            assert first.winit_errors == 1 and not first.complete
            [issue] = first.unfinished
            assert issue.code == "winit_page" and issue.params["page"] == 2
            assert issue.params["first_day"] == windows[0] and "HTTP 503" in issue.params["error"]
            assert str(issue).startswith("WINIT") and "HTTP 503" in str(issue)
            assert "page 2" in str(issue)
            assert "did not finish" in first.text()
            assert updates[-1].phase is SyncPhase.DONE and not updates[-1].complete
            assert "did not finish" in updates[-1].message
            assert sandbox.token not in first.text() + updates[-1].message
            assert store.get_state(WINIT_CURSOR_STATE) is not None   # the resume point is kept
            assert store.get_state(LAST_SYNC_STATE) is None    # not recorded as completed
            stored = store.count(RowQuery(filter=RowFilter.ALL, source=Source.WINIT))
            assert stored < len(orders)

            later = until + timedelta(minutes=1)
            second = await backfill(store, None, client, since=later - timedelta(days=30),
                                    until=later)
            asked = [(c["data"]["OderStartDatetime"], c["data"]["pageParams"]["pageNo"])
                     for c in sandbox.calls[len(first_calls):]]
    assert asked == [(windows[0], 2)]                          # where it stopped, nothing else
    assert second.resumed and second.complete
    assert (second.winit_since, second.winit_until) == (since, until)
    assert second.winit_pages == 1 and second.winit_orders > 0
    assert store.count(RowQuery(filter=RowFilter.ALL, source=Source.WINIT)) == len(orders)
    assert store.get_state(WINIT_CURSOR_STATE) is None
    assert store.get_state(LAST_SYNC_STATE) == until.isoformat()


async def test_a_winit_refusal_does_not_hold_back_return_helper(
        sandbox: SandboxServer, rh_client_factory: ClientFactory,
        winit_sandbox: tuple[WinitSandbox, str], store: Store) -> None:
    """WINIT refuses the token: Return Helper's walk is still done with, so the next sync walks
    Return Helper's new period; WINIT, once the token is right, reads what it missed."""
    wsb, url = winit_sandbox
    wrong = WinitAuth(app_key=wsb.app_key, token="wrong-" + secrets.token_hex(4),
                      client_id="cid", client_secret=wsb.client_secret)
    right = WinitAuth(app_key=wsb.app_key, token=wsb.token, client_id="cid",
                      client_secret=wsb.client_secret)
    client = rh_client_factory(concurrency=4)
    since, until = period(30)
    async with WinitClient(url, wrong) as refused:
        first = await backfill(store, client, refused, since=since, until=until)
        assert not first.complete and "sign" in first.unfinished[0].params["error"]
        assert store.get_state(CURSOR_STATE) is None        # Return Helper's walk is done
        assert store.get_state(WINIT_CURSOR_STATE) is not None
        listed = len(list_offsets(sandbox))
        later = until + timedelta(days=2)
        second = await backfill(store, client, refused, since=later - timedelta(days=30),
                                until=later)
    # Return Helper walks the new period as usual (before: it kept the old one, all done,
    # and listed nothing)
    assert (second.since, second.until) == (later - timedelta(days=30), later)
    assert not second.resumed and second.windows == 1
    assert len(list_offsets(sandbox)) > listed
    assert second.listed == created_within(sandbox, later - timedelta(days=30))
    assert not second.complete and store.get_state(CURSOR_STATE) is None
    # WINIT never stored a page: the right token reads its first period and the new one
    async with WinitClient(url, right) as accepted:
        third = await backfill(store, client, accepted, since=later - timedelta(days=30),
                               until=later)
    assert third.complete and third.winit_errors == 0
    assert (third.winit_since, third.winit_until) == (since, later)
    first_day, _ = order_days(since, later)
    assert store.count(RowQuery(filter=RowFilter.ALL, source=Source.WINIT)) == sum(
        1 for o in wsb.orders if o["createTime"][:10] >= first_day.isoformat())
    assert store.get_state(CURSOR_STATE) is None and store.get_state(WINIT_CURSOR_STATE) is None
    assert store.get_state(LAST_SYNC_STATE) == later.isoformat()


async def test_a_sync_stopped_in_winit_keeps_only_winits_resume_point(
        sandbox: SandboxServer, rh_client_factory: ClientFactory, store: Store) -> None:
    """Cancelled while WINIT pages come in: Return Helper's finished walk is not saved again
    as a resume point; the next sync walks Return Helper's new period and continues WINIT's."""
    until = datetime.now(UTC) + timedelta(minutes=1)
    since = until - timedelta(days=130)                        # 3 WINIT windows
    wsb = WinitSandbox(app_key="app-" + secrets.token_hex(4), token=secrets.token_hex(16),
                       orders=generate_orders(900, now=until - timedelta(minutes=5), days=129))
    client = rh_client_factory(concurrency=4)

    def stop_in_winit(p: SyncProgress) -> None:
        if p.winit_orders:
            task.cancel()                                      # a WINIT page is stored

    with ServerThread(wsb.app) as server:
        async with WinitClient(server.base_url + SERVICE_PATH,
                               WinitAuth(app_key=wsb.app_key, token=wsb.token)) as winit:
            task = asyncio.ensure_future(backfill(store, client, winit, since=since, until=until,
                                                  progress=stop_in_winit))
            with pytest.raises(asyncio.CancelledError):
                await task
            assert store.get_state(CURSOR_STATE) is None
            assert store.get_state(WINIT_CURSOR_STATE) is not None
            first_calls = len(wsb.calls)
            later = until + timedelta(days=1)
            second = await backfill(store, client, winit, since=later - timedelta(days=20),
                                    until=later)
            asked = [(c["data"]["OderStartDatetime"], c["data"]["pageParams"]["pageNo"])
                     for c in wsb.calls[first_calls:]]
    assert (second.since, second.until) == (later - timedelta(days=20), later)
    assert second.resumed and (second.winit_since, second.winit_until) == (since, until)
    assert asked[0][1] == 2                                    # WINIT continues at page 2
    assert asked[0][0] == order_days(since, until)[0].isoformat()
    assert second.complete
    assert store.count(RowQuery(filter=RowFilter.ALL, source=Source.WINIT)) == 900
    assert store.get_state(CURSOR_STATE) is None and store.get_state(WINIT_CURSOR_STATE) is None


async def test_a_resume_point_saved_by_the_earlier_version_is_continued(store: Store) -> None:
    """Version 1 kept both sources in ``sync.cursor``: each source continues its half; a
    version 2 point there is Return Helper's alone, never read as WINIT's."""
    from app.sync import _ResumePoint

    since, until = period(100)
    store.set_state(CURSOR_STATE, json.dumps({
        "version": 1, "since": since.isoformat(), "until": until.isoformat(),
        "rh": {"0": 150}, "rh_done": [0], "winit": {"1": 3}, "winit_done": [0]}))
    later = until + timedelta(days=1)
    rh = await _ResumePoint.load(store, CURSOR_STATE, "rh", later - timedelta(days=30), later,
                                 restart=False)
    winit = await _ResumePoint.load(store, WINIT_CURSOR_STATE, "winit",
                                    later - timedelta(days=30), later, restart=False,
                                    legacy=CURSOR_STATE)
    assert rh.resumed and (rh.cursor.since, rh.cursor.pages, rh.cursor.done) == (
        since, {0: 150}, {0})
    assert winit.resumed and (winit.cursor.since, winit.cursor.pages, winit.cursor.done) == (
        since, {1: 3}, {0})
    await rh.save()
    assert json.loads(store.get_state(CURSOR_STATE) or "")["version"] == 2
    fresh = await _ResumePoint.load(store, "sync.none", "winit", later - timedelta(days=30),
                                    later, restart=False, legacy=CURSOR_STATE)
    assert not fresh.resumed and fresh.cursor.since == later - timedelta(days=30)


def test_terminal_progress_bar_draws() -> None:
    stream = io.StringIO()
    bar = TerminalProgress(stream)
    bar(SyncProgress(phase=SyncPhase.STARTING))
    bar(SyncProgress(phase=SyncPhase.DONE, pages_done=10, pages_total=10, items=500))
    text = stream.getvalue()
    assert "pages 0/?" in text and "[" + "#" * 30 + "] 100%" in text


def test_sync_command_fills_the_store(sandbox: SandboxServer, tmp_path: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from app.credentials import Credentials, Secret
    from app.settings import Environment, Settings
    from app.sync_command import sync_command

    credentials = Credentials()
    credentials.set(Secret.RH_API_KEY, sandbox.api_key, "custom")
    credentials.set(Secret.RH_API_TOKEN, sandbox.api_token, "custom")
    path = tmp_path / "cli.sqlite3"
    settings = Settings(environment=Environment.CUSTOM, rh_user_api=sandbox.user_base,
                        rh_public_api=sandbox.public_base, store=str(path), sync_days=30)
    args = argparse.Namespace(days=200, no_winit=True, restart=False)
    assert sync_command(args, settings) == 0
    captured = capsys.readouterr()
    total = len(sandbox.items())
    assert f"{total} Return Helper items ({total} new" in captured.out
    assert "skipped: WINIT: no credentials" in captured.out
    assert "pages" in captured.err                        # the progress bar
    assert sandbox.api_token not in captured.out + captured.err
    with open_store(str(path)) as reopened:
        assert reopened.count(ALL) == total


def test_sync_command_says_when_the_sync_did_not_finish(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from app.credentials import Credentials, Secret
    from app.settings import Settings
    from app.sync_command import sync_command

    sandbox = WinitSandbox(app_key="app-" + secrets.token_hex(4), token=secrets.token_hex(16),
                           orders=generate_orders(20, now=datetime.now(UTC), days=10))
    credentials = Credentials()
    credentials.set(Secret.WINIT_APP_KEY, sandbox.app_key)
    wrong_token = "wrong-" + secrets.token_hex(8)
    credentials.set(Secret.WINIT_TOKEN, wrong_token)
    path = tmp_path / "cli.sqlite3"
    with ServerThread(sandbox.app) as server:
        settings = Settings(store=str(path), winit_url=server.base_url + SERVICE_PATH)
        args = argparse.Namespace(days=30, no_winit=False, restart=False)
        assert sync_command(args, settings) == 1
        err = capsys.readouterr().err
        assert "did not finish" in err and "sign verification failed" in err
        assert "again to continue where it stopped" in err
        assert wrong_token not in err
        credentials.set(Secret.WINIT_TOKEN, sandbox.token)
        assert sync_command(args, settings) == 0                   # continues and completes
    with open_store(str(path)) as reopened:
        assert reopened.count(ALL) == 20
        assert reopened.get_state(WINIT_CURSOR_STATE) is None


def test_sync_command_without_credentials_says_what_to_do(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    from app.settings import Settings
    from app.sync_command import sync_command

    settings = Settings(store=str(tmp_path / "none.sqlite3"))
    assert sync_command(argparse.Namespace(days=None, no_winit=False, restart=False),
                        settings) == 2
    err = capsys.readouterr().err
    assert "rh.api_key" in err and "nothing to sync" in err
