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

import asyncio
import logging
import threading
from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from app.desk import DeskService
from app.export import _write_atomically, day_bounds, decisions_csv
from app.model import Decision, DecisionAction, DecisionState
from ui.feedback import icon
from ui.i18n import decision_state_name, make_tr
from ui.qt import (
    QAbstractItemView,
    QAction,
    QApplication,
    QDate,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QEvent,
    QFileDialog,
    QFont,
    QHBoxLayout,
    QHeaderView,
    QKeySequence,
    QLabel,
    QMenu,
    QMessageBox,
    QObject,
    QPlainTextEdit,
    QPushButton,
    QSize,
    QSplitter,
    Qt,
    QTableWidget,
    QTableWidgetItem,
    QTimer,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
    is_valid,
)
from ui.tasks import TaskManager

tr = make_tr("Decisions")
log = logging.getLogger(__name__)

ID_ROLE = Qt.ItemDataRole.UserRole
STATE_ICON = {
    DecisionState.QUEUED: "queued", DecisionState.SENDING: "sending",
    DecisionState.APPLIED: "applied", DecisionState.FAILED: "failed",
    DecisionState.DISCARDED: "invalid", DecisionState.SUPERSEDED: "warning",
}
REFRESH_MS = 2000   # picks up other desks' decisions (a shared store) while a view is open
COALESCE_MS = 50    # many outbox changes at once -> one re-read


def change_text(decision: Decision) -> str:
    """``old → new`` (``cancel: old → new`` for a cancel), "—" for no handling."""
    change = f"{decision.old_handling or '—'} → {decision.new_handling or '—'}"
    if decision.action is DecisionAction.CANCEL:
        return tr("cancel: {change}").format(change=change)
    return change


def local_time(value: datetime | None, with_date: bool = True) -> str:
    if value is None:
        return ""
    return value.astimezone().strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S")


class DecisionTable(QTableWidget):
    """Read-only rows of decisions; Ctrl+C copies the selected rows as tab-separated text."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setAlternatingRowColors(True)
        self.setWordWrap(False)
        self.setTabKeyNavigation(False)
        self.verticalHeader().setVisible(False)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)

    def fill(self, headers: list[str], rows: list[tuple[Decision, list[str]]],
             state_column: int | None = None) -> None:
        """One row per decision; the state column gets the state's icon beside its name."""
        selected = set(self.selected_ids())
        current_id = self.current_id()
        self.setUpdatesEnabled(False)
        try:
            self.clearContents()
            self.setColumnCount(len(headers))
            self.setHorizontalHeaderLabels(headers)
            self.setRowCount(len(rows))
            self.clearSelection()   # rows may have moved: select by decision id below
            bold = QFont(self.font())
            bold.setBold(True)
            for r, (decision, values) in enumerate(rows):
                for c, value in enumerate(values):
                    item = QTableWidgetItem(value)
                    item.setData(ID_ROLE, decision.id)
                    if value and len(value) > 40:
                        item.setToolTip(value)
                    if c == state_column:
                        item.setIcon(icon(STATE_ICON.get(decision.state, "warning")))
                        if decision.state is DecisionState.FAILED:
                            item.setFont(bold)
                    self.setItem(r, c, item)
            selection = self.selectionModel()
            for r, (decision, _values) in enumerate(rows):
                if decision.id in selected:
                    selection.select(self.model().index(r, 0),
                                     selection.SelectionFlag.Select | selection.SelectionFlag.Rows)
                if decision.id == current_id:
                    selection.setCurrentIndex(self.model().index(r, 0),
                                              selection.SelectionFlag.NoUpdate)
        finally:
            self.setUpdatesEnabled(True)
        self.resizeColumnsToContents()
        for column in range(self.columnCount()):
            self.setColumnWidth(column, min(self.columnWidth(column), 360))

    def ids(self) -> list[int]:
        ids = []
        for row in range(self.rowCount()):
            item = self.item(row, 0)
            if item is not None:
                ids.append(int(item.data(ID_ROLE)))
        return ids

    def selected_ids(self) -> list[int]:
        rows = sorted({index.row() for index in self.selectionModel().selectedRows()})
        ids = []
        for row in rows:
            item = self.item(row, 0)
            if item is not None:
                ids.append(int(item.data(ID_ROLE)))
        return ids

    def current_id(self) -> int | None:
        item = self.item(self.currentRow(), 0) if self.currentRow() >= 0 else None
        return int(item.data(ID_ROLE)) if item is not None else None

    def selected_text(self) -> str:
        rows = sorted({index.row() for index in self.selectionModel().selectedRows()})
        lines = []
        for row in rows:
            cells = [self.item(row, c) for c in range(self.columnCount())]
            lines.append("\t".join(cell.text() if cell is not None else "" for cell in cells))
        return "\n".join(lines)

    def keyPressEvent(self, event: Any) -> None:
        if event.matches(QKeySequence.StandardKey.Copy):
            text = self.selected_text()
            clipboard = QApplication.clipboard()
            if text and clipboard is not None:
                clipboard.setText(text)
            event.accept()
            return
        super().keyPressEvent(event)


class _LiveMixin:
    """Subscribes to the desk's decision changes (any thread) and re-reads, coalesced.

    The class using it declares ``changed = Signal(object)`` (signals live on QObjects).
    """

    def _start_live(self: Any, desk: DeskService) -> None:
        self._pending_refresh = False
        self.changed.connect(self._on_change)
        self._unsubscribe = desk.subscribe(self._from_any_thread)
        self._coalesce = QTimer(self)
        self._coalesce.setSingleShot(True)
        self._coalesce.setInterval(COALESCE_MS)
        self._coalesce.timeout.connect(self.refresh)
        self._poll = QTimer(self)
        self._poll.setInterval(REFRESH_MS)
        self._poll.timeout.connect(self.refresh)
        self.destroyed.connect(lambda *_a, u=self._unsubscribe: u())

    def _from_any_thread(self: Any, decision: Decision) -> None:
        if not is_valid(self):
            return
        if threading.current_thread() is threading.main_thread():
            self._on_change(decision)
        else:
            self.changed.emit(decision)

    def schedule_refresh(self: Any) -> None:
        if is_valid(self) and not self._coalesce.isActive():
            self._coalesce.start()


# -- failed decisions ------------------------------------------------------------------------
class FailedDecisionsDialog(QDialog, _LiveMixin):
    """Failed decisions, to retry or discard. Non-modal; opened with ``show()``."""

    changed = Signal(object)   # a Decision from DeskService.subscribe, on the GUI thread

    retried = Signal(list)     # decision ids set back to queued
    discarded = Signal(list)   # decision ids given up

    def __init__(self, desk: DeskService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.store = desk.store
        self.retrying: set[int] = set()   # retried here, shown until applied or failed again
        self.decisions: dict[int, Decision] = {}
        self.confirm_box: QMessageBox | None = None
        self._rmas: dict[str, str] = {}
        self.setObjectName("failedDecisionsDialog")
        self.setWindowIcon(icon("failed"))
        self.resize(1000, 520)

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.summary_icon = QLabel(self)
        self.summary_icon.setFixedSize(22, 22)
        top.addWidget(self.summary_icon)
        self.summary = QLabel(self)
        self.summary.setObjectName("failedSummary")
        self.summary.setWordWrap(True)
        top.addWidget(self.summary, 1)
        layout.addLayout(top)
        self.intro = QLabel(self)
        self.intro.setWordWrap(True)
        layout.addWidget(self.intro)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.table = DecisionTable(splitter)
        self.table.setObjectName("failedDecisions")
        self.details = QPlainTextEdit(splitter)
        self.details.setObjectName("failedDetails")
        self.details.setReadOnly(True)
        self.details.setMaximumHeight(140)
        splitter.addWidget(self.table)
        splitter.addWidget(self.details)
        splitter.setStretchFactor(0, 4)
        layout.addWidget(splitter, 1)

        self.result_label = QLabel(self)
        self.result_label.setObjectName("failedResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.result_label)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.retry_button = QPushButton(icon("queued"), "", self)
        self.retry_button.setObjectName("retryButton")
        self.discard_button = QPushButton(icon("invalid"), "", self)
        self.discard_button.setObjectName("discardButton")
        self.copy_button = QPushButton(self)
        self.copy_button.setObjectName("copyCorrelationButton")
        self.refresh_button = QPushButton(self)
        self.refresh_button.setObjectName("refreshButton")
        for button in (self.retry_button, self.discard_button, self.copy_button,
                       self.refresh_button):
            self.buttons.addButton(button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.close)
        layout.addWidget(self.buttons)

        self.retry_button.clicked.connect(lambda: self.retry_selected())
        self.discard_button.clicked.connect(lambda: self.discard_selected())
        self.copy_button.clicked.connect(self.copy_correlation_ids)
        self.refresh_button.clicked.connect(self.refresh)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self._start_live(desk)
        self.retranslate()
        self.refresh()

    # -- text ---------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(tr("Failed decisions"))
        self.setAccessibleName(tr("Failed decisions"))
        self.intro.setText(tr(
            "Return Helper refused these decisions, or they could not be sent and retrying "
            "will not help. Read the message, fix the cause (in Return Helper or with the "
            "warehouse), then Retry. Discard gives a decision up; it stays in the decision log."))
        self.table.setAccessibleName(tr("Failed decisions"))
        self.details.setAccessibleName(tr("Selected decision: message and correlationId"))
        self.summary.setAccessibleName(tr("Number of failed decisions"))
        self.summary_icon.setAccessibleName(tr("Failed decisions symbol"))
        self.result_label.setAccessibleName(tr("Last action"))
        self.retry_button.setText(tr("&Retry"))
        self.retry_button.setAccessibleName(tr("Retry the selected decisions"))
        self.retry_button.setToolTip(tr("Send the selected decisions to Return Helper again"))
        self.discard_button.setText(tr("&Discard…"))
        self.discard_button.setAccessibleName(tr("Discard the selected decisions"))
        self.discard_button.setToolTip(tr("Give the selected decisions up; they stay in the log"))
        self.copy_button.setText(tr("&Copy correlationId"))
        self.copy_button.setAccessibleName(tr("Copy correlationId"))
        self.copy_button.setToolTip(tr("Copy the selected decisions' correlationIds for support"))
        self.refresh_button.setText(tr("Re&fresh"))
        self.refresh_button.setAccessibleName(tr("Refresh the list"))
        if hasattr(self, "decisions"):
            self._show()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _headers(self) -> list[str]:
        return [tr("Decided"), tr("Item"), tr("Handling"), tr("State"), tr("Attempts"),
                tr("Error code"), tr("Message"), tr("correlationId"), tr("Operator")]

    def _item_text(self, decision: Decision) -> str:
        if decision.key not in self._rmas:
            try:
                row = self.store.row(decision.key)
            except Exception:
                log.exception("the store could not read item %s", decision.key)
                row = None
            self._rmas[decision.key] = (row.rma if row and row.rma else "") or decision.key
        return self._rmas[decision.key]

    # -- data ---------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the failed decisions (and the ones being retried from here)."""
        if not is_valid(self):
            return
        try:
            shown = {d.id: d for d in self.desk.failed_decisions() if d.id is not None}
            for decision_id in list(self.retrying):
                if decision_id in shown:
                    self.retrying.discard(decision_id)  # failed again: an ordinary row
                    continue
                current = self.store.get_decision(decision_id)
                if current is None or current.state not in (DecisionState.QUEUED,
                                                             DecisionState.SENDING):
                    self.retrying.discard(decision_id)
                    if current is not None and current.state is DecisionState.APPLIED:
                        self._say("applied", tr("Applied after retry: {item} {change}").format(
                            item=self._item_text(current), change=change_text(current)))
                    continue
                shown[decision_id] = current
        except Exception as exc:
            log.exception("failed decisions could not be read")
            self._say("failed", tr("The store could not be read: {error}").format(error=str(exc)))
            return
        self.decisions = shown
        self._show()

    def _show(self) -> None:
        ordered = sorted(self.decisions.values(), key=lambda d: (d.created_at, d.id or 0))
        rows = [(d, [local_time(d.created_at), self._item_text(d), change_text(d),
                     decision_state_name(d.state.value), str(d.attempts), d.error_code or "",
                     d.result_message or "", d.correlation_id or "", f"{d.operator}@{d.desk}"])
                for d in ordered]
        self.table.fill(self._headers(), rows, state_column=3)
        failed = sum(d.state is DecisionState.FAILED for d in ordered)
        if failed:
            self.summary_icon.setPixmap(icon("failed").pixmap(QSize(20, 20)))
            text = tr("{n} failed decision(s) need attention").format(n=failed)
        else:
            self.summary_icon.setPixmap(icon("applied").pixmap(QSize(20, 20)))
            text = tr("No failed decisions")
        retrying = len(ordered) - failed
        if retrying:
            text += " · " + tr("{n} being retried").format(n=retrying)
        self.summary.setText(text)
        self.summary.setAccessibleDescription(text)
        self._selection_changed()

    def _on_change(self, decision: Decision) -> None:
        if not is_valid(self):
            return
        if (decision.state is DecisionState.FAILED or decision.id in self.decisions
                or decision.id in self.retrying):
            self.schedule_refresh()

    def _selection_changed(self) -> None:
        ids = self.table.selected_ids()
        failed = [i for i in ids if i in self.decisions
                  and self.decisions[i].state is DecisionState.FAILED]
        self.retry_button.setEnabled(bool(failed))
        self.discard_button.setEnabled(bool(failed))
        self.copy_button.setEnabled(any(self.decisions[i].correlation_id for i in ids
                                        if i in self.decisions))
        chosen = [self.decisions[i] for i in ids if i in self.decisions]
        self.details.setPlainText("\n\n".join(self._detail_text(d) for d in chosen))

    def _detail_text(self, d: Decision) -> str:
        lines = [f"{self._item_text(d)} ({d.key}) · {change_text(d)} · "
                 f"{decision_state_name(d.state.value)}",
                 tr("Message: {message}").format(message=d.result_message or "—"),
                 tr("Error code: {code}").format(code=d.error_code or "—"),
                 tr("correlationId: {id}").format(id=d.correlation_id or "—"),
                 tr("Attempts: {n} · decided {time} by {operator} at {desk}").format(
                     n=d.attempts, time=local_time(d.created_at), operator=d.operator, desk=d.desk)]
        return "\n".join(lines)

    def _say(self, kind: str, text: str) -> None:
        prefix = {"failed": "⚠ ", "applied": "✓ "}.get(kind, "")
        self.result_label.setText(prefix + text)
        self.result_label.setAccessibleDescription(text)
        self.result_label.setToolTip(text)

    def select_ids(self, ids: Iterable[int]) -> None:
        wanted = set(ids)
        self.table.clearSelection()
        selection = self.table.selectionModel()
        for row in range(self.table.rowCount()):
            item = self.table.item(row, 0)
            if item is not None and int(item.data(ID_ROLE)) in wanted:
                selection.select(self.table.model().index(row, 0),
                                 selection.SelectionFlag.Select | selection.SelectionFlag.Rows)

    # -- actions ------------------------------------------------------------------------------
    def _still_failed(self, ids: list[int]) -> tuple[list[int], int]:
        """Of ``ids``, those still failed in the store (another desk may have acted)."""
        keep: list[int] = []
        gone = 0
        for decision_id in ids:
            current = self.store.get_decision(decision_id)
            if current is not None and current.state is DecisionState.FAILED:
                keep.append(decision_id)
            else:
                gone += 1
        return keep, gone

    def retry_selected(self, ids: list[int] | None = None) -> list[int]:
        chosen = ids if ids is not None else self.table.selected_ids()
        try:
            todo, gone = self._still_failed(chosen)
            done: list[int] = []
            for decision_id in todo:
                self.desk.retry(decision_id)
                self.retrying.add(decision_id)
                done.append(decision_id)
        except Exception as exc:
            log.exception("retry failed")
            self._say("failed", tr("Could not retry: {error}").format(error=str(exc)))
            self.refresh()
            return []
        text = tr("{n} decision(s) queued again; they are sent in the background.").format(
            n=len(done))
        if gone:
            text += " " + tr("{n} were no longer failed (another desk acted).").format(n=gone)
        self._say("queued", text)
        self.refresh()
        if done:
            self.retried.emit(done)
        return done

    def discard_selected(self, ids: list[int] | None = None, confirm: bool = True) -> None:
        chosen = ids if ids is not None else self.table.selected_ids()
        chosen = [i for i in chosen if i in self.decisions
                  and self.decisions[i].state is DecisionState.FAILED]
        if not chosen:
            return
        if not confirm:
            self._discard(chosen)
            return
        box = QMessageBox(QMessageBox.Icon.Question, tr("Discard decisions"),
                          tr("Give up {n} failed decision(s)? They are not sent again; the "
                             "decision log keeps them as discarded.").format(n=len(chosen)),
                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, self)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.setAccessibleName(tr("Discard decisions"))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def answered(result: int) -> None:
            self.confirm_box = None
            if result == QMessageBox.StandardButton.Yes:
                self._discard(chosen)
        box.finished.connect(answered)
        self.confirm_box = box
        box.open()

    def _discard(self, ids: list[int]) -> list[int]:
        try:
            todo, gone = self._still_failed(ids)
            for decision_id in todo:
                self.desk.discard(decision_id)
        except Exception as exc:
            log.exception("discard failed")
            self._say("failed", tr("Could not discard: {error}").format(error=str(exc)))
            self.refresh()
            return []
        text = tr("{n} decision(s) discarded.").format(n=len(todo))
        if gone:
            text += " " + tr("{n} were no longer failed (another desk acted).").format(n=gone)
        self._say("discarded", text)
        self.refresh()
        if todo:
            self.discarded.emit(todo)
        return todo

    def copy_correlation_ids(self) -> str:
        ids = [self.decisions[i].correlation_id for i in self.table.selected_ids()
               if i in self.decisions and self.decisions[i].correlation_id]
        text = "\n".join(x for x in ids if x)
        clipboard = QApplication.clipboard()
        if text and clipboard is not None:
            clipboard.setText(text)
            self._say("copied", tr("Copied: {ids}").format(ids=", ".join(x for x in ids if x)))
        return text

    # -- showing ------------------------------------------------------------------------------
    def showEvent(self, event: Any) -> None:
        self.refresh()
        self._poll.start()
        super().showEvent(event)

    def hideEvent(self, event: Any) -> None:
        self._poll.stop()
        super().hideEvent(event)

    def closeEvent(self, event: Any) -> None:
        self._poll.stop()
        super().closeEvent(event)


# -- the day's decision log ------------------------------------------------------------------
class DecisionLogDialog(QDialog, _LiveMixin):
    """One day's decisions, and their export as CSV."""

    changed = Signal(object)

    loaded = Signal(int)     # rows shown, after each (re)load
    exported = Signal(str)   # the file written
    export_failed = Signal(str)

    def __init__(self, desk: DeskService, tasks: TaskManager, parent: QWidget | None = None, *,
                 native_file_dialog: bool = True, day: date | None = None,
                 export_folder: Path | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.store = desk.store
        self.tasks = tasks
        self.native_file_dialog = native_file_dialog
        self.export_folder = export_folder or Path.home()
        self.decisions: list[Decision] = []
        self.file_dialog: QFileDialog | None = None
        self.error_box: QMessageBox | None = None
        self.loading = False
        self.exporting = False
        self._generation = 0
        self._rmas: dict[str, str] = {}
        self.setObjectName("decisionLogDialog")
        self.setWindowIcon(icon("returndesk"))
        self.resize(1100, 600)

        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.day_label = QLabel(self)
        top.addWidget(self.day_label)
        self.previous_button = QToolButton(self)
        self.previous_button.setObjectName("previousDay")
        self.previous_button.setArrowType(Qt.ArrowType.LeftArrow)
        top.addWidget(self.previous_button)
        self.date_edit = QDateEdit(self)
        self.date_edit.setObjectName("logDate")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.day_label.setBuddy(self.date_edit)
        top.addWidget(self.date_edit)
        self.next_button = QToolButton(self)
        self.next_button.setObjectName("nextDay")
        self.next_button.setArrowType(Qt.ArrowType.RightArrow)
        top.addWidget(self.next_button)
        self.today_button = QPushButton(self)
        self.today_button.setObjectName("todayButton")
        top.addWidget(self.today_button)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("logCount")
        top.addWidget(self.count_label, 1)
        layout.addLayout(top)

        self.table = DecisionTable(self)
        self.table.setObjectName("dayDecisions")
        layout.addWidget(self.table, 1)

        bottom = QHBoxLayout()
        self.result_icon = QLabel(self)
        self.result_icon.setFixedSize(20, 20)
        bottom.addWidget(self.result_icon)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("logResult")
        self.result_label.setWordWrap(True)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        bottom.addWidget(self.result_label, 1)
        layout.addLayout(bottom)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.export_button = QPushButton(self)
        self.export_button.setObjectName("exportButton")
        self.buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.rejected.connect(self.close)
        layout.addWidget(self.buttons)

        self.previous_button.clicked.connect(lambda: self.set_day(self.day - timedelta(days=1)))
        self.next_button.clicked.connect(lambda: self.set_day(self.day + timedelta(days=1)))
        self.today_button.clicked.connect(lambda: self.set_day(date.today()))
        self.export_button.clicked.connect(self.choose_export_file)
        self._start_live(desk)
        self.retranslate()
        first = day or date.today()
        self.date_edit.setDate(QDate(first.year, first.month, first.day))
        self.date_edit.dateChanged.connect(lambda _d: self.reload())
        self.reload()

    @property
    def day(self) -> date:
        value = self.date_edit.date()
        return date(value.year(), value.month(), value.day())

    def set_day(self, day: date) -> None:
        self.date_edit.setDate(QDate(day.year, day.month, day.day))

    # -- text ---------------------------------------------------------------------------------
    def retranslate(self) -> None:
        self.setWindowTitle(tr("Decision log"))
        self.setAccessibleName(tr("Decision log"))
        self.day_label.setText(tr("&Day:"))
        self.date_edit.setAccessibleName(tr("Day shown"))
        self.previous_button.setAccessibleName(tr("Previous day"))
        self.previous_button.setToolTip(tr("Previous day"))
        self.next_button.setAccessibleName(tr("Next day"))
        self.next_button.setToolTip(tr("Next day"))
        self.today_button.setText(tr("&Today"))
        self.today_button.setAccessibleName(tr("Show today"))
        self.count_label.setAccessibleName(tr("Number of decisions shown"))
        self.table.setAccessibleName(tr("Decisions of the day"))
        self.table.setAccessibleDescription(tr("Ctrl+C copies the selected rows"))
        self.result_label.setAccessibleName(tr("Export result"))
        self.result_icon.setAccessibleName(tr("Export result symbol"))
        self.export_button.setText(tr("&Export CSV…"))
        self.export_button.setAccessibleName(tr("Export the day as CSV"))
        self.export_button.setToolTip(tr("Write this day's decisions to a CSV file"))
        if hasattr(self, "decisions"):
            self._show()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def _headers(self) -> list[str]:
        return [tr("Time"), tr("Operator"), tr("Desk"), tr("Item"), tr("RMA"), tr("Handling"),
                tr("Result"), tr("Message"), tr("correlationId")]

    # -- loading ------------------------------------------------------------------------------
    def reload(self) -> asyncio.Task[Any] | None:
        """Read the day's decisions in a worker thread; stale answers are dropped."""
        self._generation += 1
        generation = self._generation
        day = self.day
        start, end = day_bounds(day)
        store = self.store
        known = dict(self._rmas)
        self.loading = True

        def read() -> tuple[list[Decision], dict[str, str]]:
            decisions = store.decisions_between(start, end)
            rmas = dict(known)
            for decision in decisions:
                if decision.key not in rmas:
                    row = store.row(decision.key)
                    rmas[decision.key] = (row.rma or "") if row else ""
            return decisions, rmas

        def shown(result: tuple[list[Decision], dict[str, str]]) -> None:
            if generation != self._generation or not is_valid(self):
                return
            self.loading = False
            self.decisions, self._rmas = result
            self._show()
            self.loaded.emit(len(self.decisions))

        def failed(exc: BaseException) -> None:
            if generation != self._generation or not is_valid(self):
                return
            self.loading = False
            self._say("failed", tr("The decisions could not be read: {error}").format(
                error=str(exc)))

        return self.tasks.op(lambda _p: asyncio.to_thread(read), label=tr("Read decision log")) \
            .success(shown).failure(failed).run()

    def refresh(self) -> None:
        if is_valid(self) and not self.loading:
            self.reload()

    def _show(self) -> None:
        rows = [(d, [local_time(d.created_at, with_date=False), d.operator, d.desk, d.key,
                     self._rmas.get(d.key, ""), change_text(d), decision_state_name(d.state.value),
                     d.result_message or "", d.correlation_id or ""]) for d in self.decisions]
        self.table.fill(self._headers(), rows, state_column=6)
        count = len(rows)
        failed = sum(d.state is DecisionState.FAILED for d in self.decisions)
        text = tr("{n} decision(s) on {day}").format(n=count, day=self.day.isoformat())
        if failed:
            text += " · " + tr("{n} failed").format(n=failed)
        self.count_label.setText(text)
        self.export_button.setEnabled(not self.exporting)

    def _on_change(self, decision: Decision) -> None:
        if not is_valid(self):
            return
        start, end = day_bounds(self.day)
        if start <= decision.created_at < end:
            self.schedule_refresh()

    def _say(self, kind: str, text: str) -> None:
        if kind:
            self.result_icon.setPixmap(icon(kind).pixmap(QSize(18, 18)))
        else:
            self.result_icon.clear()
        self.result_label.setText(text)
        self.result_label.setAccessibleDescription(text)
        self.result_label.setToolTip(text)

    # -- export -------------------------------------------------------------------------------
    def default_export_path(self) -> Path:
        return self.export_folder / f"returndesk-decisions-{self.day.isoformat()}.csv"

    def choose_export_file(self) -> QFileDialog:
        if self.file_dialog is not None and is_valid(self.file_dialog):
            self.file_dialog.raise_()
            return self.file_dialog
        dialog = QFileDialog(self, tr("Export decisions as CSV"), str(self.default_export_path()),
                             tr("CSV files (*.csv);;All files (*)"))
        dialog.setObjectName("exportFileDialog")
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        dialog.setDefaultSuffix("csv")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog, not self.native_file_dialog)
        dialog.selectFile(str(self.default_export_path()))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.fileSelected.connect(lambda path: self.export_to(Path(path)))
        dialog.finished.connect(lambda _r: setattr(self, "file_dialog", None))
        self.file_dialog = dialog
        dialog.open()
        return dialog

    def export_to(self, path: Path) -> asyncio.Task[Any] | None:
        """Write the shown day's decisions to ``path`` (in a worker thread)."""
        store = self.store
        day = self.day
        start, end = day_bounds(day)
        self.exporting = True
        self.export_button.setEnabled(False)
        self._say("sending", tr("Writing {path}…").format(path=str(path)))

        def write() -> int:
            text = decisions_csv(store, start, end)
            _write_atomically(path, text)
            return max(0, text.count("\r\n") - 1)

        def written(rows: int) -> None:
            if not is_valid(self):
                return
            self.export_folder = path.parent
            self._say("applied", tr("{n} decision(s) of {day} written to {path}").format(
                n=rows, day=day.isoformat(), path=str(path)))
            self.exported.emit(str(path))

        def failed(exc: BaseException) -> None:
            if not is_valid(self):
                return
            reason = (exc.strerror or str(exc)) if isinstance(exc, OSError) else str(exc)
            text = tr("The file could not be written: {path}: {reason}. Nothing was lost: the "
                      "decisions stay in the store and any earlier file is unchanged. Choose "
                      "another folder (or free some space) and export again.").format(
                          path=str(path), reason=reason)
            self._say("failed", text)
            self.show_error(text)
            self.export_failed.emit(text)

        def finished() -> None:
            if is_valid(self):
                self.exporting = False
                self.export_button.setEnabled(True)

        return self.tasks.op(lambda _p: asyncio.to_thread(write), label=tr("Export CSV")) \
            .success(written).failure(failed).finally_(finished).run()

    def show_error(self, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, tr("Export failed"), text,
                          QMessageBox.StandardButton.Ok, self)
        box.setAccessibleName(tr("Export failed"))
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _r: setattr(self, "error_box", None))
        self.error_box = box
        box.open()

    # -- showing ------------------------------------------------------------------------------
    def showEvent(self, event: Any) -> None:
        self._poll.start()
        super().showEvent(event)

    def hideEvent(self, event: Any) -> None:
        self._poll.stop()
        super().hideEvent(event)


# -- status bar ------------------------------------------------------------------------------
class OutboxStatus(QWidget):
    """``[icon] 2 queued  [icon] 1 sending  [icon] 3 failed`` in the status bar.

    Counts come from ``DeskService.counts()``: at once on each decision change of this
    desk and every second for other desks' changes. The failed count is a button.
    """

    open_failed = Signal()
    changed = Signal(object)

    def __init__(self, desk: DeskService, parent: QWidget | None = None,
                 interval_ms: int = 1000) -> None:
        super().__init__(parent)
        self.desk = desk
        self.counts: Any = None
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
        self.changed.connect(lambda _d: self._schedule())
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
        if not is_valid(self) or getattr(self, "_stopped", False):
            return
        try:
            counts = self.desk.counts()
        except Exception as exc:
            log.warning("the outbox could not be counted: %s", exc)
            self.queued_label.setText(tr("outbox unreadable"))
            return
        self.counts = counts
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
        self.retranslate_names()

    def retranslate_names(self) -> None:
        self.setAccessibleName(tr("Outbox"))
        self.queued_label.setAccessibleName(tr("Queued decisions"))
        self.queued_icon.setAccessibleName(tr("Queued symbol"))
        self.sending_label.setAccessibleName(tr("Decisions being sent"))
        self.sending_icon.setAccessibleName(tr("Sending symbol"))
        self.failed_button.setAccessibleName(tr("Failed decisions: open the list"))

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.refresh()
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
        old = getattr(window, "outbox_label", None)
        if old is not None:
            old.hide()   # the same counts, now with icons and a button
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
            self.failed_dialog = FailedDecisionsDialog(self.desk, self.window)
        dialog = self.failed_dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        dialog.table.setFocus()
        if dialog.table.rowCount() and not dialog.table.selected_ids():
            dialog.table.selectRow(0)
        return dialog

    def show_log(self, day: date | None = None) -> DecisionLogDialog:
        if self.log_dialog is None or not is_valid(self.log_dialog):
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
