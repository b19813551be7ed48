"""The scan field: a line edit that a keyboard-wedge scanner types into.

- Enter, keypad Enter and Tab end a scan. Tab with text in the field never moves focus
  (scanners configured with a Tab suffix are common); Tab in an *empty* field still moves
  focus, so the window stays navigable without a mouse.
- The time between keys is recorded with an injectable clock (milliseconds), and the
  core's :func:`app.scan.classify_burst` says whether the entry was a scanner burst or
  typing; the window shows which and the settings hold the threshold.
- The field never interprets the scan: it emits ``scanned(raw, burst)`` and clears itself.
  Cleaning, GS1, the repeat filter and the lookup are the core's (``DeskService.scan``).
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable
from typing import Any

from app.scan import GS, classify_burst
from ui.i18n import make_tr
from ui.qt import QAction, QEvent, QKeyEvent, QKeySequence, QLineEdit, Qt, QWidget, Signal

tr = make_tr("ScanField")

TERMINATORS = {Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab}


def monotonic_ms() -> float:
    return time.monotonic() * 1000.0


class ScanField(QLineEdit):
    scanned = Signal(str, bool)  # raw text as typed, burst (True = scanner timing)

    def __init__(self, parent: QWidget | None = None, *,
                 clock: Callable[[], float] = monotonic_ms,
                 burst_threshold_ms: float = 50.0) -> None:
        super().__init__(parent)
        self.clock = clock
        self.burst_threshold_ms = burst_threshold_ms
        self._key_times: list[float] = []
        self.last_intervals: list[float] = []
        self.setObjectName("scanField")
        self.setClearButtonEnabled(True)
        self.setMaxLength(4096)
        # Labels are Latin letters and digits. An input method (Pinyin on a zh_CN desk) would
        # take a scanner's letters into its own composition window instead of this field, so
        # the field tells input methods it takes none (see inputMethodQuery).
        self.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.retranslate()

    def retranslate(self) -> None:
        self.setPlaceholderText(tr("Scan or type an RMA, tracking number, SKU or serial, then Enter"))
        self.setAccessibleName(tr("Scan field"))
        self.setAccessibleDescription(tr(
            "Scan a label or type an identifier and press Enter. Tab also ends a scan."))
        self.setToolTip(tr("Scan field (F2)"))
        clear = self.findChild(QAction, "_q_qlineeditclearaction")  # Qt's clear button's action
        if clear is not None:  # its button is otherwise announced as a nameless "button"
            clear.setText(tr("Clear the scan field"))  # also its tooltip (Qt's default)

    def inputMethodQuery(self, query: Qt.InputMethodQuery, *argument: Any) -> Any:
        # QLineEdit answers "enabled" whatever its WA_InputMethodEnabled says; the platform's
        # input method asks this before it opens a composition for the focused field.
        if query == Qt.InputMethodQuery.ImEnabled:
            return False
        return super().inputMethodQuery(query, *argument)

    # Tab is consumed here, before QWidget's focus handling sees it.
    def event(self, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
                and event.key() == Qt.Key.Key_Tab and self.text()):
            self._finish()
            event.accept()
            return True
        if (event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent)
                and (event.matches(QKeySequence.StandardKey.Undo)
                     or event.matches(QKeySequence.StandardKey.Redo))):
            # Ctrl+Z is the window's "cancel the last handling", not text undo in here.
            event.ignore()
            return False
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self._finish()
            event.accept()
            return
        text = event.text()
        if text == GS or (key == Qt.Key.Key_BracketRight
                          and event.modifiers() & Qt.KeyboardModifier.ControlModifier):
            # GS1 group separator: scanners send ASCII 29, some as Ctrl+].
            self._note_key()
            self.insert("\u241d")  # shown as a visible "GS" symbol, sent as ASCII 29
            event.accept()
            return
        if text and text.isprintable():
            self._note_key()
        elif key == Qt.Key.Key_Escape:
            self.clear_scan()
            event.accept()
            return
        super().keyPressEvent(event)

    def _note_key(self) -> None:
        now = self.clock()
        if not self.text():
            self._key_times.clear()
        self._key_times.append(now)

    def intervals(self) -> list[float]:
        times = self._key_times
        return [b - a for a, b in itertools.pairwise(times)]

    def _finish(self) -> None:
        raw = self.text().replace("\u241d", GS)
        self.last_intervals = self.intervals()
        burst = classify_burst(self.last_intervals, self.burst_threshold_ms)
        self.clear_scan()
        if raw.strip():
            self.scanned.emit(raw, burst)

    def clear_scan(self) -> None:
        self.clear()
        self._key_times.clear()

    def start_scan(self, text: str, at_ms: float) -> None:
        """A scan whose first key was typed elsewhere in the window (``ui.scan_guard``):
        the field starts over with it, timed as if it had been typed here."""
        self.clear_scan()
        self.continue_scan(text, at_ms)

    def continue_scan(self, text: str, at_ms: float) -> None:
        self.insert("\u241d" if text == GS else text)
        self._key_times.append(at_ms)

    def submit(self, raw: str, burst: bool = True) -> None:
        """Feed a whole scan (tests, benches, a paste): the same path as the keyboard."""
        self.clear_scan()
        self.scanned.emit(raw, burst)
