"""The domain model: one inventory record type that both vendors map into.

A record is what an operator sees for one received parcel: a Return Helper *return
inventory* or a WINIT *return order*. Vendors send partial views of a record (the
``newInventoryCreated`` webhook has dimensions, the details API does not; a re-measure
event has only dimensions), so every field may be ``None`` meaning "this view does not
say", and :func:`merge` combines views newest-wins, field by field.

Everything here is plain data: frozen dataclasses, ``Decimal`` for every measure,
timezone-aware UTC datetimes. Conversion to and from JSON for the store lives here too,
so both store engines share it.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any


class Source(StrEnum):
    RETURN_HELPER = "returnhelper"
    WINIT = "winit"


class LineKind(StrEnum):
    """Which list a SKU line belongs to.

    Return Helper has one received line per inventory. WINIT declares goods when the
    return is ordered (``estimate``) and reports what was actually put away (``actual``).
    """

    RECEIVED = "received"
    ESTIMATE = "estimate"
    ACTUAL = "actual"


class IdKind(StrEnum):
    """Every identifier an operator can scan, as the store indexes them."""

    RMA = "rma"
    TRACKING = "tracking"
    INVENTORY_ID = "inventory_id"
    WINIT_ORDER = "winit_order"
    SELLER_REFERENCE = "seller_reference"
    SKU = "sku"
    BARCODE = "barcode"
    SERIAL = "serial"
    OTHER = "other"  # meta values such as EAN, IMEI, LPN


@dataclass(frozen=True, slots=True)
class SkuLine:
    kind: LineKind = LineKind.RECEIVED
    sku: str | None = None                 # Return Helper sku / WINIT merchandiseCode
    barcode: str | None = None             # WINIT merchandiseSerno (goods barcode)
    third_party_code: str | None = None    # WINIT skuCodeThird
    description: str | None = None
    specification: str | None = None
    grade: str | None = None               # GOOD / DEFECTIVE
    handle_method: str | None = None       # WINIT SA / NS / DE / GOOD_SA / DEFECTIVE_SA
    quantity: int | None = None
    length_cm: Decimal | None = None
    width_cm: Decimal | None = None
    height_cm: Decimal | None = None
    volume_m3: Decimal | None = None
    weight_kg: Decimal | None = None
    serials: tuple[str, ...] = ()

    @property
    def dimensions_text(self) -> str:
        """``"30 x 20 x 10"`` (cm) or ``""`` when any side is unknown."""
        sides = (self.length_cm, self.width_cm, self.height_cm)
        if any(s is None for s in sides):
            return ""
        return " x ".join(format(s, "f") for s in sides if s is not None)


@dataclass(frozen=True, slots=True)
class Image:
    url: str
    key: str | None = None
    thumbnail_url: str | None = None


@dataclass(frozen=True, slots=True)
class Vas:
    """A value-added-service request on the line item (photos, relabel, ...)."""

    code: str
    finished: bool
    status: str | None = None


@dataclass(frozen=True, slots=True)
class StatusChange:
    status: str
    at: datetime
    source_event: str | None = None


@dataclass(frozen=True, slots=True)
class InventoryRecord:
    """One received parcel. ``key`` is the natural key: ``rh:<id>`` or ``winit:<orderNo>``."""

    source: Source
    key: str
    updated_at: datetime | None = None      # the vendor's time for this view (newest wins)
    return_inventory_id: int | None = None
    return_request_id: int | None = None
    line_item_id: int | None = None
    winit_order_no: str | None = None
    rma: str | None = None
    item_rma: str | None = None
    tracking_numbers: tuple[str, ...] = ()
    seller_reference: str | None = None
    outbound_order_no: str | None = None
    warehouse: str | None = None
    description: str | None = None
    status: str | None = None               # WINIT order status (OD/LC/.../unknown kept as is)
    handling_code: str | None = None        # Return Helper handling (normalised code)
    handling_status: str | None = None      # pending / inProgress / completed
    return_reason: str | None = None
    value: Decimal | None = None
    currency: str | None = None
    lines: tuple[SkuLine, ...] = ()
    images: tuple[Image, ...] = ()
    vas: tuple[Vas, ...] = ()
    remarks: str | None = None
    meta: Mapping[str, str] = field(default_factory=dict)
    history: tuple[StatusChange, ...] = ()
    created_at: datetime | None = None
    received_at: datetime | None = None
    handling_updated_at: datetime | None = None

    # -- derived views -----------------------------------------------------------------
    @property
    def primary_line(self) -> SkuLine | None:
        """The line to show in the list: received, else actual, else estimate."""
        for kind in (LineKind.RECEIVED, LineKind.ACTUAL, LineKind.ESTIMATE):
            for line in self.lines:
                if line.kind is kind:
                    return line
        return None

    @property
    def has_unfinished_vas(self) -> bool:
        return any(not v.finished for v in self.vas)

    def identifiers(self) -> list[tuple[IdKind, str]]:
        """Every scannable identifier of this record, for the store's lookup index."""
        found: list[tuple[IdKind, str]] = []

        def add(kind: IdKind, value: object) -> None:
            if value is None:
                return
            text = str(value).strip()
            if text and (kind, text) not in found:
                found.append((kind, text))

        add(IdKind.RMA, self.rma)
        add(IdKind.RMA, self.item_rma)
        for number in self.tracking_numbers:
            add(IdKind.TRACKING, number)
        add(IdKind.INVENTORY_ID, self.return_inventory_id)
        add(IdKind.WINIT_ORDER, self.winit_order_no)
        add(IdKind.WINIT_ORDER, self.outbound_order_no)
        add(IdKind.SELLER_REFERENCE, self.seller_reference)
        for line in self.lines:
            add(IdKind.SKU, line.sku)
            add(IdKind.SKU, line.third_party_code)
            add(IdKind.BARCODE, line.barcode)
            for serial in line.serials:
                add(IdKind.SERIAL, serial)
        for name, value in sorted(self.meta.items()):
            if name.upper() in {"EAN", "UPC", "IMEI", "LPN", "SN", "SERIAL", "GTIN"}:
                add(IdKind.OTHER, value)
        return found


def rh_key(return_inventory_id: int) -> str:
    return f"rh:{return_inventory_id}"


def winit_key(order_no: str) -> str:
    return f"winit:{order_no}"


# -- merging partial views ----------------------------------------------------------------
_MERGE_SKIP = {"source", "key", "updated_at", "lines", "history", "meta"}


def merge(existing: InventoryRecord | None, incoming: InventoryRecord) -> InventoryRecord:
    """Combine two views of one record, newest wins field by field.

    A field the incoming view leaves ``None``/empty never erases a known value. When the
    incoming view is older than what is stored, it only fills gaps. Lines are merged per
    (kind, index) the same way, so a details call without dimensions keeps the dimensions
    a webhook delivered. Status history is the union, in time order.
    """
    if existing is None:
        return incoming
    if existing.key != incoming.key:
        raise ValueError(f"cannot merge {incoming.key} into {existing.key}")
    newer = _is_newer(incoming.updated_at, existing.updated_at)
    base, top = (existing, incoming) if newer else (incoming, existing)
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(InventoryRecord):
        if f.name in _MERGE_SKIP:
            continue
        top_value = getattr(top, f.name)
        changes[f.name] = top_value if _known(top_value) else getattr(base, f.name)
    changes["lines"] = _merge_lines(base.lines, top.lines)
    changes["meta"] = {**base.meta, **top.meta}
    changes["history"] = _merge_history(existing.history, incoming.history)
    changes["updated_at"] = _latest(existing.updated_at, incoming.updated_at)
    return dataclasses.replace(existing, **changes)


def _known(value: object) -> bool:
    return value is not None and value != () and value != ""


def _is_newer(a: datetime | None, b: datetime | None) -> bool:
    """Is ``a`` at least as new as ``b``? Unknown times count as new (a live event)."""
    if a is None or b is None:
        return True
    return a >= b


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _merge_lines(base: tuple[SkuLine, ...], top: tuple[SkuLine, ...]) -> tuple[SkuLine, ...]:
    if not top:
        return base
    if not base:
        return top
    merged: list[SkuLine] = []
    base_by_kind = _group(base)
    top_by_kind = _group(top)
    for kind in LineKind:
        b_lines, t_lines = base_by_kind.get(kind, []), top_by_kind.get(kind, [])
        if not t_lines:
            merged.extend(b_lines)
            continue
        if len(b_lines) != len(t_lines):
            merged.extend(t_lines)  # the newer view lists a different set of goods
            continue
        for b_line, t_line in zip(b_lines, t_lines, strict=True):
            values = {
                f.name: getattr(t_line, f.name) if _known(getattr(t_line, f.name))
                else getattr(b_line, f.name)
                for f in dataclasses.fields(SkuLine)
            }
            merged.append(SkuLine(**values))
    return tuple(merged)


def _group(lines: Iterable[SkuLine]) -> dict[LineKind, list[SkuLine]]:
    groups: dict[LineKind, list[SkuLine]] = {}
    for line in lines:
        groups.setdefault(line.kind, []).append(line)
    return groups


def _merge_history(a: tuple[StatusChange, ...],
                   b: tuple[StatusChange, ...]) -> tuple[StatusChange, ...]:
    seen = {(c.status, c.at): c for c in (*a, *b)}
    return tuple(sorted(seen.values(), key=lambda c: c.at))


# -- decisions (the audit trail and the outbox share this type) ----------------------------
class DecisionState(StrEnum):
    QUEUED = "queued"        # written durably, not yet answered by the API
    SENDING = "sending"      # a request is in flight
    APPLIED = "applied"      # the API accepted it
    FAILED = "failed"        # the API refused it, or retrying cannot help (soft 400, 401)
    DISCARDED = "discarded"  # an operator gave up on a failed decision
    SUPERSEDED = "superseded"  # another desk decided first


class DecisionAction(StrEnum):
    UPDATE = "update"
    CANCEL = "cancel"


@dataclass(frozen=True, slots=True)
class Decision:
    """One operator decision on one record, as kept in the store's decision log."""

    id: int | None
    key: str
    action: DecisionAction
    new_handling: str | None
    old_handling: str | None
    operator: str
    desk: str
    created_at: datetime
    idempotency_key: str
    state: DecisionState = DecisionState.QUEUED
    attempts: int = 0
    result_message: str | None = None
    error_code: str | None = None
    correlation_id: str | None = None
    updated_at: datetime | None = None


def utcnow() -> datetime:
    return datetime.now(UTC)


def parse_time(value: object) -> datetime | None:
    """Lenient time parsing: ISO 8601 (with or without zone, ``Z``), or epoch ms/s numbers.

    Times without a zone are taken as UTC (the vendors document UTC). Raises
    :class:`ValueError` for text that is not a time.
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, int | float | Decimal) or (isinstance(value, str) and value.strip().isdigit()):
        number = float(value)
        if number > 1e11:  # milliseconds since the epoch
            number /= 1000
        return datetime.fromtimestamp(number, UTC)
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not a time: {value!r}") from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise ValueError(f"not a time: {value!r}")


# -- JSON for the store ---------------------------------------------------------------------
def record_to_json(record: InventoryRecord) -> str:
    return json.dumps(_to_jsonable(record), separators=(",", ":"), ensure_ascii=False)


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


def _to_jsonable(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)
                if _known(getattr(obj, f.name)) or f.name in {"source", "key"}}
    if isinstance(obj, Decimal):
        return format(obj, "f")
    if isinstance(obj, datetime):
        return obj.isoformat()
    if isinstance(obj, StrEnum):
        return obj.value
    if isinstance(obj, Mapping):
        return {str(k): _to_jsonable(v) for k, v in obj.items()}
    if isinstance(obj, tuple | list):
        return [_to_jsonable(v) for v in obj]
    return obj


def _dec(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _time(value: Any) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _time_req(value: Any) -> datetime:
    return datetime.fromisoformat(value)
