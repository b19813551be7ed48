"""The sandbox's Return Helper API: the user and public endpoints, the envelope, the update
and cancel rules with idempotency keys, generated images, and the warehouse acting after an
update (``completeInventoryHandling`` to the receiver)."""

from __future__ import annotations

import asyncio
import bisect
import hashlib
import hmac
import json
import logging
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from app.model import as_aware
from app.sandbox import deliver
from app.sandbox.base import IDEMPOTENCY_HEADER, SandboxBase
from app.sandbox.seed import (
    HANDLING_STATUSES,
    HANDLINGS,
    VAS_STATUSES,
    VAS_TYPES,
    SeedItem,
    png_for,
)
from app.sandbox.state import AppliedChange, _Stored

log = logging.getLogger(__name__)

MAX_WINDOW = timedelta(days=62)


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    return as_aware(parsed)


def envelope(status: int = 200, *, data: Any = None, error_code: str | None = None,
             error: Any = None, correlation_id: str | None = None,
             **payload: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "correlationId": correlation_id or str(uuid.uuid4()),
        "meta": {"status": status, "data": data, "errorCode": error_code, "error": error}}
    body.update(payload)
    return body


def _response(body: dict[str, Any], http_status: int = 200,
              headers: dict[str, str] | None = None) -> Response:
    all_headers = {"x-correlation-id": str(body.get("correlationId"))}
    all_headers.update(headers or {})
    return Response(json.dumps(body, separators=(",", ":")).encode(), status_code=http_status,
                    media_type="application/json", headers=all_headers)


def _soft(errors: dict[str, list[str]]) -> Response:
    return _response(envelope(400, error_code="VALIDATION_FAILED", error=errors))



class SandboxApi(SandboxBase):
    """The API endpoints :class:`~app.sandbox.server.SandboxServer` routes to."""

    def _authorised(self, request: Request) -> Response | None:
        key = request.headers.get("x-rr-apikey", "")
        token = request.headers.get("x-rr-apitoken", "")
        ok = hmac.compare_digest(key.encode(), self.api_key.encode())
        ok = hmac.compare_digest(token.encode(), self.api_token.encode()) and ok
        if ok:
            return None
        return _response(envelope(401, error_code="UNAUTHORIZED",
                                  error="invalid x-rr-apikey or x-rr-apitoken"), 401)

    async def _list(self, request: Request) -> Response:
        if (denied := self._authorised(request)) is not None:
            return denied
        q = request.query_params
        errors: dict[str, list[str]] = {}
        bounds: dict[str, datetime] = {}
        for name in ("createFrom", "createTo"):
            try:
                value = _parse_time(q.get(name))
            except ValueError:
                errors[name] = [f"'{q.get(name)}' is not an ISO 8601 date-time"]
                continue
            if value is None:
                errors[name] = [f"{name} is required"]
            else:
                bounds[name] = value
        numbers: dict[str, int] = {}
        for name, default, low, high in (("pageSize", 50, 1, 50), ("offset", 0, 0, None)):
            raw = q.get(name)
            try:
                number = default if raw in (None, "") else int(str(raw))
            except ValueError:
                errors[name] = [f"{name} must be a whole number"]
                continue
            if number < low or (high is not None and number > high):
                errors[name] = [f"{name} must be between {low} and {high}" if high is not None
                                else f"{name} must be at least {low}"]
            numbers[name] = number
        if len(bounds) == 2:
            if bounds["createTo"] < bounds["createFrom"]:
                errors.setdefault("createTo", []).append("createTo must not be before createFrom")
            elif bounds["createTo"] - bounds["createFrom"] > MAX_WINDOW:
                errors.setdefault("createTo", []).append(
                    "the period from createFrom to createTo may not exceed 62 days")
        if errors:
            return _soft(errors)
        start, end = bounds["createFrom"], bounds["createTo"]
        with self.state.lock:
            # creation times never change: bisect the seeded order
            low = bisect.bisect_left(self.state.created, start)
            high = bisect.bisect_right(self.state.created, end)
            offset, size = numbers["offset"], numbers["pageSize"]
            page = self.state.order[low:high][offset:offset + size]
            rows = [self.state.items[i].list_row() for i in page]
            total = high - low
        # the business payload goes beside meta, as the vendor's envelope describes
        return _response(envelope(200, totalNumberOfRecords=total) | {"data": rows})

    async def _get(self, request: Request) -> Response:
        if (denied := self._authorised(request)) is not None:
            return denied
        raw = request.query_params.get("returnInventoryId")
        try:
            inventory_id = int(str(raw))
        except ValueError:
            return _soft({"returnInventoryId": ["returnInventoryId must be a whole number"]})
        with self.state.lock:
            item = self.state.items.get(inventory_id)
            record = item.details() if item else None
        if record is None:
            return _response(envelope(404, error_code="NOT_FOUND", error={
                "returnInventoryId": [f"return inventory {inventory_id} was not found"]}), 404)
        return _response(envelope(200) | {"data": record})

    async def _idempotent(self, request: Request,
                          apply: Callable[[dict[str, Any], str], dict[str, Any]]) -> Response:
        """Run ``apply(body, correlation_id)`` once per idempotency key; replay its answer."""
        if (denied := self._authorised(request)) is not None:
            return denied
        body, raw = await self._json_body(request)
        key = request.headers.get(IDEMPOTENCY_HEADER)
        fingerprint = hashlib.sha256(request.url.path.encode() + b"\n" + raw).hexdigest()
        with self.state.lock:
            if key is not None and key in self.state.idempotency:
                stored = self.state.idempotency[key]
                if stored.fingerprint != fingerprint:
                    return _response(envelope(409, error_code="IDEMPOTENCY_KEY_REUSED", error={
                        IDEMPOTENCY_HEADER: ["this key was used for a different request"]}), 409)
                return Response(stored.body, status_code=stored.status,
                                media_type="application/json",
                                headers={"x-correlation-id": stored.correlation_id})
            correlation_id = str(uuid.uuid4())
            if body is None:
                answer = envelope(400, error_code="VALIDATION_FAILED", correlation_id=correlation_id,
                                  error={"body": ["the body must be a JSON object"]})
            else:
                answer = apply(body, correlation_id)
            encoded = json.dumps(answer, separators=(",", ":")).encode()
            if key is not None:
                self.state.idempotency[key] = _Stored(fingerprint, 200, encoded,
                                                      str(answer.get("correlationId")))
        return Response(encoded, media_type="application/json",
                        headers={"x-correlation-id": correlation_id})

    def _find(self, body: dict[str, Any], cid: str) -> SeedItem | dict[str, Any]:
        raw = body.get("returnInventoryId")
        if isinstance(raw, bool) or not isinstance(raw, int):
            return envelope(400, error_code="VALIDATION_FAILED", correlation_id=cid, error={
                "returnInventoryId": ["returnInventoryId is required and must be an integer"]})
        item = self.state.items.get(raw)
        if item is None:
            return envelope(400, error_code="VALIDATION_FAILED", correlation_id=cid, error={
                "returnInventoryId": [f"return inventory {raw} does not exist or does not "
                                      "belong to your account"]})
        return item

    def _apply_update(self, body: dict[str, Any], cid: str, key: str | None) -> dict[str, Any]:
        found = self._find(body, cid)
        code_raw = body.get("handlingCode")
        errors: dict[str, list[str]] = {}
        if not isinstance(code_raw, str) or not code_raw.strip():
            errors["handlingCode"] = ["handlingCode is required"]
        if not isinstance(found, SeedItem):
            if errors:
                found["meta"]["error"].update(errors)
            return found
        if errors:
            return envelope(400, error_code="VALIDATION_FAILED", correlation_id=cid, error=errors)
        item = found
        code = str(code_raw).strip()
        known = {c for c, _ in HANDLINGS}
        if code not in known:
            errors["handlingCode"] = [f"'{code}' is not a handling code (see getAllHandlings)"]
        elif code in {"rsd", "tbc"}:
            errors["handlingCode"] = [f"'{code}' cannot be set here: it has its own flow"]
        elif not (item.handling_status == "pending" and code == "ohd"):
            if item.handling_status == "completed":
                errors["handlingCode"] = ["the warehouse has completed handling this item"]
            elif item.has_unfinished_vas:
                errors["returnInventoryId"] = [
                    "the line item has a VAS request that is not finished"]
        if errors:
            return envelope(400, error_code="VALIDATION_FAILED", correlation_id=cid, error=errors)
        previous = item.handling_code
        now = datetime.now(UTC)
        item.handling_code = code
        item.handling_status = "pending"
        item.handling_updated_on = now
        item.modify_on = now
        item.complete_on = None
        item.rma_locked = item.rma_locked or code not in {"ohd", "oth"}
        self.state.applied.append(AppliedChange("update", item.return_inventory_id, code,
                                                previous, key, cid, now))
        self.state.changed.notify_all()
        self._schedule_warehouse(item.return_inventory_id)
        return envelope(200, correlation_id=cid, data={
            "returnInventoryId": item.return_inventory_id, "handlingCode": code,
            "handlingStatusCode": item.handling_status})

    def _apply_cancel(self, body: dict[str, Any], cid: str, key: str | None) -> dict[str, Any]:
        found = self._find(body, cid)
        if not isinstance(found, SeedItem):
            return found
        item = found
        if item.handling_code == "tbc":
            return envelope(400, error_code="VALIDATION_FAILED", correlation_id=cid, error={
                "returnInventoryId": ["there is no handling to cancel"]})
        if item.handling_status != "pending":
            return envelope(400, error_code="VALIDATION_FAILED", correlation_id=cid, error={
                "returnInventoryId": ["the warehouse has already acted on this handling"]})
        previous = item.handling_code
        now = datetime.now(UTC)
        item.handling_code = "tbc"
        item.handling_status = "pending"
        item.handling_updated_on = now
        item.modify_on = now
        self.state.applied.append(AppliedChange("cancel", item.return_inventory_id, "tbc",
                                                previous, key, cid, now))
        self.state.changed.notify_all()
        return envelope(200, correlation_id=cid, data={
            "returnInventoryId": item.return_inventory_id, "handlingCode": "tbc",
            "handlingStatusCode": "pending"})

    async def _update(self, request: Request) -> Response:
        key = request.headers.get(IDEMPOTENCY_HEADER)
        return await self._idempotent(request, lambda b, c: self._apply_update(b, c, key))

    async def _cancel(self, request: Request) -> Response:
        key = request.headers.get(IDEMPOTENCY_HEADER)
        return await self._idempotent(request, lambda b, c: self._apply_cancel(b, c, key))

    async def _handlings(self, request: Request) -> Response:
        if (denied := self._authorised(request)) is not None:
            return denied
        return _response(envelope(200, handlings=[
            {"handlingCode": c, "handlingDescription": d} for c, d in HANDLINGS]))

    async def _statuses(self, request: Request) -> Response:
        if (denied := self._authorised(request)) is not None:
            return denied
        return _response(envelope(200, handlingStatusList=[
            {"handlingStatusCode": c, "handlingStatus": n, "handlingStageDescription": d}
            for c, n, d in HANDLING_STATUSES]))

    async def _vas(self, request: Request) -> Response:
        if (denied := self._authorised(request)) is not None:
            return denied
        return _response(envelope(200, vasList=[
            {"vasCode": c, "vasDescription": d} for c, d in VAS_TYPES]))

    async def _vas_statuses(self, request: Request) -> Response:
        if (denied := self._authorised(request)) is not None:
            return denied
        return _response(envelope(200, vasStatusList=[
            {"vasStatusCode": c, "vasStatus": d} for c, d in VAS_STATUSES]))

    async def _file(self, request: Request) -> Response:
        key = str(request.path_params["key"])
        if not key.startswith("sandbox/") or not key.endswith(".png") or ".." in key:
            return Response(b"not found", status_code=404, media_type="text/plain")
        return Response(png_for(key), media_type="image/png",
                        headers={"cache-control": "public, max-age=86400"})

    # -- the warehouse acting after an update ----------------------------------------------------
    def _schedule_warehouse(self, inventory_id: int) -> None:
        """Called with the lock held, on the server loop: complete + notify after a delay."""
        if self.state.receiver_url is None or self._loop is None:
            return
        task = self._loop.create_task(self._act_and_notify(inventory_id, self.state.act_after_s))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _act_and_notify(self, inventory_id: int, delay: float) -> None:
        await asyncio.sleep(delay)
        with self.state.lock:
            url, registered = self.state.receiver_url, self.state.registered_url
            item = self.state.items[inventory_id]
            if item.handling_status != "pending" or item.handling_code == "tbc" or url is None:
                return
            now = datetime.now(UTC)
            item.handling_status = "completed"
            item.complete_on = now
            item.modify_on = now
            event = deliver.complete_inventory_handling(item.webhook_inventory(self.file_base))
        try:
            report = await deliver.post_events([event], url, self.signing_key,
                                               registered_url=registered, concurrency=1)
        except Exception:
            log.warning("sandbox: could not deliver completeInventoryHandling", exc_info=True)
            return
        if report.failed:
            log.warning("sandbox: completeInventoryHandling for %s not accepted: %s",
                        inventory_id, report.errors)
