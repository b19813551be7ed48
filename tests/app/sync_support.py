"""What the sync tests share: the "all items" query and the period they sync."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.store.base import RowFilter, RowQuery

ALL = RowQuery(filter=RowFilter.ALL)


def period(days: int = 200) -> tuple[datetime, datetime]:
    """The last ``days`` up to a minute from now."""
    until = datetime.now(UTC) + timedelta(minutes=1)
    return until - timedelta(days=days), until
