"""The window's parts on their own: item model, settings dialog, crash handler."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

import ui.qt  # first (see ui.qt)
from app.credentials import Credentials, Secret
from app.model import utcnow
from app.sandbox.server import SandboxServer
from app.settings import Environment, Settings
from app.store import RowFilter, RowQuery, SortKey, Store
from tests.ui.conftest import fresh_records, run
from ui.inventory import KEY_ROLE, PAGE_SIZE, Column, InventoryModel
from ui.qt import QApplication, Qt, QTimer
from ui.tasks import CrashHandler, Redactor, TaskManager

ROOT = Path(__file__).resolve().parents[2]


# -- the item model ----------------------------------------------------------------------------
def test_source_model_passes_qt_model_tester(qtmodeltester: Any, store: Store) -> None:
    model = InventoryModel(store)
    qtmodeltester.check(model, force_py=True)
    store.upsert_many(fresh_records(store, 2))
    model.apply_changes(["rh:8000000", "rh:8000001"])
    model.sort(int(Column.SKU), Qt.SortOrder.AscendingOrder)
    model.set_query(RowQuery(filter=RowFilter.ALL, source=None))


@pytest.mark.parametrize("with_selection", [False, True])
def test_model_passes_qt_model_tester_through_changes(qtmodeltester: Any, store: Store,
                                                      with_selection: bool) -> None:
    from ui.qt import QItemSelectionModel

    model = InventoryModel(store)
    qtmodeltester.check(model, force_py=True)
    selection = QItemSelectionModel(model)
    total = store.count(RowQuery(filter=RowFilter.ALL))
    model.set_query(RowQuery(filter=RowFilter.ALL))  # a reset: the window re-selects by key
    assert model.rowCount() == total
    if with_selection:
        selection.setCurrentIndex(model.index(3, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                                  | QItemSelectionModel.SelectionFlag.Rows)
    selected = model.key_at(3)
    store.upsert_many(fresh_records(store, 3))
    model.apply_changes([f"rh:{8_000_000 + i}" for i in range(3)])
    assert model.rowCount() == total + 3
    model.sort(int(Column.RMA), Qt.SortOrder.AscendingOrder)
    assert model.query.sort is SortKey.RMA and not model.query.descending
    rmas = [model.row_at(i).rma for i in range(20)]
    assert rmas == sorted(rmas, key=lambda r: (r or "").lower()) or rmas == sorted(rmas)
    if with_selection:  # the selection follows its row through inserts and re-sorting
        assert model.data(selection.currentIndex(), Qt.ItemDataRole.UserRole + 1) == selected
    model.set_query(RowQuery(filter=RowFilter.AWAITING))



def test_many_changes_with_the_same_count_repaint_rows_in_place(store: Store) -> None:
    """A sync updating shown rows: new text at once, no layout change, the selection stays."""
    from ui.qt import QItemSelectionModel

    model = InventoryModel(store)
    model.set_query(RowQuery(filter=RowFilter.ALL))
    selection = QItemSelectionModel(model)
    selection.setCurrentIndex(model.index(3, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                              | QItemSelectionModel.SelectionFlag.Rows)
    selected = model.key_at(3)
    shown = [model.row_at(i) for i in range(60)]
    assert model.index(10, int(Column.DESCRIPTION)).data() == (shown[10].description or "")
    layouts: list[int] = []
    model.layoutChanged.connect(lambda *_a: layouts.append(1))
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(lambda first, last, *_a: changed.append((first.row(), last.row())))
    later = utcnow() + timedelta(minutes=5)
    records = []
    for i, row in enumerate(shown[:50]):
        record = store.get(row.key)
        assert record is not None
        records.append(dataclasses.replace(record, description=f"changed {i}", updated_at=later))
    store.upsert_many(records)
    model.apply_changes([r.key for r in records])  # more than SMALL_CHANGE keys
    assert not layouts
    assert model.index(10, int(Column.DESCRIPTION)).data() == "changed 10"
    assert model.row_at(49).description == "changed 49"
    assert any(first <= 10 <= last for first, last in changed)
    assert model.data(selection.currentIndex(), Qt.ItemDataRole.UserRole + 1) == selected


def test_model_reads_pages_lazily(store: Store) -> None:
    model = InventoryModel(store)
    model.set_query(RowQuery(filter=RowFilter.ALL))
    assert model.page_reads == 0
    assert model.rowCount() > PAGE_SIZE
    model.index(0, 0).data()
    model.index(PAGE_SIZE - 1, 1).data()
    assert model.page_reads == 1
    model.index(PAGE_SIZE, 1).data()
    assert model.page_reads == 2


def test_header_click_sorts_in_sql(qtbot: Any, store: Store) -> None:
    """The view on the model directly: a header click re-queries the store in that order."""
    from ui.qt import QTableView

    model = InventoryModel(store)
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.setSortingEnabled(True)
    view.horizontalHeader().setSortIndicator(int(Column.WEIGHT), Qt.SortOrder.DescendingOrder)
    assert model.query.sort is SortKey.WEIGHT and model.query.descending
    weights = [model.row_at(i).weight_kg for i in range(30)]
    known = [w for w in weights if w is not None]
    assert len(known) > 5 and known == sorted(known, reverse=True)
    view.horizontalHeader().setSortIndicator(int(Column.DIMENSIONS), Qt.SortOrder.AscendingOrder)
    assert model.query.sort is SortKey.WEIGHT  # not sortable: ignored


def test_multidata_answers_every_role_like_data(store: Store) -> None:
    """The delegate's one-call-per-cell path gives what ``data`` gives, role by role."""
    from ui.qt import QModelRoleData, QModelRoleDataSpan

    model = InventoryModel(store)
    model.set_query(RowQuery(filter=RowFilter.ALL))
    roles = [Qt.ItemDataRole.FontRole, Qt.ItemDataRole.TextAlignmentRole,
             Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.CheckStateRole,
             Qt.ItemDataRole.DecorationRole, Qt.ItemDataRole.DisplayRole,
             Qt.ItemDataRole.BackgroundRole, Qt.ItemDataRole.ToolTipRole,
             Qt.ItemDataRole.AccessibleTextRole, KEY_ROLE]
    answered = 0
    for row in range(min(8, model.rowCount())):
        for column in Column:
            index = model.index(row, int(column))
            for role in roles:  # PySide6 builds spans of one role (Qt's delegate asks ~7)
                item = QModelRoleData(int(role))
                model.multiData(index, QModelRoleDataSpan(item))
                assert item.data() == model.data(index, role), (row, column, role)
                answered += item.data() is not None
    assert answered > 8 * len(Column)  # display text at least, plus alignment and keys


def test_multidata_clears_what_a_previous_cell_left(store: Store) -> None:
    """The view hands the same role data from cell to cell: nothing may leak across."""
    from ui.qt import QModelRoleData, QModelRoleDataSpan

    model = InventoryModel(store)
    model.set_query(RowQuery(filter=RowFilter.ALL))
    alignment = QModelRoleData(int(Qt.ItemDataRole.TextAlignmentRole))
    display = QModelRoleData(int(Qt.ItemDataRole.DisplayRole))
    model.multiData(model.index(0, int(Column.QUANTITY)), QModelRoleDataSpan(alignment))
    assert alignment.data() is not None  # quantities are right-aligned
    model.multiData(model.index(0, int(Column.RMA)), QModelRoleDataSpan(alignment))
    assert alignment.data() is None  # ... and the RMA next to it is not
    display.setData("left over")
    model.multiData(model.index(model.rowCount() + 5, int(Column.RMA)), QModelRoleDataSpan(display))
    assert display.data() is None  # no row there: no text


def test_painted_list_keeps_text_columns_left_aligned(qtbot: Any, store: Store) -> None:
    """Through the real delegate: a text column starts at its left edge, quantities end at
    their right edge (the multiData fast path answers alignment cell by cell)."""
    from ui.qt import QImage, QTableView

    model = InventoryModel(store)
    model.set_query(RowQuery(filter=RowFilter.ALL))
    view = QTableView()
    qtbot.addWidget(view)
    view.setModel(model)
    view.resize(900, 300)
    for column in (Column.QUANTITY, Column.RMA):
        view.setColumnWidth(int(column), 400)
    view.show()
    qtbot.waitExposed(view)
    image = view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    background = image.pixelColor(2, 2).lightness()

    def ink_span(column: Column) -> tuple[int, int]:
        left = view.columnViewportPosition(int(column))
        top = view.rowViewportPosition(1)  # row 1: painted after row 0's right-aligned cells
        xs = [x for x in range(left + 2, left + view.columnWidth(int(column)) - 2)
              for y in range(top + 2, top + view.rowHeight(1) - 2)
              if abs(image.pixelColor(x, y).lightness() - background) > 60]
        assert xs, f"no text painted in {column.name}"
        return min(xs) - left, left + view.columnWidth(int(column)) - max(xs)

    rma_left, rma_right = ink_span(Column.RMA)
    qty_left, qty_right = ink_span(Column.QUANTITY)
    assert rma_left < rma_right  # text column: ink near the left edge
    assert qty_right < qty_left  # number column: ink near the right edge


def test_decision_state_shows_on_the_row_with_icon_and_text(store: Store) -> None:
    from app.model import Decision, DecisionAction, DecisionState

    model = InventoryModel(store)
    key = model.key_at(0)
    assert key is not None
    decision = Decision(id=1, key=key, action=DecisionAction.UPDATE, new_handling="rst",
                        old_handling="tbc", operator="o", desk="d", created_at=utcnow(),
                        idempotency_key="k", state=DecisionState.SENDING)
    model.note_decision(decision)
    index = model.index(0, int(Column.UPDATE))
    assert index.data() == "Sending"
    assert index.data(Qt.ItemDataRole.DecorationRole) is not None
    failed = dataclasses.replace(decision, state=DecisionState.FAILED, result_message="nope",
                                 correlation_id="corr-1")
    model.note_decision(failed)
    assert index.data() == "Failed"
    assert "corr-1" in index.data(Qt.ItemDataRole.ToolTipRole)


def test_a_state_the_store_moved_on_from_gives_way_on_the_row(store: Store) -> None:
    """A decision this desk saw fail, retried elsewhere (``returndesk outbox retry``, another
    desk) and applied: the row follows the store once the poll brings the change, and the
    old failure's message leaves the tooltip. Before, "Failed" stayed until a restart."""
    from app.model import Decision, DecisionAction, DecisionState

    model = InventoryModel(store)
    model.set_query(RowQuery(filter=RowFilter.ALL))  # an applied item stays in this list
    key = model.key_at(0)
    assert key is not None

    def update_cell() -> Any:
        position = model.position_of(key)
        assert position is not None
        return model.index(position, int(Column.UPDATE))

    stored = store.add_decision(Decision(
        id=None, key=key, action=DecisionAction.UPDATE, new_handling="rst", old_handling="tbc",
        operator="o", desk="d", created_at=utcnow(), idempotency_key="retry-me"))
    assert stored.id is not None
    failed = store.update_decision(stored.id, DecisionState.FAILED, result_message="refused",
                                   correlation_id="corr-9")
    model.note_decision(failed)
    model.apply_changes([key])  # the poll brings the store's change: both say failed
    assert update_cell().data() == "Failed"
    assert "corr-9" in update_cell().data(Qt.ItemDataRole.ToolTipRole)

    store.update_decision(stored.id, DecisionState.APPLIED)  # retried from the command line
    model.apply_changes([key])
    assert update_cell().data() == "Applied"
    assert "corr-9" not in (update_cell().data(Qt.ItemDataRole.ToolTipRole) or "")
    assert model.cell_text(update_cell().row(), int(Column.UPDATE)) == "Applied"

    # this desk's own newer word still shows before the store's change is polled
    model.note_decision(dataclasses.replace(failed, state=DecisionState.SENDING))
    assert update_cell().data() == "Sending"


# -- settings dialog ---------------------------------------------------------------------------------
def test_settings_dialog_saves_secrets_to_the_keyring_and_never_shows_them(
        qtbot: Any, qloop: asyncio.AbstractEventLoop, sandbox: SandboxServer,
        memory_keyring: Any) -> None:
    from ui.settings_dialog import SettingsDialog
    from ui.window import default_test_connection

    credentials = Credentials()
    credentials.set(Secret.RH_API_KEY, sandbox.api_key, "custom")
    settings = Settings(environment=Environment.CUSTOM, rh_user_api=sandbox.user_base,
                        rh_public_api=sandbox.public_base)
    import httpx

    http = httpx.AsyncClient(timeout=5)

    async def tester(candidate: Settings, typed: dict[Secret, str]) -> str:
        return await default_test_connection(candidate, typed, credentials, http)

    dialog = SettingsDialog(settings, credentials, TaskManager(), tester)
    qtbot.addWidget(dialog)
    key_row = dialog.secret_rows[Secret.RH_API_KEY]
    token_row = dialog.secret_rows[Secret.RH_API_TOKEN]
    assert key_row.state.text() == "set" and key_row.edit.text() == ""
    assert token_row.state.text() == "not set"
    for widget in dialog.findChildren(ui.qt.QLineEdit):
        assert sandbox.api_key not in widget.text()
    # a wrong token typed in: the test fails with the API's message
    token_row.edit.setText("wrong-token")
    dialog.test_connection()
    qtbot.waitUntil(lambda: dialog.test_result.text().startswith("Failed:"), timeout=15000)
    token_row.edit.setText(sandbox.api_token)
    dialog.test_connection()
    qtbot.waitUntil(lambda: dialog.test_result.text().startswith("OK:"), timeout=15000)
    assert "handling types" in dialog.test_result.text()
    assert not credentials.is_set(Secret.RH_API_TOKEN, "custom")  # not saved before OK
    dialog.sound.setChecked(False)
    dialog.interkey.setValue(80)
    dialog.accept()
    assert dialog.result_settings is not None
    assert dialog.result_settings.sound is False
    assert dialog.result_settings.scanner_max_interkey_ms == 80
    assert credentials.get(Secret.RH_API_TOKEN, "custom") == sandbox.api_token
    assert token_row.edit.text() == ""
    # the settings object holds no secret
    assert sandbox.api_token not in repr(dialog.result_settings.to_json_dict())
    run(qtbot, qloop, http.aclose())


def test_settings_dialog_refuses_plain_http_to_another_host(qtbot: Any) -> None:
    from ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(Settings(), Credentials(), TaskManager())
    qtbot.addWidget(dialog)
    dialog.environment.setCurrentIndex(dialog.environment.findData("custom"))
    dialog.user_url.setText("http://example.com/user/api")
    dialog.public_url.setText("https://example.com/public/api")
    dialog.accept()
    assert dialog.result_settings is None
    assert dialog.error.isVisible() or dialog.error.text()
    assert "loopback" in dialog.error.text()


# -- tasks and crashes -----------------------------------------------------------------------------
def test_task_failures_reach_the_failure_callback_or_the_error_signal(
        qtbot: Any, qloop: asyncio.AbstractEventLoop) -> None:
    tasks = TaskManager()
    seen: list[str] = []

    async def boom(_progress: Any) -> int:
        raise ValueError("broken pipe")

    task = tasks.op(boom, label="x").failure(lambda exc: seen.append(str(exc))).run()
    qtbot.waitUntil(task.done)
    assert seen == ["broken pipe"]
    with qtbot.waitSignal(tasks.error) as signal:
        tasks.op(boom, label="Sync").run()
    assert signal.args == ["Sync", "broken pipe"]
    progress: list[int] = []

    async def counting(report: Any) -> int:
        for i in range(3):
            report(i)
            await asyncio.sleep(0)
        return 7

    result: list[int] = []
    task = tasks.op(counting).progress(progress.append).success(result.append).run()
    qtbot.waitUntil(task.done)
    assert progress == [0, 1, 2] and result == [7]


def test_cancel_all_on_quit(qtbot: Any, qloop: asyncio.AbstractEventLoop) -> None:
    tasks = TaskManager()
    started = asyncio.Event()

    async def forever(_p: Any) -> None:
        started.set()
        await asyncio.sleep(3600)

    task = tasks.op(forever).run()
    qtbot.waitUntil(started.is_set)
    run(qtbot, qloop, tasks.cancel_all())
    assert task.cancelled()
    assert tasks.op(forever).run() is None  # nothing new starts while quitting


@pytest.mark.qt_no_exception_capture
def test_crash_report_is_shown_copyable_and_has_no_secrets(
        qtbot: Any, qloop: asyncio.AbstractEventLoop) -> None:
    secret = "sbx-token-VERYSECRET-1234567890"
    redactor = Redactor()
    redactor.add_source(lambda: [secret])
    crash = CrashHandler(redactor)
    tasks = TaskManager(crash_handler=crash)

    async def fine(_p: Any) -> int:
        return 1

    def bad_callback(_value: int) -> None:
        raise RuntimeError(f"callback failed with header x-rr-apitoken: {secret} and "
                           "postgresql://desk:hunter2pass@db/returns")

    with qtbot.waitSignal(crash.crashed) as crashed:
        tasks.op(fine).success(bad_callback).run()
    report = crashed.args[0]
    assert "callback failed" in report and "Traceback" in report
    assert secret not in report and "hunter2pass" not in report
    assert "[secret removed]" in report
    dialog = crash._dialogs[-1]
    assert dialog.isVisible()
    dialog.copy()
    assert QApplication.clipboard().text() == report
    dialog.close()
    # an exception in a slot that Qt itself calls (a timer's) reaches the same handler
    crash.install()

    def slot() -> None:
        raise ValueError("in a slot")

    try:
        with qtbot.waitSignal(crash.crashed) as from_slot:
            QTimer.singleShot(0, slot)
        assert "in a slot" in from_slot.args[0] and "Traceback" in from_slot.args[0]
    finally:
        crash.uninstall()
        for d in list(crash._dialogs):
            d.close()


def test_declared_and_received_differences_are_marked_again_on_every_record(
        qtbot: Any, tasks: TaskManager) -> None:
    """The comparison table reuses its cells from item to item and re-marks only rows whose
    marking changed: each shown item must still carry its own marks (bold, icon, tooltip)."""
    from decimal import Decimal

    from app.model import InventoryRecord, LineKind, SkuLine, Source
    from ui.detail import DetailPanel

    def winit(key: str, received_qty: int, received_sku: str = "SKU-1") -> InventoryRecord:
        # One barcode: lines are paired by SKU, then barcode (a SKU alone would not pair).
        declared = SkuLine(kind=LineKind.ESTIMATE, sku="SKU-1", barcode="690001", quantity=2,
                           weight_kg=Decimal("1.5"))
        received = SkuLine(kind=LineKind.ACTUAL, sku=received_sku, barcode="690001",
                           quantity=received_qty, weight_kg=Decimal("1.5"))
        return InventoryRecord(key=key, source=Source.WINIT, winit_order_no=key,
                               lines=(declared, received))

    panel = DetailPanel(tasks)
    qtbot.addWidget(panel)

    def marks() -> dict[str, bool]:
        table = panel.compare
        found = {}
        for row in range(table.rowCount()):
            field = table.item(row, 1).text()
            cells = [table.item(row, c) for c in range(table.columnCount())]
            differs = table.item(row, 4).text().startswith("≠")
            assert all(cell.font().bold() == differs for cell in cells), field
            assert all((cell.toolTip() != "") == differs for cell in cells), field
            assert (not table.item(row, 4).icon().isNull()) == differs, field
            found[field] = differs
        return found

    same, other_qty, other_sku = winit("W-1", 2), winit("W-2", 1), winit("W-3", 2, "SKU-9")
    panel.show_record(other_qty, [])
    assert marks()["Qty"] and not marks()["SKU"]
    panel.show_record(same, [])
    assert not any(marks().values())
    panel.show_record(other_sku, [])
    assert marks()["SKU"] and not marks()["Qty"]
    panel.clear()
    panel.show_record(other_sku, [])  # the cleared table's cells are new: marked afresh
    assert marks()["SKU"] and not marks()["Qty"]
