"""WINIT open API client: signed POSTs to the service URL, return-order queries with paging.

Secrets (token, client secret) come from the keyring through :class:`WinitAuth` and are
never logged. Transient failures (timeouts, 429, 5xx) are retried with backoff; a WINIT
business error (``code`` other than ``0``) raises :class:`WinitError` with WINIT's message.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import httpx

from app.credentials import Credentials, Secret
from app.model import as_aware, utcnow
from app.settings import Settings
from app.tls import shared_ssl_context
from app.winit.signing import CHINA_TIME, SignedParams, build_body, data_json, timestamp_text

log = logging.getLogger(__name__)

QUERY_RETURN_ORDERS = "rma.returnGoodsOrder.queryReturnOderList"  # sic: "Oder"
MAX_PAGE_SIZE = 200


class WinitError(RuntimeError):
    """WINIT answered with an error code, or could not be reached. Message is for people."""

    def __init__(self, message: str, *, code: str | None = None, action: str | None = None,
                 retryable: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.action = action
        self.retryable = retryable


@dataclass(frozen=True, slots=True)
class WinitAuth:
    app_key: str
    token: str = field(repr=False)
    client_id: str = ""
    client_secret: str | None = field(default=None, repr=False)
    platform: str = ""

    @classmethod
    def from_credentials(cls, credentials: Credentials) -> WinitAuth | None:
        """The keyring's WINIT secrets, or None when app key or token is not set."""
        app_key = credentials.get(Secret.WINIT_APP_KEY)
        token = credentials.get(Secret.WINIT_TOKEN)
        if not app_key or not token:
            return None
        return cls(app_key=app_key, token=token,
                   client_id=credentials.get(Secret.WINIT_CLIENT_ID) or "",
                   client_secret=credentials.get(Secret.WINIT_CLIENT_SECRET) or None)


@dataclass(frozen=True, slots=True)
class ReturnOrderPage:
    orders: list[Mapping[str, Any]]
    page_no: int
    page_size: int
    total: int | None  # None when WINIT did not say

    @property
    def is_last(self) -> bool:
        if self.total is not None:
            return self.page_no * self.page_size >= self.total
        return len(self.orders) < self.page_size


class WinitClient:
    def __init__(self, base_url: str, auth: WinitAuth, *, http: httpx.AsyncClient | None = None,
                 timeout: float = 20.0, retries: int = 3, backoff_s: float = 0.5,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.base_url = base_url
        self._auth = auth
        self._own_http = http is None
        self._http = http or httpx.AsyncClient(timeout=timeout, verify=shared_ssl_context())
        self._retries = retries
        self._backoff = backoff_s
        self._clock = clock

    @classmethod
    def from_settings(cls, settings: Settings, credentials: Credentials,
                      **kwargs: Any) -> WinitClient | None:
        auth = WinitAuth.from_credentials(credentials)
        if auth is None:
            return None
        return cls(settings.winit_service_url(), auth, timeout=settings.timeout_s, **kwargs)

    async def aclose(self) -> None:
        if self._own_http:
            await self._http.aclose()

    async def __aenter__(self) -> WinitClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- one signed call -------------------------------------------------------------------
    def request_body(self, action: str, data: Mapping[str, Any]) -> bytes:
        params = SignedParams(action=action, app_key=self._auth.app_key,
                              data_json=data_json(data), platform=self._auth.platform,
                              timestamp=timestamp_text(self._clock()))
        return build_body(params, token=self._auth.token, client_id=self._auth.client_id,
                          client_secret=self._auth.client_secret)

    async def call(self, action: str, data: Mapping[str, Any]) -> Any:
        """POST one signed request; returns WINIT's ``data`` on code 0."""
        attempt = 0
        while True:
            attempt += 1
            try:
                return await self._call_once(action, data)
            except WinitError as exc:
                if not exc.retryable or attempt > self._retries:
                    raise
                delay = self._backoff * 2 ** (attempt - 1)
                log.warning("winit call=%s attempt=%d failed (%s); retrying in %.1fs",
                            action, attempt, exc, delay)
                await asyncio.sleep(delay)

    async def _call_once(self, action: str, data: Mapping[str, Any]) -> Any:
        body = self.request_body(action, data)  # fresh timestamp and signature per attempt
        try:
            response = await self._http.post(
                self.base_url, content=body,
                headers={"Content-Type": "application/json; charset=utf-8"})
        except httpx.TimeoutException:
            raise WinitError(f"WINIT did not answer {action} in time", action=action,
                             retryable=True) from None
        except httpx.TransportError as exc:
            raise WinitError(f"cannot reach WINIT ({type(exc).__name__})", action=action,
                             retryable=True) from None
        if response.status_code == 429 or response.status_code >= 500:
            raise WinitError(f"WINIT answered HTTP {response.status_code} to {action}",
                             code=str(response.status_code), action=action, retryable=True)
        if response.status_code >= 400:
            raise WinitError(f"WINIT refused {action} with HTTP {response.status_code}",
                             code=str(response.status_code), action=action)
        try:
            answer = response.json()
        except ValueError:
            raise WinitError(f"WINIT answered {action} with something that is not JSON",
                             action=action) from None
        if not isinstance(answer, dict):
            raise WinitError(f"WINIT answered {action} with an unexpected shape", action=action)
        code = str(answer.get("code", "")).strip()
        if code != "0":
            message = str(answer.get("msg") or answer.get("message") or "no message")
            raise WinitError(f"WINIT refused {action}: {message} (code {code or '?'})",
                             code=code or None, action=action)
        return answer.get("data")

    # -- return orders -----------------------------------------------------------------------
    async def query_return_orders(self, start: date, end: date, *, page_no: int = 1,
                                  page_size: int = MAX_PAGE_SIZE,
                                  **filters: str) -> ReturnOrderPage:
        """One page of return orders ordered between ``start`` and ``end`` (dates)."""
        page_size = max(1, min(page_size, MAX_PAGE_SIZE))
        data: dict[str, Any] = {k: v for k, v in filters.items() if v}
        data["OderStartDatetime"] = _day(start)
        data["OderEndDatetime"] = _day(end)
        data["pageParams"] = {"pageSize": page_size, "pageNo": page_no}
        answer = await self.call(QUERY_RETURN_ORDERS, data)
        orders, total = parse_page(answer)
        return ReturnOrderPage(orders, page_no, page_size, total)

    async def iter_return_orders(self, start: date, end: date, *, first_page: int = 1,
                                 page_size: int = MAX_PAGE_SIZE,
                                 ) -> AsyncIterator[ReturnOrderPage]:
        page_no = first_page
        while True:
            page = await self.query_return_orders(start, end, page_no=page_no,
                                                  page_size=page_size)
            yield page
            if page.is_last or not page.orders:
                return
            page_no += 1


def order_days(start: datetime, end: datetime) -> tuple[date, date]:
    """The ``OderStartDatetime`` and ``OderEndDatetime`` days that cover the instants
    ``[start, end]``.

    WINIT documents these as dates without a zone. Its own times (``createTime``,
    ``statusTime``) are China time (UTC+8), so the days are China days: from 16:00 UTC the
    UTC day is a day behind, and asking up to the UTC day would leave out the orders made
    since then until the next sync. The first day is one earlier as well, in case the server
    reads the dates in a zone behind China; reading an order twice is harmless (it is stored
    once, the newest statusTime wins). The last day is never after today in China.
    """
    first = as_aware(start).astimezone(CHINA_TIME).date() - timedelta(days=1)
    last = as_aware(end).astimezone(CHINA_TIME).date()
    return first, max(first, last)


def _day(value: date) -> str:
    if isinstance(value, datetime):
        value = value.date()
    return value.isoformat()


def parse_page(answer: Any) -> tuple[list[Mapping[str, Any]], int | None]:
    """WINIT's paged ``data``: a list, or an object with the list under a usual name."""
    if answer is None:
        return [], 0
    if isinstance(answer, list):
        return [o for o in answer if isinstance(o, dict)], None
    if not isinstance(answer, dict):
        raise WinitError("WINIT's return-order page has an unexpected shape")
    rows: Any = None
    for name in ("list", "records", "rows", "data", "orderList", "returnOrderList"):
        if isinstance(answer.get(name), list):
            rows = answer[name]
            break
    if rows is None:
        rows = []
    total: Any = None
    page_params = answer.get("pageParams")
    for source in (page_params if isinstance(page_params, dict) else {}, answer):
        for name in ("totalCount", "total", "totalNum", "totalRecords"):
            if source.get(name) not in (None, ""):
                total = source[name]
                break
        if total is not None:
            break
    try:
        total_int = int(total) if total is not None else None
    except (TypeError, ValueError):
        total_int = None
    return [o for o in rows if isinstance(o, dict)], total_int
