"""The Return Helper client reads inventories from the sandbox: list pages, 62-day windows,
every item once, details."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from app.returnhelper.client import split_windows
from app.returnhelper.errors import (
    AuthError,
    ClientRequestError,
    NotFoundError,
    ProtocolError,
)
from app.sandbox.seed import SeedItem
from tests.app.returnhelper.client_support import api_requests


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


@pytest.mark.parametrize("modify_on", [10 ** 30, 1e300, -1e20, "99999999999999999999",
                                       "0001-01-01T00:00:00+08:00"], ids=repr)
async def test_a_list_row_with_a_time_out_of_range_is_a_protocol_error(
        rh_client, sandbox, monkeypatch, modify_on):
    # the sync reports the page (naming the row and field) instead of crashing on OSError
    plain = SeedItem.list_row
    monkeypatch.setattr(SeedItem, "list_row", lambda self: {**plain(self), "modifyOn": modify_on})
    items = sandbox.items()
    end = max(i.create_on for i in items)
    with pytest.raises(ProtocolError, match=r"row 0: modifyOn: not a time \(out of range"):
        await rh_client.list_inventory(end - timedelta(days=30), end, page_size=5)


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
