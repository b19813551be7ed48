"""What a sync tells while it runs and when it ends (:mod:`app.sync`): its phase and progress,
its summary, and why it did not finish, as codes the window words in the operator's language."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

MAX_ERRORS = 20  # lines in SyncSummary.errors (the counts count every one)


class SyncPhase(StrEnum):
    STARTING = "starting"
    RETURN_HELPER = "returnhelper"
    WINIT = "winit"
    DONE = "done"


@dataclass(frozen=True, slots=True)
class SyncIssue:
    """Why a sync did not finish: what the next sync continues (never a secret).

    ``code`` and ``params`` are for the window, which words it in the operator's language
    (``ui.window_status``); ``str()`` is the English text for the log and the command line.
    Codes (params): ``details_owed`` (count: items whose details could not be read; the next
    sync asks for them first), ``winit_page`` (first_day, last_day, page, error: WINIT's
    own message).
    """

    code: str
    text: str
    params: dict[str, str | int] = field(default_factory=dict, hash=False)

    def __str__(self) -> str:
        return self.text


@dataclass(frozen=True, slots=True)
class SyncProgress:
    """What a progress bar shows; sent after every stored page (on the loop's thread)."""

    phase: SyncPhase
    pages_done: int = 0
    pages_total: int | None = None      # known once the first page of every window is in
    items: int = 0                      # list rows and WINIT orders stored so far
    new: int = 0
    changed: int = 0
    details: int = 0
    winit_orders: int = 0
    resumed: bool = False
    message: str = ""
    unfinished: tuple[SyncIssue, ...] = ()  # at DONE: why the sync did not finish (SyncSummary)

    @property
    def complete(self) -> bool:
        """Done, and nothing left for the next sync to continue."""
        return self.phase is SyncPhase.DONE and not self.unfinished

    @property
    def fraction(self) -> float | None:
        """0..1 for the Return Helper pages, None while the total is unknown."""
        if self.phase is SyncPhase.DONE:
            return 1.0
        if not self.pages_total:
            return None
        return min(1.0, self.pages_done / self.pages_total)


@dataclass(slots=True)
class SyncSummary:
    """What a sync did. The window words it from the numbers and :attr:`unfinished`'s codes
    (``ui.window_status``); :meth:`text` is the English for the log and the command line."""

    since: datetime               # the period Return Helper's walk covered
    until: datetime
    resumed: bool = False         # a source continued an interrupted walk
    winit_since: datetime | None = None   # the period WINIT's walk covered (None: not run)
    winit_until: datetime | None = None
    windows: int = 0
    pages: int = 0                # Return Helper list pages fetched in this run
    listed: int = 0               # list rows stored
    new: int = 0                  # items the store did not have
    changed: int = 0              # records the store changed (rows + details + WINIT)
    details: int = 0              # details fetched
    detail_errors: int = 0
    winit_pages: int = 0
    winit_orders: int = 0
    winit_errors: int = 0
    skipped: list[str] = field(default_factory=list)   # "WINIT: no credentials", ...
    errors: list[str] = field(default_factory=list)    # for people; each names what failed
    # why the sync did not finish: what the next sync continues (never a secret)
    unfinished: list[SyncIssue] = field(default_factory=list)
    elapsed_s: float = 0.0

    @property
    def complete(self) -> bool:
        return not self.unfinished

    def error(self, text: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(text)

    def text(self) -> str:
        parts = [f"{self.listed} Return Helper items ({self.new} new, {self.details} details)",
                 f"{self.changed} records changed"]
        if self.winit_pages:
            parts.append(f"{self.winit_orders} WINIT return orders")
        if self.detail_errors or self.winit_errors:
            parts.append(f"{self.detail_errors + self.winit_errors} could not be read")
        text = ", ".join(parts) + f" in {self.elapsed_s:.1f} s"
        if self.resumed:
            text += " (continued an interrupted sync)"
        if self.unfinished:
            text += ("; did not finish: " + "; ".join(map(str, self.unfinished))
                     + "; run the sync again to continue where it stopped")
        return text
