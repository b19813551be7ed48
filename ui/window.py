"""The desk window: inventory list, scan field, handling dropdown, details, status bar.

Widgets show state and emit intent; the :class:`~app.desk.DeskService` does the work.
Everything async goes through :class:`~ui.tasks.TaskManager`. The window never blocks the
event loop: scans are indexed store reads, decisions are one durable insert (the outbox
sends them in the background), and rows are read a page at a time.

Keyboard flow: scan (or type) + Enter -> the item is selected and focus is in the handling
dropdown; type the first letters of a code; Enter applies and focus is back in the scan
field at once. Ctrl+Z undoes this desk's last decision (withdrawn while still queued, a
cancel once applied). F2 / Ctrl+L go to the scan field, F5 syncs, F6 goes to the list,
Ctrl+, opens the settings.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from app.desk import DeskService, ScanOutcome
from app.model import InventoryRecord
from app.settings import Settings
from ui.detail import DetailPanel, ImageLoader
from ui.feedback import SoundPlayer, icon, unshaped_font
from ui.handling import HandlingPanel
from ui.i18n import make_tr, problem_text
from ui.inventory import KEY_ROLE, Column, InventoryModel, count_in_background
from ui.list_order import store_reads_done
from ui.listwidgets import Feedback, InventoryView, MatchList
from ui.qt import (
    QAbstractItemView,
    QComboBox,
    QCoreApplication,
    QEvent,
    QHBoxLayout,
    QItemSelectionModel,
    QKeySequence,
    QLabel,
    QMainWindow,
    QModelIndex,
    QProgressBar,
    QPushButton,
    QShortcut,
    QSplitter,
    Qt,
    QTimer,
    QVBoxLayout,
    QWidget,
    Signal,
    is_valid,
)
from ui.scan_guard import ScanGuard
from ui.scanfield import ScanField, monotonic_ms
from ui.tasks import CrashHandler, TaskManager
from ui.window_actions import ActionsMixin
from ui.window_handling import HandlingMixin
from ui.window_poll import PollMixin
from ui.window_settings import SettingsMixin, default_test_connection, image_loader
from ui.window_state import restore_window_state, save_window_state
from ui.window_status import StatusMixin

if TYPE_CHECKING:  # the dialog's module is imported when it is first opened
    from ui.settings_dialog import ConnectionTester, SettingsDialog

tr = make_tr("MainWindow")
log = logging.getLogger(__name__)

POLL_MS = 400
OUTCOME_SOUND = {
    ScanOutcome.FOUND: "found", ScanOutcome.MULTIPLE: "multiple",
    ScanOutcome.NOT_FOUND: "not_found", ScanOutcome.INVALID: "invalid",
    ScanOutcome.REPEATED: "repeated",
}


class MainWindow(ActionsMixin, HandlingMixin, StatusMixin, SettingsMixin, PollMixin,
                 QMainWindow):
    closed = Signal()
    _polled = Signal(object)            # PollResult, from the poll thread
    decision_changed = Signal(object)   # Decision, from DeskService.subscribe (any thread)
    scan_handled = Signal(object)       # ScanResult, after the window showed it

    def __init__(self, desk: DeskService, *, tasks: TaskManager | None = None,
                 sounds: SoundPlayer | None = None, load_image: ImageLoader | None = None,
                 tester: ConnectionTester | None = None, demo: bool = False,
                 clock: Callable[[], float] = monotonic_ms,
                 save_settings: Callable[[Settings], Any] | None = None,
                 user_settings: Settings | None = None, user_credentials: Any = None,
                 poll_ms: int = POLL_MS, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.store = desk.store
        self.settings = desk.settings
        first_count = count_in_background(self.store)  # while the widgets are built
        self.demo = demo
        self.tasks = tasks or TaskManager(self)
        self.sounds = sounds or SoundPlayer(enabled=self.settings.sound)
        self.tester = tester
        self.save_settings = save_settings
        # A demo started because nothing is configured yet: the settings dialog edits the
        # user's own settings and keyring (not the sandbox's), for the next start.
        self.user_settings = user_settings
        self.user_credentials = user_credentials
        self.clock = clock
        self.current_key: str | None = None
        self._just_read: InventoryRecord | None = None  # select_key: the record being selected
        self.last_feedback: Feedback | None = None
        self.messages: list[str] = []  # the status bar's recent messages, newest last
        self.syncing = False
        self._settings_dialog: SettingsDialog | None = None
        # The warehouse list is a DISTINCT over every row: read just after the window is
        # up, so it never delays the first paint.
        self._warehouses: list[str] | None = []
        self._seq = self._safe_last_seq()
        self.setObjectName("mainWindow")
        self.setWindowIcon(icon("returndesk"))
        self.setFont(unshaped_font())
        self.resize(1360, 820)

        central = QWidget(self)
        self.setCentralWidget(central)
        outer = QVBoxLayout(central)
        outer.setContentsMargins(8, 8, 8, 4)

        # -- scan row -------------------------------------------------------------------------
        scan_row = QHBoxLayout()
        self.scan_label = QLabel(central)
        scan_row.addWidget(self.scan_label)
        self.scan_field = ScanField(central, clock=clock,
                                    burst_threshold_ms=self.settings.scanner_max_interkey_ms)
        font = self.scan_field.font()
        font.setPointSizeF(font.pointSizeF() * 1.35)
        self.scan_field.setFont(font)
        self.scan_label.setBuddy(self.scan_field)
        scan_row.addWidget(self.scan_field, 3)
        self.outcome_icon = QLabel(central)
        self.outcome_icon.setObjectName("outcomeIcon")
        self.outcome_icon.setFixedSize(28, 28)
        scan_row.addWidget(self.outcome_icon)
        self.outcome_text = QLabel(central)
        self.outcome_text.setObjectName("outcomeText")
        self.outcome_text.setWordWrap(True)
        outcome_font = self.outcome_text.font()
        outcome_font.setBold(True)
        self.outcome_text.setFont(outcome_font)
        scan_row.addWidget(self.outcome_text, 4)
        outer.addLayout(scan_row)

        # -- filter row -----------------------------------------------------------------------
        filter_row = QHBoxLayout()
        self.filter_label = QLabel(central)
        filter_row.addWidget(self.filter_label)
        self.filter_combo = QComboBox(central)
        self.filter_combo.setObjectName("filterCombo")
        self.filter_label.setBuddy(self.filter_combo)
        filter_row.addWidget(self.filter_combo)
        self.warehouse_label = QLabel(central)
        filter_row.addWidget(self.warehouse_label)
        self.warehouse_combo = QComboBox(central)
        self.warehouse_combo.setObjectName("warehouseCombo")
        self.warehouse_label.setBuddy(self.warehouse_combo)
        filter_row.addWidget(self.warehouse_combo)
        self.source_label = QLabel(central)
        filter_row.addWidget(self.source_label)
        self.source_combo = QComboBox(central)
        self.source_combo.setObjectName("sourceCombo")
        self.source_label.setBuddy(self.source_combo)
        filter_row.addWidget(self.source_combo)
        self.count_label = QLabel(central)
        self.count_label.setObjectName("countLabel")
        filter_row.addWidget(self.count_label, 1)
        self.sync_button = QPushButton(central)
        self.sync_button.setObjectName("syncButton")
        self.sync_button.clicked.connect(self.sync_now)
        filter_row.addWidget(self.sync_button)
        self.settings_button = QPushButton(central)
        self.settings_button.setObjectName("settingsButton")
        self.settings_button.clicked.connect(self.open_settings)
        filter_row.addWidget(self.settings_button)
        outer.addLayout(filter_row)

        # -- list | handling + details ------------------------------------------------------------
        self.splitter = QSplitter(Qt.Orientation.Horizontal, central)
        outer.addWidget(self.splitter, 1)
        self.view = InventoryView(self.splitter)  # its model comes last (_attach_model)

        right = QWidget(self.splitter)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(4, 0, 0, 0)
        self.matches_label = QLabel(right)
        right_layout.addWidget(self.matches_label)
        self.matches = MatchList(right)
        self.matches.setObjectName("matchList")
        self.matches.setMaximumHeight(self.fontMetrics().height() * 6 + 12)
        self.matches.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.matches.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.matches.chosen.connect(self._match_chosen)
        self.matches.itemActivated.connect(
            lambda item: self._match_chosen(str(item.data(Qt.ItemDataRole.UserRole))))
        right_layout.addWidget(self.matches)
        self.handling = HandlingPanel(right)
        self.handling.apply_requested.connect(self.apply_handling)
        self.handling.apply_blocked.connect(self.apply_blocked)
        self.handling.back_to_scan.connect(self.focus_scan)
        right_layout.addWidget(self.handling)
        self.detail = DetailPanel(self.tasks, load_image, right,
                                  handling_names=self._handling_names)
        right_layout.addWidget(self.detail, 1)
        self.splitter.addWidget(self.view)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setSizes([780, 620])
        self._show_matches([])

        # -- status bar ---------------------------------------------------------------------------
        status = self.statusBar()
        status.setObjectName("statusBar")
        self.connection_icon = QLabel(self)
        self.connection_icon.setFixedSize(20, 20)
        status.addWidget(self.connection_icon)
        self.connection_label = QLabel(self)
        self.connection_label.setObjectName("connectionLabel")
        status.addWidget(self.connection_label)
        self.message_label = QLabel(self)
        self.message_label.setObjectName("messageLabel")
        self.message_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        status.addWidget(self.message_label, 1)
        self.sync_progress = QProgressBar(self)
        self.sync_progress.setObjectName("syncProgress")
        self.sync_progress.setMaximumWidth(220)
        self.sync_progress.setTextVisible(True)
        self.sync_progress.hide()
        status.addPermanentWidget(self.sync_progress)

        # -- wiring -----------------------------------------------------------------------------
        self.scan_field.scanned.connect(self.handle_scan)
        self.scan_guard = ScanGuard(self, self.scan_field, clock=clock,
                                    threshold_ms=lambda: self.scan_field.burst_threshold_ms)
        self.decision_changed.connect(self._on_decision)
        self._unsubscribe = desk.subscribe(self._decision_from_any_thread)
        self.tasks.error.connect(lambda label, text: self.show_message(
            f"{label}: {text}" if label else text, error=True))
        self.filter_combo.currentIndexChanged.connect(self._filters_changed)
        self.warehouse_combo.currentIndexChanged.connect(self._filters_changed)
        self.source_combo.currentIndexChanged.connect(self._filters_changed)
        self._shortcuts: list[QShortcut] = []
        self._shortcut(QKeySequence.StandardKey.Undo, self.undo_last)
        self._shortcut(QKeySequence("F2"), self.focus_scan)
        self._shortcut(QKeySequence("Ctrl+L"), self.focus_scan)
        self._shortcut(QKeySequence("F5"), self.sync_now)
        self._shortcut(QKeySequence("F6"), self.view.setFocus)
        self._shortcut(QKeySequence("Ctrl+,"), self.open_settings)
        self._closing = False
        self.poll_timer = QTimer(self)
        self.poll_timer.setInterval(poll_ms)
        self.poll_timer.timeout.connect(self.poll_in_background)
        self._poll_reading = False
        self._polled.connect(self._poll_arrived)
        self.poll_timer.start()
        # The "Decisions" menu and the outbox status: installed before the first paint (added
        # later, the menu bar and the taller status bar would resize and repaint the list).
        from ui.decisions import install_decision_views

        self.decision_views = install_decision_views(self)
        self._attach_model(first_count)

        restore_window_state(self)  # the layout the operator left, before the first paint
        self.watch_in_front()
        self.retranslate()  # also fills the filters
        self.update_connection()
        self.detail.clear()
        self.handling.set_options([], note="")
        QTimer.singleShot(0, self.focus_scan)
        QTimer.singleShot(0, lambda: self._fill_filters(reload_warehouses=True)
                          if is_valid(self) else None)
        self.scan_field.setFocus()

    def _attach_model(self, first_count: Any) -> None:
        """The list's model, made once every other widget is built: it needs the default
        list's count, which a worker thread reads meanwhile (``count_in_background``); made
        first, the window waited 12-28 ms for that count before building the rest."""
        self.model = InventoryModel(self.store, self, handling_names=self._handling_names,
                                    first_count=first_count)
        self.view.setModel(self.model)
        self.view.horizontalHeader().setSortIndicator(self.model.sort_column(),
                                                      Qt.SortOrder.DescendingOrder)
        self.view.setSortingEnabled(True)
        widths = {Column.SOURCE: 110, Column.RMA: 190, Column.TRACKING: 150, Column.SKU: 110,
                  Column.DESCRIPTION: 200, Column.QUANTITY: 45, Column.DIMENSIONS: 110,
                  Column.WEIGHT: 80, Column.STATUS: 110, Column.HANDLING: 70,
                  Column.HANDLING_STATUS: 100, Column.UPDATE: 100, Column.WAREHOUSE: 90,
                  Column.RECEIVED: 130}
        self.view.set_column_widths({int(column): width for column, width in widths.items()})
        self.view.selectionModel().currentRowChanged.connect(self._current_row_changed)
        self.view.activated.connect(lambda _i: self.focus_handling())

    # -- helpers ---------------------------------------------------------------------------------
    def _shortcut(self, sequence: QKeySequence | QKeySequence.StandardKey,
                  slot: Callable[[], Any]) -> None:
        shortcut = QShortcut(QKeySequence(sequence), self)
        shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
        shortcut.activated.connect(slot)
        self._shortcuts.append(shortcut)

    def _safe_last_seq(self) -> int:
        try:
            return int(self.store.last_seq())
        except Exception:
            log.exception("the store could not say its last change")
            return 0

    def _handling_names(self) -> dict[str, str]:
        return {h.code: h.description for h in self.desk.catalog}

    def retranslate(self) -> None:
        self.setWindowTitle(tr("Return Desk") + (" — " + tr("demo (built-in sandbox)")
                                                 if self.demo else ""))
        self.setAccessibleName(tr("Return Desk"))
        self.scan_label.setText(tr("&Scan:"))
        self.scan_field.retranslate()
        self.outcome_text.setAccessibleName(tr("Scan result"))
        self.outcome_icon.setAccessibleName(tr("Scan result symbol"))
        self.filter_label.setText(tr("Sho&w:"))
        self.filter_combo.setAccessibleName(tr("Which items to list"))
        self.warehouse_label.setText(tr("W&arehouse:"))
        self.warehouse_combo.setAccessibleName(tr("Warehouse filter"))
        self.source_label.setText(tr("S&ource:"))
        self.source_combo.setAccessibleName(tr("Source filter"))
        self.count_label.setAccessibleName(tr("Number of items listed"))
        self.sync_button.setText(tr("S&ync now"))
        self.sync_button.setAccessibleName(tr("Sync now"))
        self.sync_button.setToolTip(tr("Fetch new and changed items from the APIs (F5)"))
        self.settings_button.setText(tr("Se&ttings…"))
        self.settings_button.setAccessibleName(tr("Settings"))
        self.settings_button.setToolTip(tr("Environment, credentials, sound, scanner, language (Ctrl+,)"))
        self.view.setAccessibleName(tr("Inventory list"))
        self.view.setAccessibleDescription(tr("Returned parcels; F6 moves here, Enter opens the handling"))
        self.matches_label.setText(tr("Several items match this scan; choose one and press Enter:"))
        self.matches.setAccessibleName(tr("Matching items"))
        self.handling.retranslate()
        self.detail.retranslate()
        self.connection_label.setAccessibleName(tr("Connection"))
        self.connection_icon.setAccessibleName(tr("Connection symbol"))
        self.message_label.setAccessibleName(tr("Last message"))
        self.sync_progress.setAccessibleName(tr("Sync progress"))
        self.model.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, len(Column) - 1)
        self._fill_filters()
        self.update_connection()
        if getattr(self, "current_key", None):
            self.refresh_current()  # reasons and notes in the new language

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    # -- focus ----------------------------------------------------------------------------------
    def focus_scan(self) -> None:
        self.scan_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.scan_field.selectAll()

    def focus_handling(self) -> None:
        if self.handling.combo.isEnabled():
            self.handling.combo.setFocus(Qt.FocusReason.OtherFocusReason)

    # -- selection and details ------------------------------------------------------------------
    def select_key(self, key: str, scroll: bool = True,
                   record: InventoryRecord | None = None) -> bool:
        """Select the row of ``key``; False when the current list does not include it.
        ``record``: the item as just read (a scan's match), shown without reading it again."""
        self.poll_store()  # the model must show what the store has before rows are counted
        position = self.model.position_of(key)
        if position is None:
            self.view.selectionModel().clear()  # the current row too (see _show_no_item)
            return False
        index = self.model.index(position, 0)
        selection = self.view.selectionModel()
        if self.view.currentIndex().row() == index.row() and self.current_key == key:
            selection.select(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                             | QItemSelectionModel.SelectionFlag.Rows)
        else:
            self._just_read = record
            try:
                selection.setCurrentIndex(index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                                          | QItemSelectionModel.SelectionFlag.Rows)
            finally:
                self._just_read = None
        if scroll:
            self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
        if self.current_key != key:
            record = self.store.get(key)
            if record is not None:
                self.show_record(record)
        return True

    def _current_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            return
        key = self.model.data(current, KEY_ROLE)
        if not key or key == self.current_key:
            return
        just_read = self._just_read
        record = just_read if just_read is not None and just_read.key == key else self.store.get(str(key))
        if record is not None:
            self.show_record(record)

    def show_record(self, record: InventoryRecord) -> None:
        if record.key != self.current_key:
            self.handling.forget_choice()  # another item: its first allowed code is offered
        self.current_key = record.key
        try:
            decisions = self.store.decisions_for(record.key)
        except Exception:
            log.exception("the store could not read decisions")
            decisions = []
        self.detail.show_record(record, decisions)
        self._show_options(record, decisions)

    def start_desk(self) -> None:
        """Start the desk once the window shows: read the handling types from the API
        (the window meanwhile offers the cached ones) and start sending queued decisions."""

        def started(_result: Any) -> None:
            if is_valid(self) and not self._closing:
                issue = self.desk.catalog_issue
                self.update_connection(problem_text(issue) if issue and self.desk.rh else None)
                self.refresh_current()  # the item shown gets the fresh handling types

        self.tasks.op(lambda _progress: self.desk.start(), label=tr("Connecting")) \
            .success(started).run()

    def setVisible(self, visible: bool) -> None:
        super().setVisible(visible)
        if visible:
            # Showing a widget posts an "update later" for it and each child. The window
            # system's first expose is often handled before them (offscreen and X11), so
            # they repainted the whole window a second time right after its first paint
            # (the list alone is about 20 ms at 200,000 items). Handled now, they only mark
            # the window dirty, and the first paint covers them.
            QCoreApplication.sendPostedEvents(None, int(QEvent.Type.UpdateLater.value))

    # -- closing -----------------------------------------------------------------------------------
    def closeEvent(self, event: Any) -> None:
        save_window_state(self)
        self._stop_timers()
        self._unsubscribe()
        super().closeEvent(event)
        self.closed.emit()

    async def shutdown(self) -> None:
        """Cancel the window's tasks and let the store reads under way on the background
        threads finish; the caller closes the desk (and its store) and the HTTP client."""
        self._stop_timers()
        await self.tasks.cancel_all()
        if not await store_reads_done():
            log.warning("a store read was still running when the window closed")

    def _stop_timers(self) -> None:
        """Nothing may read the store after this: the caller closes it next."""
        self._closing = True
        self.poll_timer.stop()
        self.decision_views.stop()
        self._front_timer.stop()


__all__ = ["CrashHandler", "Feedback", "MainWindow", "default_test_connection", "image_loader"]
