"""Property tests: the event parsers never crash. Any input gives records or a clear rejection."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.model import InventoryRecord, Source
from app.store.sql_base import iso_utc
from app.webhooks.returnhelper_events import (
    HANDLERS,
    EventError,
    Interpretation,
    interpret,
    parse_envelope,
)
from app.webhooks.winit_events import parse_body
from app.winit.mapping import WinitMappingError, record_from_event, record_from_order

#: Numbers and times at and past the ends of what a date can hold: JSON's 1e400 reads as
#: infinity, NaN and Infinity are read by Python's json, epoch numbers overflow time_t, and
#: a zone can take the calendar's first or last day outside it in UTC.
EXTREME_TIMES = [10**20, -(10**20), 10**30, 1e300, -1e20, float("inf"), float("-inf"),
                 float("nan"), "99999999999999999999", 253402300800000, 253402300799999,
                 "0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-08:00", "0001-01-01 00:00:00",
                 "9999-12-31T23:59:59Z"]
json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(),
    st.integers(min_value=10**11, max_value=10**40) | st.integers(max_value=-(10**11)),
    st.floats(), st.text(max_size=12), st.sampled_from(EXTREME_TIMES),
    st.sampled_from(["1", "10.5", "-3", "1e30", "1e-30", "abc", "", " 7 ", "0,5", "2024-07-15",
                     "2024-07-15T08:00:00Z", "1721030400000", "tbc", "4", "pending", "RE"]))
json_values = st.recursive(
    json_scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8),
                                                                      children, max_size=4),
    max_leaves=12)

INVENTORY_FIELDS = ["returnInventoryId", "warehouseId", "description", "quantity", "dimension1",
                    "dimension2", "dimension3", "dimensionUom", "weight", "weightUom", "value",
                    "handlingCode", "handlingStatusCode", "sku", "rma", "modifyOn", "createOn",
                    "handlingUpdatedOn", "imageList", "returnInventoryMetaList",
                    "warehouseRemarks", "returnRequestLineItemVasList", "recalibratedOn"]
inventory_like = st.dictionaries(st.sampled_from(INVENTORY_FIELDS), json_values, max_size=10)
#: Any number or text where a time goes, the extremes often.
time_values = st.one_of(st.sampled_from(EXTREME_TIMES), st.integers(), st.floats(), json_scalars)
TIME_FIELDS = ["modifyOn", "createOn", "handlingUpdatedOn", "completeOn", "recalibratedOn"]


@st.composite
def inventory_with_times(draw: st.DrawFn) -> dict[str, Any]:
    """A readable inventory (valid id and measures) whose time fields hold anything."""
    inventory: dict[str, Any] = {"returnInventoryId": draw(st.integers(1, 10**12)),
                                 "warehouseId": 2, "dimension1": 30, "weight": 1250}
    for name in draw(st.lists(st.sampled_from(TIME_FIELDS), min_size=1, unique=True)):
        inventory[name] = draw(time_values)
    return inventory
SECTIONS = ["returnInventory", "shipment", "recalibrateSupplement", "payload", "updateVasList",
            "returnInventoryList", "metaType", "metaMap"]


@st.composite
def rh_bodies(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": draw(st.sampled_from(["rinv", "rrliv", "newInventoryCreated", "x", 5])),
        "action": draw(st.sampled_from([*HANDLERS, "newInventoryCreated", "other", None])),
        "eventTime": draw(st.sampled_from([datetime.now(UTC).isoformat(), "nope", 12, None,
                                           *EXTREME_TIMES])),
    }
    for section in draw(st.lists(st.sampled_from(SECTIONS), max_size=4, unique=True)):
        body[section] = draw(st.one_of(inventory_like, st.lists(inventory_like, max_size=3),
                                       json_values))
    return body


def _check_rh(raw: bytes) -> None:
    try:
        event = parse_envelope(raw)
    except EventError as exc:
        assert exc.reason and str(exc)
        return
    try:
        result = interpret(event)
    except EventError as exc:
        assert exc.reason == "invalid" and str(exc)
        return
    assert isinstance(result, Interpretation)
    for record in result.records:
        assert isinstance(record, InventoryRecord)
        assert record.source is Source.RETURN_HELPER and record.key.startswith("rh:")
        assert record.return_inventory_id is not None
        _storable_times(record)


def _storable_times(record: InventoryRecord) -> None:
    """Every time the record carries can be written to the store (which keeps UTC)."""
    for value in (record.updated_at, record.received_at, record.created_at,
                  record.handling_updated_at, *record.field_times.values(),
                  *(change.at for change in record.history)):
        if value is not None:
            iso_utc(value)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_rh_any_json_gives_records_or_a_rejection(value: Any) -> None:
    _check_rh(json.dumps(value).encode())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rh_bodies())
def test_rh_event_shaped_json_gives_records_or_a_rejection(body: dict[str, Any]) -> None:
    _check_rh(json.dumps(body).encode())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from([*HANDLERS]), inventory_with_times(), time_values)
def test_rh_times_of_any_value_give_records_or_a_rejection(action: str, inventory: dict[str, Any],
                                                           when: Any) -> None:
    shipment = {"trackingNumber": "1Z999", "receiveDate": when}
    body = {"category": "rinv", "action": action, "eventTime": datetime.now(UTC).isoformat(),
            "returnInventory": inventory, "shipment": shipment,
            "recalibrateSupplement": inventory}
    _check_rh(json.dumps(body).encode())
    _check_rh(json.dumps({**body, "eventTime": when}).encode())


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_rh_any_bytes_gives_a_rejection_or_records(raw: bytes) -> None:
    _check_rh(raw)


WINIT_FIELDS = ["uuid", "orderNo", "sellerOrderNo", "outboundOrderNo", "rmaNo", "status",
                "statusTime", "isReturnLabel", "expressNo", "customerExpressNo", "returnReason",
                "returnType", "warehouseCode", "estimateSkuList", "actualSkuList",
                "orderGoodsList", "createTime"]
GOODS_FIELDS = ["merchandiseSerno", "merchandiseCode", "specification", "skuCodeThird",
                "merchandiseGrade", "managementType", "handleMethod", "quantity", "length",
                "width", "height", "volume", "weight", "itemList", "confirmQty",
                "confirmLength", "confirmWeight", "confirmVolume"]
goods_like = st.dictionaries(st.sampled_from(GOODS_FIELDS), json_values, max_size=8)
winit_like = st.dictionaries(
    st.sampled_from(WINIT_FIELDS),
    st.one_of(json_values, st.lists(goods_like, max_size=3)), max_size=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(json_values, st.lists(winit_like, max_size=4), winit_like))
def test_winit_body_gives_items_or_a_rejection(value: Any) -> None:
    try:
        items = parse_body(json.dumps(value).encode())
    except EventError as exc:
        assert exc.reason in {"malformed_json", "not_an_array"}
        return
    for item in items:
        assert (item.record is None) != (item.error is None)
        assert item.dedup_key.startswith("winit:")
        if item.record is not None:
            assert item.record.key.startswith("winit:") and item.record.source is Source.WINIT
            _storable_times(item.record)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(winit_like)
def test_winit_order_gives_a_record_or_a_clear_error(order: dict[str, Any]) -> None:
    for mapper in (record_from_order, record_from_event):
        try:
            record = mapper(order)
        except WinitMappingError as exc:
            assert ":" in str(exc)          # names the field
            continue
        assert record.winit_order_no and record.key == f"winit:{record.winit_order_no}"
        _storable_times(record)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(winit_like, time_values, time_values)
def test_winit_times_of_any_value_give_a_record_or_a_clear_error(
        order: dict[str, Any], status_time: Any, create_time: Any) -> None:
    order = {**order, "orderNo": "RO1", "uuid": "u1", "statusTime": status_time,
             "createTime": create_time}
    test_winit_order_gives_a_record_or_a_clear_error.hypothesis.inner_test(order)  # type: ignore[attr-defined]
    test_winit_body_gives_items_or_a_rejection.hypothesis.inner_test([order])  # type: ignore[attr-defined]
