"""This computer's clock against Return Helper's (app.clock_check), through the real sandbox
over HTTP: its answers carry the server's ``Date``."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from app.clock_check import ClockCheck, describe, parts
from app.model import utcnow
from app.returnhelper.client import ReturnHelperClient
from app.sandbox.server import SandboxServer


class Ticks:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_a_clock_an_hour_behind_is_found_said_once_and_its_fix_too(
        sandbox: SandboxServer, caplog: Any) -> None:
    behind = timedelta(hours=1, minutes=3)
    ticks = Ticks()
    local = {"offset": -behind}
    check = ClockCheck("Return Helper", clock=lambda: utcnow() + local["offset"],
                       monotonic=ticks)
    caplog.set_level(logging.INFO, logger="app.clock_check")
    async with ReturnHelperClient(sandbox.user_base, sandbox.public_base, sandbox.api_key,
                                  sandbox.api_token, retries=0, clock_check=check) as client:
        assert check.wrong_by is None  # nothing asked yet: nothing said
        await client.get_handlings(refresh=True)
        assert check.wrong_by is not None
        assert abs(check.wrong_by - behind) < timedelta(seconds=10)  # positive: behind
        await client.get_handlings(refresh=True)  # within the minute: not read again
        ticks.now += 61
        await client.get_handlings(refresh=True)
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1
        assert "1 h 03 min behind Return Helper's" in warnings[0].getMessage()
        local["offset"] = timedelta(0)  # the operator synced the clock
        ticks.now += 61
        await client.get_handlings(refresh=True)
    assert check.wrong_by is None and abs(check.offset or behind) < timedelta(seconds=10)
    assert [r.getMessage() for r in caplog.records].count(
        "this computer's clock agrees with Return Helper's again") == 1


def test_a_clock_ahead_is_negative_and_small_differences_are_not_wrong() -> None:
    now = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)
    check = ClockCheck("Return Helper", clock=lambda: now)
    check.observe("Mon, 07 Dec 2026 02:50:00 GMT")  # the server is 10 min behind this clock
    assert check.wrong_by == timedelta(minutes=-10)
    check.observe("Mon, 07 Dec 2026 03:01:30 GMT")
    assert check.offset == timedelta(seconds=90) and check.wrong_by is None


def test_missing_or_unreadable_dates_leave_nothing_known() -> None:
    check = ClockCheck("Return Helper")
    for value in (None, "", "yesterday", "Mon, 99 Foo 2026 25:61:00 GMT"):
        check.observe(value)
    assert check.offset is None and check.wrong_by is None and check.due()


def test_offsets_are_described_in_days_hours_and_minutes() -> None:
    assert parts(timedelta(hours=-26, minutes=-5)) == (1, 2, 5)
    assert describe(timedelta(minutes=63)) == "1 h 03 min"
    assert describe(timedelta(minutes=-7)) == "7 min"
    assert describe(timedelta(days=2, hours=3)) == "2 d 3 h"
