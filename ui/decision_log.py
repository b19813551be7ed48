"""One day's decisions from every desk, with CSV export that never loses an earlier file."""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from app.desk import DeskService
from app.export import day_bounds, decisions_csv, write_atomically
from app.model import Decision, DecisionState
from ui.decision_common import (
    DecisionTable,
    _LiveMixin,
    change_text,
    local_time,
)
from ui.feedback import icon
from ui.i18n import decision_message, decision_state_name, make_tr
from ui.qt import (
    QDate,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QEvent,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSize,
    Qt,
    QToolButton,
    QVBoxLayout,
    QWidget,
    Signal,
    is_valid,
)
from ui.tasks import TaskManager

tr = make_tr("Decisions")
log = logging.getLogger(__name__)

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
        self._shown_day: date | None = None  # the day whose decisions the table shows
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
            if list(result) != [self.decisions, self._rmas] or self._shown_day != day:
                self.decisions, self._rmas = result
                self._shown_day = day
                self._show()  # not when the day's decisions are as shown (most re-reads)
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
                     decision_message(d.result_message, d.error_code), d.correlation_id or ""])
                for d in self.decisions]
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
            write_atomically(path, text)
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
