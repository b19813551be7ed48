"""The failed decisions view: retry (with a fresh key) or discard the selected ones, live."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from app.desk import DeskService
from app.model import Decision, DecisionState
from ui.decision_common import (
    ID_ROLE,
    DecisionTable,
    _LiveMixin,
    change_text,
    local_time,
)
from ui.feedback import icon
from ui.i18n import decision_state_name, make_tr, problem_text
from ui.list_order import PollRead
from ui.qt import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QEvent,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSize,
    QSplitter,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
    is_valid,
)

tr = make_tr("Decisions")
log = logging.getLogger(__name__)


@dataclass(slots=True)
class _FailedRead:
    """What the poll thread read for the failed decisions view."""

    retrying: set[int]                   # the ids retried from here when the read began
    failed: list[Decision] = field(default_factory=list)
    retried: dict[int, Decision | None] = field(default_factory=dict)  # their states now
    rmas: dict[str, str] = field(default_factory=dict)  # item key -> RMA, for new keys


# -- failed decisions ------------------------------------------------------------------------
class FailedDecisionsDialog(QDialog, _LiveMixin):
    """Failed decisions, to retry or discard. Non-modal; opened with ``show()``."""

    changed = Signal(object)   # a Decision from DeskService.subscribe, on the GUI thread

    retried = Signal(list)     # decision ids set back to queued
    discarded = Signal(list)   # decision ids given up
    _read = Signal(object)     # a _FailedRead, from the poll thread

    def __init__(self, desk: DeskService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.store = desk.store
        self.retrying: set[int] = set()   # retried here, shown until applied or failed again
        self._reads = PollRead(self._read)
        self._select_first = False  # select the first row once rows arrive (select_first)
        self.read_once = False  # the list has been read (until then it says it is reading)
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
        self._read.connect(self._arrived)
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
        """Re-read the failed decisions (and the ones being retried from here) on the poll
        thread; the table changes when they arrive. One read at a time: a change while it
        reads has it read again. A store that stops answering holds up the read, not the
        window."""
        if not is_valid(self):
            return
        desk, store = self.desk, self.store
        retrying, known = set(self.retrying), set(self._rmas)

        def read() -> _FailedRead:
            result = _FailedRead(retrying)
            result.failed = [d for d in desk.failed_decisions() if d.id is not None]
            shown = {d.id for d in result.failed}
            result.retried = {i: store.get_decision(i) for i in retrying if i not in shown}
            for d in [*result.failed, *result.retried.values()]:
                if d is not None and d.key not in known and d.key not in result.rmas:
                    row = store.row(d.key)
                    result.rmas[d.key] = (row.rma if row and row.rma else "") or d.key
            return result

        self._reads.request(read)

    def _arrived(self, result: _FailedRead | Exception) -> None:
        if self._reads.done():
            self.refresh()  # a change while it read
        if not is_valid(self):
            return
        if isinstance(result, Exception):
            log.error("failed decisions could not be read: %s", result)
            self._say("failed", tr("The store could not be read: {error}").format(
                error=problem_text(result)))
            return
        self._rmas.update(result.rmas)
        shown: dict[int, Decision] = {d.id: d for d in result.failed if d.id is not None}
        for decision_id in result.retrying:
            if decision_id in shown:
                self.retrying.discard(decision_id)  # failed again: an ordinary row
                continue
            current = result.retried.get(decision_id)
            if current is None or current.state not in (DecisionState.QUEUED,
                                                         DecisionState.SENDING):
                self.retrying.discard(decision_id)
                if current is not None and current.state is DecisionState.APPLIED:
                    self._say("applied", tr("Applied after retry: {item} {change}").format(
                        item=self._item_text(current), change=change_text(current)))
                continue
            shown[decision_id] = current
        for decision_id in self.retrying - result.retrying:  # retried during the read
            if decision_id in self.decisions:
                shown[decision_id] = self.decisions[decision_id]
        if self.read_once and shown == self.decisions and not result.rmas:
            return  # the same as shown: most re-reads (every 2 s)
        self.decisions = shown
        self.read_once = True
        self._show()

    def _show(self) -> None:
        ordered = sorted(self.decisions.values(), key=lambda d: (d.created_at, d.id or 0))
        rows = [(d, [local_time(d.created_at), self._item_text(d), change_text(d),
                     decision_state_name(d.state.value), str(d.attempts), d.error_code or "",
                     d.result_message or "", d.correlation_id or "", f"{d.operator}@{d.desk}"])
                for d in ordered]
        self.table.fill(self._headers(), rows, state_column=3)
        if self._select_first and rows:
            self._select_first = False
            if not self.table.selected_ids():
                self.table.selectRow(0)
        failed = sum(d.state is DecisionState.FAILED for d in ordered)
        if not self.read_once:  # the first read is on its way: not "no failed decisions" yet
            self.summary_icon.setPixmap(icon("sending").pixmap(QSize(20, 20)))
            text = tr("Reading the failed decisions…")
        elif failed:
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

    def select_first(self) -> None:
        """Select the first row unless one is selected: now, or when the rows arrive (the
        first read of a newly opened view is still on its way)."""
        self._select_first = not self.table.rowCount()
        if self.table.rowCount() and not self.table.selected_ids():
            self.table.selectRow(0)

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
        """Of ``ids``, those still failed in the store (another desk may have acted); the
        others leave the list at once (unless retried from here: those stay until sent)."""
        keep: list[int] = []
        gone = 0
        for decision_id in ids:
            current = self.store.get_decision(decision_id)
            if current is not None and current.state is DecisionState.FAILED:
                keep.append(decision_id)
            else:
                gone += 1
                if decision_id not in self.retrying:
                    self.decisions.pop(decision_id, None)
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
            self._say("failed", tr("Could not retry: {error}").format(error=problem_text(exc)))
            self._show()
            self.refresh()
            return []
        text = tr("{n} decision(s) queued again; they are sent in the background.").format(
            n=len(done))
        if gone:
            text += " " + tr("{n} were no longer failed (another desk acted).").format(n=gone)
        self._say("queued", text)
        for decision_id in done:  # shown as queued at once; the read below follows it
            if decision_id in self.decisions:
                self.decisions[decision_id] = replace(self.decisions[decision_id],
                                                      state=DecisionState.QUEUED)
        self._show()
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
            self._say("failed", tr("Could not discard: {error}").format(error=problem_text(exc)))
            self._show()
            self.refresh()
            return []
        text = tr("{n} decision(s) discarded.").format(n=len(todo))
        if gone:
            text += " " + tr("{n} were no longer failed (another desk acted).").format(n=gone)
        self._say("discarded", text)
        for decision_id in todo:  # gone from the list at once; the read below confirms it
            self.decisions.pop(decision_id, None)
        self._show()
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
