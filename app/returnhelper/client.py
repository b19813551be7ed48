"""The Return Helper API client: its endpoints, over one shared connection pool.

Every call goes through :meth:`ReturnHelperClient._call`: :class:`~app.returnhelper.retry.
RetryPolicy` retries 429 (honouring ``Retry-After``, capped), 5xx and network errors with
exponential backoff and jitter (never soft errors, 401, 404, 409); each attempt is one
:meth:`~app.returnhelper.transport.Sender.send`, which bounds how many requests are in
flight and has :func:`app.returnhelper.envelope.interpret` turn each answer into data or an
:class:`~app.returnhelper.errors.ApiError`. A state-changing call sends the caller's
idempotency key on every attempt, so a retried request is applied once.

Logs name the method, path, status and correlation id; never a header value.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Self
from urllib.parse import urlencode

import httpx

from app import __version__
from app.clock_check import ClockCheck
from app.handling import (
    CodeError,
    HandlingStatusType,
    HandlingType,
    normalize_handling_code,
    normalize_handling_status,
)
from app.model import InventoryRecord, as_aware, utcnow
from app.returnhelper.envelope import Envelope
from app.returnhelper.errors import ClientRequestError, NotFoundError, ProtocolError
from app.returnhelper.mapping import (
    ListRow,
    MappingError,
    file_base_for,
    list_row_record,
    map_details,
    read_list_row,
)
from app.returnhelper.retry import RetryPolicy, Sleep
from app.returnhelper.transport import Sender
from app.settings import Settings, check_base_url, user_agent

MAX_WINDOW = timedelta(days=62)
MAX_PAGE_SIZE = 50
IDEMPOTENCY_HEADER = "x-returnhelper-idempotency-key"
#: What reading a record may raise for the vendor's data: MappingError (a ValueError) naming
#: the field, or an out-of-range value a reader let through (a ProtocolError, never a crash).
_UNREADABLE = (MappingError, ValueError, ArithmeticError, OSError)


@dataclass(frozen=True, slots=True)
class InventoryPage:
    records: list[InventoryRecord]
    total: int
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class ListPage:
    """A list page's rows, read but not yet records (see :func:`list_row_record`)."""

    rows: list[ListRow]
    total: int
    fetched_at: datetime
    correlation_id: str | None = None


@dataclass(frozen=True, slots=True)
class ApiResult:
    correlation_id: str | None
    data: Any


def _iso(when: datetime) -> str:
    return as_aware(when).astimezone(UTC).isoformat().replace("+00:00", "Z")


def split_windows(since: datetime, until: datetime,
                  max_window: timedelta = MAX_WINDOW) -> list[tuple[datetime, datetime]]:
    """``[since, until]`` as consecutive windows of at most ``max_window`` (62 days)."""
    if until < since:
        raise ValueError("the end of the period is before its start")
    windows = []
    start = since
    while True:
        end = min(start + max_window, until)
        windows.append((start, end))
        if end >= until:
            return windows
        start = end


def _unseen(records: list[InventoryRecord], seen: set[int]) -> list[InventoryRecord]:
    fresh = []
    for record in records:
        rid = record.return_inventory_id
        if rid is not None:
            if rid in seen:
                continue
            seen.add(rid)
        fresh.append(record)
    return fresh


class ReturnHelperClient:
    """Async client for Return Helper's user and public APIs.

    ``sleep`` is what waits between retries (tests pass one that records the waits).
    """

    def __init__(self, user_base: str, public_base: str, api_key: str, api_token: str, *,
                 timeout: float = 20.0, concurrency: int = 4, retries: int = 4,
                 user_agent: str = user_agent(__version__),
                 transport: httpx.AsyncBaseTransport | None = None,
                 http_client: httpx.AsyncClient | None = None,
                 backoff_initial: float = 0.5, backoff_max: float = 30.0,
                 retry_after_cap: float = 60.0, handlings_ttl: float = 3600.0,
                 file_base: str | None = None, sleep: Sleep | None = None,
                 clock_check: ClockCheck | None = None) -> None:
        if not api_key or not api_token:
            raise ValueError("the Return Helper API key and token are both needed")
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.user_base = check_base_url(user_base)
        self.public_base = check_base_url(public_base)
        self.file_base = file_base if file_base is not None else file_base_for(self.user_base)
        self.timeout = timeout
        self.retries = max(0, retries)
        self.handlings_ttl = handlings_ttl
        self._retry = RetryPolicy(retries=self.retries, backoff_initial=backoff_initial,
                                  backoff_max=backoff_max, retry_after_cap=retry_after_cap,
                                  sleep=sleep or asyncio.sleep)
        self._wire = Sender({"x-rr-apikey": api_key, "x-rr-apitoken": api_token,
                             "User-Agent": user_agent, "Accept": "application/json"},
                            timeout=timeout, concurrency=concurrency, transport=transport,
                            http_client=http_client, clock_check=clock_check)
        self.concurrency = concurrency
        self._handlings: tuple[float, list[HandlingType]] | None = None
        self._statuses: tuple[float, list[HandlingStatusType]] | None = None

    @classmethod
    def from_settings(cls, settings: Settings, api_key: str, api_token: str,
                      **kwargs: Any) -> ReturnHelperClient:
        user, public = settings.rh_urls()
        kwargs.setdefault("timeout", settings.timeout_s)
        kwargs.setdefault("concurrency", settings.concurrency)
        return cls(user, public, api_key, api_token, **kwargs)

    @property
    def clock_check(self) -> ClockCheck:
        """This computer's clock against Return Helper's (the answers' ``Date``)."""
        return self._wire.clock_check

    def __repr__(self) -> str:  # never the credentials
        return f"ReturnHelperClient({self.user_base!r}, {self.public_base!r})"

    async def aclose(self) -> None:
        await self._wire.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        tb: TracebackType | None) -> None:
        await self.aclose()

    # -- the one request path ------------------------------------------------------------
    async def _call(self, method: str, base: str, path: str, *,
                    params: Mapping[str, Any] | None = None, json: Any = None,
                    idempotency_key: str | None = None) -> Envelope:
        target = f"/{path.lstrip('/')}"
        if params:
            # encoded here: httpx's query merging costs more than the rest of a list call's
            # URL handling (values are str/int only, as urlencode writes them)
            target += "?" + urlencode(params)
        extra = {IDEMPOTENCY_HEADER: idempotency_key} if idempotency_key is not None else None
        what = f"{method} {path}"
        return await self._retry.run(
            lambda: self._wire.send(method, base, target, what, extra, json), what)

    # -- return inventory ------------------------------------------------------------------
    async def list_inventory(self, create_from: datetime, create_to: datetime, *,
                             page_size: int = MAX_PAGE_SIZE, offset: int = 0) -> InventoryPage:
        """One page of ``ReturnInventory/list`` (window at most 62 days, pageSize 1..50)."""
        page = await self.list_inventory_rows(create_from, create_to, page_size=page_size,
                                              offset=offset)
        return InventoryPage([list_row_record(row) for row in page.rows],
                             page.total, page.correlation_id)

    async def list_inventory_rows(self, create_from: datetime, create_to: datetime, *,
                                  page_size: int = MAX_PAGE_SIZE, offset: int = 0) -> ListPage:
        """:meth:`list_inventory` with the rows read (every field checked) but not yet made
        into records: the sync compares them with the store first."""
        if create_to < create_from:
            raise ClientRequestError("createTo is before createFrom")
        if create_to - create_from > MAX_WINDOW:
            raise ClientRequestError(
                f"the window {_iso(create_from)} .. {_iso(create_to)} is longer than "
                f"Return Helper's 62 days; use iter_inventory to split it")
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ClientRequestError(f"pageSize must be 1..{MAX_PAGE_SIZE}, not {page_size}")
        if offset < 0:
            raise ClientRequestError(f"offset must be >= 0, not {offset}")
        fetched_at = utcnow()
        envelope = await self._call("GET", self.user_base, "ReturnInventory/list", params={
            "createFrom": _iso(create_from), "createTo": _iso(create_to),
            "pageSize": page_size, "offset": offset})
        rows = envelope.field("data")
        if rows is None and isinstance(envelope.data, list):
            rows = envelope.data
        if rows is None:
            rows = []
        if not isinstance(rows, list):
            raise ProtocolError("GET ReturnInventory/list: 'data' is not a list",
                                correlation_id=envelope.correlation_id)
        total_raw = envelope.field("totalNumberOfRecords", "totalCount", "total")
        try:
            total = int(total_raw) if total_raw is not None else offset + len(rows)
        except (TypeError, ValueError):
            raise ProtocolError(f"GET ReturnInventory/list: totalNumberOfRecords is "
                                f"{total_raw!r}", correlation_id=envelope.correlation_id) from None
        read = []
        for index, row in enumerate(rows):
            try:
                read.append(read_list_row(row))
            except _UNREADABLE as exc:
                raise ProtocolError(f"GET ReturnInventory/list: row {offset + index}: {exc}",
                                    correlation_id=envelope.correlation_id) from exc
        return ListPage(read, total, fetched_at, envelope.correlation_id)

    async def iter_inventory(self, since: datetime, until: datetime, *,
                             page_size: int = MAX_PAGE_SIZE) -> AsyncIterator[InventoryRecord]:
        """Every inventory created in ``[since, until]``: 62-day windows, paged by offset.

        After the first page of a window the remaining pages are fetched concurrently
        (bounded by the client's concurrency) and yielded in order. An inventory on a
        window boundary is yielded once.
        """
        seen: set[int] = set()
        for start, end in split_windows(since, until):
            first = await self.list_inventory(start, end, page_size=page_size, offset=0)
            for record in _unseen(first.records, seen):
                yield record
            offsets = list(range(page_size, first.total, page_size))
            for chunk_start in range(0, len(offsets), self.concurrency):
                chunk = offsets[chunk_start:chunk_start + self.concurrency]
                pages = await asyncio.gather(*(
                    self.list_inventory(start, end, page_size=page_size, offset=o)
                    for o in chunk))
                for page in pages:
                    for record in _unseen(page.records, seen):
                        yield record

    async def get_inventory_raw(self, return_inventory_id: int) -> tuple[dict[str, Any], str | None]:
        """The ``GetReturnInventory`` record as JSON, with the correlation id."""
        envelope = await self._call("GET", self.user_base, "ReturnInventory/GetReturnInventory",
                                    params={"returnInventoryId": int(return_inventory_id)})
        record = envelope.field("data", "returnInventory")
        if record is None and "returnInventoryId" in envelope.payload:
            record = dict(envelope.payload)
        if record is None and isinstance(envelope.data, Mapping):
            record = envelope.data
        if record is None:
            raise NotFoundError(f"GET ReturnInventory/GetReturnInventory: no record for "
                                f"{return_inventory_id}", correlation_id=envelope.correlation_id,
                                http_status=envelope.http_status)
        if not isinstance(record, Mapping):
            raise ProtocolError("GET ReturnInventory/GetReturnInventory: the record is not an "
                                "object", correlation_id=envelope.correlation_id)
        return dict(record), envelope.correlation_id

    async def get_inventory(self, return_inventory_id: int) -> InventoryRecord:
        record, correlation_id = await self.get_inventory_raw(return_inventory_id)
        try:
            return map_details(record, file_base=self.file_base)
        except _UNREADABLE as exc:
            raise ProtocolError(f"GET ReturnInventory/GetReturnInventory: {exc}",
                                correlation_id=correlation_id) from exc

    # -- lookups -----------------------------------------------------------------------------
    async def get_handlings(self, *, refresh: bool = False) -> list[HandlingType]:
        """``getAllHandlings``, cached for ``handlings_ttl`` seconds."""
        if not refresh and self._handlings and time.monotonic() - self._handlings[0] < self.handlings_ttl:
            return list(self._handlings[1])
        envelope = await self._call("GET", self.public_base, "handling/getAllHandlings")
        items = self._list_field(envelope, "handlings", "getAllHandlings")
        result = []
        for index, item in enumerate(items):
            try:
                code = normalize_handling_code(item.get("handlingCode"))
            except CodeError as exc:
                raise ProtocolError(f"getAllHandlings: handlings[{index}]: {exc}",
                                    correlation_id=envelope.correlation_id) from exc
            if code is None:
                raise ProtocolError(f"getAllHandlings: handlings[{index}] has no handlingCode",
                                    correlation_id=envelope.correlation_id)
            result.append(HandlingType(code, str(item.get("handlingDescription") or code)))
        self._handlings = (time.monotonic(), result)
        return list(result)

    async def get_handling_statuses(self, *, refresh: bool = False) -> list[HandlingStatusType]:
        """``getAllHandlingStatus``, cached like the handlings."""
        if not refresh and self._statuses and time.monotonic() - self._statuses[0] < self.handlings_ttl:
            return list(self._statuses[1])
        envelope = await self._call("GET", self.public_base, "handlingstatus/getAllHandlingStatus")
        items = self._list_field(envelope, "handlingStatusList", "getAllHandlingStatus")
        result = []
        for index, item in enumerate(items):
            try:
                code = normalize_handling_status(item.get("handlingStatusCode"))
            except CodeError as exc:
                raise ProtocolError(f"getAllHandlingStatus: item {index}: {exc}",
                                    correlation_id=envelope.correlation_id) from exc
            if code is None:
                raise ProtocolError(f"getAllHandlingStatus: item {index} has no handlingStatusCode",
                                    correlation_id=envelope.correlation_id)
            result.append(HandlingStatusType(code, str(item.get("handlingStatus") or code),
                                             str(item.get("handlingStageDescription") or "")))
        self._statuses = (time.monotonic(), result)
        return list(result)

    @staticmethod
    def _list_field(envelope: Envelope, name: str, what: str) -> list[Mapping[str, Any]]:
        items = envelope.field(name)
        if items is None and isinstance(envelope.data, list):
            items = envelope.data
        if not isinstance(items, list) or not all(isinstance(i, Mapping) for i in items):
            raise ProtocolError(f"{what}: '{name}' is not a list of objects",
                                correlation_id=envelope.correlation_id)
        return items

    # -- decisions -----------------------------------------------------------------------------
    async def update_handling(self, return_inventory_id: int, handling_code: object, *,
                              idempotency_key: str) -> ApiResult:
        """``UpdateReturnInventoryHandling``; the same key on every retry of this call."""
        try:
            code = normalize_handling_code(handling_code)
        except CodeError as exc:
            raise ClientRequestError(str(exc)) from exc
        if code is None:
            raise ClientRequestError("a handling code is needed")
        if not idempotency_key:
            raise ClientRequestError("an idempotency key is needed for a state change")
        envelope = await self._call(
            "POST", self.user_base, "ReturnInventory/UpdateReturnInventoryHandling",
            json={"returnInventoryId": int(return_inventory_id), "handlingCode": code},
            idempotency_key=idempotency_key)
        return ApiResult(envelope.correlation_id, envelope.data)

    async def cancel_handling(self, return_inventory_id: int, *,
                              idempotency_key: str) -> ApiResult:
        """``CancelReturnInventoryHandling``: back to pending, if the warehouse has not acted."""
        if not idempotency_key:
            raise ClientRequestError("an idempotency key is needed for a state change")
        envelope = await self._call(
            "POST", self.user_base, "ReturnInventory/CancelReturnInventoryHandling",
            json={"returnInventoryId": int(return_inventory_id)},
            idempotency_key=idempotency_key)
        return ApiResult(envelope.correlation_id, envelope.data)
