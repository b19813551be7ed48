"""WINIT EVENT_OMS_RMA_STATUS_CHANGE bodies (after decryption) to records.

The body is a JSON array of records. Each record is kept once by its ``uuid`` (or, without
one, by a digest of its JSON); a record that cannot be mapped is kept in the raw-event log
with the reason instead of becoming a half-filled inventory record. A record without
``statusTime`` is applied as a view without a time (it fills gaps, never replaces a timed
value) and logged.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.model import InventoryRecord, Source
from app.store.base import RawEvent
from app.webhooks.returnhelper_events import EventError, Outcome
from app.webhooks.wire import log_event
from app.winit.mapping import (
    EVENT_NAME,
    WinitMappingError,
    event_uuid,
    record_from_event,
    records_from_event_body,
)


@dataclass(frozen=True, slots=True)
class WinitItem:
    """One record of an event body: its record, or why it has none."""

    dedup_key: str
    body: bytes                     # the record's JSON, as kept in the raw-event log
    uuid: str | None
    record: InventoryRecord | None
    error: str | None = None

    def raw_event(self, received_at: datetime, headers: dict[str, str]) -> RawEvent:
        """The raw-event log's entry for this record (a live delivery's or a replay's): the
        record's JSON under its own key, applied or rejected with the reason."""
        record = self.record
        return RawEvent(source=Source.WINIT, dedup_key=self.dedup_key, received_at=received_at,
                        body=self.body, category=EVENT_NAME,
                        action=record.status if record else None,
                        event_time=record.updated_at if record else None,
                        outcome=Outcome.APPLIED if record else f"rejected:invalid:{self.error}",
                        headers=headers)


def parse_body(plaintext: bytes) -> list[WinitItem]:
    """Every record of a decrypted body. Raises :class:`EventError` when the body as a whole
    is unusable (not JSON, not an array of objects)."""
    try:
        payload: Any = json.loads(plaintext)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise EventError("malformed_json", "the body is not valid JSON") from None
    try:
        raw_items = records_from_event_body(payload)
    except WinitMappingError as exc:
        raise EventError("not_an_array", str(exc)) from None
    items: list[WinitItem] = []
    for raw in raw_items:
        text = json.dumps(raw, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        body = text.encode("utf-8")
        uuid = event_uuid(raw)
        key = f"winit:u:{uuid}" if uuid else f"winit:b:{hashlib.sha256(body).hexdigest()}"
        try:
            record = record_from_event(raw)
        except WinitMappingError as exc:
            items.append(WinitItem(f"{key}:rejected", body, uuid, None, str(exc)))
            continue
        if record.updated_at is None:
            log_event(logging.WARNING, source="winit", reason="no_status_time", uuid=uuid,
                      order=record.winit_order_no, status=record.status,
                      detail="no statusTime: fills gaps, never replaces a timed value")
        items.append(WinitItem(key, body, uuid, record))
    return items
