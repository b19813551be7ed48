"""Return Helper JSON shapes -> :class:`app.model.InventoryRecord`, leniently but never silently.

Shapes handled: a ``ReturnInventory/list`` row, a ``GetReturnInventory`` details record, a
webhook ``returnInventory`` object with its ``shipment`` (``newInventoryCreated``, and the
full record of ``completeInventoryHandling``/``cancelInventoryHandling``), and a
``completeRecalibrate`` ``recalibrateSupplement``.

Lenient: ids as int or numeric string, numbers as int/str/decimal, handling codes in the
older, current and numeric forms, times in any ISO 8601 form. Never silent: a field that is
present but unreadable raises :class:`MappingError` naming the field; no partial record.

``updated_at`` is the best "as of" time a shape carries, and only ever a vendor's time: the
newest of ``modifyOn`` / ``handlingUpdatedOn`` (``handlingUpdatedOnStr`` in details, or
``recalibratedOn``), else the webhook's ``eventTime`` the caller passes. A list row or a
details record without such a time gets ``None``: a view without a time, which fills gaps
and never replaces a value a timed view set (:func:`app.model.merge`). The local time of a
fetch is never used: it made a stale details weight beat a newer re-measure.

Parts: :mod:`app.returnhelper.mapping_reader` (the lenient reader and shared helpers),
:mod:`app.returnhelper.mapping_list` (list rows); details, webhook and recalibrate shapes are
here. Every public name stays importable from this module.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from app.model import Image, InventoryRecord, SkuLine, Source, Vas, rh_key
from app.returnhelper.mapping_list import (
    ListRow,
    _read_usual_list_row,  # noqa: F401 - importable from here (tests)
    list_row_record,
    map_list_row,
    map_many,
    read_list_row,
)
from app.returnhelper.mapping_reader import (
    FILE_HOSTS,
    MappingError,
    _kind,
    _newest,
    _Reader,
    _warehouse,
    file_base_for,
    image_url,
)
from app.units import volume_m3

__all__ = ["FILE_HOSTS", "ListRow", "MappingError", "file_base_for", "image_url",
           "list_row_record", "map_details", "map_list_row", "map_many", "map_recalibrate",
           "map_webhook_inventory", "read_list_row"]


# -- shapes ---------------------------------------------------------------------------------
def map_details(record: object, *, file_base: str | None = None) -> InventoryRecord:
    """A ``GetReturnInventory`` record (no dimensions: those come from webhooks). Its time
    is the vendor's (``handlingUpdatedOnStr``), never when it was fetched."""
    r = _Reader(record, "")
    inventory_id = r.int("returnInventoryId", required=True)
    assert inventory_id is not None
    rma = r.text("rma")
    handling_updated = _newest(r.time("handlingUpdatedOnStr"), r.time("handlingUpdatedOn"))
    images: list[Image] = []
    for img in r.items("returnRequestLineItemImages"):
        large = (img.text("s3OriginalFileKey") or img.text("s3LargeFileKey")
                 or img.text("s3MediumFileKey") or img.text("s3SmallFileKey"))
        small = img.text("s3SmallFileKey") or img.text("s3MediumFileKey")
        url = image_url(large, file_base)
        if url is None:
            if large is None:
                continue
            raise MappingError(img.name("s3OriginalFileKey"),
                               "an image key without a known file host")
        images.append(Image(url=url, key=large, thumbnail_url=image_url(small, file_base)))
    vas: list[Vas] = []
    for item in r.items("returnRequestLineItemVasList"):
        code = item.text("vasCode")
        if code is None:
            raise MappingError(item.name("vasCode"), "is missing")
        finished = item.boolean("isFinished")
        vas.append(Vas(code=code, finished=bool(finished),
                       status=item.text("vasStatusCode") or item.text("status")))
    line = SkuLine(sku=r.text("sku"), description=r.text("description"),
                   quantity=r.int("quantity"), weight_kg=r.weight_kg())
    return InventoryRecord(
        source=Source.RETURN_HELPER,
        key=rh_key(inventory_id),
        updated_at=_newest(r.time("modifyOn"), handling_updated),
        return_inventory_id=inventory_id,
        return_request_id=r.int("returnRequestId"),
        line_item_id=r.int("returnRequestLineItemId"),
        rma=rma,
        item_rma=r.text("itemRma"),
        seller_reference=r.text("sellerReferenceNumber"),
        warehouse=_warehouse(r, rma),
        description=r.text("description"),
        handling_code=r.handling("handlingCode"),
        handling_status=r.handling_status("handlingStatusCode"),
        value=r.decimal("value"),
        currency=r.text("valueCurrencyCode"),
        lines=(line,),
        images=tuple(images),
        vas=tuple(vas),
        remarks=r.text("warehouseRemarks"),
        created_at=r.time("createOn"),
        handling_updated_at=handling_updated,
    )


def map_webhook_inventory(inventory: object, shipment: object | None = None, *,
                          event_time: datetime | None = None,
                          file_base: str | None = None) -> InventoryRecord:
    """A webhook ``returnInventory`` object (with its ``shipment`` when the event has one)."""
    r = _Reader(inventory, "returnInventory")
    s = _Reader(shipment, "shipment") if shipment is not None else None
    inventory_id = r.int("returnInventoryId", required=True)
    assert inventory_id is not None
    rma = r.text("rma")
    length, width, height = (r.length_cm(f"dimension{i}") for i in (1, 2, 3))
    line = SkuLine(sku=r.text("sku"), description=r.text("description"),
                   quantity=r.int("quantity"), length_cm=length, width_cm=width,
                   height_cm=height, volume_m3=volume_m3(length, width, height),
                   weight_kg=r.weight_kg())
    images: list[Image] = []
    for img in r.items("imageList"):
        key = img.text("imageKey")
        url = img.text("imageUrl") or image_url(key, file_base)
        if url is None:
            if key is None:
                continue
            raise MappingError(img.name("imageUrl"), "is missing and the key has no file host")
        images.append(Image(url=url, key=key))
    meta: dict[str, str] = {}
    for entry in r.items("returnInventoryMetaList"):
        meta_map = entry.raw("metaMap")
        if meta_map is None:
            continue
        if not isinstance(meta_map, Mapping):
            raise MappingError(entry.name("metaMap"), f"expected an object, got {_kind(meta_map)}")
        inner = _Reader(meta_map, entry.name("metaMap"))
        for name in meta_map:
            value = inner.text(str(name))
            if value is not None:
                meta[str(name)] = value
    vas: list[Vas] = []
    for item in r.items("returnRequestLineItemVasList"):
        code = item.text("vasCode")
        if code is None:
            raise MappingError(item.name("vasCode"), "is missing")
        vas.append(Vas(code=code, finished=bool(item.boolean("isFinished")),
                       status=item.text("vasStatusCode")))
    handling_updated = r.time("handlingUpdatedOn")
    tracking: tuple[str, ...] = ()
    return_request_id = r.int("returnRequestId")
    reference = r.text("sellerReferenceNumber")
    received_at = None
    if s is not None:
        number = s.text("trackingNumber")
        tracking = (number,) if number else ()
        return_request_id = s.int("returnRequestId") or return_request_id
        reference = reference or s.text("referenceNumber")
        received_at = s.time("receiveDate")
    warehouse = _warehouse(r, rma)
    if warehouse is None and s is not None:
        warehouse = _warehouse(s, rma, "shipToWarehouseId")
    return InventoryRecord(
        source=Source.RETURN_HELPER,
        key=rh_key(inventory_id),
        updated_at=_newest(r.time("modifyOn"), handling_updated) or event_time,
        return_inventory_id=inventory_id,
        return_request_id=return_request_id,
        line_item_id=r.int("returnRequestLineItemId"),
        rma=rma,
        item_rma=r.text("itemRma"),
        tracking_numbers=tracking,
        seller_reference=reference,
        warehouse=warehouse,
        description=r.text("description"),
        handling_code=r.handling("handlingCode"),
        handling_status=r.handling_status("handlingStatusCode"),
        value=r.decimal("value"),
        currency=r.text("valueCurrencyCode"),
        lines=(line,),
        images=tuple(images),
        vas=tuple(vas),
        remarks=r.text("warehouseRemarks"),
        meta=meta,
        created_at=r.time("createOn"),
        received_at=received_at,
        handling_updated_at=handling_updated,
    )


def map_recalibrate(supplement: object, *, event_time: datetime | None = None) -> InventoryRecord:
    """A ``completeRecalibrate`` ``recalibrateSupplement``: new dimensions and weight only."""
    r = _Reader(supplement, "recalibrateSupplement")
    inventory_id = r.int("returnInventoryId", required=True)
    assert inventory_id is not None
    rma = r.text("rma")
    length, width, height = (r.length_cm(f"dimension{i}") for i in (1, 2, 3))
    line = SkuLine(length_cm=length, width_cm=width, height_cm=height,
                   volume_m3=volume_m3(length, width, height), weight_kg=r.weight_kg())
    return InventoryRecord(
        source=Source.RETURN_HELPER,
        key=rh_key(inventory_id),
        updated_at=r.time("recalibratedOn") or event_time,
        return_inventory_id=inventory_id,
        line_item_id=r.int("returnRequestLineItemId"),
        rma=rma,
        warehouse=_warehouse(r, rma),
        lines=(line,),
    )
