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
milliseconds late, so typing a code's first letters in the dropdown still works. Dialogs
are left alone (they are other windows; the scan field is out of reach behind a modal one).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import ui.qt as qt
from app.scan import GS
from ui.qt import QApplication, QComboBox, QEvent, QKeyEvent, QObject, Qt, QTimer, QWidget, is_valid

log = logging.getLogger(__name__)

_TERMINATORS = (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Tab)
_TYPING_MODIFIERS = Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier


class _HeldKey:
    # (a plain class: a dataclass costs ~1 ms of the window's start-up to make)
    __slots__ = ("at", "key", "modifiers", "target", "text")

    def __init__(self, target: QWidget, key: int, modifiers: Any, text: str, at: float) -> None:
        self.target, self.key, self.modifiers, self.text = target, key, modifiers, text
        self.at = at  # the clock's milliseconds


class ScanGuard(QObject):
    """Routes scanner bursts typed into the window's other widgets to ``scan_field``.

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
        self.redirected = 0          # bursts sent to the scan field (tests, the log)
        self._held: _HeldKey | None = None
        self._replaying = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._release)
        window.installEventFilter(self)  # keys reach the window when nothing has the focus
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
        ancestor: QWidget | None = widget
        while ancestor is not None:
            if ancestor is self.window:
                return True
            if isinstance(ancestor, qt.QDialog):
                return False
            ancestor = ancestor.parentWidget()
        return False

    def _focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        if self._held is not None and new is not self._held.target:
            self._release()
        if new is not None and is_valid(self) and self.guards(new):
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
        if held is not None:
            if now - held.at < self.threshold_ms() and (typed or event.key() in _TERMINATORS):
                self._to_scan_field(held)
                if typed:
                    self.scan_field.continue_scan(text, now)
                else:  # the burst's terminator ends the scan there
                    QApplication.sendEvent(self.scan_field, QKeyEvent(
                        QEvent.Type.KeyPress, event.key(), event.modifiers(), text))
                return True
            self._release()  # typed by a person: the held key goes where it was typed
        if typed and not event.isAutoRepeat():
            self._held = _HeldKey(watched, event.key(), event.modifiers(), text, now)
            self._timer.start(max(1, round(self.threshold_ms())))
            return True
        return False

    def _to_scan_field(self, held: _HeldKey) -> None:
        self._held = None
        self._timer.stop()
        self.redirected += 1
        log.info("a scan arrived while the focus was in %s: sent to the scan field",
                 type(held.target).__name__)
        combo = _combo_of(held.target)
        if combo is not None and combo.view().isVisible():
            combo.hidePopup()
        self.scan_field.setFocus(Qt.FocusReason.OtherFocusReason)
        self.scan_field.start_scan(held.text, held.at)

    def _release(self) -> None:
        """Deliver the held key where it was typed (nothing followed it quickly)."""
        held, self._held = self._held, None
        self._timer.stop()
        if held is None or not is_valid(held.target):
            return
        self._replaying = True
        try:
            QApplication.sendEvent(held.target, QKeyEvent(
                QEvent.Type.KeyPress, held.key, held.modifiers, held.text))
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
