"""Deterministic sandbox data: a few thousand return inventories across several warehouses.

Everything derives from ``random.Random(seed)``; only absolute times depend on ``now``
(creation times spread over the ~150 days before it). The shapes rendered here follow the
vendor's documentation: list rows, ``GetReturnInventory`` records, the webhook
``returnInventory`` object and its ``shipment``.
"""

from __future__ import annotations

import copy
import random
import struct
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

#: (RMA prefix, warehouse id, currency)
WAREHOUSES: tuple[tuple[str, int, str], ...] = (
    ("USE", 2, "USD"), ("UKW", 5, "GBP"), ("DEF", 7, "EUR"), ("AUS", 3, "AUD"))
ENV_LETTER = "D"
FIRST_INVENTORY_ID = 5_100_000_000  # beyond 32 bits, as int64 ids are
SPREAD_DAYS = 150

#: The current handling set (with the two own-flow codes), as getAllHandlings answers.
HANDLINGS: tuple[tuple[str, str], ...] = (
    ("tbc", "To be confirmed"),
    ("ohd", "Hold"),
    ("rtn", "Return"),
    ("rst", "Restock"),
    ("dsp", "Dispose"),
    ("oth", "Other"),
    ("rsd", "Resend"),
)
HANDLING_STATUSES: tuple[tuple[str, str, str], ...] = (
    ("pending", "Pending", "The warehouse has not started the handling"),
    ("inProgress", "In progress", "The warehouse is carrying out the handling"),
    ("completed", "Completed", "The warehouse has completed the handling"),
)
VAS_TYPES: tuple[tuple[str, str], ...] = (
    ("pht", "Take photos"), ("rlb", "Relabel"), ("tst", "Function test"),
    ("pkg", "Repackage"), ("ins", "Inspection"))
VAS_STATUSES: tuple[tuple[str, str], ...] = (
    ("pending", "Pending"), ("successful", "Successful"), ("failed", "Failed"))

_PRODUCTS = ("wireless earbuds", "phone case", "usb-c cable", "smart watch band", "desk lamp",
             "yoga mat", "water bottle", "bluetooth speaker", "hair dryer", "kitchen scale",
             "running shoes", "backpack", "led strip", "mouse pad", "coffee grinder",
             "baby monitor", "camping lantern", "screen protector", "keyboard", "tablet stand")
_COLOURS = ("black", "white", "blue", "red", "grey", "green", "pink")
_SERVICE_TYPES = ("standard", "express", "economy")
_REMARKS = ("outer box damaged", "item unused, original packaging", "missing accessories",
            "label torn", "scratches on surface", "sealed", None, None, None, None)


def _iso(when: datetime | None) -> str | None:
    if when is None:
        return None
    return when.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def check_digits(text: str) -> str:
    """Two check digits over the RMA body (weighted character sum modulo 97)."""
    total = sum((i + 1) * ord(c) for i, c in enumerate(text))
    return f"{total % 97:02d}"


def make_rma(prefix: str, warehouse_id: int, day: datetime, sequence: int,
             split: int | None = None) -> str:
    """``USE-2-240715-D00003-30``; with ``split``: ``USE-2-240715-D00003-01-30``."""
    body = f"{prefix}-{warehouse_id}-{day:%y%m%d}-{ENV_LETTER}{sequence:05d}"
    if split is not None:
        body = f"{body}-{split:02d}"
    return f"{body}-{check_digits(body)}"


@dataclass
class SeedItem:
    """One return inventory as the sandbox keeps it (mutable: updates change it)."""

    return_inventory_id: int
    return_request_id: int
    line_item_id: int
    shipment_id: int
    prefix: str
    warehouse_id: int
    rma: str
    item_rma: str
    tracking_number: str
    reference_number: str
    seller_reference: str
    sku: str | None
    description: str
    quantity: int
    dims_cm: tuple[int, int, int]
    weight_g: int
    value: str
    currency: str
    handling_code: str
    handling_status: str
    vas: list[dict[str, Any]] = field(default_factory=list)
    image_keys: list[str] = field(default_factory=list)
    remarks: str | None = None
    meta: list[dict[str, Any]] = field(default_factory=list)
    service_type: str = "standard"
    api_id: str = "sandbox-api"
    create_on: datetime = field(default_factory=lambda: datetime.now(UTC))
    receive_date: datetime = field(default_factory=lambda: datetime.now(UTC))
    modify_on: datetime = field(default_factory=lambda: datetime.now(UTC))
    handling_updated_on: datetime | None = None
    complete_on: datetime | None = None
    rma_locked: bool = False

    @property
    def warehouse(self) -> str:
        return f"{self.prefix}-{self.warehouse_id}"

    @property
    def has_unfinished_vas(self) -> bool:
        return any(not v["isFinished"] for v in self.vas)

    def copy(self) -> SeedItem:
        return copy.deepcopy(self)

    # -- shapes ------------------------------------------------------------------------
    def list_row(self) -> dict[str, Any]:
        return {
            "returnInventoryId": self.return_inventory_id,
            "returnRequestId": self.return_request_id,
            "returnRequestLineItemId": self.line_item_id,
            "rma": self.rma,
            "itemRma": self.item_rma,
            "sku": self.sku,
            "handlingCode": self.handling_code,
            "handlingStatusCode": self.handling_status,
            "warehouseId": self.warehouse_id,
            "createOn": _iso(self.create_on),
        }

    def image_variants(self, key: str) -> dict[str, str]:
        stem = key.rsplit(".", 1)[0]
        return {"s3SmallFileKey": f"{stem}-small.png", "s3MediumFileKey": f"{stem}-medium.png",
                "s3LargeFileKey": f"{stem}-large.png", "s3OriginalFileKey": key}

    def details(self) -> dict[str, Any]:
        return {
            "returnInventoryId": self.return_inventory_id,
            "warehouseId": self.warehouse_id,
            "returnRequestLineItemId": self.line_item_id,
            "returnRequestId": self.return_request_id,
            "sellerReferenceNumber": self.seller_reference,
            "rma": self.rma,
            "description": self.description,
            "weight": self.weight_g,
            "weightUom": "g",
            "valueCurrencyCode": self.currency,
            "value": float(self.value),
            "handlingCode": self.handling_code,
            "handlingStatusCode": self.handling_status,
            "returnRequestLineItemImages": [
                {"imageId": i + 1, **self.image_variants(k)} for i, k in enumerate(self.image_keys)],
            "returnRequestLineItemVasList": [dict(v) for v in self.vas],
            "warehouseRemarks": self.remarks,
            "handlingUpdatedOnStr": _iso(self.handling_updated_on),
            "sku": self.sku,
        }

    def webhook_inventory(self, file_root: str) -> dict[str, Any]:
        """The ``returnInventory`` object of ``newInventoryCreated`` (version 202207).

        Only the documented fields: no ``itemRma`` or line item id (those come from the
        list and details APIs), so the demo shows what a real webhook gives.
        """
        return {
            "returnInventoryId": str(self.return_inventory_id),  # the sample sends a string
            "warehouseId": self.warehouse_id,
            "apiId": self.api_id,
            "description": self.description,
            "quantity": self.quantity,
            "dimension1": self.dims_cm[0],
            "dimension2": self.dims_cm[1],
            "dimension3": self.dims_cm[2],
            "dimensionUom": "cm",
            "weight": self.weight_g,
            "weightUom": "g",
            "valueCurrencyCode": self.currency,
            "value": float(self.value),
            "handlingCode": self.handling_code,
            "handlingStatusCode": self.handling_status,
            "completeOn": _iso(self.complete_on),
            "warehouseRemarks": self.remarks,
            "handlingUpdatedOn": _iso(self.handling_updated_on),
            "sku": self.sku,
            "rma": self.rma,
            "modifyOn": _iso(self.modify_on),
            "createOn": _iso(self.create_on),
            "imageList": [{"imageUrl": f"{file_root.rstrip('/')}/{k}", "imageKey": k}
                          for k in self.image_keys],
            "returnInventoryMetaList": copy.deepcopy(self.meta),
        }

    def shipment(self) -> dict[str, Any]:
        return {
            "shipmentId": self.shipment_id,
            "returnRequestId": self.return_request_id,
            "trackingNumber": self.tracking_number,
            "referenceNumber": self.reference_number,
            "serviceType": self.service_type,
            "customFieldMap": {"channel": "sandbox"},
            "shipToWarehouseId": self.warehouse_id,
            "receiveDate": _iso(self.receive_date),
        }


def _tracking(rng: random.Random) -> str:
    kind = rng.randrange(3)
    if kind == 0:
        return "1Z" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPRSTVWXYZ") for _ in range(16))
    if kind == 1:
        return "9400" + "".join(rng.choice("0123456789") for _ in range(18))
    return ("".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2))
            + "".join(rng.choice("0123456789") for _ in range(9)) + "GB")


def generate(items: int = 3000, seed: int = 42, *, now: datetime | None = None) -> list[SeedItem]:
    """``items`` inventories, the same for the same ``seed`` (times relative to ``now``)."""
    rng = random.Random(seed)
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    skus = [f"SKU-{rng.choice(_PRODUCTS).split()[0][:4].upper()}-{rng.randrange(1000, 9999)}"
            for _ in range(max(10, items // 15))]
    sequences: dict[tuple[str, str], int] = {}
    result: list[SeedItem] = []
    request_id = 880_000
    shipment_id = 440_000
    line_item_id = 3_300_000
    while len(result) < items:
        prefix, warehouse_id, currency = rng.choice(WAREHOUSES)
        received = now - timedelta(seconds=rng.randrange(60 * 60, SPREAD_DAYS * 86400))
        ordered = received - timedelta(days=rng.randrange(2, 20))
        seq_key = (prefix, f"{ordered:%y%m%d}")
        sequences[seq_key] = sequences.get(seq_key, 0) + 1
        request_id += 1
        shipment_id += 1
        roll = rng.random()
        packages = 1 if roll < 0.85 else 2 if roll < 0.95 else 3
        packages = min(packages, items - len(result))
        rma = make_rma(prefix, warehouse_id, ordered, sequences[seq_key])
        tracking = _tracking(rng)
        reference = f"REF{rng.randrange(10**7, 10**8)}"
        seller_ref = f"ORD-{rng.randrange(10**6, 10**7)}"
        for package in range(packages):
            line_item_id += 1
            inventory_id = FIRST_INVENTORY_ID + len(result)
            item_rma = (make_rma(prefix, warehouse_id, ordered, sequences[seq_key], package + 1)
                        if packages > 1 else rma)
            created = received + timedelta(minutes=5 + package * 3 + rng.randrange(0, 120))
            handling, status, updated = _initial_handling(rng, created, now)
            vas: list[dict[str, Any]] = []
            if rng.random() < 0.12:
                code, _name = rng.choice(VAS_TYPES)
                finished = handling != "tbc" or rng.random() < 0.3
                vas.append({"vasCode": code, "isFinished": finished,
                            "vasStatusCode": "successful" if finished else "pending"})
            images = [f"sandbox/{prefix}-{warehouse_id}/{inventory_id}/{n}.png"
                      for n in range(rng.choice((0, 1, 1, 2, 2, 3)))]
            meta: list[dict[str, Any]] = []
            if rng.random() < 0.3:
                meta.append({"metaType": "whs", "metaMap": {"LPN": f"LPN{inventory_id % 10**8:08d}"}})
            if rng.random() < 0.2:
                meta.append({"metaType": "usr",
                             "metaMap": {"EAN": f"{rng.randrange(10**12, 10**13)}"}})
            result.append(SeedItem(
                return_inventory_id=inventory_id,
                return_request_id=request_id,
                line_item_id=line_item_id,
                shipment_id=shipment_id,
                prefix=prefix,
                warehouse_id=warehouse_id,
                rma=rma,
                item_rma=item_rma,
                tracking_number=tracking,
                reference_number=reference,
                seller_reference=seller_ref,
                sku=rng.choice(skus) if rng.random() < 0.7 else None,
                description=f"{rng.choice(_COLOURS)} {rng.choice(_PRODUCTS)}",
                quantity=1 if rng.random() < 0.9 else rng.randrange(2, 6),
                dims_cm=(rng.randrange(5, 80), rng.randrange(5, 60), rng.randrange(1, 40)),
                weight_g=rng.randrange(40, 25_000),
                value=f"{rng.randrange(199, 49_999) / 100:.2f}",
                currency=currency,
                handling_code=handling,
                handling_status=status,
                vas=vas,
                image_keys=images,
                remarks=rng.choice(_REMARKS),
                meta=meta,
                service_type=rng.choice(_SERVICE_TYPES),
                create_on=created,
                receive_date=received,
                modify_on=updated or created,
                handling_updated_on=updated,
                complete_on=updated if status == "completed" else None,
                rma_locked=handling not in {"tbc", "ohd", "oth"},
            ))
    result.sort(key=lambda i: (i.create_on, i.return_inventory_id))
    return result


def _initial_handling(rng: random.Random, created: datetime,
                      now: datetime) -> tuple[str, str, datetime | None]:
    roll = rng.random()
    if roll < 0.65:
        return "tbc", "pending", None
    updated = min(now, created + timedelta(hours=rng.randrange(1, 72)))
    if roll < 0.75:
        return "ohd", "pending", updated
    code = rng.choice(("rtn", "rst", "dsp", "oth"))
    if roll < 0.85:
        return code, "pending", updated
    if roll < 0.92:
        return code, "inProgress", updated
    return code, "completed", updated


# -- images --------------------------------------------------------------------------------
_SIZES = {"small": 64, "medium": 160, "large": 320}


def png_for(key: str) -> bytes:
    """A small generated PNG for an image key: a coloured tile with a diagonal stripe."""
    stem = key.rsplit(".", 1)[0]
    size = 480
    for name, pixels in _SIZES.items():
        if stem.endswith("-" + name):
            size = pixels
    digest = zlib.crc32(stem.rsplit("-", 1)[0].encode())
    colour = bytes(((digest >> 16) & 0xFF, (digest >> 8) & 0xFF, digest & 0xFF))
    stripe = bytes(255 - c for c in colour)
    rows = []
    band = max(2, size // 12)
    for y in range(size):
        row = bytearray(colour * size)
        for x in range(max(0, y - band), min(size, y + band)):
            row[3 * x:3 * x + 3] = stripe
        rows.append(b"\x00" + bytes(row))
    raw = zlib.compress(b"".join(rows), 6)

    def chunk(tag: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + tag + data
                + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")
