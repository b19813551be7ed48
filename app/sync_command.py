"""``returndesk sync``: the backfill from a terminal, with a progress bar."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import TextIO

from app.model import utcnow
from app.returnhelper.client import ReturnHelperClient
from app.returnhelper.errors import ApiError, AuthError
from app.settings import Settings
from app.sync import SyncPhase, SyncProgress, SyncSummary, backfill
from app.winit.client import WinitClient

log = logging.getLogger(__name__)


# -- the command -----------------------------------------------------------------------------
class TerminalProgress:
    """A one-line progress bar on a terminal; plain lines every few seconds otherwise."""

    def __init__(self, stream: TextIO | None = None, width: int = 30) -> None:
        self.stream = stream or sys.stderr
        self.width = width
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self._last = 0.0

    def __call__(self, p: SyncProgress) -> None:
        fraction = p.fraction
        if fraction is None:
            bar = "." * self.width
            pct = "  ?%"
        else:
            filled = int(fraction * self.width)
            bar = "#" * filled + "." * (self.width - filled)
            pct = f"{fraction * 100:3.0f}%"
        total = p.pages_total if p.pages_total is not None else "?"
        line = (f"[{bar}] {pct} pages {p.pages_done}/{total}  items {p.items} "
                f"(new {p.new}, details {p.details})  WINIT {p.winit_orders}")
        if self.tty:
            self.stream.write("\r" + line[:160].ljust(100))
            if p.phase is SyncPhase.DONE:
                self.stream.write("\n")
            self.stream.flush()
            return
        now = time.monotonic()
        if p.phase in (SyncPhase.DONE, SyncPhase.STARTING) or now - self._last >= 2.0:
            self._last = now
            self.stream.write(line + "\n")
            self.stream.flush()


def sync_command(args: argparse.Namespace, settings: Settings) -> int:
    """``returndesk sync [--days N] [--no-winit] [--restart]``."""
    from app.credentials import Credentials, CredentialsError, Secret
    from app.logs import setup_logging
    from app.store import StoreError, open_store

    setup_logging("returndesk-sync", console=False)
    credentials = Credentials()
    try:
        store = open_store(settings.store, credentials=credentials)
    except StoreError as exc:
        print(f"returndesk sync: {exc}", file=sys.stderr)
        return 1
    scope = settings.environment.value
    try:
        key = credentials.get(Secret.RH_API_KEY, scope)
        token = credentials.get(Secret.RH_API_TOKEN, scope)
        winit = None if getattr(args, "no_winit", False) else \
            WinitClient.from_settings(settings, credentials)
    except CredentialsError as exc:
        store.close()
        print(f"returndesk sync: {exc}", file=sys.stderr)
        return 1
    if not key or not token:
        print(f"returndesk sync: no Return Helper API key/token for environment {scope!r}; "
              f"set them with 'returndesk credentials set {Secret.RH_API_KEY.value}' and "
              f"'{Secret.RH_API_TOKEN.value}'. Continuing with WINIT only."
              if winit else
              f"returndesk sync: no Return Helper API key/token for environment {scope!r} and "
              "no WINIT credentials: nothing to sync. Set them with 'returndesk credentials "
              f"set {Secret.RH_API_KEY.value} --stdin' and '{Secret.RH_API_TOKEN.value}' "
              f"(WINIT: {Secret.WINIT_APP_KEY.value}, {Secret.WINIT_TOKEN.value})",
              file=sys.stderr)
        if winit is None:
            store.close()
            return 2
    days = getattr(args, "days", None) or settings.sync_days
    until = datetime.now(UTC)
    since = until - timedelta(days=days)

    async def run() -> SyncSummary:
        rh = ReturnHelperClient.from_settings(settings, key, token) if key and token else None
        try:
            return await backfill(store, rh, winit, since=since, until=until,
                                  progress=TerminalProgress(),
                                  restart=bool(getattr(args, "restart", False)))
        finally:
            if rh is not None:
                await rh.aclose()
            if winit is not None:
                await winit.aclose()

    try:
        summary = asyncio.run(run())
    except KeyboardInterrupt:
        print("\nreturndesk sync: interrupted; run 'returndesk sync' again to continue where "
              "it stopped", file=sys.stderr)
        return 130
    except AuthError as exc:
        print(f"\nreturndesk sync: Return Helper refused the credentials: {exc}", file=sys.stderr)
        return 1
    except ApiError as exc:
        print(f"\nreturndesk sync: {exc}; run it again to continue where it stopped",
              file=sys.stderr)
        return 1
    finally:
        with contextlib.suppress(Exception):
            store.close()
    print(summary.text())
    for line in summary.skipped:
        print(f"skipped: {line}")
    for line in summary.errors:
        print(f"problem: {line}", file=sys.stderr)
    if not summary.complete:
        print("returndesk sync: did not finish: " + "; ".join(map(str, summary.unfinished))
              + ". Run 'returndesk sync' again to continue where it stopped.", file=sys.stderr)
    return 0 if not summary.errors and summary.complete else 1


def default_period(settings: Settings, now: datetime | None = None) -> tuple[datetime, datetime]:
    until = now or utcnow()
    return until - timedelta(days=settings.sync_days), until
