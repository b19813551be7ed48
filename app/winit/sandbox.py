"""A loopback stand-in for WINIT's open API service URL (tests, benches, demo).

It checks ``sign`` and ``client_sign`` exactly as WINIT documents them (over the raw
``data`` text of the request) and answers ``rma.returnGoodsOrder.queryReturnOderList``
from seeded return orders, paged. Anything else gets WINIT's error shape.
"""

from __future__ import annotations

import asyncio
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from app.winit.client import QUERY_RETURN_ORDERS
from app.winit.signing import CHINA_TIME, verify_body

SERVICE_PATH = "/openapi/service"
STATUSES = ("OD", "LC", "PC", "RE", "WP", "HI", "OC", "CD", "VO")


def generate_orders(count: int, seed: int = 7, *, now: datetime | None = None,
                    days: int = 150) -> list[dict[str, Any]]:
    """``count`` return orders created over the ``days`` before ``now``, numbers as strings."""
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    orders = []
    for i in range(count):
        created = now - timedelta(days=rng.uniform(0, days))
        status_time = created + timedelta(hours=rng.uniform(1, 72))
        goods = []
        for g in range(rng.randint(1, 2)):
            length, width, height = (round(rng.uniform(5, 60), 1) for _ in range(3))
            goods.append({
                "merchandiseCode": f"SKU-{rng.randrange(1000):04d}",
                "merchandiseSerno": f"69{rng.randrange(10**10):010d}",
                "specification": rng.choice(["black", "white", "L", "M"]),
                "merchandiseGrade": rng.choice(["GOOD", "DEFECTIVE"]),
                "handleMethod": rng.choice(["SA", "NS", "DE"]),
                "quantity": str(rng.randint(1, 3)),
                "length": str(length), "width": str(width), "height": str(height),
                "weight": f"{rng.uniform(0.1, 9):.3f}",
                "confirmQty": str(rng.randint(0, 3)),
                "confirmLength": f"{length + 0.5:.1f}", "confirmWidth": str(width),
                "confirmHeight": str(height),
                "confirmVolume": f"{(length + 0.5) * width * height / 1_000_000:.6f}",
                "confirmWeight": f"{rng.uniform(0.1, 9):.3f}",
                "itemList": [{"itemSerno": f"SN{i:06d}{g}"}],
            })
        orders.append({
            "orderNo": f"RO{created.astimezone(CHINA_TIME):%y%m%d}{i:06d}",
            "sellerOrderNo": f"SR-{i}", "rmaNo": f"WRMA-{i:06d}",
            "outboundOrderNo": f"WO{i:08d}", "expressNo": f"1Z{rng.randrange(10**12):012d}",
            "warehouseCode": rng.choice(["US0001", "DE0001", "UK0001"]),
            "status": rng.choice(STATUSES), "returnReason": rng.choice(["DF", "BR"]),
            "createTime": created.astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M:%S"),
            "statusTime": str(int(status_time.timestamp() * 1000)),
            "orderGoodsList": goods,
        })
    return orders


@dataclass
class WinitSandbox:
    """The server's state; ``app`` is the ASGI app to serve."""

    app_key: str
    token: str
    client_secret: str | None = None
    orders: list[dict[str, Any]] = field(default_factory=list)
    latency_s: float = 0.0
    fail_next: int = 0              # answer this many requests with HTTP 503 first
    calls: list[dict[str, Any]] = field(default_factory=list)
    app: Starlette = field(init=False)

    def __post_init__(self) -> None:
        self.app = Starlette(routes=[Route(SERVICE_PATH, self._service, methods=["POST"])])

    async def _service(self, request: Request) -> Response:
        body = await request.body()
        if self.latency_s:
            await asyncio.sleep(self.latency_s)
        if self.fail_next > 0:
            self.fail_next -= 1
            return Response("Service Unavailable", status_code=503)
        try:
            ok, parsed = verify_body(body, token=self.token, client_secret=self.client_secret)
        except (ValueError, UnicodeDecodeError):
            return _error("1", "request body is not JSON")
        self.calls.append({"action": parsed.get("action"), "ok": ok, "data": parsed.get("data")})
        if parsed.get("app_key") != self.app_key:
            return _error("2001", "app_key does not exist")
        if not ok:
            return _error("2002", "sign verification failed")
        if parsed.get("action") != QUERY_RETURN_ORDERS:
            return _error("3001", f"unknown action {parsed.get('action')!r}")
        data = parsed.get("data") or {}
        try:
            start = date.fromisoformat(str(data["OderStartDatetime"])[:10])
            end = date.fromisoformat(str(data["OderEndDatetime"])[:10])
            page = data.get("pageParams") or {}
            size = int(page.get("pageSize", 20))
            number = int(page.get("pageNo", 1))
        except (KeyError, ValueError, TypeError):
            return _error("4001", "OderStartDatetime, OderEndDatetime and pageParams are required")
        if not 1 <= size <= 200 or number < 1:
            return _error("4002", "pageSize must be 1..200 and pageNo >= 1")
        chosen = [o for o in self.orders
                  if start <= date.fromisoformat(o["createTime"][:10]) <= end]
        rows = chosen[(number - 1) * size:number * size]
        return JSONResponse({"code": "0", "msg": "操作成功", "data": {
            "list": rows, "pageParams": {"pageNo": number, "pageSize": size,
                                         "totalCount": len(chosen)}}})


def _error(code: str, message: str) -> Response:
    return Response(json.dumps({"code": code, "msg": message, "data": None}, ensure_ascii=False),
                    media_type="application/json")
