"""Event bodies as the vendors document them, for the receiver tests."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any


def iso(when: datetime) -> str:
    return when.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def rh_event(category: str, action: str, body: dict[str, Any], *,
             when: datetime | None = None, notification_id: str | bool | None = True,
             ) -> dict[str, Any]:
    event: dict[str, Any] = {"category": category, "action": action,
                             "eventTime": iso(when or datetime.now(UTC))}
    if notification_id is True:
        event["notificationId"] = str(uuid.uuid4())
    elif notification_id:
        event["notificationId"] = notification_id
    event.update(body)
    return event


def inventory(inventory_id: int | str = "880001", **fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "returnInventoryId": inventory_id, "warehouseId": 2, "apiId": 21,
        "description": "Bluetooth speaker", "quantity": 1,
        "dimension1": 30, "dimension2": 20, "dimension3": 10, "dimensionUom": "cm",
        "weight": 1250, "weightUom": "g", "valueCurrencyCode": "usd", "value": 39.5,
        "handlingCode": "tbc", "handlingStatusCode": "pending", "completeOn": None,
        "warehouseRemarks": None, "handlingUpdatedOn": None, "sku": None,
        "rma": "USE-2-240715-D00003-30", "modifyOn": None, "createOn": "2024-07-15T08:00:00Z",
        "imageList": [], "returnInventoryMetaList": [],
    }
    base.update(fields)
    return base


def shipment(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {"shipmentId": 5501, "returnRequestId": 7701,
                            "trackingNumber": "1Z999AA10123456784", "referenceNumber": "SO-1001",
                            "serviceType": "ups", "customFieldMap": {}, "shipToWarehouseId": 2,
                            "receiveDate": "2024-07-15T08:00:00Z"}
    base.update(fields)
    return base


def new_inventory(inventory_id: int | str = "880001", *, when: datetime | None = None,
                  notification_id: str | bool | None = True, **fields: Any) -> dict[str, Any]:
    event = rh_event("newInventoryCreated", "newInventoryCreated",
                     {"returnInventory": inventory(inventory_id, **fields),
                      "shipment": shipment()}, when=when, notification_id=notification_id)
    event["version"] = "202207"
    return event


def winit_record(uuid_: str, order_no: str = "RO2407150001", *, status: str = "RE",
                 status_time: datetime | None = None, **fields: Any) -> dict[str, Any]:
    when = status_time or datetime.now(UTC)
    record: dict[str, Any] = {
        "uuid": uuid_, "orderNo": order_no, "sellerOrderNo": "SR-88",
        "outboundOrderNo": "WO2406300099", "destroyOutboundOrderNo": "", "rmaNo": "RMA-4471",
        "status": status, "statusTime": str(int(when.timestamp() * 1000)),
        "isReturnLabel": "N", "expressNo": "9400111899223197428490",
        "customerExpressNo": "9400111899223197428491", "returnReason": "BR",
        "warehouseCode": "US0001",
        "estimateSkuList": [{
            "merchandiseSerno": "6901234567892", "merchandiseCode": "SPK-BLK",
            "specification": "black", "merchandiseGrade": "GOOD", "ownerCode": "OW1",
            "managementType": "SKU", "handleMethod": "SA", "quantity": "2",
            "length": "10.5", "width": "8", "height": "4.25", "volume": "0.000357",
            "weight": "0.730"}],
        "actualSkuList": [{
            "merchandiseSerno": "6901234567892", "merchandiseCode": "SPK-BLK",
            "specification": "black", "merchandiseGrade": "DEFECTIVE", "ownerCode": "OW1",
            "managementType": "SI", "handleMethod": "DEFECTIVE_SA", "quantity": 1,
            "length": "10.6", "width": "8.1", "height": "4.3", "volume": "0.000369",
            "weight": "0.741", "itemList": [{"itemSerno": "SN-0001"}, {"itemSerno": "SN-0002"}]}],
    }
    record.update(fields)
    return record


def ago(**delta: float) -> datetime:
    return datetime.now(UTC) - timedelta(**delta)
