"""The store's JSON form of a record: the per-class encoders write exactly what the plain
field-by-field rule writes (known fields only, ``source``/``key`` always), and read back."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum
from typing import Any

import pytest

from app.codec import record_from_json, record_to_json
from app.model import (
    Image,
    InventoryRecord,
    LineKind,
    SkuLine,
    Source,
    StatusChange,
    Vas,
    _known,
)
from tests.app.store.helpers import rh, winit

T0 = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)


def _reference(obj: Any) -> Any:
    """The rule, written plainly (one generic walk)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _reference(getattr(obj, f.name)) for f in dataclasses.fields(obj)
                if _known(getattr(obj, f.name)) or f.name in ("source", "key")}
    if isinstance(obj, Decimal):
        return format(obj, "f")
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, StrEnum):
        return obj.value
    if isinstance(obj, Mapping):
        return {str(k): _reference(v) for k, v in obj.items()}
    if isinstance(obj, tuple | list):
        return [_reference(v) for v in obj]
    return obj


FULL = InventoryRecord(
    source=Source.RETURN_HELPER, key="rh:7", updated_at=T0, return_inventory_id=7,
    return_request_id=0, line_item_id=70, winit_order_no="", rma="RMA7", item_rma="",
    tracking_numbers=("1Z1", ""), seller_reference="ref", outbound_order_no=None,
    warehouse="WH", description="Speaker \u00e9\u00e8 \u4e2d", status="", handling_code="tbc",
    handling_status="pending", return_reason="damaged", value=Decimal("0"), currency="USD",
    lines=(SkuLine(kind=LineKind.ESTIMATE, sku="S1", quantity=0, length_cm=Decimal("30.50"),
                   width_cm=Decimal("1E+1"), height_cm=Decimal("0.001"), volume_m3=None,
                   weight_kg=Decimal("-0"), serials=("A", "B")),
           SkuLine(sku="", grade="GOOD", serials=())),
    images=(Image(url="https://x/1.jpg", key="k", thumbnail_url=""),),
    vas=(Vas(code="photo", finished=False), Vas(code="relabel", finished=True, status="done")),
    remarks="  ", meta={"EAN": "123", "": "empty key", "note": ""},
    history=(StatusChange(status="WP", at=T0, source_event="e1"),
             StatusChange(status="OD", at=T0 + timedelta(hours=1))),
    created_at=datetime(2026, 2, 1, 8, 0, tzinfo=timezone(timedelta(hours=8))),
    received_at=T0, handling_updated_at=None,
    field_times={"handling_code": T0 - timedelta(days=1)})
EMPTY = InventoryRecord(source=Source.WINIT, key="", rma="", tracking_numbers=(), meta={})


@pytest.mark.parametrize("record", [FULL, EMPTY, dataclasses.replace(FULL, meta={}, field_times={}),
                                    rh(1), rh(42, at=None), winit("W-1")],
                         ids=["full", "empty", "no-maps", "rh", "rh-no-time", "winit"])
def test_written_as_the_plain_rule_says(record: InventoryRecord) -> None:
    text = record_to_json(record)
    assert text == json.dumps(_reference(record), separators=(",", ":"), ensure_ascii=False)


@pytest.mark.parametrize("record", [rh(1), rh(42, at=None), winit("W-1"),
                                    dataclasses.replace(FULL, winit_order_no=None, item_rma=None,
                                                        status=None, lines=FULL.lines[:1],
                                                        tracking_numbers=("1Z1",), images=())])
def test_read_back_equal(record: InventoryRecord) -> None:
    """Records without empty text (which is written as unknown) read back equal."""
    assert record_from_json(record_to_json(record)) == record


def test_unknown_fields_are_left_out_and_known_falsy_ones_kept() -> None:
    data = json.loads(record_to_json(FULL))
    assert "outbound_order_no" not in data and "winit_order_no" not in data
    assert "status" not in data and "item_rma" not in data   # empty text is unknown
    assert data["return_request_id"] == 0 and data["value"] == "0"
    assert data["lines"][0]["quantity"] == 0 and data["lines"][0]["weight_kg"] == "-0"
    assert data["lines"][0]["width_cm"] == "10" and data["lines"][1] == {
        "kind": "received", "grade": "GOOD"}
    assert data["tracking_numbers"] == ["1Z1", ""] and data["vas"][0] == {
        "code": "photo", "finished": False}
    assert data["meta"] == {"EAN": "123", "": "empty key", "note": ""}
    empty = json.loads(record_to_json(EMPTY))
    assert empty == {"source": "winit", "key": "", "meta": {}, "field_times": {}}
