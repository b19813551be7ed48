"""The Return Helper client's failures and retries against the sandbox's faults: auth, 404,
429 with Retry-After, 5xx, hangs, dropped connections, bounded concurrency, no secrets in logs."""

from __future__ import annotations

import asyncio
import logging

import pytest

from app.returnhelper.errors import (
    NetworkError,
    NotFoundError,
    ProtocolError,
    RateLimitedError,
    RequestTimeoutError,
    ServerError,
)
from tests.app.returnhelper.client_support import (
    RecordingSleep,
    api_requests,
)


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
