"""Return Helper webhook bodies: the envelope, and what each event kind changes.

Pure functions (no I/O): :func:`parse_envelope` reads ``category``/``action``/``eventTime``/
``notificationId`` from a raw body, :func:`interpret` turns an event into the records it
changes using :mod:`app.returnhelper.mapping`. A known event whose fields cannot be read
raises :class:`EventError` naming the field: no partial record is ever produced. Unknown
kinds are not an error: they are kept in the raw-event log (outcome ``unknown_event``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from app.model import InventoryRecord, SkuLine, Source, Vas, parse_time, rh_key
from app.returnhelper.mapping import MappingError, map_recalibrate, map_webhook_inventory
from app.units import UnitError, length_to_cm, parse_int, volume_m3, weight_to_kg

log = logging.getLogger("app.webhooks")


class Outcome:
    APPLIED = "applied"              # records were changed (or confirmed unchanged)
    UNKNOWN_EVENT = "unknown_event"  # a kind this version does not handle: kept, answered 2xx
    UNMATCHED = "unmatched"          # a known kind that names no inventory we can key on
    DUPLICATE = "duplicate"          # seen before (same notificationId or same body)


class EventError(ValueError):
    """The body cannot be used. ``reason`` is a short code for logs and the raw-event log."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class RhEvent:
    category: str | None
    action: str | None
    event_time: datetime | None
    notification_id: str | None
    version: str | None
    payload: Mapping[str, Any] = field(repr=False)

    @property
    def kind(self) -> str:
        return f"{self.category or '?'}/{self.action or '?'}"


@dataclass(frozen=True, slots=True)
class Interpretation:
    outcome: str
    records: list[InventoryRecord]
    note: str = ""


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def dedup_key(event: RhEvent | None, body: bytes) -> str:
    """``rh:n:<notificationId>`` when the event names one, else ``rh:b:<sha256 of body>``."""
    if event is not None and event.notification_id:
        return f"rh:n:{event.notification_id}"
    return f"rh:b:{body_digest(body)}"


def _optional_text(payload: Mapping[str, Any], name: str) -> str | None:
    value = payload.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise EventError("invalid", f"{name}: expected text, got {type(value).__name__}")
    text = str(value).strip()
    return text or None


def parse_envelope(body: bytes) -> RhEvent:
    """The common fields of a webhook body. Raises :class:`EventError` for non-JSON bodies,
    bodies that are not a JSON object, and unreadable ``eventTime``."""
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise EventError("malformed_json", "the body is not valid JSON") from None
    if not isinstance(payload, dict):
        raise EventError("not_an_object", f"the body is JSON {type(payload).__name__}, not an object")
    raw_time = payload.get("eventTime")
    if isinstance(raw_time, dict | list | bool):
        raise EventError("invalid", "eventTime: not a time")
    try:
        event_time = parse_time(raw_time)
    except (ValueError, OverflowError, OSError):
        raise EventError("invalid", f"eventTime: not a time: {raw_time!r}") from None
    return RhEvent(category=_optional_text(payload, "category"),
                   action=_optional_text(payload, "action"),
                   event_time=event_time,
                   notification_id=_optional_text(payload, "notificationId"),
                   version=_optional_text(payload, "version"),
                   payload=payload)


# -- event kinds ----------------------------------------------------------------------------
def _inventory_objects(payload: Mapping[str, Any]) -> list[object]:
    """Where a returnInventory object sits: ``returnInventory``, ``returnInventoryList`` or
    the body itself (some samples put the record's fields at the top level)."""
    if "returnInventory" in payload:
        return [payload["returnInventory"]]
    if "returnInventoryList" in payload:
        value = payload["returnInventoryList"]
        if not isinstance(value, list):
            raise EventError("invalid", "returnInventoryList: expected a list")
        return list(value)
    inner = payload.get("payload")
    if isinstance(inner, Mapping) and "returnInventoryId" in inner:
        return [inner]
    if "returnInventoryId" in payload:
        return [payload]
    return []


def _inventory_event(event: RhEvent, file_base: str | None) -> Interpretation:
    payload = event.payload
    shipment = payload.get("shipment")
    if shipment is not None and not isinstance(shipment, Mapping):
        raise EventError("invalid", "shipment: expected an object")
    objects = _inventory_objects(payload)
    if not objects:
        return Interpretation(Outcome.UNMATCHED, [], "no returnInventory in the event")
    records = []
    for obj in objects:
        if isinstance(obj, Mapping) and "metaType" in payload and "returnInventoryMetaList" not in obj:
            obj = {**obj, "returnInventoryMetaList": [
                {"metaType": payload.get("metaType"), "metaMap": payload.get("metaMap")}]}
        records.append(map_webhook_inventory(obj, shipment, event_time=event.event_time,
                                             file_base=file_base))
    return Interpretation(Outcome.APPLIED, records)


def _recalibrate(event: RhEvent, file_base: str | None) -> Interpretation:
    supplement = event.payload.get("recalibrateSupplement")
    if supplement is None:
        raise EventError("invalid", "recalibrateSupplement: is missing")
    return Interpretation(Outcome.APPLIED, [map_recalibrate(supplement, event_time=event.event_time)])


def _rma_swapped(event: RhEvent, file_base: str | None) -> Interpretation:
    inner = event.payload.get("payload", event.payload)
    if not isinstance(inner, Mapping):
        raise EventError("invalid", "payload: expected an object")
    try:
        inventory_id = parse_int(inner.get("returnInventoryId"))
    except ValueError:
        raise EventError("invalid", "payload.returnInventoryId: not a whole number") from None
    if inventory_id is None:
        raise EventError("invalid", "payload.returnInventoryId: is missing")
    new_rma = _optional_text(inner, "newRma")
    old_rma = _optional_text(inner, "oldRma")
    if new_rma is None:
        raise EventError("invalid", "payload.newRma: is missing")
    record = InventoryRecord(source=Source.RETURN_HELPER, key=rh_key(inventory_id),
                             updated_at=event.event_time, return_inventory_id=inventory_id,
                             rma=new_rma, meta={"previousRma": old_rma} if old_rma else {})
    return Interpretation(Outcome.APPLIED, [record])


#: ``vasStatusCode`` values the vendor documents (``pending``/``successful``/``failed``). No
#: numeric or other codes are documented: anything else counts as not finished, logged.
_FINISHED_VAS = frozenset({"successful", "failed"})
_UNFINISHED_VAS = frozenset({"pending"})


def vas_finished(status: str | None) -> bool:
    """``successful`` and ``failed`` are finished, ``pending`` is not. Any other code (the
    reference documents no numeric ones) is not finished either, with a warning in the log:
    guessing "finished" would let the desk offer a decision the vendor refuses."""
    code = (status or "").strip().lower()
    if code in _FINISHED_VAS:
        return True
    if code not in _UNFINISHED_VAS:
        log.warning("webhook vas_status=unknown code=%r: counted as not finished (documented: "
                    "pending, successful, failed)", status)
    return False


def _vas_updated(event: RhEvent, file_base: str | None) -> Interpretation:
    """Each entry changes its own VAS code (and the measures it carries) and nothing else:
    :func:`app.model.merge` merges VAS per code, each with its own time, so updates for one
    item arriving out of order or written in one batch never undo each other (a whole list
    rebuilt from the stored record, read before the batch, lost the other codes' updates)."""
    entries = event.payload.get("updateVasList")
    if not isinstance(entries, list):
        raise EventError("invalid", "updateVasList: expected a list")
    vas_by_key: dict[str, list[Vas]] = {}
    lines_by_key: dict[str, tuple[SkuLine, ...]] = {}
    ids: dict[str, int] = {}
    unmatched = 0
    for index, entry in enumerate(entries):
        where = f"updateVasList[{index}]"
        if not isinstance(entry, Mapping):
            raise EventError("invalid", f"{where}: expected an object")
        try:
            inventory_id = parse_int(entry.get("returnInventoryId"))
        except ValueError:
            raise EventError("invalid", f"{where}.returnInventoryId: not a whole number") from None
        status_raw = entry.get("vasStatusCode")
        if isinstance(status_raw, dict | list | bool):
            raise EventError("invalid", f"{where}.vasStatusCode: not a code")
        status = None if status_raw is None else str(status_raw).strip()
        code = _optional_text(entry, "vasCode")
        try:
            uom_l = _optional_text(entry, "dimensionUom") or "cm"
            sides = [length_to_cm(entry.get(f"dimension{i}"), uom_l) for i in (1, 2, 3)]
            weight = weight_to_kg(entry.get("weight"), _optional_text(entry, "weightUom") or "g")
        except (UnitError, ValueError) as exc:
            raise EventError("invalid", f"{where}: {exc}") from None
        if inventory_id is None:
            unmatched += 1
            continue
        key = rh_key(inventory_id)
        ids[key] = inventory_id
        vas = vas_by_key.setdefault(key, [])
        if code is not None:
            vas.append(Vas(code=code, finished=vas_finished(status), status=status))
        if any(s is not None for s in sides) or weight is not None:
            lines_by_key[key] = (SkuLine(length_cm=sides[0], width_cm=sides[1], height_cm=sides[2],
                                         volume_m3=volume_m3(sides[0], sides[1], sides[2]),
                                         weight_kg=weight),)
    records = [InventoryRecord(source=Source.RETURN_HELPER, key=key,
                               updated_at=event.event_time, return_inventory_id=ids[key],
                               vas=tuple(vas), lines=lines_by_key.get(key, ()))
               for key, vas in vas_by_key.items()]
    if not records:
        return Interpretation(Outcome.UNMATCHED, [],
                              f"{unmatched} VAS update(s) without a returnInventoryId")
    note = f"{unmatched} VAS update(s) without a returnInventoryId" if unmatched else ""
    return Interpretation(Outcome.APPLIED, records, note)


_Handler = Callable[[RhEvent, "str | None"], Interpretation]

#: Handled kinds by ``action`` (categories vary between document versions; actions do not).
HANDLERS: dict[str, _Handler] = {
    "newinventorycreated": _inventory_event,
    "completeinventoryhandling": _inventory_event,
    "cancelinventoryhandling": _inventory_event,
    "completerecalibrate": _recalibrate,
    "userupdatereturninventorysku": _inventory_event,
    "warehouseupdatewarehouseremarks": _inventory_event,
    "updatereturninventorymeta": _inventory_event,
    "notifyuserrmaswapped": _rma_swapped,
    "vasupdated": _vas_updated,
}


def handler_for(event: RhEvent) -> _Handler | None:
    for name in (event.action, event.category):
        if name and name.lower() in HANDLERS:
            return HANDLERS[name.lower()]
    return None


def interpret(event: RhEvent, *, file_base: str | None = None) -> Interpretation:
    """The records an event changes. Raises :class:`EventError` for a known kind with
    unreadable fields; an unknown kind gives outcome ``unknown_event`` and no records."""
    handler = handler_for(event)
    if handler is None:
        return Interpretation(Outcome.UNKNOWN_EVENT, [], f"unknown event {event.kind}")
    try:
        result = handler(event, file_base)
    except MappingError as exc:
        raise EventError("invalid", str(exc)) from None
    except (UnitError, ValueError, TypeError) as exc:
        if isinstance(exc, EventError):
            raise
        raise EventError("invalid", str(exc)) from None
    if all(r.updated_at for r in result.records):
        return result
    stamped = [r if r.updated_at else replace(r, updated_at=event.event_time) for r in result.records]
    return replace(result, records=stamped)
