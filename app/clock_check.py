"""Is this computer's clock right? Compared with a server's HTTP ``Date`` header.

A desk PC whose clock (or time zone) is wrong refuses every Return Helper webhook as stale
(events more than 15 minutes from this clock are refused) and shows wrong times, and nothing
else says why. The Return Helper client hands the ``Date`` of an answer here at most once a
minute; when the difference passes :data:`TOLERANCE` it is logged once (and once when the
clock agrees again) and the window shows it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from app.model import as_aware, utcnow

log = logging.getLogger(__name__)

TOLERANCE = timedelta(minutes=2)   # Date has 1 s resolution; the webhook window is 15 min
CHECK_EVERY_S = 60.0


class ClockCheck:
    """The offset of ``server``'s clock from this computer's (server minus local)."""

    def __init__(self, server: str, *, clock: Callable[[], datetime] = utcnow,
                 monotonic: Callable[[], float] = time.monotonic,
                 tolerance: timedelta = TOLERANCE, every_s: float = CHECK_EVERY_S) -> None:
        self.server = server
        self.clock = clock
        self.monotonic = monotonic
        self.tolerance = tolerance
        self.every_s = every_s
        self.offset: timedelta | None = None
        self._checked: float | None = None
        self._said = False

    def due(self) -> bool:
        return self._checked is None or self.monotonic() - self._checked >= self.every_s

    def observe(self, date_header: str | None) -> None:
        """An answer's ``Date`` header, just received; unreadable or missing ones are skipped."""
        if not date_header:
            return
        # (imported here: email.utils costs ~3 ms of the window's start-up, and this runs
        # once a minute at most, after an answer)
        from email.utils import parsedate_to_datetime

        try:
            server_time = as_aware(parsedate_to_datetime(date_header))
        except (TypeError, ValueError, IndexError):
            return
        self._checked = self.monotonic()
        self.offset = server_time - self.clock()
        wrong = self.wrong_text()
        if wrong is not None and not self._said:
            self._said = True
            log.warning("%s: webhook events are refused as stale and times are off until it "
                        "is corrected", wrong)
        elif wrong is None and self._said:
            self._said = False
            log.info("this computer's clock agrees with %s's again", self.server)

    @property
    def wrong_by(self) -> timedelta | None:
        """The offset when it is past the tolerance (positive: this clock is behind)."""
        offset = self.offset
        return offset if offset is not None and abs(offset) > self.tolerance else None

    def wrong_text(self) -> str | None:
        """``this computer's clock is 1 h 03 min behind Return Helper's`` (the log's and
        ``returndesk check``'s words), or None while it agrees."""
        wrong = self.wrong_by
        if wrong is None:
            return None
        direction = "behind" if wrong > timedelta(0) else "ahead of"
        return f"this computer's clock is {describe(wrong)} {direction} {self.server}'s"


def parts(offset: timedelta) -> tuple[int, int, int]:
    """The size of an offset in whole days, hours and minutes (rounded to the minute)."""
    minutes = round(abs(offset).total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    return days, hours, minutes


def describe(offset: timedelta) -> str:
    """``1 h 02 min`` / ``7 min`` / ``2 d 3 h``: the size of an offset, for the log."""
    days, hours, minutes = parts(offset)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    return f"{minutes} min"
