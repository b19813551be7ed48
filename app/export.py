"""A day's decisions as CSV: ``returndesk export --day YYYY-MM-DD [-o FILE]`` and the UI.

One row per decision made that day (in this computer's time zone), oldest first. Cells
that a spreadsheet would run as a formula (starting ``=``, ``+``, ``-``, ``@``) are
prefixed with ``'``. Files are written as UTF-8 with a byte-order mark so spreadsheet
programs read non-ASCII operator names and descriptions correctly.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

from app.model import local_day_start
from app.settings import Settings
from app.store.base import Store, StoreError

COLUMNS = ("time", "operator", "desk", "item key", "RMA", "old handling", "new handling",
           "result state", "message", "correlationId")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Start and end (exclusive) of ``day`` in the local time zone, as aware datetimes."""
    return local_day_start(day), local_day_start(day + timedelta(days=1))


def _cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def decisions_csv(store: Store, day_start: datetime, day_end: datetime) -> str:
    """The decisions made in ``[day_start, day_end)`` as CSV text (header row first)."""
    return _decisions_csv(store, day_start, day_end)[0]


def _decisions_csv(store: Store, day_start: datetime, day_end: datetime) -> tuple[str, int]:
    count = 0
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    rmas: dict[str, str | None] = {}
    for decision in store.decisions_between(day_start, day_end):
        count += 1
        if decision.key not in rmas:
            row = store.row(decision.key)
            rmas[decision.key] = row.rma if row else None
        writer.writerow([_cell(v) for v in (
            decision.created_at.astimezone(day_start.tzinfo).isoformat(timespec="seconds"),
            decision.operator,
            decision.desk,
            decision.key,
            rmas[decision.key],
            decision.old_handling,
            decision.new_handling if decision.new_handling else f"({decision.action.value})",
            decision.state.value,
            decision.result_message,
            decision.correlation_id,
        )])
    return out.getvalue(), count


def export_command(args: argparse.Namespace, settings: Settings) -> int:
    """``returndesk export``: 0 done, 1 store problem, 2 bad arguments."""
    from app.store import open_store

    text_day = getattr(args, "day", None)
    try:
        day = date.fromisoformat(text_day) if text_day else date.today()
    except ValueError:
        print(f"export: --day must be a date like 2026-03-01, not {text_day!r}", file=sys.stderr)
        return 2
    start, end = day_bounds(day)
    try:
        with open_store(settings.store) as store:
            text, rows = _decisions_csv(store, start, end)
    except StoreError as exc:
        print(f"export: {exc}", file=sys.stderr)
        return 1
    output = getattr(args, "output", None)
    if not output or output == "-":
        sys.stdout.write(text)
        return 0
    path = Path(output)
    try:
        write_atomically(path, text)
    except OSError as exc:
        print(f"export: cannot write {path}: {exc.strerror or exc}", file=sys.stderr)
        return 1
    print(f"export: {rows} decision(s) of {day.isoformat()} written to {path}", file=sys.stderr)
    return 0


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".export-", suffix=".csv")
    try:
        with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
