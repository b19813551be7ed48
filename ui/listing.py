"""What the inventory list shows: its columns, their titles and cell formats, paging sizes."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from enum import IntEnum

from app.model import SkuLine
from app.store.base import Row, SortKey
from ui.i18n import make_tr
from ui.qt import Qt

tr = make_tr("InventoryModel")

PAGE_SIZE = 50   # ~30 rows are visible: a small page is a cheap re-read after a change
# Pages kept (3,200 rows): each row is an object the garbage collector watches, and 12,800
# made a full collection ~3 ms longer; a page read again by key costs ~0.6 ms.
MAX_PAGES = 64
MAX_CELL_ROWS = 3200
KEY_ROLE = Qt.ItemDataRole.UserRole + 1
STATE_ROLE = Qt.ItemDataRole.UserRole + 2
SMALL_CHANGE = 40  # more changed keys than this: re-read the shown pages instead of each key
IN_PLACE_PAGES = 3  # pages re-read by an in-place update (the visible rows and the selection's)
# Lists at least this long are placed by key in memory (ListOrder): below it, SQL's COUNT
# and OFFSET are fast enough, above it they walk the index (~20 ms at 200,000 rows).
ORDER_MIN_ROWS = 2000
ORDER_DEBOUNCE_MS = 800  # after the last change: read the list's order again


class Column(IntEnum):
    # SKU, quantity, dimensions and weight first after the RMA: what the desk checks on the
    # parcel, visible without scrolling sideways.
    SOURCE = 0
    RMA = 1
    SKU = 2
    QUANTITY = 3
    DIMENSIONS = 4
    WEIGHT = 5
    DESCRIPTION = 6
    TRACKING = 7
    STATUS = 8
    HANDLING = 9
    HANDLING_STATUS = 10
    UPDATE = 11
    WAREHOUSE = 12
    RECEIVED = 13


SORT_KEYS: dict[Column, SortKey] = {
    Column.SOURCE: SortKey.SOURCE,
    Column.RMA: SortKey.RMA,
    Column.TRACKING: SortKey.TRACKING,
    Column.SKU: SortKey.SKU,
    Column.DESCRIPTION: SortKey.DESCRIPTION,
    Column.QUANTITY: SortKey.QUANTITY,
    Column.WEIGHT: SortKey.WEIGHT,
    Column.STATUS: SortKey.STATUS,
    Column.HANDLING: SortKey.HANDLING,
    Column.HANDLING_STATUS: SortKey.HANDLING_STATUS,
    Column.WAREHOUSE: SortKey.WAREHOUSE,
    Column.RECEIVED: SortKey.RECEIVED,
}


def column_titles() -> dict[Column, str]:
    return {
        Column.SOURCE: tr("Source"),
        Column.RMA: tr("RMA"),
        Column.TRACKING: tr("Tracking number"),
        Column.SKU: tr("SKU"),
        Column.DESCRIPTION: tr("Description"),
        Column.QUANTITY: tr("Qty"),
        Column.DIMENSIONS: tr("L x W x H (cm)"),
        Column.WEIGHT: tr("Weight (kg)"),
        Column.STATUS: tr("Status"),
        Column.HANDLING: tr("Handling"),
        Column.HANDLING_STATUS: tr("Handling status"),
        Column.UPDATE: tr("Update"),
        Column.WAREHOUSE: tr("Warehouse"),
        Column.RECEIVED: tr("Received"),
    }


def fmt_decimal(value: Decimal | None) -> str:
    if value is None:
        return ""
    text = format(value.normalize(), "f") if value == value.to_integral_value() else format(value, "f")
    return text


def fmt_dimensions(item: Row | SkuLine) -> str:
    """``L x W x H`` of a list row or an SKU line; empty unless all three are known."""
    sides = (item.length_cm, item.width_cm, item.height_cm)
    if any(s is None for s in sides):
        return ""
    return " x ".join(fmt_decimal(s) for s in sides)


def fmt_handling(code: str, description: str | None) -> str:
    """A handling type as the operator reads it, ``ohd — Hold``; the code alone when its
    description is not known (the handling list and the detail panel say it alike)."""
    return f"{code} — {description}" if description else code


def fmt_time(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone().strftime("%Y-%m-%d %H:%M")
