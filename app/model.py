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
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
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
    #: the vendor's time for this view (newest wins); None: the view carries no vendor time
    #: and never replaces a timed value (never the local time of a fetch: see :func:`merge`)
    updated_at: datetime | None = None
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
    #: when each field was last set, where that differs from ``updated_at`` (see :func:`merge`)
    field_times: Mapping[str, datetime] = field(default_factory=dict)

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


def is_awaiting_decision(record: InventoryRecord) -> bool:
    """Does this item still need an operator's decision? (The desk's default list.)

    Return Helper: the handling is unset or ``tbc`` (to be confirmed) and the warehouse has
    not completed handling. WINIT: the return order is ``WP`` (waiting for seller handling).
    The store keeps this as a flag per record; this function is the only place the rule lives.
    """
    if record.source is Source.WINIT:
        return (record.status or "").strip().upper() == "WP"
    code = (record.handling_code or "").strip().lower()
    status = (record.handling_status or "").strip().lower()
    return code in {"", "tbc", "0"} and status not in {"completed", "2"}


def rh_key(return_inventory_id: int) -> str:
    return f"rh:{return_inventory_id}"


def winit_key(order_no: str) -> str:
    return f"winit:{order_no}"


# -- merging partial views ----------------------------------------------------------------
#: The time of a view that carries no vendor time (``updated_at`` None), and of the values it
#: set: older than any real time, so such a view fills gaps and never replaces a timed value,
#: and any timed view replaces what it set.
NO_TIME = datetime.min.replace(tzinfo=UTC)

_MERGE_SKIP = {"source", "key", "updated_at", "lines", "vas", "history", "meta", "field_times"}


def merge(existing: InventoryRecord | None, incoming: InventoryRecord) -> InventoryRecord:
    """Combine two views of one record, newest wins *field by field*.

    Each known field remembers the time of the view that set it (``field_times``; only
    times that differ from ``updated_at`` are kept). An incoming value replaces a stored
    one when its view is at least as new as the stored field's view, so events arriving
    out of order converge on the same record whatever the order. A field the incoming view
    leaves ``None``/empty never erases a known value. A view without a time (no vendor time:
    ``updated_at`` is None) counts as older than any timed view (:data:`NO_TIME`): it fills
    gaps and never replaces a value a timed view set (it replaces only what another view
    without a time set: the later of two such views wins). Lines are merged per (kind, index)
    field by field; a view listing a different number of goods of a kind replaces that
    kind's lines when it is newer. VAS requests are merged per code, each with its own time.
    Status history is the union, in time order.
    """
    if existing is None:
        return incoming
    if existing.key != incoming.key:
        raise ValueError(f"cannot merge {incoming.key} into {existing.key}")
    t_in = incoming.updated_at
    at = NO_TIME if t_in is None else t_in
    times = _full_times(existing)
    changes: dict[str, Any] = {}

    def take(name: str, old: Any, new: Any) -> Any:
        if not _known(new):
            return old
        if _known(old) and at < times.get(name, NO_TIME):
            return old  # an older view (a view without a time: older than any) fills gaps only
        times[name] = at
        return new

    for name in _SCALAR_FIELDS:
        changes[name] = take(name, getattr(existing, name), getattr(incoming, name))
    meta = dict(existing.meta)
    for meta_key, value in incoming.meta.items():
        meta[meta_key] = take(f"meta.{meta_key}", meta.get(meta_key), value)
    changes["meta"] = meta
    changes["lines"] = _merge_lines(existing.lines, incoming.lines, take, times, at)
    changes["vas"] = _merge_vas(existing.vas, incoming.vas, take)
    changes["history"] = _merge_history(existing.history, incoming.history)
    updated_at = _latest(existing.updated_at, t_in)
    changes["updated_at"] = updated_at
    default = NO_TIME if updated_at is None else updated_at
    changes["field_times"] = {k: v for k, v in times.items() if v != default}
    return dataclasses.replace(existing, **changes)


def _full_times(record: InventoryRecord) -> dict[str, datetime]:
    """Every known field's time: the remembered one, else the record's own time (else
    :data:`NO_TIME`: a record no view with a time has touched)."""
    default = NO_TIME if record.updated_at is None else record.updated_at
    times: dict[str, datetime] = {}
    for name in _SCALAR_FIELDS:
        if _known(getattr(record, name)):
            times[name] = default
    for meta_key in record.meta:
        times[f"meta.{meta_key}"] = default
    for key in _line_keys(record.lines):
        times[key] = default
    # a record written before VAS was merged per code may remember one time for the list
    vas_time = record.field_times.get("vas", default)
    for entry in record.vas:
        times[f"vas.{entry.code}"] = vas_time
    times.update(record.field_times)
    times.pop("vas", None)
    return times


def _line_keys(lines: tuple[SkuLine, ...]) -> list[str]:
    keys: list[str] = []
    for kind, group in _group(lines).items():
        keys.append(f"lines.{kind.value}")
        for index, line in enumerate(group):
            keys.extend(f"lines.{kind.value}.{index}.{f.name}" for f in dataclasses.fields(SkuLine)
                        if f.name != "kind" and _known(getattr(line, f.name)))
    return keys


def _known(value: object) -> bool:
    return value is not None and value != () and value != ""


def _latest(a: datetime | None, b: datetime | None) -> datetime | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def _merge_lines(base: tuple[SkuLine, ...], top: tuple[SkuLine, ...],
                 take: Callable[[str, Any, Any], Any], times: dict[str, datetime],
                 at: datetime) -> tuple[SkuLine, ...]:
    if not top:
        return base
    merged: list[SkuLine] = []
    base_by_kind = _group(base)
    top_by_kind = _group(top)
    for kind in LineKind:
        b_lines, t_lines = base_by_kind.get(kind, []), top_by_kind.get(kind, [])
        if not t_lines:
            merged.extend(b_lines)
            continue
        if len(b_lines) != len(t_lines):
            # A different set of goods: the newer list wins as a whole, and each of its
            # fields has the time of the view that set it (not the record's later time).
            newer = tuple(t_lines)
            chosen = take(f"lines.{kind.value}", tuple(b_lines) or None, newer)
            if chosen is newer:
                prefix = f"lines.{kind.value}."
                for key in [k for k in times if k.startswith(prefix)]:
                    del times[key]
                times.update((key, at) for key in _line_keys(newer))
            merged.extend(chosen)
            continue
        take(f"lines.{kind.value}", tuple(b_lines), tuple(t_lines))
        for index, (b_line, t_line) in enumerate(zip(b_lines, t_lines, strict=True)):
            values: dict[str, Any] = {"kind": kind}
            for f in dataclasses.fields(SkuLine):
                if f.name != "kind":
                    values[f.name] = take(f"lines.{kind.value}.{index}.{f.name}",
                                          getattr(b_line, f.name), getattr(t_line, f.name))
            merged.append(SkuLine(**values))
    return tuple(merged)


def _merge_vas(base: tuple[Vas, ...], top: tuple[Vas, ...],
               take: Callable[[str, Any, Any], Any]) -> tuple[Vas, ...]:
    """VAS requests merged per code, each with its own time (``vas.<code>``): a view that
    names one code (a ``vasUpdated`` event) changes that code only, whatever order views
    arrive in; codes a view does not name are kept."""
    if not top:
        return base
    merged = _vas_by_code(base)
    for code, entry in _vas_by_code(top).items():
        merged[code] = take(f"vas.{code}", merged.get(code), entry)
    return tuple(merged.values())


def _vas_by_code(entries: Iterable[Vas]) -> dict[str, Vas]:
    """One entry per code, in first-seen order. Should a view list a code twice, an
    unfinished entry is kept over a finished one (never unblock a decision by a guess)."""
    by_code: dict[str, Vas] = {}
    for entry in entries:
        seen = by_code.get(entry.code)
        if seen is None or seen.finished:
            by_code[entry.code] = entry
    return by_code


_SCALAR_FIELDS = tuple(f.name for f in dataclasses.fields(InventoryRecord) if f.name not in _MERGE_SKIP)


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


#: The error code of a decision withdrawn by an undo before it was sent (DISCARDED): the
#: window shows its own words for it, in the operator's language.
WITHDRAWN_CODE = "withdrawn"


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


def as_aware(moment: datetime) -> datetime:
    """``moment`` with a zone: a time without one is taken as UTC (the vendors document UTC)."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_day_start(day: date | None = None) -> datetime:
    """Local midnight at the start of ``day`` (default: today), aware (DST-aware): where
    "today" begins for the operator."""
    return datetime.combine(day or datetime.now().date(), time()).astimezone()


def new_idempotency_key() -> str:
    """A fresh idempotency key for a decision's request. uuid is imported here, on the
    first decision, not when the desk starts (with the ``platform`` module it pulls in,
    ~6 ms of start-up)."""
    import uuid

    return str(uuid.uuid4())


def parse_time(value: object) -> datetime | None:
    """Lenient time parsing: ISO 8601 (with or without zone, ``Z``), or epoch ms/s numbers.

    Times without a zone are taken as UTC (the vendors document UTC). Raises
    :class:`ValueError` for text that is not a time and for a time out of range: a number
    too large (or infinite, NaN) for a date, or a time at the calendar's ends whose zone
    puts it outside it in UTC. Nothing else escapes (no OverflowError or OSError).
    """
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return as_aware(value)
    if isinstance(value, bool):
        raise ValueError(f"not a time: {value!r}")
    if isinstance(value, int | float | Decimal) or (isinstance(value, str) and value.strip().isdigit()):
        try:
            number = float(value)
            if number > 1e11:  # milliseconds since the epoch
                number /= 1000
            return datetime.fromtimestamp(number, UTC)
        except (ValueError, OverflowError, OSError):  # NaN, infinite, past year 9999 or 1
            raise ValueError(f"not a time (out of range): {value!r:.40}") from None
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"not a time: {value!r:.60}") from None
        if not parsed.tzinfo:
            return parsed.replace(tzinfo=UTC)
        if parsed.year in (1, 9999):  # only there can a zone take the time off the calendar
            try:
                parsed.astimezone(UTC)
            except OverflowError:
                raise ValueError(f"not a time (out of range in UTC): {value!r:.60}") from None
        return parsed
    raise ValueError(f"not a time: {value!r:.60}")
