"""The WINIT client against the loopback WINIT sandbox: paging, retries, errors."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import httpx
import pytest

from app.credentials import Credentials, Secret
from app.model import LineKind
from app.settings import Settings
from app.winit.client import WinitAuth, WinitClient, WinitError, order_days, parse_page
from app.winit.mapping import WinitMappingError, record_from_event, record_from_order
from app.winit.sandbox import SERVICE_PATH, WinitSandbox, generate_orders
from app.winit.signing import CHINA_TIME
from tests.app.webhooks.events import winit_record
from tests.fixtures.receiver import ServerThread


@pytest.fixture
def winit() -> Iterator[tuple[WinitSandbox, str]]:
    sandbox = WinitSandbox(app_key="k1", token=secrets.token_hex(8),
                           orders=generate_orders(430, now=datetime.now(UTC), days=20))
    with ServerThread(sandbox.app) as server:
        yield sandbox, server.base_url + SERVICE_PATH


def client_for(sandbox: WinitSandbox, url: str, **kwargs: object) -> WinitClient:
    return WinitClient(url, WinitAuth(app_key=sandbox.app_key, token=sandbox.token),
                       backoff_s=0.01, **kwargs)  # type: ignore[arg-type]


async def test_paging_walks_every_order(winit: tuple[WinitSandbox, str]) -> None:
    sandbox, url = winit
    today = datetime.now(CHINA_TIME).date()  # WINIT's days; from 16:00 UTC a day ahead of UTC's
    async with client_for(sandbox, url) as client:
        pages = [p async for p in client.iter_return_orders(today - timedelta(days=30), today)]
    assert [len(p.orders) for p in pages] == [200, 200, 30]
    assert pages[-1].is_last and pages[0].total == 430
    numbers = [o["orderNo"] for p in pages for o in p.orders]
    assert len(set(numbers)) == 430
    sent = [c["data"] for c in sandbox.calls]
    assert [d["pageParams"]["pageNo"] for d in sent] == [1, 2, 3]
    assert all(d["pageParams"]["pageSize"] == 200 for d in sent)
    assert sent[0]["OderEndDatetime"] == today.isoformat()


def test_order_days_are_china_days_with_a_day_of_margin_before() -> None:
    # 19:10 UTC on 22 November is 03:10 on the 23rd in China: the day to ask up to.
    assert order_days(datetime(2026, 11, 1, 17, 0, tzinfo=UTC),
                      datetime(2026, 11, 22, 19, 10, tzinfo=UTC)) == (date(2026, 11, 1),
                                                                    date(2026, 11, 23))
    # Before 16:00 UTC both calendars agree; the first day still starts one earlier.
    assert order_days(datetime(2026, 11, 1, 9, 0, tzinfo=UTC),
                      datetime(2026, 11, 22, 10, 0, tzinfo=UTC)) == (date(2026, 10, 31),
                                                                   date(2026, 11, 22))
    # Naive times are read as UTC; one instant asks for its China day and the day before.
    moment = datetime(2026, 11, 22, 23, 59)
    assert order_days(moment, moment) == (date(2026, 11, 22), date(2026, 11, 23))


async def test_transient_failures_are_retried(winit: tuple[WinitSandbox, str]) -> None:
    sandbox, url = winit
    sandbox.fail_next = 2
    async with client_for(sandbox, url, retries=3) as client:
        page = await client.query_return_orders(date(2000, 1, 1), date(2100, 1, 1), page_size=5)
    assert len(page.orders) == 5 and sandbox.fail_next == 0
    sandbox.fail_next = 5
    async with client_for(sandbox, url, retries=1) as client:
        with pytest.raises(WinitError, match="503") as info:
            await client.query_return_orders(date(2000, 1, 1), date(2100, 1, 1))
    assert info.value.retryable


async def test_business_errors_carry_winit_message(winit: tuple[WinitSandbox, str]) -> None:
    sandbox, url = winit
    async with WinitClient(url, WinitAuth(app_key="unknown", token=sandbox.token)) as client:
        with pytest.raises(WinitError, match="app_key does not exist") as info:
            await client.call("rma.returnGoodsOrder.queryReturnOderList", {})
    assert info.value.code == "2001" and not info.value.retryable


async def test_unreachable_service_is_a_clear_error() -> None:
    transport = httpx.AsyncHTTPTransport(retries=0)
    async with httpx.AsyncClient(transport=transport, timeout=1) as http:
        client = WinitClient("http://127.0.0.1:9/openapi/service",
                             WinitAuth(app_key="k", token="t"), http=http, retries=0)
        with pytest.raises(WinitError, match="cannot reach WINIT"):
            await client.call("x", {})


def test_client_from_keyring_needs_app_key_and_token() -> None:
    credentials = Credentials()
    settings = Settings()
    assert WinitClient.from_settings(settings, credentials) is None
    credentials.set(Secret.WINIT_APP_KEY, "app")
    credentials.set(Secret.WINIT_TOKEN, "secret-token-value")
    client = WinitClient.from_settings(settings, credentials)
    assert client is not None and client.base_url == settings.winit_service_url()
    assert "secret-token-value" not in repr(WinitAuth.from_credentials(credentials))


def test_parse_page_shapes() -> None:
    assert parse_page(None) == ([], 0)
    assert parse_page([{"a": 1}, "x"]) == ([{"a": 1}], None)
    assert parse_page({"records": [{"a": 1}], "total": "7"}) == ([{"a": 1}], 7)
    assert parse_page({"list": [], "pageParams": {"totalCount": 0}}) == ([], 0)
    with pytest.raises(WinitError):
        parse_page("nonsense")


def test_order_mapping_keeps_confirmed_and_declared_lines() -> None:
    order = generate_orders(1, seed=3)[0]
    record = record_from_order(order)
    goods = order["orderGoodsList"][0]
    estimate = [x for x in record.lines if x.kind is LineKind.ESTIMATE]
    actual = [x for x in record.lines if x.kind is LineKind.ACTUAL]
    assert len(estimate) == len(actual) == len(order["orderGoodsList"])
    assert estimate[0].length_cm == Decimal(goods["length"])
    assert actual[0].length_cm == Decimal(goods["confirmLength"])
    assert actual[0].volume_m3 == Decimal(goods["confirmVolume"])
    assert actual[0].quantity == int(goods["confirmQty"])
    assert record.created_at is not None
    # WINIT wall-clock text is China time
    assert record.created_at.isoformat().endswith("+08:00")


def test_event_mapping_errors_name_the_field() -> None:
    bad = winit_record("u1")
    bad["actualSkuList"][0]["weight"] = "heavy"
    with pytest.raises(WinitMappingError, match="weight"):
        record_from_event(bad)
    bad = winit_record("u2")
    bad["statusTime"] = "yesterday"
    with pytest.raises(WinitMappingError, match="statusTime"):
        record_from_event(bad)
    good = winit_record("u3", statusTime="2024-07-15 10:20:30")
    record = record_from_event(good)
    assert record.updated_at == datetime(2024, 7, 15, 2, 20, 30, tzinfo=UTC)


@pytest.mark.parametrize("value", [float("inf"), float("nan"), 1e300, 10 ** 30, -(10 ** 20),
                                   "99999999999999999999", "0001-01-01 00:00:00",
                                   "0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-08:00"],
                         ids=repr)
def test_event_times_out_of_range_name_the_field(value: object) -> None:
    # "0001-01-01 00:00:00" is China time: 16:00 on the day before year 1 in UTC
    bad = winit_record("u-range")
    bad["statusTime"] = value
    with pytest.raises(WinitMappingError, match="statusTime"):
        record_from_event(bad)
