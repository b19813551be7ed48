"""The Return Helper client against the sandbox, over real HTTP on loopback."""

from __future__ import annotations

import asyncio
import itertools
import logging
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from app.returnhelper.client import ReturnHelperClient, split_windows
from app.returnhelper.errors import (
    AuthError,
    ClientRequestError,
    ConflictApiError,
    NetworkError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
    SoftError,
)
from app.sandbox.seed import HANDLINGS
from app.sandbox.server import SandboxServer

UPDATE = "UpdateReturnInventoryHandling"
CANCEL = "CancelReturnInventoryHandling"


def key() -> str:
    return str(uuid.uuid4())


def pick(sandbox: SandboxServer, *, code: str = "tbc", status: str = "pending",
         vas: bool | None = False) -> int:
    for item in sandbox.items():
        if item.handling_code == code and item.handling_status == status and (
                vas is None or item.has_unfinished_vas == vas):
            return item.return_inventory_id
    raise AssertionError(f"the seed has no {code}/{status} item (vas={vas})")


def api_requests(sandbox: SandboxServer, path_end: str) -> list:
    return [r for r in sandbox.requests() if r.path.endswith(path_end)]


class RecordingSleep:
    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


# -- lookups ----------------------------------------------------------------------------------
async def test_handlings_are_read_from_the_api_and_cached(rh_client, sandbox):
    handlings = await rh_client.get_handlings()
    assert [(h.code, h.description) for h in handlings] == list(HANDLINGS)
    assert {"ohd", "rtn", "rst", "dsp", "oth", "rsd", "tbc"} <= {h.code for h in handlings}
    await rh_client.get_handlings()
    assert len(api_requests(sandbox, "getAllHandlings")) == 1  # cached
    await rh_client.get_handlings(refresh=True)
    assert len(api_requests(sandbox, "getAllHandlings")) == 2


async def test_handling_cache_expires(rh_client_factory, sandbox):
    client = rh_client_factory(handlings_ttl=0)
    await client.get_handlings()
    await client.get_handlings()
    assert len(api_requests(sandbox, "getAllHandlings")) == 2


async def test_handling_statuses(rh_client):
    statuses = await rh_client.get_handling_statuses()
    assert [s.code for s in statuses] == ["pending", "inProgress", "completed"]
    assert all(s.name and s.stage_description for s in statuses)


async def test_requests_carry_credentials_and_a_descriptive_user_agent(rh_client, sandbox):
    await rh_client.get_handling_statuses()
    (seen,) = api_requests(sandbox, "getAllHandlingStatus")
    assert seen.user_agent.startswith("ReturnDesk/")
    assert "Platform=" in seen.user_agent and "Runtime=" in seen.user_agent


# -- inventory list ----------------------------------------------------------------------------
async def test_list_one_page_matches_the_sandbox(rh_client, sandbox):
    items = sandbox.items()
    end = max(i.create_on for i in items)
    start = end - timedelta(days=30)
    expected = [i for i in items if start <= i.create_on <= end]
    page = await rh_client.list_inventory(start, end, page_size=7, offset=3)
    assert page.total == len(expected)
    assert [r.return_inventory_id for r in page.records] == [
        i.return_inventory_id for i in expected[3:10]]
    first = page.records[0]
    source = expected[3]
    assert first.key == f"rh:{source.return_inventory_id}"
    assert first.rma == source.rma and first.item_rma == source.item_rma
    assert first.warehouse == source.warehouse
    assert first.handling_code == source.handling_code
    assert first.created_at == source.create_on
    assert page.correlation_id


@pytest.mark.parametrize(("days", "page_size", "offset"), [
    (62.001, 50, 0), (10, 0, 0), (10, 51, 0), (10, 50, -1), (-1, 50, 0)])
async def test_list_arguments_are_checked_before_sending(rh_client, sandbox, days, page_size,
                                                         offset):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    with pytest.raises(ClientRequestError):
        await rh_client.list_inventory(start, start + timedelta(days=days),
                                       page_size=page_size, offset=offset)
    assert api_requests(sandbox, "ReturnInventory/list") == []


async def test_a_62_day_window_is_accepted(rh_client, sandbox):
    start = datetime.now(UTC) - timedelta(days=70)
    page = await rh_client.list_inventory(start, start + timedelta(days=62), page_size=1)
    assert page.total > 0


def test_split_windows_covers_the_period_with_62_day_windows():
    since = datetime(2026, 1, 1, tzinfo=UTC)
    until = since + timedelta(days=150, hours=5)
    windows = split_windows(since, until)
    assert len(windows) == 3
    assert windows[0][0] == since and windows[-1][1] == until
    for (_a_start, a_end), (b_start, _b_end) in itertools.pairwise(windows):
        assert a_end == b_start
    assert all(end - start <= timedelta(days=62) for start, end in windows)
    assert split_windows(since, since) == [(since, since)]
    with pytest.raises(ValueError):
        split_windows(until, since)


async def test_iter_inventory_returns_every_item_exactly_once(rh_client_factory, sandbox):
    client = rh_client_factory(concurrency=3)
    items = sandbox.items()
    since = min(i.create_on for i in items) - timedelta(days=1)
    until = max(i.create_on for i in items) + timedelta(days=1)
    assert until - since > timedelta(days=124)  # at least three windows
    seen = [r.return_inventory_id async for r in client.iter_inventory(since, until,
                                                                       page_size=25)]
    assert len(seen) == len(set(seen)) == len(items)
    assert set(seen) == {i.return_inventory_id for i in items}
    lists = api_requests(sandbox, "ReturnInventory/list")
    windows = set()
    for req in lists:
        params = dict(httpx.QueryParams(req.query))
        start = datetime.fromisoformat(params["createFrom"].replace("Z", "+00:00"))
        end = datetime.fromisoformat(params["createTo"].replace("Z", "+00:00"))
        assert end - start <= timedelta(days=62)
        windows.add((start, end))
    assert len(windows) == len(split_windows(since, until)) >= 3
    assert sandbox.max_in_flight() <= 3


async def test_iter_inventory_yields_an_item_on_a_window_boundary_once(rh_client, sandbox):
    item = sandbox.items()[len(sandbox.items()) // 2]
    since = item.create_on - timedelta(days=62)
    until = item.create_on + timedelta(days=10)
    ids = [r.return_inventory_id async for r in rh_client.iter_inventory(since, until)]
    assert ids.count(item.return_inventory_id) == 1
    assert len(ids) == len(set(ids))


# -- details ---------------------------------------------------------------------------------
async def test_get_inventory_maps_the_details_record(rh_client, sandbox):
    item = next(i for i in sandbox.items() if i.image_keys and i.vas)
    record = await rh_client.get_inventory(item.return_inventory_id)
    assert record.key == f"rh:{item.return_inventory_id}"
    assert record.rma == item.rma
    assert record.seller_reference == item.seller_reference
    assert record.lines[0].weight_kg == Decimal(item.weight_g) / 1000
    assert record.lines[0].length_cm is None  # the details API has no dimensions
    assert record.value == Decimal(item.value) and record.currency == item.currency
    assert [v.code for v in record.vas] == [v["vasCode"] for v in item.vas]
    assert record.has_unfinished_vas == item.has_unfinished_vas
    assert len(record.images) == len(item.image_keys)
    async with httpx.AsyncClient() as http:
        for image in record.images:
            assert image.thumbnail_url
            for url in (image.url, image.thumbnail_url):
                response = await http.get(url)
                assert response.status_code == 200
                assert response.content.startswith(b"\x89PNG\r\n\x1a\n")


async def test_unknown_inventory_is_not_found_and_not_retried(rh_client, sandbox):
    with pytest.raises(NotFoundError) as info:
        await rh_client.get_inventory(999)
    assert info.value.http_status == 404
    assert info.value.correlation_id and info.value.correlation_id in str(info.value)
    assert "999" in str(info.value)
    assert len(api_requests(sandbox, "GetReturnInventory")) == 1


async def test_bad_credentials_are_an_auth_error_and_not_retried(rh_client_factory, sandbox):
    client = rh_client_factory(api_token="wrong-token")
    with pytest.raises(AuthError) as info:
        await client.get_handlings()
    assert info.value.http_status == 401
    assert info.value.correlation_id
    assert not info.value.retryable
    assert len(api_requests(sandbox, "getAllHandlings")) == 1


# -- failures and retries ---------------------------------------------------------------------
async def test_429_waits_for_retry_after_then_succeeds(rh_client_factory, sandbox):
    sleep = RecordingSleep()
    client = rh_client_factory(sleep=sleep)
    sandbox.fail_next("429", path="getAllHandlingStatus", retry_after=3)
    statuses = await client.get_handling_statuses()
    assert statuses
    assert sleep.waits == [3.0]
    faults = [r.fault for r in api_requests(sandbox, "getAllHandlingStatus")]
    assert faults == ["429", None]


async def test_retry_after_is_capped(rh_client_factory, sandbox):
    sleep = RecordingSleep()
    client = rh_client_factory(sleep=sleep, retry_after_cap=2.5)
    sandbox.fail_next("429", path="getAllHandlingStatus", retry_after=600)
    await client.get_handling_statuses()
    assert sleep.waits == [2.5]


async def test_429_until_retries_run_out(rh_client_factory, sandbox):
    sleep = RecordingSleep()
    client = rh_client_factory(sleep=sleep, retries=2)
    sandbox.fail_next("429", 5, path="getAllHandlingStatus", retry_after=1)
    with pytest.raises(RateLimitedError) as info:
        await client.get_handling_statuses()
    assert info.value.retry_after == 1
    assert info.value.correlation_id
    assert len(api_requests(sandbox, "getAllHandlingStatus")) == 3
    assert sleep.waits == [1.0, 1.0]


@pytest.mark.parametrize("kind", ["500", "503"])
async def test_server_error_then_success(rh_client_factory, sandbox, kind):
    sleep = RecordingSleep()
    client = rh_client_factory(sleep=sleep)
    sandbox.fail_next(kind, 2, path="getAllHandlings")
    assert await client.get_handlings()
    assert [r.fault for r in api_requests(sandbox, "getAllHandlings")] == [kind, kind, None]
    assert len(sleep.waits) == 2
    assert all(0 < w <= 0.05 + 0.01 for w in sleep.waits)  # exponential backoff with jitter


async def test_server_errors_beyond_the_retries_are_raised(rh_client_factory, sandbox):
    client = rh_client_factory(retries=1, sleep=RecordingSleep())
    sandbox.fail_next("500", 3, path="getAllHandlings")
    with pytest.raises(ServerError) as info:
        await client.get_handlings()
    assert info.value.http_status == 500 and info.value.retryable
    assert len(api_requests(sandbox, "getAllHandlings")) == 2


async def test_a_hang_is_a_timeout_error(rh_client_factory, sandbox):
    client = rh_client_factory(timeout=0.3, retries=0)
    sandbox.fail_next("hang", path="getAllHandlings", delay_s=30)
    with pytest.raises(RequestTimeoutError) as info:
        await client.get_handlings()
    assert isinstance(info.value, NetworkError) and info.value.retryable
    assert info.value.http_status is None
    assert "0.3 s" in str(info.value)


async def test_a_hang_is_retried(rh_client_factory, sandbox):
    client = rh_client_factory(timeout=1.0, retries=2, sleep=RecordingSleep())
    sandbox.fail_next("hang", path="getAllHandlings", delay_s=30)
    assert await client.get_handlings()
    assert [r.fault for r in api_requests(sandbox, "getAllHandlings")][:2] == ["hang", None]


async def test_a_dropped_connection_is_retried(rh_client_factory, sandbox):
    client = rh_client_factory(sleep=RecordingSleep())
    sandbox.fail_next("drop", path="getAllHandlings")
    assert await client.get_handlings()
    assert [r.fault for r in api_requests(sandbox, "getAllHandlings")] == ["drop", None]


async def test_a_dropped_connection_without_retries_is_a_network_error(rh_client_factory, sandbox):
    client = rh_client_factory(retries=0)
    sandbox.fail_next("drop", path="getAllHandlings")
    with pytest.raises(NetworkError) as info:
        await client.get_handlings()
    assert not isinstance(info.value, RequestTimeoutError)


async def test_an_answer_that_is_not_json_is_a_protocol_error_and_not_retried(rh_client, sandbox):
    sandbox.fail_next("not_json", path="getAllHandlings")
    with pytest.raises(ProtocolError):
        await rh_client.get_handlings()
    assert len(api_requests(sandbox, "getAllHandlings")) == 1


async def test_slow_answers_within_the_timeout_succeed(rh_client_factory, sandbox):
    client = rh_client_factory(timeout=5)
    sandbox.fail_next("slow", path="getAllHandlings", delay_s=0.2)
    assert await client.get_handlings()
    assert [r.fault for r in api_requests(sandbox, "getAllHandlings")] == ["slow"]


async def test_concurrency_is_bounded(rh_client_factory, sandbox):
    client = rh_client_factory(concurrency=2)
    sandbox.set_latency(40)
    ids = [i.return_inventory_id for i in sandbox.items()[:10]]
    records = await asyncio.gather(*(client.get_inventory(i) for i in ids))
    assert [r.return_inventory_id for r in records] == ids
    assert 1 <= sandbox.max_in_flight() <= 2


async def test_secrets_never_reach_the_logs(rh_client_factory, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    client = rh_client_factory(sleep=RecordingSleep())
    sandbox.fail_next("500", path="getAllHandlings")
    sandbox.fail_next("drop", path="GetReturnInventory")
    await client.get_handlings()
    await client.get_inventory(sandbox.items()[0].return_inventory_id)
    with pytest.raises(NotFoundError):
        await client.get_inventory(1)
    assert "getAllHandlings" in caplog.text  # something was logged
    assert sandbox.api_key not in caplog.text
    assert sandbox.api_token not in caplog.text
    assert sandbox.api_token not in repr(client)


# -- decisions ----------------------------------------------------------------------------------
async def test_update_applies_and_returns_the_correlation_id(rh_client, sandbox):
    inventory_id = pick(sandbox)
    k = key()
    result = await rh_client.update_handling(inventory_id, "rst", idempotency_key=k)
    assert result.correlation_id
    assert result.data["handlingCode"] == "rst"
    assert sandbox.item(inventory_id).handling_code == "rst"
    assert sandbox.wait_for_applied(1, timeout=5)
    assert not sandbox.wait_for_applied(2, timeout=0)
    (applied,) = sandbox.applied()
    assert (applied.return_inventory_id, applied.handling_code, applied.idempotency_key,
            applied.correlation_id) == (inventory_id, "rst", k, result.correlation_id)


async def test_retries_keep_one_idempotency_key_and_apply_once(rh_client_factory, sandbox):
    client = rh_client_factory(retries=6, timeout=1.0, sleep=RecordingSleep())
    inventory_id = pick(sandbox)
    # the first attempt is applied but its answer is lost; then 429, 500, a dropped answer
    sandbox.fail_next("drop", path=UPDATE, after_apply=True)
    sandbox.fail_next("429", path=UPDATE, retry_after=0)
    sandbox.fail_next("500", path=UPDATE)
    sandbox.fail_next("hang", path=UPDATE, delay_s=30, after_apply=True)
    k = key()
    result = await client.update_handling(inventory_id, "dsp", idempotency_key=k)
    posts = api_requests(sandbox, UPDATE)
    assert [p.fault for p in posts][:5] == ["drop", "429", "500", "hang", None]
    assert {p.idempotency_key for p in posts} == {k}
    applied = sandbox.applied()
    assert len(applied) == 1
    assert applied[0].idempotency_key == k and applied[0].handling_code == "dsp"
    assert result.correlation_id == applied[0].correlation_id  # the first answer, replayed


async def test_the_same_key_twice_is_applied_once(rh_client, sandbox):
    inventory_id = pick(sandbox)
    k = key()
    first = await rh_client.update_handling(inventory_id, "rtn", idempotency_key=k)
    second = await rh_client.update_handling(inventory_id, "rtn", idempotency_key=k)
    assert first == second
    assert len(sandbox.applied()) == 1


async def test_a_key_reused_for_another_request_is_a_conflict(rh_client, sandbox):
    inventory_id = pick(sandbox)
    k = key()
    await rh_client.update_handling(inventory_id, "rtn", idempotency_key=k)
    with pytest.raises(ConflictApiError) as info:
        await rh_client.update_handling(inventory_id, "rst", idempotency_key=k)
    assert info.value.http_status == 409 and not info.value.retryable
    assert len(sandbox.applied()) == 1


@pytest.mark.parametrize(("code", "field"), [("rsd", "handlingCode"), ("tbc", "handlingCode"),
                                             ("xyz", "handlingCode")])
async def test_refused_codes_are_soft_errors_with_field_messages(rh_client, sandbox, code, field):
    inventory_id = pick(sandbox)
    with pytest.raises(SoftError) as info:
        await rh_client.update_handling(inventory_id, code, idempotency_key=key())
    error = info.value
    assert error.http_status == 200  # a soft error: HTTP 200, meta.status 400
    assert error.error_code == "VALIDATION_FAILED"
    assert field in error.field_errors and error.field_errors[field][0]
    assert error.correlation_id and error.correlation_id in str(error)
    assert error.field_errors[field][0] in str(error)
    assert not error.retryable
    assert sandbox.applied() == []
    assert len(api_requests(sandbox, UPDATE)) == 1  # never retried


async def test_unfinished_vas_blocks_all_but_pending_to_hold(rh_client, sandbox):
    inventory_id = pick(sandbox, vas=True)
    with pytest.raises(SoftError) as info:
        await rh_client.update_handling(inventory_id, "rst", idempotency_key=key())
    assert "VAS" in info.value.field_errors["returnInventoryId"][0]
    await rh_client.update_handling(inventory_id, "ohd", idempotency_key=key())
    assert sandbox.item(inventory_id).handling_code == "ohd"
    sandbox.set_vas_finished(inventory_id)
    await rh_client.update_handling(inventory_id, "rst", idempotency_key=key())
    assert [a.handling_code for a in sandbox.applied()] == ["ohd", "rst"]


async def test_unknown_inventory_update_is_a_soft_error(rh_client, sandbox):
    with pytest.raises(SoftError) as info:
        await rh_client.update_handling(12345, "ohd", idempotency_key=key())
    assert "returnInventoryId" in info.value.field_errors


@pytest.mark.parametrize(("given", "sent"), [("RST", "rst"), (" ohd ", "ohd"), (4, "ohd"),
                                             ("1", "rtn")])
async def test_handling_codes_in_old_new_and_numeric_forms(rh_client, sandbox, given, sent):
    inventory_id = pick(sandbox)
    result = await rh_client.update_handling(inventory_id, given, idempotency_key=key())
    assert result.data["handlingCode"] == sent
    assert sandbox.item(inventory_id).handling_code == sent


@pytest.mark.parametrize("bad", [9, "", None, True])
async def test_unreadable_codes_are_refused_before_sending(rh_client, sandbox, bad):
    with pytest.raises(ClientRequestError):
        await rh_client.update_handling(pick(sandbox), bad, idempotency_key=key())
    assert api_requests(sandbox, UPDATE) == []


async def test_a_state_change_needs_an_idempotency_key(rh_client, sandbox):
    with pytest.raises(ClientRequestError):
        await rh_client.update_handling(pick(sandbox), "ohd", idempotency_key="")
    with pytest.raises(ClientRequestError):
        await rh_client.cancel_handling(pick(sandbox), idempotency_key="")


async def test_cancel_before_the_warehouse_acts(rh_client, sandbox):
    inventory_id = pick(sandbox)
    await rh_client.update_handling(inventory_id, "rtn", idempotency_key=key())
    result = await rh_client.cancel_handling(inventory_id, idempotency_key=key())
    assert result.data["handlingCode"] == "tbc"
    assert sandbox.item(inventory_id).handling_code == "tbc"
    assert [a.action for a in sandbox.applied()] == ["update", "cancel"]


async def test_cancel_after_the_warehouse_acted_is_refused(rh_client, sandbox):
    inventory_id = pick(sandbox)
    await rh_client.update_handling(inventory_id, "rtn", idempotency_key=key())
    sandbox.warehouse_act(inventory_id, "inProgress")
    with pytest.raises(SoftError) as info:
        await rh_client.cancel_handling(inventory_id, idempotency_key=key())
    assert "acted" in str(info.value)
    assert sandbox.item(inventory_id).handling_code == "rtn"


async def test_completed_items_refuse_a_new_handling(rh_client, sandbox):
    inventory_id = pick(sandbox, code="rst", status="completed", vas=None)
    with pytest.raises(SoftError):
        await rh_client.update_handling(inventory_id, "dsp", idempotency_key=key())


# -- construction --------------------------------------------------------------------------------
def test_plain_http_is_refused_off_loopback():
    from app.settings import SettingsError

    with pytest.raises(SettingsError):
        ReturnHelperClient("http://example.com/user/api", "https://example.com/public/api",
                           "k", "t")


async def test_async_with_closes_the_shared_client(sandbox):
    client = ReturnHelperClient(sandbox.user_base, sandbox.public_base, sandbox.api_key,
                                sandbox.api_token)
    async with client:
        assert await client.get_handling_statuses()
    assert client._http.is_closed


def test_from_settings_uses_the_environment_urls():
    from app.settings import Environment, Settings

    client = ReturnHelperClient.from_settings(Settings(environment=Environment.PRODUCTION),
                                              "k", "t")
    assert client.user_base == "https://api.returnhelpercentre.com/v1/user/api"
    assert client.file_base == "https://file.returnhelpercentre.com"
    asyncio.run(client.aclose())



def test_httpcore_does_not_search_for_a_missing_sniffio_on_every_request():
    import importlib
    import importlib.machinery
    import sys

    from httpcore._synchronization import current_async_library

    if importlib.machinery.PathFinder.find_spec("sniffio") is None:
        # not installed: the failed import is remembered, so httpcore's per-request
        # ``import sniffio`` fails at once instead of searching sys.path
        assert "sniffio" in sys.modules and sys.modules["sniffio"] is None
        with pytest.raises(ImportError):
            importlib.import_module("sniffio")
    else:  # installed: left alone
        assert sys.modules.get("sniffio", sys) is not None

    async def detect() -> str:
        return current_async_library()

    assert asyncio.run(detect()) == "asyncio"


async def test_a_waiting_call_is_sent_before_the_previous_answer_is_mapped():
    # concurrency 1: the second list page's request must go out while the first page is
    # still being parsed and mapped, so its latency overlaps that work
    tasks: dict[int, asyncio.Task[object]] = {}
    first_done_when_second_sent: list[bool] = []

    async def answer(request: httpx.Request) -> httpx.Response:
        offset = int(request.url.params["offset"])
        if offset == 0:  # the network: the second call comes to wait for the slot meanwhile
            for _ in range(100):
                if client._waiting:
                    break
                await asyncio.sleep(0)
            assert client._waiting == 1
        if offset == 50:
            first_done_when_second_sent.append(tasks[0].done())
        rows = [{"returnInventoryId": offset + i + 1, "createOn": "2026-10-01T09:30:00Z"}
                for i in range(50)]
        return httpx.Response(200, json={"meta": {"status": 200}, "data": rows,
                                         "totalNumberOfRecords": 100})

    async with ReturnHelperClient("https://api.example.test/user/api",
                                  "https://api.example.test/public/api", "k", "t",
                                  concurrency=1,
                                  transport=httpx.MockTransport(answer)) as client:
        since = datetime(2026, 10, 1, tzinfo=UTC)
        until = since + timedelta(days=30)
        tasks[0] = asyncio.ensure_future(client.list_inventory(since, until, offset=0))
        tasks[50] = asyncio.ensure_future(client.list_inventory(since, until, offset=50))
        pages = await asyncio.gather(tasks[0], tasks[50])
    assert first_done_when_second_sent == [False]
    assert [len(p.records) for p in pages] == [50, 50]
    assert pages[1].records[0].return_inventory_id == 51


async def test_requests_written_to_the_network_are_counted_for_the_hand_over(rh_client):
    # the hand-over stops yielding as soon as httpcore reports a request fully sent: the
    # trace event it listens for must be the one httpcore emits
    before = rh_client._sent
    await rh_client.get_handling_statuses(refresh=True)
    await rh_client.get_handlings(refresh=True)
    assert rh_client._sent == before + 2
