"""Return Helper JSON shapes -> :class:`app.model.InventoryRecord`, leniently but never silently.

Shapes handled: a ``ReturnInventory/list`` row, a ``GetReturnInventory`` details record, a
webhook ``returnInventory`` object with its ``shipment`` (``newInventoryCreated``, and the
full record of ``completeInventoryHandling``/``cancelInventoryHandling``), and a
``completeRecalibrate`` ``recalibrateSupplement``.

Lenient: ids as int or numeric string, numbers as int/str/decimal, handling codes in the
older, current and numeric forms, times in any ISO 8601 form. Never silent: a field that is
present but unreadable raises :class:`MappingError` naming the field; no partial record.

``updated_at`` is the best "as of" time a shape carries: the newest of ``modifyOn`` /
``handlingUpdatedOn`` (or ``recalibratedOn``), else the ``as_of``/``event_time`` the caller
passes (the webhook ``eventTime``, or when a list was fetched), else ``createOn`` (a list
row without newer times is as old as its creation, so it only fills gaps when merged).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Final, NamedTuple
from urllib.parse import quote

from app.handling import CodeError, normalize_handling_code, normalize_handling_status
from app.model import Image, InventoryRecord, SkuLine, Source, Vas, parse_time, rh_key
from app.units import (
    MAX_EXPONENT,
    UnitError,
    length_to_cm,
    parse_decimal,
    parse_int,
    volume_m3,
    weight_to_kg,
)

#: Public file hosts for image keys (details records carry S3 keys, not URLs).
FILE_HOSTS = {
    "returnshelper.com": "https://rr-dev-files.returnshelper.com",
    "returnhelpercentre.com": "https://file.returnhelpercentre.com",
    "returnhelperchina.com": "https://file.returnhelpercentre.com",
}

_RMA_WAREHOUSE = re.compile(r"^\s*([A-Za-z]+)-(\d+)-")


class MappingError(ValueError):
    """A field of a Return Helper record cannot be read. ``field`` names it (dotted path)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class _Reader:
    def __init__(self, data: object, where: str) -> None:
        if type(data) is not dict and not isinstance(data, Mapping):
            raise MappingError(where or "record", f"expected an object, got {_kind(data)}")
        self.data: Mapping[str, Any] = data
        self.where = where

    def name(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where else key

    def raw(self, key: str) -> Any:
        return self.data.get(key)

    def int(self, key: str, *, required: bool = False) -> int | None:
        value = self.data.get(key)
        if type(value) is int and -_INT_LIMIT < value < _INT_LIMIT:
            return value  # the usual case, as parse_int would return it
        try:
            number = parse_int(value)
        except ValueError:
            raise MappingError(self.name(key), f"not a whole number: {value!r}") from None
        if number is None and required:
            raise MappingError(self.name(key), "is missing")
        return number

    def text(self, key: str) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if type(value) is str:
            return value.strip() or None
        if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
            raise MappingError(self.name(key), f"expected text, got {_kind(value)}")
        text = str(value).strip()
        return text or None

    def decimal(self, key: str) -> Decimal | None:
        value = self.data.get(key)
        try:
            return parse_decimal(value)
        except ValueError:
            raise MappingError(self.name(key), f"not a number: {value!r}") from None

    def time(self, key: str) -> datetime | None:
        value = self.data.get(key)
        usual = _usual_time(value)
        if usual is None or isinstance(usual, datetime):
            return usual
        try:
            return parse_time(value)
        except ValueError:
            raise MappingError(self.name(key), f"not a time: {value!r}") from None

    def boolean(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, int) and value in (0, 1):
            return bool(value)
        if isinstance(value, str) and value.strip().lower() in {"true", "false", "1", "0"}:
            return value.strip().lower() in {"true", "1"}
        raise MappingError(self.name(key), f"not true/false: {value!r}")

    def handling(self, key: str) -> str | None:
        return self._code(key, _HANDLING_CODES, normalize_handling_code)

    def handling_status(self, key: str) -> str | None:
        return self._code(key, _HANDLING_STATUSES, normalize_handling_status)

    def _code(self, key: str, seen: dict[str, str | None],
              normalize: Callable[[object], str | None]) -> str | None:
        """A code through ``normalize``; strings already read once come from ``seen``."""
        value = self.data.get(key)
        if type(value) is str and value in seen:
            return seen[value]
        try:
            code = normalize(value)
        except CodeError as exc:
            raise MappingError(self.name(key), str(exc)) from None
        _remember(seen, value, code)
        return code

    def weight_kg(self, key: str = "weight", uom_key: str = "weightUom") -> Decimal | None:
        uom = self.text(uom_key) or "g"  # documented: integer grams
        try:
            return weight_to_kg(self.data.get(key), uom)
        except UnitError as exc:
            raise MappingError(self.name(uom_key), str(exc)) from None
        except ValueError:
            raise MappingError(self.name(key), f"not a number: {self.data.get(key)!r}") from None

    def length_cm(self, key: str, uom_key: str = "dimensionUom") -> Decimal | None:
        uom = self.text(uom_key) or "cm"  # documented: centimetres
        try:
            return length_to_cm(self.data.get(key), uom)
        except UnitError as exc:
            raise MappingError(self.name(uom_key), str(exc)) from None
        except ValueError:
            raise MappingError(self.name(key), f"not a number: {self.data.get(key)!r}") from None

    def items(self, key: str) -> list[_Reader]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list | tuple):
            raise MappingError(self.name(key), f"expected a list, got {_kind(value)}")
        return [_Reader(item, f"{self.name(key)}[{i}]") for i, item in enumerate(value)]


#: Codes as sent -> normalised: a list page repeats a handful of them 50 times.
_HANDLING_CODES: dict[str, str | None] = {}
_HANDLING_STATUSES: dict[str, str | None] = {}
_INT_LIMIT: Final = 10 ** (MAX_EXPONENT + 1)  # parse_int refuses numbers this large


def _remember(cache: dict[str, str | None], value: object, normalized: str | None) -> None:
    if type(value) is str:
        if len(cache) >= 256:  # codes are few; unbounded growth only from garbage input
            cache.clear()
        cache[value] = normalized


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list | tuple):
        return "a list"
    return f"{type(value).__name__} {value!r}"


def _newest(*times: datetime | None) -> datetime | None:
    known = [t for t in times if t is not None]
    return max(known) if known else None


def _warehouse(r: _Reader, rma: str | None, key: str = "warehouseId") -> str | None:
    """``USE-2`` when the RMA's prefix carries the same warehouse id, else the id as sent."""
    return _warehouse_of(r.text(key), rma)


def _warehouse_of(warehouse: str | None, rma: str | None) -> str | None:
    if warehouse is None:
        return None
    # The answer depends on the RMA up to its second "-" only (the pattern is anchored and
    # ends there), and a list page repeats a few of those: remembered per (id, prefix).
    prefix = ""
    if rma:
        second = rma.find("-", rma.find("-") + 1)
        if second > 0:
            prefix = rma[:second + 1]
    found = _WAREHOUSES.get((warehouse, prefix))
    if found is None:
        found = warehouse
        match = _RMA_WAREHOUSE.match(prefix)
        if match and warehouse.isdecimal() and int(match.group(2)) == int(warehouse):
            found = f"{match.group(1).upper()}-{int(warehouse)}"
        if len(_WAREHOUSES) >= 1024:
            _WAREHOUSES.clear()
        _WAREHOUSES[(warehouse, prefix)] = found
    return found


_WAREHOUSES: dict[tuple[str, str], str] = {}


def file_base_for(user_base: str) -> str | None:
    """The public file host for image keys of an API base URL (``None`` if not known)."""
    from urllib.parse import urlsplit

    parts = urlsplit(user_base)
    host = (parts.hostname or "").lower()
    for domain, files in FILE_HOSTS.items():
        if host == domain or host.endswith("." + domain):
            return files
    if host in {"127.0.0.1", "localhost", "::1"}:
        return f"{parts.scheme}://{parts.netloc}/files"  # the sandbox serves its own images
    return None


def image_url(key: str | None, file_base: str | None) -> str | None:
    if not key:
        return None
    if key.startswith(("http://", "https://")):
        return key
    if not file_base:
        return None
    return f"{file_base.rstrip('/')}/{quote(key.lstrip('/'))}"


# -- shapes ---------------------------------------------------------------------------------
class ListRow(NamedTuple):
    """Everything a ``ReturnInventory/list`` row says, read and normalised, before it becomes
    an :class:`InventoryRecord` (the sync compares this with the store and maps only the
    rows that differ; see :func:`list_row_record`)."""

    return_inventory_id: int
    return_request_id: int | None
    line_item_id: int | None
    rma: str | None
    item_rma: str | None
    sku: str | None
    handling_code: str | None
    handling_status: str | None
    warehouse: str | None
    created_at: datetime | None
    modified_at: datetime | None
    handling_updated_at: datetime | None


def read_list_row(row: object) -> ListRow:
    """One ``ReturnInventory/list`` row, as strictly as :func:`map_list_row` reads it."""
    if type(row) is dict:
        fast = _read_usual_list_row(row)
        if fast is not None:
            return fast
    r = _Reader(row, "")
    inventory_id = r.int("returnInventoryId", required=True)
    assert inventory_id is not None
    rma = r.text("rma")
    return ListRow(inventory_id, r.int("returnRequestId"), r.int("returnRequestLineItemId"),
                   rma, r.text("itemRma"), r.text("sku"), r.handling("handlingCode"),
                   r.handling_status("handlingStatusCode"), _warehouse(r, rma),
                   r.time("createOn"), r.time("modifyOn"), r.time("handlingUpdatedOn"))


def _usual_time(value: object) -> datetime | bool | None:
    """A time in the usual form, e.g. "2026-09-24T09:50:33Z", straight to fromisoformat (which
    reads the "Z" since 3.11); ``False``: not usual, parse_time's lenient path decides."""
    if value is None:
        return None
    if type(value) is str and len(value) >= 19 and value[4] == "-":
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            return False
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    return False


def _read_usual_list_row(row: dict[str, Any]) -> ListRow | None:
    """:func:`read_list_row` for a row whose every value has the usual type and form (what
    a list page nearly always holds), with what :class:`_Reader` would make of it; ``None``
    for anything else, which then goes the careful way (and its errors name the field)."""
    get = row.get
    inventory_id, request_id, line_id = (get("returnInventoryId"), get("returnRequestId"),
                                         get("returnRequestLineItemId"))
    if type(inventory_id) is not int or not -_INT_LIMIT < inventory_id < _INT_LIMIT:
        return None
    for number in (request_id, line_id):
        if number is not None and (type(number) is not int
                                   or not -_INT_LIMIT < number < _INT_LIMIT):
            return None
    texts: list[str | None] = []
    for value in (get("rma"), get("itemRma"), get("sku")):
        if value is None:
            texts.append(None)
        elif type(value) is str:
            texts.append(value.strip() or None)
        else:
            return None
    rma, item_rma, sku = texts
    code, status = get("handlingCode"), get("handlingStatusCode")
    if code is not None and (type(code) is not str or code not in _HANDLING_CODES):
        return None
    if status is not None and (type(status) is not str or status not in _HANDLING_STATUSES):
        return None
    warehouse = get("warehouseId")
    if type(warehouse) is int:
        warehouse = str(warehouse)
    elif type(warehouse) is str:
        warehouse = warehouse.strip() or None
    elif warehouse is not None:
        return None
    created, modified, handling_updated = (_usual_time(get("createOn")),
                                           _usual_time(get("modifyOn")),
                                           _usual_time(get("handlingUpdatedOn")))
    if created is False or modified is False or handling_updated is False:
        return None
    return ListRow(inventory_id, request_id, line_id, rma, item_rma, sku,
                   _HANDLING_CODES[code] if code is not None else None,
                   _HANDLING_STATUSES[status] if status is not None else None,
                   _warehouse_of(warehouse, rma), created, modified,  # type: ignore[arg-type]
                   handling_updated)  # type: ignore[arg-type]


def list_row_record(row: ListRow, *, as_of: datetime | None = None) -> InventoryRecord:
    """The record a list row is (``updated_at``: see the module's docstring)."""
    updated = _newest(row.modified_at, row.handling_updated_at)
    return InventoryRecord(
        source=Source.RETURN_HELPER,
        key=rh_key(row.return_inventory_id),
        updated_at=updated or as_of or row.created_at,
        return_inventory_id=row.return_inventory_id,
        return_request_id=row.return_request_id,
        line_item_id=row.line_item_id,
        rma=row.rma,
        item_rma=row.item_rma,
        warehouse=row.warehouse,
        handling_code=row.handling_code,
        handling_status=row.handling_status,
        lines=(SkuLine(sku=row.sku),) if row.sku else (),
        created_at=row.created_at,
        handling_updated_at=row.handling_updated_at,
    )


def map_list_row(row: object, *, as_of: datetime | None = None) -> InventoryRecord:
    """One ``ReturnInventory/list`` row."""
    return list_row_record(read_list_row(row), as_of=as_of)


def map_details(record: object, *, file_base: str | None = None,
                as_of: datetime | None = None) -> InventoryRecord:
    """A ``GetReturnInventory`` record (no dimensions: those come from webhooks)."""
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
        updated_at=_newest(r.time("modifyOn"), handling_updated) or as_of,
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


def map_many(rows: Sequence[object], *, as_of: datetime | None = None) -> list[InventoryRecord]:
    """List rows; a bad row raises :class:`MappingError` naming its index."""
    records = []
    for index, row in enumerate(rows):
        try:
            records.append(map_list_row(row, as_of=as_of))
        except MappingError as exc:
            raise MappingError(f"data[{index}].{exc.field}", str(exc).split(": ", 1)[-1]) from None
    return records
