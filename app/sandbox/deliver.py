"""Webhook events as Return Helper sends them, signed, POSTed to a receiver.

Builders return plain dicts (the event body); :func:`encode_signed` turns one into the exact
bytes and headers Return Helper would send (``returnhelper-signature``, ``timestamp``);
:func:`post_events` delivers many with bounded concurrency and counts what the receiver
accepted (2xx) and what failed.

``category`` values: ``newInventoryCreated`` and the ``rinv``/``rrliv`` families are
documented; for ``completeRecalibrate``, the SKU, remarks and meta updates and the RMA swap
the reference names only the action, so these builders use category ``rinv`` (receivers
should dispatch on ``action``).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from app.returnhelper.signature import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign

NEW_INVENTORY_VERSION = "202207"


def iso_now(now: datetime | None = None) -> str:
    when = (now or datetime.now(UTC)).astimezone(UTC)
    return when.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _event(category: str, action: str, body: Mapping[str, Any], *, event_time: datetime | None,
           notification_id: str | None, version: str | None = None) -> dict[str, Any]:
    event: dict[str, Any] = {"category": category, "action": action,
                             "eventTime": iso_now(event_time),
                             "notificationId": notification_id or str(uuid.uuid4())}
    if version:
        event["version"] = version
    event.update(body)
    return event


def new_inventory_created(inventory: Mapping[str, Any], shipment: Mapping[str, Any], *,
                          event_time: datetime | None = None,
                          notification_id: str | None = None) -> dict[str, Any]:
    return _event("newInventoryCreated", "newInventoryCreated",
                  {"returnInventory": dict(inventory), "shipment": dict(shipment)},
                  event_time=event_time, notification_id=notification_id,
                  version=NEW_INVENTORY_VERSION)


def complete_inventory_handling(inventory: Mapping[str, Any], *,
                                event_time: datetime | None = None,
                                notification_id: str | None = None) -> dict[str, Any]:
    return _event("rinv", "completeInventoryHandling", {"returnInventory": dict(inventory)},
                  event_time=event_time, notification_id=notification_id)


def cancel_inventory_handling(inventory: Mapping[str, Any], *,
                              event_time: datetime | None = None,
                              notification_id: str | None = None) -> dict[str, Any]:
    return _event("rinv", "cancelInventoryHandling", {"returnInventory": dict(inventory)},
                  event_time=event_time, notification_id=notification_id)


def complete_recalibrate(supplement: Mapping[str, Any], *, event_time: datetime | None = None,
                         notification_id: str | None = None) -> dict[str, Any]:
    """``recalibrateSupplement{warehouseId, returnInventoryId, returnRequestLineItemId, rma,
    dimension1..3 (decimal), weight, recalibratedOn}``."""
    return _event("rinv", "completeRecalibrate", {"recalibrateSupplement": dict(supplement)},
                  event_time=event_time, notification_id=notification_id)


def user_update_sku(inventory: Mapping[str, Any], *, event_time: datetime | None = None,
                    notification_id: str | None = None) -> dict[str, Any]:
    return _event("rinv", "userUpdateReturnInventorySku", {"returnInventory": dict(inventory)},
                  event_time=event_time, notification_id=notification_id)


def warehouse_update_remarks(inventory: Mapping[str, Any], *,
                             event_time: datetime | None = None,
                             notification_id: str | None = None) -> dict[str, Any]:
    return _event("rinv", "warehouseUpdateWarehouseRemarks",
                  {"returnInventory": dict(inventory)},
                  event_time=event_time, notification_id=notification_id)


def update_inventory_meta(inventory: Mapping[str, Any], *, event_time: datetime | None = None,
                          notification_id: str | None = None) -> dict[str, Any]:
    return _event("rinv", "updateReturnInventoryMeta", {"returnInventory": dict(inventory)},
                  event_time=event_time, notification_id=notification_id)


def rma_swapped(return_inventory_id: int | str, old_rma: str, new_rma: str, *,
                user_api_id: str = "sandbox-api", client_code: str = "SANDBOX",
                event_time: datetime | None = None,
                notification_id: str | None = None) -> dict[str, Any]:
    return _event("rinv", "notifyUserRmaSwapped", {"payload": {
        "userApiId": user_api_id, "clientCode": client_code,
        "returnInventoryId": return_inventory_id, "oldRma": old_rma, "newRma": new_rma}},
        event_time=event_time, notification_id=notification_id)


def vas_updated(update_vas_list: Iterable[Mapping[str, Any]], *,
                event_time: datetime | None = None,
                notification_id: str | None = None) -> dict[str, Any]:
    return _event("rrliv", "vasUpdated", {"updateVasList": [dict(v) for v in update_vas_list]},
                  event_time=event_time, notification_id=notification_id)


# -- signing and delivery ---------------------------------------------------------------------
def encode_signed(event: Mapping[str, Any] | bytes, registered_url: str, signing_key_b64: str, *,
                  timestamp: str | None = None) -> tuple[bytes, dict[str, str]]:
    """The raw body and headers of one delivery, signed over ``registered_url``."""
    raw = event if isinstance(event, bytes) else json.dumps(
        event, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    stamp = timestamp or iso_now()
    headers = {"content-type": "application/json",
               SIGNATURE_HEADER: sign(signing_key_b64, registered_url, stamp, raw),
               TIMESTAMP_HEADER: stamp,
               "user-agent": "ReturnHelper-Sandbox-Webhook/1.0"}
    return raw, headers


@dataclass
class DeliveryReport:
    accepted: int = 0
    failed: int = 0
    statuses: dict[int, int] = field(default_factory=dict)  # HTTP status -> count (0: no answer)
    errors: list[str] = field(default_factory=list)


async def post_events(events: Iterable[Mapping[str, Any]], receiver_url: str,
                      signing_key_b64: str, *, registered_url: str | None = None,
                      concurrency: int = 8, timeout: float = 10.0,
                      client: httpx.AsyncClient | None = None) -> DeliveryReport:
    """POST every event, signed, to ``receiver_url``; at most ``concurrency`` at once.

    ``registered_url`` is the URL the signature covers (the endpoint as registered with
    Return Helper); it defaults to ``receiver_url``.
    """
    report = DeliveryReport()
    semaphore = asyncio.Semaphore(concurrency)
    own = client is None
    http = client or httpx.AsyncClient(timeout=timeout)

    async def one(event: Mapping[str, Any]) -> None:
        raw, headers = encode_signed(event, registered_url or receiver_url, signing_key_b64)
        async with semaphore:
            try:
                response = await http.post(receiver_url, content=raw, headers=headers)
            except httpx.HTTPError as exc:
                report.failed += 1
                report.statuses[0] = report.statuses.get(0, 0) + 1
                report.errors.append(f"{event.get('notificationId')}: {type(exc).__name__}")
                return
        report.statuses[response.status_code] = report.statuses.get(response.status_code, 0) + 1
        if 200 <= response.status_code < 300:
            report.accepted += 1
        else:
            report.failed += 1
            report.errors.append(f"{event.get('notificationId')}: HTTP {response.status_code}")

    try:
        await asyncio.gather(*(one(e) for e in events))
    finally:
        if own:
            await http.aclose()
    return report


def deliver(events: Iterable[Mapping[str, Any]], receiver_url: str, signing_key_b64: str,
            **kwargs: Any) -> DeliveryReport:
    """:func:`post_events` from synchronous code (runs its own event loop)."""
    return asyncio.run(post_events(list(events), receiver_url, signing_key_b64, **kwargs))
