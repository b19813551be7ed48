"""WINIT return orders to :class:`~app.model.InventoryRecord`.

Two shapes arrive: the EVENT_OMS_RMA_STATUS_CHANGE record (pushed, ``estimateSkuList`` and
``actualSkuList``) and the ``queryReturnOderList`` order (pulled, ``orderGoodsList`` with
``confirm*`` measures). Both are parsed leniently (numbers as strings, unknown status codes
kept as sent) and strictly where it matters: a value of the wrong kind raises
:class:`WinitMappingError` naming the field, never a half-filled record.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from app.model import (
    InventoryRecord,
    LineKind,
    SkuLine,
    Source,
    StatusChange,
    parse_time,
    winit_key,
)
from app.units import length_to_cm, parse_decimal, parse_int
from app.winit.signing import CHINA_TIME  # WINIT's wall-clock times; zone-less ones are read so

#: Statuses from every published revision (2023: OD LC PC RE WP OC DT CD; later: HI VO).
#: Unknown codes are kept as sent; this table only names them for people.
STATUS_NAMES: dict[str, str] = {
    "OD": "ordered",
    "LC": "picked up by the system",
    "PC": "collected",
    "RE": "received",
    "WP": "waiting for seller handling",
    "HI": "warehouse handling",
    "OC": "completed",
    "DT": "destroyed",
    "CD": "cancelled",
    "VO": "voided",
}

EVENT_NAME = "EVENT_OMS_RMA_STATUS_CHANGE"


class WinitMappingError(ValueError):
    """A WINIT record that cannot become an inventory record; the message names the field."""


# -- small lenient readers ---------------------------------------------------------------
def _text(item: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        value = item.get(name)
        if value is None:
            continue
        if isinstance(value, bool | dict | list):
            raise WinitMappingError(f"{name}: expected text, got {type(value).__name__}")
        text = str(value).strip()
        if text:
            return text
    return None


def _decimal(item: Mapping[str, Any], name: str) -> Decimal | None:
    try:
        return parse_decimal(item.get(name))
    except ValueError as exc:
        raise WinitMappingError(f"{name}: {exc}") from None


def _length(item: Mapping[str, Any], name: str) -> Decimal | None:
    try:
        return length_to_cm(item.get(name), "cm")
    except ValueError as exc:
        raise WinitMappingError(f"{name}: {exc}") from None


def _int(item: Mapping[str, Any], name: str) -> int | None:
    try:
        return parse_int(item.get(name))
    except ValueError as exc:
        raise WinitMappingError(f"{name}: {exc}") from None


def _time(item: Mapping[str, Any], *names: str) -> datetime | None:
    for name in names:
        value = item.get(name)
        if value is None or value == "":
            continue
        if isinstance(value, bool | dict | list):
            raise WinitMappingError(f"{name}: expected a time, got {type(value).__name__}")
        try:
            if isinstance(value, str) and not value.strip().isdigit():
                parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
                if not parsed.tzinfo:
                    parsed = parsed.replace(tzinfo=CHINA_TIME)
                if parsed.year in (1, 9999):
                    parsed.astimezone(UTC)  # OverflowError: off the calendar in UTC
                return parsed
            return parse_time(value)
        except (ValueError, OverflowError, OSError):
            raise WinitMappingError(f"{name}: not a time: {value!r}") from None
    return None


def _list(item: Mapping[str, Any], name: str) -> list[Mapping[str, Any]]:
    value = item.get(name)
    if value is None or value == "":
        return []
    if not isinstance(value, list):
        raise WinitMappingError(f"{name}: expected a list, got {type(value).__name__}")
    for entry in value:
        if not isinstance(entry, dict):
            raise WinitMappingError(f"{name}: expected objects in the list")
    return value


def _serials(goods: Mapping[str, Any]) -> tuple[str, ...]:
    serials: list[str] = []
    for entry in _list(goods, "itemList"):
        serial = _text(entry, "itemSerno")
        if serial and serial not in serials:
            serials.append(serial)
    return tuple(serials)


def _status(item: Mapping[str, Any]) -> str | None:
    status = _text(item, "status")
    return status.upper() if status else None


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    seen: list[str] = []
    for value in values:
        if value and value not in seen:
            seen.append(value)
    return tuple(seen)


# -- the pushed event -----------------------------------------------------------------------
def sku_line(goods: object, kind: LineKind) -> SkuLine:
    """One line of ``estimateSkuList`` / ``actualSkuList``."""
    if not isinstance(goods, Mapping):
        raise WinitMappingError("SKU line: expected an object")
    return SkuLine(
        kind=kind,
        **_goods_identity(goods),
        quantity=_int(goods, "quantity"),
        length_cm=_length(goods, "length"),
        width_cm=_length(goods, "width"),
        height_cm=_length(goods, "height"),
        volume_m3=_decimal(goods, "volume"),
        weight_kg=_decimal(goods, "weight"),
    )


def _goods_identity(goods: Mapping[str, Any]) -> dict[str, Any]:
    """What names the goods on a line, the same in events and in pulled orders."""
    return {
        "sku": _text(goods, "merchandiseCode"),
        "barcode": _text(goods, "merchandiseSerno"),
        "third_party_code": _text(goods, "skuCodeThird"),
        "specification": _text(goods, "specification"),
        "grade": _text(goods, "merchandiseGrade"),
        "handle_method": _text(goods, "handleMethod"),
        "serials": _serials(goods),
    }


def event_uuid(item: object) -> str | None:
    """The record's idempotency key (``uuid``), or None when it has none."""
    if not isinstance(item, Mapping):
        return None
    try:
        return _text(item, "uuid")
    except WinitMappingError:
        return None


def record_from_event(item: object) -> InventoryRecord:
    """One EVENT_OMS_RMA_STATUS_CHANGE record; ``statusTime`` is the view's time.

    A record without ``statusTime`` cannot be placed among the others ("newest statusTime
    wins"): it becomes a view without a time (``updated_at`` None), which fills what the
    stored order does not have yet and never replaces a status or measure some timed view
    set (see :func:`app.model.merge`). Nothing is guessed and nothing is lost: the
    receiver keeps the record itself in the raw-event log as well.
    """
    if not isinstance(item, Mapping):
        raise WinitMappingError("event record: expected an object")
    order_no = _text(item, "orderNo")
    if not order_no:
        raise WinitMappingError("orderNo: missing")
    status = _status(item)
    status_time = _time(item, "statusTime")
    uuid = _text(item, "uuid")
    history: tuple[StatusChange, ...] = ()
    if status and status_time:
        history = (StatusChange(status=status, at=status_time,
                                source_event=f"winit:{uuid}" if uuid else EVENT_NAME),)
    lines = tuple(sku_line(g, LineKind.ESTIMATE) for g in _list(item, "estimateSkuList")) + \
        tuple(sku_line(g, LineKind.ACTUAL) for g in _list(item, "actualSkuList"))
    meta = {name: text for name in ("isReturnLabel", "returnType", "destroyOutboundOrderNo")
            if (text := _text(item, name))}
    return InventoryRecord(
        source=Source.WINIT,
        key=winit_key(order_no),
        updated_at=status_time,
        winit_order_no=order_no,
        rma=_text(item, "rmaNo"),
        tracking_numbers=_unique((_text(item, "expressNo"), _text(item, "customerExpressNo"))),
        seller_reference=_text(item, "sellerOrderNo"),
        outbound_order_no=_text(item, "outboundOrderNo"),
        warehouse=_text(item, "warehouseCode"),
        status=status,
        return_reason=_text(item, "returnReason"),
        lines=lines,
        meta=meta,
        history=history,
        received_at=status_time if status == "RE" else None,
    )


def records_from_event_body(payload: Any) -> list[Mapping[str, Any]]:
    """The records of a decrypted event body: a JSON array (a lone object is accepted too)."""
    if isinstance(payload, dict):
        return [payload]
    if not isinstance(payload, list):
        raise WinitMappingError(f"event body: expected a JSON array, got {type(payload).__name__}")
    return payload


# -- the pulled order (queryReturnOderList) ------------------------------------------------
def goods_lines(goods: object) -> list[SkuLine]:
    """An ``orderGoodsList`` entry: the declared line (estimate) and the confirmed one (actual)."""
    if not isinstance(goods, Mapping):
        raise WinitMappingError("orderGoodsList: expected objects")
    common = SkuLine(**_goods_identity(goods))
    lines: list[SkuLine] = []
    declared = ("quantity", "length", "width", "height", "volume", "weight")
    if any(goods.get(name) not in (None, "") for name in declared):
        lines.append(dataclasses.replace(
            common, kind=LineKind.ESTIMATE, quantity=_int(goods, "quantity"),
            length_cm=_length(goods, "length"), width_cm=_length(goods, "width"),
            height_cm=_length(goods, "height"), volume_m3=_decimal(goods, "volume"),
            weight_kg=_decimal(goods, "weight")))
    confirmed = ("confirmQty", "confirmLength", "confirmWidth", "confirmHeight",
                 "confirmVolume", "confirmWeight")
    if any(goods.get(name) not in (None, "") for name in confirmed) or not lines:
        lines.append(dataclasses.replace(
            common, kind=LineKind.ACTUAL, quantity=_int(goods, "confirmQty"),
            length_cm=_length(goods, "confirmLength"), width_cm=_length(goods, "confirmWidth"),
            height_cm=_length(goods, "confirmHeight"), volume_m3=_decimal(goods, "confirmVolume"),
            weight_kg=_decimal(goods, "confirmWeight")))
    return lines


def record_from_order(order: object) -> InventoryRecord:
    """One return order from ``rma.returnGoodsOrder.queryReturnOderList``.

    Its time is the first of the order's own time fields it carries (the query's document
    names none for sure); without one it is a view without a time (it fills gaps and never
    replaces a timed value).
    """
    if not isinstance(order, Mapping):
        raise WinitMappingError("return order: expected an object")
    order_no = _text(order, "orderNo", "returnGoodsOrderNo", "returnOrderNo")
    if not order_no:
        raise WinitMappingError("orderNo/returnGoodsOrderNo: missing")
    status = _status(order)
    updated = _time(order, "statusTime", "updateTime", "updatedTime", "lastUpdateTime",
                    "modifyTime")
    estimate: list[SkuLine] = []
    actual: list[SkuLine] = []
    for goods in _list(order, "orderGoodsList"):
        for line in goods_lines(goods):
            (estimate if line.kind is LineKind.ESTIMATE else actual).append(line)
    history: tuple[StatusChange, ...] = ()
    if status and updated:
        history = (StatusChange(status=status, at=updated, source_event="winit:query"),)
    return InventoryRecord(
        source=Source.WINIT,
        key=winit_key(order_no),
        updated_at=updated,
        winit_order_no=order_no,
        rma=_text(order, "rmaNo"),
        tracking_numbers=_unique((_text(order, "expressNo"), _text(order, "customerExpressNo"))),
        seller_reference=_text(order, "sellerOrderNo", "customerOrderNo"),
        outbound_order_no=_text(order, "outboundOrderNo"),
        warehouse=_text(order, "warehouseCode"),
        status=status,
        return_reason=_text(order, "returnReason"),
        lines=(*estimate, *actual),
        history=history,
        created_at=_time(order, "createTime", "orderTime", "createdTime"),
    )
