"""The webhook receiver: a Starlette app that writes vendor events into the store.

``POST /webhooks/returnhelper``  Return Helper signed events
``POST /webhooks/winit/{token}`` WINIT EVENT_OMS_RMA_STATUS_CHANGE (token from the keyring)
``GET  /healthz``                 liveness and store reachability

Every answer comes after the store has committed (or refused) the event: store writes run
on one writer thread so the event loop keeps serving, concurrent events share a transaction
(:class:`GroupCommit`), and a Return Helper event's mapping into records runs on that
thread too, just before its batch (the loop only checks the signature and the envelope). Log lines are
``key=value`` pairs and never carry a secret, a signature or the WINIT path token.

Parts: :mod:`app.webhooks.group_commit` (the writer), :mod:`app.webhooks.wire` (request and
response plumbing); their public names stay importable from here.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from app.credentials import Credentials, CredentialsError, Secret
from app.model import InventoryRecord, Source, utcnow
from app.returnhelper.mapping import file_base_for
from app.returnhelper.signature import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SigningKeyError,
)
from app.settings import Settings, SettingsError
from app.store.base import RawEvent, Store, StoreError
from app.webhooks.decrypt import DecryptionError, EventDecryptor, decryptor_for
from app.webhooks.group_commit import Build, GroupCommit
from app.webhooks.kept import VERIFIED_HEADER, VERIFIED_VALUE, kept_key
from app.webhooks.returnhelper_events import (
    EventError,
    Interpretation,
    Outcome,
    RhEvent,
    dedup_key,
    interpret,
    parse_envelope,
)
from app.webhooks.winit_events import parse_body
from app.webhooks.wire import (
    KEPT_HEADERS,
    SECRET_CACHE_S,
    _BodyTooLarge,
    _kept_headers,
    _outcome_response,
    _read_body,
    _read_headers,
    _SecretCache,
    _Verifier,
    log_event,
)

log = logging.getLogger("app.webhooks")
__all__ = ["DEFAULT_MAX_BODY", "FRESHNESS", "KEPT_HEADERS", "KEPT_STATUS", "RH_PATH",
           "SECRET_CACHE_S",
           "WINIT_PATH", "Build", "GroupCommit", "ReceiverStats", "create_app", "log_event"]

RH_PATH = "/webhooks/returnhelper"
WINIT_PATH = "/webhooks/winit/{token}"
DEFAULT_MAX_BODY = 1024 * 1024          # 1 MiB: the largest documented event is a few kB
FRESHNESS = timedelta(minutes=15)
#: The answer to an authenticated event that is kept in the raw-event log but not applied
#: (unreadable, stale): 2xx, so Return Helper neither retries it nor suspends the endpoint.
KEPT_STATUS = 202


@dataclass(slots=True)
class ReceiverStats:
    """Counters for /healthz and the bench (per app instance)."""

    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0


def create_app(store: Store, credentials: Credentials, settings: Settings, *,
               decryptor: EventDecryptor | None = None,
               max_body_bytes: int = DEFAULT_MAX_BODY,
               clock: Callable[[], datetime] = utcnow) -> Starlette:
    """The receiver as an ASGI app writing into ``store``.

    ``settings.webhooks_public_url`` is the Return Helper endpoint URL exactly as registered
    (it is part of the signed text). ``decryptor`` defaults to plaintext when
    ``settings.winit_plaintext_events`` is on, else to "unavailable".
    """
    scope = settings.environment.value
    signing_key = _SecretCache(lambda: credentials.get(Secret.RH_SIGNING_KEY, scope))
    hook_token = _SecretCache(lambda: credentials.get(Secret.WINIT_HOOK_TOKEN))
    winit_decryptor = decryptor or decryptor_for(settings)
    verify = _Verifier()  # the signing key decoded once per key, not per request
    stats = ReceiverStats()
    writer = GroupCommit(store)
    try:
        file_base = file_base_for(settings.rh_urls()[0])
    except SettingsError:
        file_base = None
    if not settings.webhooks_public_url:
        log.warning("webhook public URL not set (--public-url): Return Helper signatures are "
                    "checked against the URL this server sees, which is wrong behind a proxy")

    # -- Return Helper ------------------------------------------------------------------
    def rh_raw(body: bytes, event: RhEvent, now: datetime, headers: dict[str, str],
               result: Interpretation) -> RawEvent:
        return RawEvent(source=Source.RETURN_HELPER, dedup_key=dedup_key(event, body),
                        received_at=now, body=body, category=event.category,
                        action=event.action, event_time=event.event_time,
                        outcome=result.outcome, headers=headers)

    def rejected_raw(source: Source, reason: str, body: bytes, now: datetime,
                     headers: dict[str, str], event: RhEvent | None = None) -> RawEvent:
        return RawEvent(source=source, dedup_key=kept_key(reason, body),
                       received_at=now, body=body,
                       category=event.category if event else None,
                       action=event.action if event else None,
                       event_time=event.event_time if event else None,
                       outcome=f"rejected:{reason}", headers=headers)

    async def keep_rejected_async(source: Source, reason: str, body: bytes, now: datetime,
                                  headers: dict[str, str], event: RhEvent | None = None,
                                  ) -> bool | None:
        """Keep a refused body under ``rejected:<reason>:<digest>``: True when kept now,
        False when kept before (a retry), None when the store could not keep it."""
        try:
            return await writer.ingest(rejected_raw(source, reason, body, now, headers, event), [])
        except StoreError as exc:
            log_event(logging.ERROR, source=source.value, outcome="not_kept", reason=reason,
                      error=str(exc))
            return None
        except Exception as exc:
            if event is None:
                log_event(logging.ERROR, source=source.value, outcome="not_kept", reason=reason,
                          error=type(exc).__name__)
                return None
            # the envelope's own fields could not be written: keep the body alone
            return await keep_rejected_async(source, reason, body, now, headers)

    def rh_answer(status: int, outcome: str, started: float, *, level: int = logging.INFO,
                  detail: str | None = None, records: Sequence[InventoryRecord] = (),
                  rejected: bool = False, **fields: object) -> Response:
        if status >= 400 or rejected:
            stats.rejected += 1
        if log.isEnabledFor(level):  # the line is built only when it is written
            if records:
                fields["keys"] = ",".join(r.key for r in records)
            log_event(level, source="returnhelper", status=status, outcome=outcome,
                      detail=detail, ms=f"{(time.perf_counter() - started) * 1000:.1f}",
                      **fields)
        return _outcome_response(status, outcome, detail)

    async def rh_kept(reason: str, detail: str, body: bytes, now: datetime,
                      headers: dict[str, str], started: float, event: RhEvent | None = None,
                      *, level: int = logging.WARNING, offset_s: int | None = None,
                      ) -> Response:
        """An authenticated event that cannot be applied: kept in the raw-event log and
        answered 2xx (KEPT_STATUS), its retries too, since a retry of the same body can
        never read differently and 4xx answers would get the endpoint suspended. Only when
        the store cannot keep it is the answer 503 (Return Helper retries)."""
        first = await keep_rejected_async(Source.RETURN_HELPER, reason, body, now, headers,
                                          event)
        kind = event.kind if event else None
        event_time = event.event_time if event else None
        if first is None:
            return rh_answer(503, "store_unavailable", started, level=logging.ERROR,
                             reason=reason, detail=f"{detail}; the event could not be kept, "
                                                   "retry later", kind=kind)
        if not first:
            stats.duplicates += 1
            return rh_answer(KEPT_STATUS, "rejected", started, level=level, reason=reason,
                             kept="before", detail=f"already kept as rejected: {reason}",
                             kind=kind, event_time=event_time, offset_s=offset_s)
        return rh_answer(KEPT_STATUS, "rejected", started, level=level, rejected=True,
                         reason=reason, kept="now",
                         detail=f"{detail}; kept as rejected: {reason}, not applied", kind=kind,
                         event_time=event_time, offset_s=offset_s)

    async def returnhelper(request: Request) -> Response:
        started = time.perf_counter()
        now = clock()
        read = _read_headers(request)
        try:
            body = await _read_body(request, max_body_bytes, read.get("content-length"))
        except _BodyTooLarge:
            return rh_answer(413, "rejected", started, level=logging.WARNING,
                             reason="too_large", detail=f"body over {max_body_bytes} bytes")
        signature = read.get(SIGNATURE_HEADER)
        timestamp = read.get(TIMESTAMP_HEADER)
        if not signature or timestamp is None:
            return rh_answer(401, "rejected", started, level=logging.WARNING,
                             reason="no_signature", bytes=len(body),
                             detail=f"missing {SIGNATURE_HEADER} or {TIMESTAMP_HEADER} header")
        try:
            key = await signing_key.get()
        except CredentialsError as exc:
            return rh_answer(503, "not_configured", started, level=logging.ERROR,
                             detail=str(exc))
        if not key:
            return rh_answer(503, "not_configured", started, level=logging.ERROR,
                             detail=f"no signing key in the keyring ({Secret.RH_SIGNING_KEY.value}"
                                    f", environment {scope})")
        url = settings.webhooks_public_url or str(request.url)  # read per request: settable
        try:
            ok = verify(key, url, timestamp, body, signature)
            if not ok:
                fresh_key = await signing_key.get(fresh=True)  # the key may have been rotated
                if fresh_key and fresh_key != key:
                    ok = verify(fresh_key, url, timestamp, body, signature)
        except SigningKeyError as exc:
            return rh_answer(503, "not_configured", started, level=logging.ERROR, detail=str(exc))
        if not ok:
            return rh_answer(401, "rejected", started, level=logging.WARNING,
                             reason="bad_signature", bytes=len(body),
                             detail="signature does not match")
        headers = _kept_headers(request, read)
        headers[VERIFIED_HEADER] = VERIFIED_VALUE  # what a replay relies on
        try:
            return await rh_verified(body, headers, now, started)
        except Exception as exc:  # last resort: a bug must neither lose the event nor answer 500
            return await rh_internal_error(exc, body, now, headers, started)

    async def rh_internal_error(exc: Exception, body: bytes, now: datetime,
                                headers: dict[str, str], started: float,
                                event: RhEvent | None = None) -> Response:
        """An authenticated event this code failed on: kept as ``rejected:internal_error``
        (replayable once the code is fixed) and answered like any kept event."""
        log.error("webhook: an authenticated event could not be processed (%s)",
                  type(exc).__name__, exc_info=exc)
        return await rh_kept("internal_error", f"could not be processed ({type(exc).__name__})",
                             body, now, headers, started, event, level=logging.ERROR)

    async def rh_verified(body: bytes, headers: dict[str, str], now: datetime,
                          started: float) -> Response:
        """The rest of a Return Helper event, once its signature is verified."""
        try:
            event = parse_envelope(body)
        except EventError as exc:
            return await rh_kept(exc.reason, str(exc), body, now, headers, started)
        if event.event_time is None or abs(now - event.event_time) > FRESHNESS:
            # A late retry of an event applied earlier (our answer was lost) is a duplicate.
            # Any other stale event is kept under rejected:stale:<digest>, not its own dedup
            # key: a later delivery in time is still applied, and `returndesk hooks replay`
            # can apply it (after a receiver outage or a wrong clock).
            dedup = dedup_key(event, body)
            try:
                applied_before = dedup in await asyncio.to_thread(store.known_dedup_keys, [dedup])
            except StoreError as exc:
                return rh_answer(503, "store_unavailable", started, level=logging.ERROR,
                                 kind=event.kind, detail=str(exc))
            if applied_before:
                stats.duplicates += 1
                return rh_answer(200, Outcome.DUPLICATE, started, level=logging.WARNING,
                                 kind=event.kind, reason="stale_duplicate", dedup=dedup)
            # The offset names a wrong clock here at once: every event off by the same hour.
            offset = (None if event.event_time is None
                      else round((event.event_time - now).total_seconds()))
            return await rh_kept("stale", "eventTime missing or more than 15 minutes from this "
                                 "clock", body, now, headers, started, event, offset_s=offset)
        interpreted: list[Interpretation] = []

        def build() -> tuple[RawEvent, Sequence[InventoryRecord]]:
            # on the writer thread, just before the batch: mapping work leaves the loop
            result = interpret(event, file_base=file_base)
            interpreted.append(result)
            return rh_raw(body, event, now, headers, result), result.records

        try:
            inserted = await writer.ingest_built(build)
        except EventError as exc:
            return await rh_kept(exc.reason, str(exc), body, now, headers, started, event)
        except StoreError as exc:
            return rh_answer(503, "store_unavailable", started, level=logging.ERROR,
                             kind=event.kind, detail=str(exc))
        except Exception as exc:  # mapping or writing failed where it should not have
            return await rh_internal_error(exc, body, now, headers, started, event)
        if not inserted:
            stats.duplicates += 1
            return rh_answer(200, Outcome.DUPLICATE, started, kind=event.kind,
                             dedup=dedup_key(event, body))
        result = interpreted[0]
        stats.accepted += 1
        level = logging.WARNING if result.outcome != Outcome.APPLIED else logging.INFO
        return rh_answer(200, result.outcome, started, level=level, kind=event.kind,
                         records=result.records, detail=result.note or None)

    # -- WINIT ------------------------------------------------------------------------------
    def winit_answer(status: int, ok: bool, started: float, *, level: int = logging.INFO,
                     **fields: object) -> PlainTextResponse:
        if not ok:
            stats.rejected += 1
        log_event(level, source="winit", status=status, answer="success" if ok else "fail",
                  ms=f"{(time.perf_counter() - started) * 1000:.1f}", **fields)
        return PlainTextResponse("success" if ok else "fail", status_code=status)

    async def winit_process(plaintext: bytes, now: datetime,
                            headers: dict[str, str]) -> tuple[int, int, int]:
        items = parse_body(plaintext)
        writes = []
        for item in items:
            writes.append(writer.ingest(item.raw_event(now, headers),
                                        [item.record] if item.record else []))
        inserted_all = await asyncio.gather(*writes)
        applied = duplicates = rejected = 0
        for item, inserted in zip(items, inserted_all, strict=True):
            if item.record is None:
                rejected += 1
                log_event(logging.WARNING, source="winit", outcome="rejected", reason="invalid",
                          uuid=item.uuid, detail=item.error)
            elif inserted:
                applied += 1
            else:
                duplicates += 1
        return applied, duplicates, rejected

    async def winit(request: Request) -> Response:
        started = time.perf_counter()
        now = clock()
        given = request.path_params.get("token", "")
        try:
            expected = await hook_token.get()
        except CredentialsError as exc:
            return winit_answer(503, False, started, level=logging.ERROR, detail=str(exc))
        if not expected:
            return winit_answer(404, False, started, level=logging.WARNING,
                                reason="not_configured",
                                detail=f"no {Secret.WINIT_HOOK_TOKEN.value} in the keyring")
        if not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
            return winit_answer(404, False, started, level=logging.WARNING, reason="bad_token")
        try:
            body = await _read_body(request, max_body_bytes)
        except _BodyTooLarge:
            return winit_answer(413, False, started, level=logging.WARNING, reason="too_large")
        headers = _kept_headers(request)
        try:
            plaintext = winit_decryptor.decrypt(body, request.headers)
        except DecryptionError as exc:
            await keep_rejected_async(Source.WINIT, exc.reason, body, now, headers)
            return winit_answer(503, False, started, level=logging.ERROR, reason=exc.reason,
                                detail=str(exc))
        try:
            applied, duplicates, rejected = await winit_process(plaintext, now, headers)
        except EventError as exc:
            await keep_rejected_async(Source.WINIT, exc.reason, plaintext, now, headers)
            return winit_answer(400, False, started, level=logging.WARNING, reason=exc.reason,
                                detail=str(exc))
        except StoreError as exc:
            return winit_answer(503, False, started, level=logging.ERROR,
                                reason="store_unavailable", detail=str(exc))
        except Exception as exc:  # last resort: keep the body, answer as for undecryptable
            log.error("webhook: a WINIT event could not be processed (%s)",
                      type(exc).__name__, exc_info=exc)
            await keep_rejected_async(Source.WINIT, "internal_error", plaintext, now, headers)
            return winit_answer(503, False, started, level=logging.ERROR,
                                reason="internal_error", error=type(exc).__name__)
        stats.accepted += applied
        stats.duplicates += duplicates
        return winit_answer(200, True, started, applied=applied, duplicates=duplicates,
                            rejected=rejected)

    # -- health -----------------------------------------------------------------------------
    async def healthz(request: Request) -> Response:
        try:
            seq = await asyncio.to_thread(store.last_seq)
        except Exception as exc:  # any store failure makes the service unhealthy
            return JSONResponse({"status": "unhealthy", "store": str(exc)}, status_code=503)
        # The store reads but the last write failed (a full disk, a read-only folder):
        # "degraded" with the store's words, still 200 (the process is up, and a probe that
        # took it out of service would keep away the vendor's retry that shows it is fixed).
        failing = writer.failing
        return JSONResponse({"status": "degraded" if failing else "ok", "store": store.url,
                             "seq": seq, "writes": failing or "ok",
                             "accepted": stats.accepted, "duplicates": stats.duplicates,
                             "rejected": stats.rejected, "write_batches": writer.batches,
                             "failed_batches": writer.failed_batches,
                             "checkpoints": writer.checkpoints,
                             "winit_decryption": winit_decryptor.name})

    app = Starlette(routes=[
        Route(RH_PATH, returnhelper, methods=["POST"]),
        Route(WINIT_PATH, winit, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
    ])
    app.state.stats = stats
    app.state.writer = writer
    return app

