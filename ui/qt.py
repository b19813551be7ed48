"""The one place that imports Qt (PySide6). Everything else does ``from ui.qt import ...``.

Keeping Qt behind one module makes the binding swappable, keeps ruff's import ban simple
and gives one spot to check what the shipped wheel (PySide6-Essentials) really contains:
QtMultimedia is in PySide6-Addons, which we do not ship, so there is no QSoundEffect here.
"""

from __future__ import annotations

import importlib
import os
import sys
from typing import TYPE_CHECKING, Any

# Qt 6 splits a fill or blend taller than ~96 scanlines across its GUI thread pool: the
# list's background, the detail panel's scroll bar, a group box. For this window's small
# paints, waking the pool's threads cost more than the fill (a quarter of the detail panel's
# paint time went to futex wake-ups), and the tail of a scan's repaint waited for a pooled
# thread to get a CPU. Set before the first paint, before any QGuiApplication exists.
os.environ.setdefault("QT_NO_GUI_THREADPOOL", "1")

from PySide6 import __version__ as PYSIDE_VERSION
from PySide6.QtCore import qVersion

_QT_USERS = ("PySide6", "shiboken6", "qasync", "ui.")


def _uses_pyside(module: Any) -> bool:
    name = str(getattr(module, "__name__", ""))
    return name == "ui" or name.startswith(_QT_USERS)


def _skip_the_source_scan() -> None:
    """PySide6's import hook reads the source of every module imported after it
    (``inspect.getsource``) to see whether the text mentions "PySide6", for its
    ``__feature__`` switches (snake_case, true_property), which this app never uses. Reading
    and searching each file cost 15-20 ms of CPU over the window's imports. The answer is
    known without reading: only ``ui``, qasync and PySide6 itself use Qt here (ui.qt is the
    one module that imports it). If a PySide6 release drops or renames the hook, nothing
    changes."""
    feature = sys.modules.get("shibokensupport.feature")
    if feature is not None and callable(getattr(feature, "_mod_uses_pyside", None)):
        feature._mod_uses_pyside = _uses_pyside


_skip_the_source_scan()

if TYPE_CHECKING:  # what the names are; at run time each is looked up on first use
    from PySide6.QtCore import (
        QAbstractTableModel,
        QByteArray,
        QCoreApplication,
        QDate,
        QElapsedTimer,
        QEvent,
        QItemSelectionModel,
        QLibraryInfo,
        QLine,
        QLocale,
        QLockFile,
        QModelIndex,
        QModelRoleData,
        QModelRoleDataSpan,
        QObject,
        QPersistentModelIndex,
        QPoint,
        QPointF,
        QRect,
        QSettings,
        QSize,
        Qt,
        QTimer,
        QTranslator,
        QUrl,
        Signal,
        Slot,
        qVersion,
    )
    from PySide6.QtGui import (
        QAction,
        QColor,
        QCursor,
        QDesktopServices,
        QFont,
        QFontMetrics,
        QFontMetricsF,
        QGuiApplication,
        QIcon,
        QImage,
        QInputMethodQueryEvent,
        QKeyEvent,
        QKeySequence,
        QPainter,
        QPalette,
        QPen,
        QPixmap,
        QShortcut,
        QStandardItem,
        QStandardItemModel,
    )
    from PySide6.QtWidgets import (
        QAbstractItemView,
        QAbstractSpinBox,
        QApplication,
        QCheckBox,
        QComboBox,
        QDateEdit,
        QDialog,
        QDialogButtonBox,
        QFileDialog,
        QFormLayout,
        QFrame,
        QGridLayout,
        QGroupBox,
        QHBoxLayout,
        QHeaderView,
        QLabel,
        QLineEdit,
        QListWidget,
        QListWidgetItem,
        QMainWindow,
        QMenu,
        QMessageBox,
        QPlainTextEdit,
        QProgressBar,
        QPushButton,
        QScrollArea,
        QSizePolicy,
        QSpinBox,
        QSplitter,
        QStatusBar,
        QStyle,
        QStyleOptionFocusRect,
        QStyleOptionViewItem,
        QTableView,
        QTableWidget,
        QTableWidgetItem,
        QTabWidget,
        QToolButton,
        QVBoxLayout,
        QWidget,
    )


# PySide6 makes a class's Python type when it is first looked up, and some cost milliseconds
# (the Qt namespace's enums ~45 ms, QStyle's ~15 ms, most others ~1 ms): a name below is
# looked up when a module first imports it from here, so what the start-up never imports
# (dialogs, the settings window, ...) is never made before it is needed.
_MODULES = ("QtCore", "QtGui", "QtWidgets")


def __getattr__(name: str) -> Any:
    if name in __all__ and (name.startswith("Q") or name in ("Signal", "Slot")):
        for module in _MODULES:
            value = getattr(importlib.import_module(f"PySide6.{module}"), name, None)
            if value is not None:
                globals()[name] = value
                return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


QT_VERSION = qVersion()


def _pin_singletons() -> bool:
    """Work around PySide6 6.12 dropping references to ``None``/``True`` on Python 3.11.

    Measured here (PySide6-Essentials 6.12.0, CPython 3.11.7): every Python override that
    C++ calls (``timerEvent``, ``QAbstractItemModel.data`` returning ``None``) and every
    signal delivered to a Python slot lowers ``sys.getrefcount(None)`` or ``(True)`` by one.
    qasync schedules each asyncio callback through such a call, so after some 50,000
    callbacks the count reaches zero and CPython aborts ("none_dealloc"/"bool_dealloc"),
    mid-shift or at exit. Python 3.12+ makes these objects immortal and is unaffected (the
    Windows build ships 3.13). On 3.11 we give them the same immortality: a reference count
    so high that no run can drain it. They are never freed anyway, so nothing leaks.
    """
    if sys.version_info >= (3, 12):
        return False
    import ctypes

    for singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += 1 << 40
    return True


PINNED_SINGLETONS = _pin_singletons()


def has_module(name: str) -> bool:
    """Is ``PySide6.<name>`` importable in this installation (Essentials lacks the Addons)?"""
    import importlib.util

    try:
        return importlib.util.find_spec(f"PySide6.{name}") is not None
    except (ImportError, ValueError):
        return False


def load_qtest():  # type: ignore[no-untyped-def]
    """QtTest for tests and benches, imported on demand (the app itself never needs it)."""
    from PySide6.QtTest import QTest

    return QTest


def load_sound_effect_class():  # type: ignore[no-untyped-def]
    """QSoundEffect when QtMultimedia is installed (PySide6-Addons), else None."""
    try:
        from PySide6.QtMultimedia import QSoundEffect
    except ImportError:
        return None
    return QSoundEffect


def is_valid(obj: object) -> bool:
    """False once the C++ side of a Qt object was deleted (a closed window's widgets)."""
    from shiboken6 import isValid

    return bool(isValid(obj))


__all__ = [
    "PINNED_SINGLETONS", "PYSIDE_VERSION", "QT_VERSION", "QAbstractItemView", "QAbstractSpinBox",
    "QAbstractTableModel",
    "QAction",
    "QApplication", "QByteArray", "QCheckBox", "QColor", "QComboBox", "QCoreApplication", "QCursor",
    "QDate", "QDateEdit", "QDesktopServices", "QDialog", "QDialogButtonBox", "QElapsedTimer",
    "QEvent", "QFileDialog", "QFont",
    "QFontMetrics", "QFontMetricsF", "QFormLayout", "QFrame", "QGridLayout", "QGroupBox", "QGuiApplication",
    "QHBoxLayout", "QHeaderView", "QIcon", "QImage", "QInputMethodQueryEvent", "QItemSelectionModel",
    "QKeyEvent",
    "QKeySequence", "QLabel", "QLibraryInfo", "QLine", "QLineEdit", "QListWidget", "QListWidgetItem",
    "QLocale", "QLockFile", "QMainWindow", "QMenu", "QMessageBox", "QModelIndex", "QModelRoleData",
    "QModelRoleDataSpan",
    "QObject", "QPainter", "QPalette", "QPen",
    "QPersistentModelIndex", "QPixmap", "QPlainTextEdit", "QPoint", "QPointF", "QProgressBar",
    "QPushButton", "QRect", "QScrollArea", "QSettings", "QShortcut", "QSize", "QSizePolicy",
    "QSpinBox", "QSplitter", "QStandardItem", "QStandardItemModel",
    "QStatusBar", "QStyle", "QStyleOptionFocusRect", "QStyleOptionViewItem", "QTabWidget",
    "QTableView", "QTableWidget", "QTableWidgetItem",
    "QTimer", "QToolButton", "QTranslator", "QUrl", "QVBoxLayout", "QWidget", "Qt", "Signal",
    "Slot", "has_module", "is_valid", "load_qtest", "load_sound_effect_class",
]
