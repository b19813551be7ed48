"""Kept events: webhooks the receiver authenticated but did not apply, and applying them later.

The receiver keeps such a body in the raw-event log under ``rejected:<reason>:<sha256 of the
body>`` (:func:`kept_key`): ``stale`` (``eventTime`` more than 15 minutes from its clock: it
was down, or its clock was wrong), ``invalid`` (a field it could not read), ``malformed_json``,
``not_an_object``, ``internal_error`` (it failed on the event), and for WINIT
``cannot_decrypt``. ``returndesk hooks kept`` counts them; ``returndesk hooks replay``
applies them through the same :func:`interpret` (Return Helper) or
:func:`~app.webhooks.winit_events.parse_body` (WINIT) and ingest as a live event.

A WINIT body is kept only after its path token matched, so every kept one is authenticated;
one kept as ``cannot_decrypt`` is replayed once a decryptor reads it (the plaintext setting,
or WINIT's cipher once it is known), the others from the plaintext that was kept. Each of its
records is stored under its own key (``uuid``) like a live one, so none is applied twice.

Replay skips only the freshness check, never the signature: the signature itself is not
kept, so the receiver marks each Return Helper event whose signature it verified with the
kept header :data:`VERIFIED_HEADER`, and replay applies only events that carry it (events
kept before the mark existed are listed, not applied). Replay is idempotent: an applied
event is stored under its own dedup key (``notificationId``, else a digest of the body),
marked :data:`REPLAYED_HEADER` with the key it was kept under, and anything already stored
under that key (a replay before, or a later delivery in time) is not applied again. Records
merge newest first, so an old event replayed late never overwrites newer data.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

from app.model import Source, parse_time, utcnow
from app.store.base import KEPT_PREFIX, RawEvent, Store, StoreError
from app.webhooks.decrypt import DecryptionError, EventDecryptor
from app.webhooks.returnhelper_events import (
    EventError,
    RhEvent,
    body_digest,
    dedup_key,
    interpret,
    parse_envelope,
)
from app.webhooks.winit_events import WinitItem, parse_body
from app.winit.mapping import EVENT_NAME

#: Added to the kept headers of a Return Helper event whose signature was verified (never a
#: received header: the receiver keeps only the ones it names).
VERIFIED_HEADER: Final = "returndesk-verified"
VERIFIED_VALUE: Final = "hmac-sha256"
#: On an event applied by a replay: the key it had been kept under.
REPLAYED_HEADER: Final = "returndesk-replayed-from"

_REASON = re.compile(r"^[a-z][a-z0-9_]*$")


def kept_key(reason: str, body: bytes) -> str:
    """Where the receiver keeps a body it refused: ``rejected:<reason>:<sha256>``."""
    return f"{KEPT_PREFIX}{reason}:{body_digest(body)}"


def kept_reason(key_or_outcome: str) -> str:
    """``stale`` from ``rejected:stale:<digest>`` (or an outcome ``rejected:stale``)."""
    parts = key_or_outcome.split(":", 2)
    return parts[1] if len(parts) > 1 and parts[0] == "rejected" else key_or_outcome


class Status:
    APPLIED = "applied"              # replayed now (outcome applied/unmatched/unknown_event)
    WOULD_APPLY = "would apply"      # --dry-run
    ALREADY = "already applied"      # stored under its own key before: not applied twice
    SKIPPED = "skipped"              # not applied: the note says why


@dataclass(frozen=True, slots=True)
class Replayed:
    """What replaying one kept event did."""

    kept_key: str
    reason: str
    status: str
    kind: str
    received_at: datetime
    note: str = ""
    keys: tuple[str, ...] = ()


def iter_replay(store: Store, *, reason: str | None = None, since: datetime | None = None,
                dry_run: bool = False, file_base: str | None = None,
                decryptor: EventDecryptor | None = None, page: int = 200) -> Iterator[Replayed]:
    """Replay the kept events, Return Helper's then WINIT's (each oldest first), one result
    each, as it goes. Raises :class:`StoreError` when the store fails (what was applied
    stays applied)."""
    if reason is not None and not _REASON.match(reason):
        raise ValueError(f"not a reason: {reason!r} (e.g. stale, invalid, internal_error)")
    prefix = KEPT_PREFIX + (f"{reason}:" if reason else "")
    for source in (Source.RETURN_HELPER, Source.WINIT):
        after = 0
        while rows := store.kept_events(prefix=prefix, source=source, since=since,
                                        after=after, limit=page):
            after = rows[-1][0]
            for _, kept in rows:
                if source is Source.WINIT:
                    yield _replay_winit(store, kept, dry_run=dry_run, decryptor=decryptor)
                else:
                    yield _replay_one(store, kept, dry_run=dry_run, file_base=file_base)


def _winit_items(kept: RawEvent, decryptor: EventDecryptor | None) -> list[WinitItem]:
    """The records of a kept WINIT body (decrypted first if it was kept undecrypted).
    Raises :class:`EventError` (the reason) when they cannot be read."""
    body = kept.body
    if kept_reason(kept.dedup_key) == "cannot_decrypt":
        if decryptor is None:
            raise EventError("cannot_decrypt", "no decryptor for WINIT events")
        try:
            body = decryptor.decrypt(body, kept.headers)
        except DecryptionError as exc:
            raise EventError(exc.reason, str(exc)) from None
    return parse_body(body)


def _replay_winit(store: Store, kept: RawEvent, *, dry_run: bool,
                  decryptor: EventDecryptor | None) -> Replayed:
    """One kept WINIT body: each record not stored yet is applied under its own key."""
    def done(status: str, note: str = "", keys: tuple[str, ...] = ()) -> Replayed:
        return Replayed(kept.dedup_key, kept_reason(kept.dedup_key), status, EVENT_NAME,
                        kept.received_at, note, keys)

    try:
        items = _winit_items(kept, decryptor)
    except EventError as exc:
        return done(Status.SKIPPED, f"still {exc.reason}: {exc}")
    except Exception as exc:  # the same failure as when it was received
        return done(Status.SKIPPED, f"still fails ({type(exc).__name__})")
    known = store.known_dedup_keys([item.dedup_key for item in items])
    new = [item for item in items if item.dedup_key not in known]
    readable = [item for item in new if item.record is not None]
    if not readable:
        invalid = sum(item.record is None for item in new)
        return done(Status.SKIPPED if invalid else Status.ALREADY,
                    f"{invalid} record(s) unreadable" if invalid else "every record stored before")
    keys = tuple(item.record.key for item in readable if item.record is not None)
    if dry_run:
        return done(Status.WOULD_APPLY, "", keys)
    applied: list[str] = []
    headers = {**kept.headers, REPLAYED_HEADER: kept.dedup_key}
    for item in new:
        record = item.record
        if store.ingest(item.raw_event(kept.received_at, headers),
                        [record] if record else []) and record is not None:
            applied.append(record.key)
    if not applied:  # a delivery in time (or another replay) got there first
        return done(Status.ALREADY, "every record stored before")
    return done(Status.APPLIED, "", tuple(applied))


def _replay_one(store: Store, kept: RawEvent, *, dry_run: bool,
                file_base: str | None) -> Replayed:
    def done(status: str, note: str = "", event: RhEvent | None = None,
             keys: tuple[str, ...] = ()) -> Replayed:
        kind = event.kind if event else f"{kept.category or '?'}/{kept.action or '?'}"
        return Replayed(kept.dedup_key, kept_reason(kept.dedup_key), status, kind,
                        kept.received_at, note, keys)

    if kept.headers.get(VERIFIED_HEADER) != VERIFIED_VALUE:
        return done(Status.SKIPPED, "its signature is not recorded as verified (kept before "
                                    "this version): not replayed")
    try:
        event = parse_envelope(kept.body)
    except EventError as exc:
        return done(Status.SKIPPED, f"still unreadable: {exc}")
    own_key = dedup_key(event, kept.body)
    if store.known_dedup_keys([own_key]):
        return done(Status.ALREADY, f"stored as {own_key}", event)
    try:
        result = interpret(event, file_base=file_base)
    except EventError as exc:
        return done(Status.SKIPPED, f"still {exc.reason}: {exc}", event)
    except Exception as exc:  # the same failure as when it was received
        return done(Status.SKIPPED, f"still fails ({type(exc).__name__})", event)
    keys = tuple(r.key for r in result.records)
    note = result.outcome if result.outcome != "applied" else ""
    if dry_run:
        return done(Status.WOULD_APPLY, note, event, keys)
    raw = RawEvent(source=Source.RETURN_HELPER, dedup_key=own_key, received_at=kept.received_at,
                   body=kept.body, category=event.category, action=event.action,
                   event_time=event.event_time, outcome=result.outcome,
                   headers={**kept.headers, REPLAYED_HEADER: kept.dedup_key})
    try:
        inserted = store.ingest(raw, result.records)
    except StoreError:
        raise
    except Exception as exc:  # this event's records cannot be written: the others go on
        return done(Status.SKIPPED, f"the store cannot write it ({type(exc).__name__})", event)
    if not inserted:  # a delivery in time (or another replay) got there first
        return done(Status.ALREADY, f"stored as {own_key}", event)
    return done(Status.APPLIED, note, event, keys)


@dataclass(frozen=True, slots=True)
class KeptCount:
    source: Source
    reason: str
    kept: int
    waiting: int          # events a replay would try
    applied: int = 0      # applied since (a replay, or the same event delivered in time)
    not_replayable: int = 0  # kept before this version (no mark, or under their own key)


def kept_counts(store: Store, decryptor: EventDecryptor | None = None) -> list[KeptCount]:
    """Refused events in the raw-event log by source and reason: how many a replay would
    still try, how many were applied since, and how many it cannot replay (Return Helper:
    kept before this version, with no verified mark or a stale event under its own key;
    WINIT: a body that still cannot be read or decrypted)."""
    totals: dict[tuple[Source, str], int] = {}
    for source, outcome, count in store.rejected_counts():
        key = (source, kept_reason(outcome))
        totals[key] = totals.get(key, 0) + count
    waiting: dict[str, int] = {}
    applied: dict[str, int] = {}
    after = 0
    while rows := store.kept_events(source=Source.RETURN_HELPER, after=after, limit=500):
        after = rows[-1][0]
        own: dict[str, str] = {}
        for _, kept in rows:
            reason = kept_reason(kept.dedup_key)
            if kept.headers.get(VERIFIED_HEADER) != VERIFIED_VALUE:
                continue
            try:
                own[kept.dedup_key] = dedup_key(parse_envelope(kept.body), kept.body)
            except EventError:
                waiting[reason] = waiting.get(reason, 0) + 1
        stored = store.known_dedup_keys(own.values())
        for kept_as, own_key in own.items():
            bucket = applied if own_key in stored else waiting
            reason = kept_reason(kept_as)
            bucket[reason] = bucket.get(reason, 0) + 1
    winit_waiting, winit_applied = _winit_counts(store, decryptor)
    counts = []
    for (source, reason), total in sorted(totals.items(),
                                          key=lambda i: (i[0][0].value, i[0][1])):
        if source is Source.WINIT:
            tried, done = winit_waiting.get(reason, 0), winit_applied.get(reason, 0)
        else:
            tried, done = waiting.get(reason, 0), applied.get(reason, 0)
        counts.append(KeptCount(source, reason, total, tried, done, total - tried - done))
    return counts


def _winit_counts(store: Store, decryptor: EventDecryptor | None,
                  ) -> tuple[dict[str, int], dict[str, int]]:
    """Kept WINIT bodies by reason: those with a record not stored yet (a replay would try
    them) and those whose every readable record is stored (applied since)."""
    waiting: dict[str, int] = {}
    applied: dict[str, int] = {}
    after = 0
    while rows := store.kept_events(source=Source.WINIT, after=after, limit=500):
        after = rows[-1][0]
        for _, kept in rows:
            try:
                items = [i for i in _winit_items(kept, decryptor) if i.record is not None]
            except Exception:
                items = []
            if not items:
                continue
            reason = kept_reason(kept.dedup_key)
            stored = store.known_dedup_keys([item.dedup_key for item in items])
            bucket = applied if len(stored) == len(items) else waiting
            bucket[reason] = bucket.get(reason, 0) + 1
    return waiting, applied


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """``--since``: ``30m``, ``12h``, ``7d`` ago, or an ISO 8601 date or time (UTC if no zone)."""
    match = re.fullmatch(r"\s*(\d+)\s*([mhd])\s*", text)
    if match:
        unit = {"m": "minutes", "h": "hours", "d": "days"}[match.group(2)]
        return (now or utcnow()) - timedelta(**{unit: int(match.group(1))})
    try:
        when = parse_time(text.strip())
    except ValueError:
        when = None
    if when is None:
        raise ValueError(f"--since: not a time: {text!r} (e.g. 2d, 12h, 2026-11-20, "
                         "2026-11-20T08:00:00Z)")
    return when


def hooks_command(args: argparse.Namespace, store: Store, file_base: str | None,
                  decryptor: EventDecryptor | None = None) -> int:
    """``returndesk hooks kept`` and ``returndesk hooks replay``."""
    if args.action == "kept":
        return _print_kept(kept_counts(store, decryptor))
    try:
        since = parse_since(args.since) if args.since else None
        if args.reason is not None and not _REASON.match(args.reason):
            raise ValueError(f"--reason: not a reason: {args.reason!r} (e.g. stale, invalid, "
                             "internal_error)")
    except ValueError as exc:
        print(f"hooks replay: {exc}", file=sys.stderr)
        return 2
    tally: dict[str, int] = {}
    for item in iter_replay(store, reason=args.reason, since=since, dry_run=args.dry_run,
                            file_base=file_base, decryptor=decryptor):
        tally[item.status] = tally.get(item.status, 0) + 1
        shown = item.kept_key[:len(KEPT_PREFIX) + len(item.reason) + 13]
        keys = f" -> {' '.join(item.keys)}" if item.keys else ""
        note = f" ({item.note})" if item.note else ""
        print(f"{item.status}: {shown}… {item.kind} received "
              f"{item.received_at:%Y-%m-%d %H:%M:%S}Z{keys}{note}")
    summary = ", ".join(f"{n} {status}" for status, n in tally.items()) or "nothing kept"
    print(f"hooks replay: {summary}{' (dry run: nothing written)' if args.dry_run else ''}")
    return 0


def _print_kept(counts: list[KeptCount]) -> int:
    if not counts:
        print("kept events: none (every authenticated event was applied)")
        return 0
    print(f"kept events (authenticated, not applied when received): "
          f"{sum(c.kept for c in counts)}")
    print(f"  {'source':13} {'reason':16} {'kept':>6} {'not applied':>11} {'applied since':>14} "
          f"{'cannot replay':>14}")
    for c in counts:
        print(f"  {c.source.value:13} {c.reason:16} {c.kept:>6} {c.waiting:>11} "
              f"{c.applied:>14} {c.not_replayable:>14}")
    if any(c.waiting for c in counts):
        print("apply them with: returndesk hooks replay [--reason R] [--since S] [--dry-run]")
    return 0
