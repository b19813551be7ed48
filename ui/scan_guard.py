"""Scans that arrive while the keyboard focus is not in the scan field go to the scan field.

A keyboard-wedge scanner types into whatever has the focus. After a scan the focus is in
the handling dropdown (the keyboard flow), and an operator who scans the next parcel
without deciding on this one types the next label into the dropdown: its letters would
pick a handling by keyboard search and the scanner's Enter would *apply* it to the item
on screen. Elsewhere (the list, a filter, a button) a scan picked a row, changed the filter
or vanished without a sound.

:class:`ScanGuard` watches the key presses of the desk window's widgets that are not text
fields. The first printable key is held back for the scanner threshold
(``Settings.scanner_max_interkey_ms``): if the next key comes sooner, it is a scanner burst
and both keys, and the rest of the burst, go to the scan field (the widget never sees
them); otherwise the held key is delivered where it was typed, a few tens of
milliseconds late, so typing a code's first letters in the dropdown still works. In a
dialog of the window (the scan field is out of reach behind a modal one) a scan is held to
its Enter or Tab and sent to the window whole; the dialog's field and default button never
see it. Text fields of the window itself take their typing as usual.

A scan's own suffix is not a decision either. A scan ends at its first terminator (Enter
or Tab) and the window moves the focus to the handling dropdown (or the list of matches)
with the first allowed code selected; a scanner set to send Tab then Enter, or CR then LF,
delivers its second terminator there a few milliseconds later, and that Enter applied a
code nobody chose. A terminator that reaches the window's widgets within the scanner
threshold (at least :data:`SUFFIX_FLOOR_MS`) of a scan's end is swallowed as part of that
scan; an Enter pressed after that applies as before.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any

import ui.qt as qt
from app.scan import GS, classify_burst
from ui.qt import QApplication, QComboBox, QEvent, QKeyEvent, QObject, Qt, QTimer, QWidget, is_valid

log = logging.getLogger(__name__)

_TERMINATORS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab)
#: A terminator this soon after a scan ended (or within the scanner threshold, if longer) is
#: the scan's own suffix. A person's Enter after a scan comes later than this.
SUFFIX_FLOOR_MS = 100.0
_TYPING_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier


class _HeldKey:
    # (a plain class: a dataclass costs ~1 ms of the window's start-up to make)
    __slots__ = ("at", "key", "modifiers", "target", "text")

    def __init__(self, target: QWidget, key: int, modifiers: Any, text: str, at: float) -> None:
        self.target, self.key, self.modifiers, self.text = target, key, modifiers, text
        self.at = at  # the clock's milliseconds


class ScanGuard(QObject):
    """Routes scanner bursts typed anywhere in the desk window to its scan field.

    In the window's own widgets a burst moves the focus to the scan field, where the rest of
    the scan arrives. In a dialog of the window (settings, failed decisions, the decision
    log) the focus cannot leave (a modal dialog) or should not, so the keys are held until
    the scan's terminator and the scan goes to the window as a whole: it is looked up and
    heard there, and the dialog's field and default button never see it. Keys that turn out
    to be typing are delivered where they were typed.

    ``threshold_ms`` is read at every key (the settings can change it), ``clock`` is the scan
    field's (milliseconds, injectable in tests).
    """

    def __init__(self, window: QWidget, scan_field: Any, *, clock: Callable[[], float],
                 threshold_ms: Callable[[], float]) -> None:
        super().__init__(window)
        self.window = window
        self.scan_field = scan_field
        self.clock = clock
        self.threshold_ms = threshold_ms
        self.redirected = 0          # scans sent on to the scan field (tests, the log)
        self.suffixes_swallowed = 0  # terminators taken as a finished scan's suffix
        self._scan_ended_at: float | None = None  # the clock's ms when the last scan ended
        self._held: list[_HeldKey] = []  # keys not delivered yet, all to one widget
        self._in_dialog = False      # ... of a dialog: held to the terminator
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._release)
        window.installEventFilter(self)  # keys reach the window when nothing has the focus
        scan_field.scanned.connect(self._scan_ended)
        app = QApplication.instance()
        if app is not None:
            app.focusChanged.connect(self._focus_changed)  # type: ignore[attr-defined]

    # -- which widgets ---------------------------------------------------------------------
    def guards(self, widget: QWidget | None) -> bool:
        """A widget of the desk window (or one of its popups) that is not a text field."""
        if widget is None or widget is self.scan_field:
            return False
        # (names looked up here, not at import: the start-up never needs them)
        if isinstance(widget, (qt.QLineEdit, qt.QAbstractSpinBox, qt.QPlainTextEdit)) or (
                isinstance(widget, QComboBox) and widget.isEditable()):
            return False  # text fields take typing, scans included
        return self._place(widget) == "window"

    def dialog_of(self, widget: QWidget | None) -> QWidget | None:
        """The dialog of the desk window that ``widget`` is in, if it is in one."""
        if widget is None:
            return None
        ancestor: QWidget | None = widget
        while ancestor is not None and ancestor is not self.window:
            if isinstance(ancestor, qt.QDialog):
                return ancestor if self._place(ancestor) else None
            ancestor = ancestor.parentWidget()
        return None

    def _place(self, widget: QWidget) -> str | None:
        """"window": in the window (or its popups); "dialog": in a dialog of it; else None."""
        place = "window"
        ancestor: QWidget | None = widget
        while ancestor is not None:
            if ancestor is self.window:
                return place
            if isinstance(ancestor, qt.QDialog):
                place = "dialog"
            ancestor = ancestor.parentWidget()
        return None

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if self._held and new is not self._held[0].target:
            self._release()
        if new is not None and is_valid(self) and (self.guards(new) or self.dialog_of(new)):
            new.installEventFilter(self)  # once: Qt keeps one entry per filter and object

    # -- keys --------------------------------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() != QEvent.Type.KeyPress or self._replaying
                or not isinstance(event, QKeyEvent) or not isinstance(watched, QWidget)):
            return False
        if not (watched.hasFocus() if watched is not self.window
                else QApplication.focusWidget() is None):
            return False  # sent to a widget without the focus, or passed up from a child
        text = event.text()
        typed = bool(text) and (text == GS or text.isprintable()) and not (
            event.modifiers() & ~_TYPING_MODIFIERS)
        now = self.clock()
        held = self._held
        if not held and event.key() in _TERMINATORS and self._is_suffix(now):
            self.suffixes_swallowed += 1
            log.info("a terminator %.0f ms after a scan reached %s: taken as the scan's suffix",
                     now - (self._scan_ended_at or now), type(watched).__name__)
            return True
        if held and held[0].target is watched:
            quick = now - held[-1].at < self.threshold_ms()
            if self._in_dialog:
                if quick and typed:
                    self._hold(watched, event, now)
                    return True
                if quick and event.key() in _TERMINATORS and self._is_scan(now):
                    self._scan_from_dialog(watched)
                    return True
            elif quick and (typed or event.key() in _TERMINATORS):
                self._to_scan_field()
                if typed:
                    self.scan_field.continue_scan(text, now)
                else:  # the burst's terminator ends the scan there
                    QApplication.sendEvent(self.scan_field, QKeyEvent(
                        QEvent.Type.KeyPress, event.key(), event.modifiers(), text))
                return True
        if held:
            self._release()  # typed by a person: the held keys go where they were typed
        if typed and not event.isAutoRepeat():
            self._in_dialog = self.dialog_of(watched) is not None
            self._hold(watched, event, now)
            return True
        return False

    def _scan_ended(self, _raw: str, _burst: bool) -> None:
        self._scan_ended_at = self.clock()

    def _is_suffix(self, now: float) -> bool:
        """A terminator now belongs to the scan that just ended (its second suffix key)."""
        ended = self._scan_ended_at
        return ended is not None and 0 <= now - ended < max(SUFFIX_FLOOR_MS, self.threshold_ms())

    def _hold(self, watched: QWidget, event: QKeyEvent, now: float) -> None:
        self._held.append(_HeldKey(watched, event.key(), event.modifiers(), event.text(), now))
        self._timer.start(max(1, round(self.threshold_ms())))

    def _is_scan(self, now: float) -> bool:
        times = [k.at for k in self._held] + [now]
        return classify_burst([b - a for a, b in itertools.pairwise(times)], self.threshold_ms())

    def _to_scan_field(self) -> None:
        first = self._held[0]
        self._held = []
        self._timer.stop()
        self.redirected += 1
        log.info("a scan arrived while the focus was in %s: sent to the scan field",
                 type(first.target).__name__)
        combo = _combo_of(first.target)
        if combo is not None and combo.view().isVisible():
            combo.hidePopup()
        self.scan_field.setFocus(Qt.FocusReason.OtherFocusReason)
        self.scan_field.start_scan(first.text, first.at)

    def _scan_from_dialog(self, watched: QWidget) -> None:
        raw = "".join(k.text for k in self._held)
        self._held = []
        self._timer.stop()
        self.redirected += 1
        dialog = self.dialog_of(watched)
        log.info("a scan arrived in %s: sent to the desk window", type(dialog).__name__)
        if dialog is not None and not dialog.isModal():
            self.window.activateWindow()  # the operator sees where it went
            self.window.raise_()
        self.scan_field.submit(raw, burst=True)

    def _release(self) -> None:
        """Deliver the held keys where they were typed (no scan followed them)."""
        held, self._held = self._held, []
        self._timer.stop()
        if not held or not is_valid(held[0].target):
            return
        self._replaying = True
        try:
            for key in held:
                QApplication.sendEvent(key.target, QKeyEvent(
                    QEvent.Type.KeyPress, key.key, key.modifiers, key.text))
        finally:
            self._replaying = False


def _combo_of(widget: QWidget) -> QComboBox | None:
    """The combo box whose popup ``widget`` is in (or the combo box itself)."""
    ancestor: QWidget | None = widget
    while ancestor is not None:
        if isinstance(ancestor, QComboBox):
            return ancestor
        ancestor = ancestor.parentWidget()
    return None
