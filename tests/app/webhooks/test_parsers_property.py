"""Property tests: the event parsers never crash. Any input gives records or a clear rejection."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.model import InventoryRecord, Source
from app.webhooks.returnhelper_events import (
    HANDLERS,
    EventError,
    Interpretation,
    interpret,
    parse_envelope,
)
from app.webhooks.winit_events import parse_body
from app.winit.mapping import WinitMappingError, record_from_event, record_from_order

json_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=12),
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
SECTIONS = ["returnInventory", "shipment", "recalibrateSupplement", "payload", "updateVasList",
            "returnInventoryList", "metaType", "metaMap"]


@st.composite
def rh_bodies(draw: st.DrawFn) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": draw(st.sampled_from(["rinv", "rrliv", "newInventoryCreated", "x", 5])),
        "action": draw(st.sampled_from([*HANDLERS, "newInventoryCreated", "other", None])),
        "eventTime": draw(st.sampled_from([datetime.now(UTC).isoformat(), "nope", 12, None])),
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
        result = interpret(event, lookup=lambda key: None)
    except EventError as exc:
        assert exc.reason == "invalid" and str(exc)
        return
    assert isinstance(result, Interpretation)
    for record in result.records:
        assert isinstance(record, InventoryRecord)
        assert record.source is Source.RETURN_HELPER and record.key.startswith("rh:")
        assert record.return_inventory_id is not None


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_rh_any_json_gives_records_or_a_rejection(value: Any) -> None:
    _check_rh(json.dumps(value).encode())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rh_bodies())
def test_rh_event_shaped_json_gives_records_or_a_rejection(body: dict[str, Any]) -> None:
    _check_rh(json.dumps(body).encode())


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
