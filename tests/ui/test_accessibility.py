"""Every control the app creates has a name a screen reader can say: an accessible name set
by the app, or (buttons) its text. Qt's own parts inside a control (a table's headers and
corner button, a combo box's popup list, a spin box's text field) are announced with it."""

from __future__ import annotations

from typing import Any

from app.credentials import Credentials
from app.settings import Settings
from ui.qt import QAbstractItemView, QComboBox, QHeaderView, QLineEdit, QPlainTextEdit, QWidget
from ui.settings_dialog import SettingsDialog
from ui.tasks import TaskManager

CONTROL_TYPES = ("QAbstractButton", "QAbstractItemView", "QAbstractSpinBox", "QComboBox",
                 "QLineEdit", "QPlainTextEdit")


def _is_control(widget: Any) -> bool:
    return any(cls.__name__ in CONTROL_TYPES for cls in type(widget).__mro__)


def _qt_part(widget: Any) -> bool:
    if widget.objectName().startswith("qt_") or isinstance(widget, QHeaderView):
        return True
    parent = widget.parent()
    while parent is not None:  # a combo box's popup list is announced as the combo box
        if isinstance(parent, QComboBox):
            return True
        parent = parent.parent()
    return False


def unnamed_controls(root: Any) -> list[str]:
    found = []
    for widget in root.findChildren(QWidget):
        if not _is_control(widget) or _qt_part(widget) or widget.accessibleName():
            continue
        if not isinstance(widget, QAbstractItemView | QLineEdit | QPlainTextEdit) and \
                hasattr(widget, "text") and widget.text().replace("&", "").strip():
            continue  # a button says its text
        found.append(f"{type(widget).__name__} {widget.objectName()!r} in "
                     f"{type(widget.parent()).__name__}")
    return found


def test_the_window_and_its_dialogs_name_every_control(qtbot: Any, window: Any,
                                                       failed_dialog: Any,
                                                       log_dialog: Any) -> None:
    qtbot.waitUntil(lambda: window.model.rowCount() > 0)
    window.view.selectRow(0)
    qtbot.waitUntil(lambda: window.detail.record is not None)
    settings = SettingsDialog(Settings(), Credentials(memory_only="a11y"), TaskManager())
    qtbot.addWidget(settings)
    for root in (window, settings, failed_dialog, log_dialog):
        assert unnamed_controls(root) == [], type(root).__name__
    # the scan field's clear button is one of them: Qt gives it no name of its own
    clear_buttons = [w for w in window.scan_field.findChildren(QWidget) if _is_control(w)]
    assert clear_buttons and all(b.text() for b in clear_buttons)
