"""The store's JSON form of an :class:`~app.model.InventoryRecord`, shared by both engines.

Decimals are written as text (exact), times as ISO 8601, enums by value; unknown (``None``
or empty) fields are left out, so a record's document holds only what some view said.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Mapping
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

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


def record_to_json(record: InventoryRecord) -> str:
    return _JSON.encode(_to_jsonable(record))


_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)  # what json.dumps would build


def record_from_json(text: str | bytes) -> InventoryRecord:
    data = json.loads(text)
    return InventoryRecord(
        source=Source(data["source"]),
        key=data["key"],
        updated_at=_time(data.get("updated_at")),
        return_inventory_id=data.get("return_inventory_id"),
        return_request_id=data.get("return_request_id"),
        line_item_id=data.get("line_item_id"),
        winit_order_no=data.get("winit_order_no"),
        rma=data.get("rma"),
        item_rma=data.get("item_rma"),
        tracking_numbers=tuple(data.get("tracking_numbers") or ()),
        seller_reference=data.get("seller_reference"),
        outbound_order_no=data.get("outbound_order_no"),
        warehouse=data.get("warehouse"),
        description=data.get("description"),
        status=data.get("status"),
        handling_code=data.get("handling_code"),
        handling_status=data.get("handling_status"),
        return_reason=data.get("return_reason"),
        value=_dec(data.get("value")),
        currency=data.get("currency"),
        lines=tuple(_line(d) for d in data.get("lines") or ()),
        images=tuple(Image(**d) for d in data.get("images") or ()),
        vas=tuple(Vas(**d) for d in data.get("vas") or ()),
        remarks=data.get("remarks"),
        meta=dict(data.get("meta") or {}),
        history=tuple(
            StatusChange(status=d["status"], at=_time_req(d["at"]), source_event=d.get("source_event"))
            for d in data.get("history") or ()
        ),
        created_at=_time(data.get("created_at")),
        received_at=_time(data.get("received_at")),
        handling_updated_at=_time(data.get("handling_updated_at")),
        field_times={k: _time_req(v) for k, v in (data.get("field_times") or {}).items()},
    )


def _line(d: Mapping[str, Any]) -> SkuLine:
    return SkuLine(
        kind=LineKind(d.get("kind", "received")),
        sku=d.get("sku"),
        barcode=d.get("barcode"),
        third_party_code=d.get("third_party_code"),
        description=d.get("description"),
        specification=d.get("specification"),
        grade=d.get("grade"),
        handle_method=d.get("handle_method"),
        quantity=d.get("quantity"),
        length_cm=_dec(d.get("length_cm")),
        width_cm=_dec(d.get("width_cm")),
        height_cm=_dec(d.get("height_cm")),
        volume_m3=_dec(d.get("volume_m3")),
        weight_kg=_dec(d.get("weight_kg")),
        serials=tuple(d.get("serials") or ()),
    )


_ALWAYS_WRITTEN = frozenset({"source", "key"})
_Encoder = Callable[[Any], Any]
#: How a value of each class is written, decided once per class (this runs on every
#: store write; the webhook receiver writes one record per event).
_ENCODERS: dict[type, _Encoder] = {}


def _to_jsonable(obj: Any) -> Any:
    encode = _ENCODERS.get(type(obj))
    if encode is None:
        encode = _ENCODERS[type(obj)] = _encoder_for(type(obj))
    return encode(obj)


def _same(obj: Any) -> Any:
    return obj


def _encoder_for(cls: type) -> _Encoder:
    if cls is type(None) or cls is str or cls is int or cls is bool or cls is float:
        return _same
    if dataclasses.is_dataclass(cls):
        return _dataclass_encoder(tuple(f.name for f in dataclasses.fields(cls)))
    if issubclass(cls, Decimal):
        return lambda obj: format(obj, "f")
    if issubclass(cls, datetime):
        return lambda obj: obj.isoformat()
    if issubclass(cls, StrEnum):
        return lambda obj: obj.value
    if issubclass(cls, Mapping):
        return lambda obj: {str(k): _to_jsonable(v) for k, v in obj.items()}
    if issubclass(cls, tuple | list):
        return lambda obj: [_to_jsonable(v) for v in obj]
    return _same


def _dataclass_encoder(names: tuple[str, ...]) -> _Encoder:
    """Known fields (see :func:`app.model._known`) by name; ``source`` and ``key`` always.
    Plain text, numbers, decimals, times and tuples take a short path; other values the
    general one."""
    fields = tuple((name, name in _ALWAYS_WRITTEN) for name in names)

    def encode(obj: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, always in fields:
            value = getattr(obj, name)
            kind = type(value)
            if value is None:
                if always:
                    out[name] = None
            elif kind is str:
                if value or always:
                    out[name] = value
            elif kind is tuple:
                if value or always:
                    out[name] = [_to_jsonable(v) for v in value]
            elif kind is int or kind is bool or kind is float:
                out[name] = value
            elif kind is Decimal:  # never equal to () or "": always known
                out[name] = format(value, "f")
            elif kind is datetime:
                out[name] = value.isoformat()
            elif always or _known(value):
                out[name] = _to_jsonable(value)
        return out

    return encode


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _time(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _time_req(value: Any) -> datetime:
    return datetime.fromisoformat(value)
