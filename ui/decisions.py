"""The decision views: failed decisions (retry/discard), the day's decision log with CSV
export, and the outbox counts in the status bar.

- :class:`FailedDecisionsDialog` lists every failed decision (item, old -> new handling,
  attempts, the vendor's message, correlationId) and retries or discards the selected ones
  through :class:`~app.desk.DeskService`. It updates live from ``DeskService.subscribe``;
  a retried decision stays in the list as "queued"/"sending" until it is applied (then it
  leaves) or fails again.
- :class:`DecisionLogDialog` shows one day's decisions (``store.decisions_between``),
  read in a worker thread, and exports them with :func:`app.export.decisions_csv` to a file
  chosen in a file dialog. The file is written to a temporary file beside the target and
  renamed, so a full disk or a read-only folder leaves any earlier file as it was; the
  error is told in the dialog, which stays usable.
- :class:`OutboxStatus` is the status bar's "queued / sending / failed" with icons and
  text; pressing the failed count opens the failed decisions.
- :func:`install_decision_views` adds all of it to the main window (menu "Decisions",
  shortcuts, status widget) so the window itself needs one line.

The item's own decision log is the detail panel's (``ui/detail.py``, from
``store.decisions_for``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Any

from app.desk import DeskService
from app.model import Decision
from ui.decision_common import (
    COALESCE_MS,
    DecisionTable,
    change_text,
)
from ui.feedback import icon
from ui.i18n import make_tr
from ui.list_order import PollRead
from ui.qt import (
    QAction,
    QEvent,
    QHBoxLayout,
    QKeySequence,
    QLabel,
    QMenu,
    QObject,
    QSize,
    Qt,
    QTimer,
    QToolButton,
    QWidget,
    Signal,
    is_valid,
)
from ui.tasks import TaskManager

if TYPE_CHECKING:
    from ui.decision_failed import FailedDecisionsDialog
    from ui.decision_log import DecisionLogDialog

tr = make_tr("Decisions")
log = logging.getLogger(__name__)


def __getattr__(name: str) -> Any:
    # The two dialogs (and the Qt types only they use: date edit, file dialog, message box)
    # are imported when first opened, not while the window starts.
    if name == "FailedDecisionsDialog":
        from ui.decision_failed import FailedDecisionsDialog
        return FailedDecisionsDialog
    if name == "DecisionLogDialog":
        from ui.decision_log import DecisionLogDialog
        return DecisionLogDialog
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["DecisionLogDialog", "DecisionViews", "FailedDecisionsDialog", "OutboxStatus",
           "install_decision_views"]


# -- status bar ------------------------------------------------------------------------------
class OutboxStatus(QWidget):
    """``[icon] 2 queued  [icon] 1 sending  [icon] 3 failed`` in the status bar.

    Counts come from ``DeskService.counts()``: at once on each decision change of this
    desk and every second for other desks' changes. They are read on the window's poll
    thread, never the GUI thread: a database server that stops answering holds up the
    count (for up to its timeouts), not the window. One count is in flight at a time; a
    change while it reads has it read again. The failed count is a button.
    """

    open_failed = Signal()
    changed = Signal(object)
    counted = Signal(object)  # from the poll thread: OutboxCounts, or the read's exception

    def __init__(self, desk: DeskService, parent: QWidget | None = None,
                 interval_ms: int = 1000) -> None:
        super().__init__(parent)
        self.desk = desk
        self.counts: Any = None
        self._stopped = False
        self._count = PollRead(self.counted)
        self.setObjectName("outboxStatus")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.queued_icon = QLabel(self)
        self.queued_icon.setPixmap(icon("queued").pixmap(QSize(16, 16)))
        self.queued_label = QLabel(self)
        self.queued_label.setObjectName("queuedCount")
        self.sending_icon = QLabel(self)
        self.sending_icon.setPixmap(icon("sending").pixmap(QSize(16, 16)))
        self.sending_label = QLabel(self)
        self.sending_label.setObjectName("sendingCount")
        self.failed_button = QToolButton(self)
        self.failed_button.setObjectName("failedCount")
        self.failed_button.setIcon(icon("failed"))
        self.failed_button.setIconSize(QSize(16, 16))
        self.failed_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.failed_button.setAutoRaise(True)
        self.failed_button.clicked.connect(self.open_failed.emit)
        for widget in (self.queued_icon, self.queued_label, self.sending_icon,
                       self.sending_label, self.failed_button):
            layout.addWidget(widget)
        self.retranslate_names()  # named from the start, not once the first count arrives
        self.changed.connect(lambda _d: self._schedule())
        self.counted.connect(self._counted)
        self._unsubscribe = desk.subscribe(self._from_any_thread)
        self.destroyed.connect(lambda *_a, u=self._unsubscribe: u())
        self._coalesce = QTimer(self)
        self._coalesce.setSingleShot(True)
        self._coalesce.setInterval(COALESCE_MS)
        self._coalesce.timeout.connect(self.refresh)
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.refresh)
        self.timer.start()
        self.refresh()

    def stop(self) -> None:
        """No more counting (the window is closing and the store may be closed next)."""
        if is_valid(self):
            self.timer.stop()
            self._coalesce.stop()
        self._stopped = True

    def _from_any_thread(self, decision: Decision) -> None:
        if is_valid(self):
            self.changed.emit(decision)   # queued across threads, direct on the GUI thread

    def _schedule(self) -> None:
        if is_valid(self) and not self._coalesce.isActive():
            self._coalesce.start()

    def refresh(self) -> None:
        """Count the outbox on the poll thread; the labels change when the count arrives."""
        if is_valid(self) and not self._stopped:
            self._count.request(self.desk.counts)

    def _counted(self, result: object) -> None:
        if self._count.done() and not self._stopped:
            self.refresh()  # a change while it counted
        if not is_valid(self) or self._stopped:
            return
        if isinstance(result, Exception):
            log.warning("the outbox could not be counted: %s", result)
            self.queued_label.setText(tr("outbox unreadable"))
            return
        self.counts = result
        self._show()

    def _show(self) -> None:
        counts = self.counts
        if counts is None:
            return
        self.queued_label.setText(tr("{n} queued").format(n=counts.queued))
        self.sending_label.setText(tr("{n} sending").format(n=counts.sending))
        self.failed_button.setText(tr("{n} failed").format(n=counts.failed))
        font = self.failed_button.font()
        font.setBold(counts.failed > 0)
        self.failed_button.setFont(font)
        self.failed_button.setIcon(icon("failed" if counts.failed else "applied"))
        summary = tr("Outbox: {q} queued, {s} sending, {f} failed").format(
            q=counts.queued, s=counts.sending, f=counts.failed)
        self.setToolTip(summary)
        self.setAccessibleDescription(summary)
        self.failed_button.setToolTip(tr("{n} failed: press to see, retry or discard them (Ctrl+Shift+F)")
                                      .format(n=counts.failed) if counts.failed
                                      else tr("No failed decisions (Ctrl+Shift+F opens the list)"))

    def retranslate_names(self) -> None:
        self.setAccessibleName(tr("Outbox"))
        self.queued_label.setAccessibleName(tr("Queued decisions"))
        self.queued_icon.setAccessibleName(tr("Queued symbol"))
        self.sending_label.setAccessibleName(tr("Decisions being sent"))
        self.sending_icon.setAccessibleName(tr("Sending symbol"))
        self.failed_button.setAccessibleName(tr("Failed decisions: open the list"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._show()  # the last count in the new language: no store read for it
            self.retranslate_names()
        super().changeEvent(event)


# -- wiring into the window ------------------------------------------------------------------
class DecisionsMenu(QMenu):
    """The "Decisions" menu; retranslates its actions itself."""

    def __init__(self, parent: QWidget, retranslate: Callable[[], None]) -> None:
        super().__init__(parent)
        self._retranslate = retranslate

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)


class DecisionViews(QObject):
    """The decision views of one main window: menu, shortcuts, status widget, dialogs."""

    FAILED_SHORTCUT = "Ctrl+Shift+F"
    LOG_SHORTCUT = "Ctrl+Shift+L"

    def __init__(self, window: Any, *, native_file_dialog: bool = True) -> None:
        super().__init__(window)
        self.window = window
        self.desk: DeskService = window.desk
        self.tasks: TaskManager = window.tasks
        self.native_file_dialog = native_file_dialog
        self.failed_dialog: FailedDecisionsDialog | None = None
        self.log_dialog: DecisionLogDialog | None = None

        self.menu = DecisionsMenu(window, self.retranslate)
        self.menu.setObjectName("decisionsMenu")
        self.failed_action = QAction(icon("failed"), "", window)
        self.failed_action.setObjectName("failedDecisionsAction")
        self.failed_action.setShortcut(QKeySequence(self.FAILED_SHORTCUT))
        self.failed_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.failed_action.triggered.connect(lambda: self.show_failed())
        self.log_action = QAction(icon("returndesk"), "", window)
        self.log_action.setObjectName("decisionLogAction")
        self.log_action.setShortcut(QKeySequence(self.LOG_SHORTCUT))
        self.log_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.log_action.triggered.connect(lambda: self.show_log())
        self.menu.addAction(self.failed_action)
        self.menu.addAction(self.log_action)
        window.menuBar().addMenu(self.menu)
        window.addAction(self.failed_action)   # shortcuts work with the menu bar hidden too
        window.addAction(self.log_action)

        self.status = OutboxStatus(self.desk, window)
        self.status.open_failed.connect(lambda: self.show_failed())
        window.statusBar().addPermanentWidget(self.status)
        self.retranslate()

    def retranslate(self) -> None:
        self.menu.setTitle(tr("&Decisions"))
        self.menu.setAccessibleName(tr("Decisions menu"))
        self.failed_action.setText(tr("&Failed decisions…"))
        self.failed_action.setToolTip(tr("Failed decisions: retry or discard ({key})").format(
            key=self.FAILED_SHORTCUT))
        self.log_action.setText(tr("Decision &log…"))
        self.log_action.setToolTip(tr("The decisions of a day, and their CSV export ({key})").format(
            key=self.LOG_SHORTCUT))

    def stop(self) -> None:
        """Stop every timer that reads the store: the window is closing."""
        self.status.stop()
        for dialog in (self.failed_dialog, self.log_dialog):
            if dialog is not None and is_valid(dialog):
                dialog._poll.stop()
                dialog._coalesce.stop()

    def show_failed(self) -> FailedDecisionsDialog:
        if self.failed_dialog is None or not is_valid(self.failed_dialog):
            from ui.decision_failed import FailedDecisionsDialog

            self.failed_dialog = FailedDecisionsDialog(self.desk, self.window)
        dialog = self.failed_dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        dialog.table.setFocus()
        dialog.select_first()
        return dialog

    def show_log(self, day: date | None = None) -> DecisionLogDialog:
        if self.log_dialog is None or not is_valid(self.log_dialog):
            from ui.decision_log import DecisionLogDialog

            self.log_dialog = DecisionLogDialog(self.desk, self.tasks, self.window,
                                                native_file_dialog=self.native_file_dialog,
                                                day=day)
        elif day is not None:
            self.log_dialog.set_day(day)
        dialog = self.log_dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        dialog.date_edit.setFocus()
        return dialog


def install_decision_views(window: Any, *, native_file_dialog: bool = True) -> DecisionViews:
    """Add the "Decisions" menu, its shortcuts and the outbox status to ``window``."""
    return DecisionViews(window, native_file_dialog=native_file_dialog)


__all__ = ["DecisionLogDialog", "DecisionTable", "DecisionViews", "FailedDecisionsDialog",
           "OutboxStatus", "change_text", "install_decision_views"]
