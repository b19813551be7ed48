"""Records and raw SQL access for the store tests (both engines)."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from app.model import (
    Decision,
    DecisionAction,
    InventoryRecord,
    LineKind,
    SkuLine,
    Source,
    rh_key,
    winit_key,
)

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def rh(n: int, *, at: datetime | None = T0, **changes: Any) -> InventoryRecord:
    values: dict[str, Any] = dict(
        source=Source.RETURN_HELPER, key=rh_key(n), updated_at=at, return_inventory_id=n,
        rma=f"RMA{n:05d}", tracking_numbers=(f"TN{n:05d}",), warehouse="WH-A",
        handling_code="tbc", handling_status="pending",
        received_at=T0 + timedelta(minutes=n),
        lines=(SkuLine(sku=f"SKU-{n % 7}", quantity=n % 5 + 1,
                       weight_kg=Decimal(n % 11) + Decimal("0.125"),
                       length_cm=Decimal("30.5"), width_cm=Decimal("20"),
                       height_cm=Decimal("10")),))
    values.update(changes)
    return InventoryRecord(**values)


def winit(order: str, *, at: datetime | None = T0, **changes: Any) -> InventoryRecord:
    values: dict[str, Any] = dict(
        source=Source.WINIT, key=winit_key(order), updated_at=at, winit_order_no=order,
        status="WP", warehouse="WH-W", received_at=T0,
        lines=(SkuLine(kind=LineKind.ESTIMATE, sku="W-SKU", quantity=1),))
    values.update(changes)
    return InventoryRecord(**values)


def decision(key: str, new: str = "rst", *, idem: str | None = None, desk: str = "desk-1",
             old: str | None = "tbc", at: datetime | None = None,
             action: DecisionAction = DecisionAction.UPDATE) -> Decision:
    return Decision(id=None, key=key, action=action, new_handling=new, old_handling=old,
                    operator="ann", desk=desk, created_at=at or datetime.now(UTC),
                    idempotency_key=idem or f"{key}:{new}:{desk}:{datetime.now(UTC).timestamp()}")


def raw_execute(url: str, sql: str) -> list[Any]:
    """Run SQL on the store's database behind its back (schema tests)."""
    if url.startswith("postgresql://"):
        import psycopg
        with psycopg.connect(url, autocommit=True) as conn:
            cur = conn.execute(sql)
            return list(cur.fetchall()) if cur.description else []
    path = urlsplit(url).path if url.startswith("sqlite://") else url
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        return list(conn.execute(sql).fetchall())
    finally:
        conn.close()
