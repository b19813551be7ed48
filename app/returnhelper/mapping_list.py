"""``ReturnInventory/list`` rows -> records (part of :mod:`app.returnhelper.mapping`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple

from app.model import InventoryRecord, SkuLine, Source, rh_key
from app.returnhelper.mapping_reader import (
    _HANDLING_CODES,
    _HANDLING_STATUSES,
    _INT_LIMIT,
    MappingError,
    _newest,
    _Reader,
    _usual_time,
    _warehouse,
    _warehouse_of,
)


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


def list_row_record(row: ListRow) -> InventoryRecord:
    """The record a list row is. Its time is the row's ``modifyOn``/``handlingUpdatedOn``
    when it has one; the documented row has neither, so it is usually a view without a
    time (``updated_at`` None: it fills gaps and never replaces a timed value). When the
    page was fetched is no vendor time and is not used."""
    return InventoryRecord(
        source=Source.RETURN_HELPER,
        key=rh_key(row.return_inventory_id),
        updated_at=_newest(row.modified_at, row.handling_updated_at),
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


def map_list_row(row: object) -> InventoryRecord:
    """One ``ReturnInventory/list`` row."""
    return list_row_record(read_list_row(row))


def map_many(rows: Sequence[object]) -> list[InventoryRecord]:
    """List rows; a bad row raises :class:`MappingError` naming its index."""
    records = []
    for index, row in enumerate(rows):
        try:
            records.append(map_list_row(row))
        except MappingError as exc:
            raise MappingError(f"data[{index}].{exc.field}", str(exc).split(": ", 1)[-1]) from None
    return records
