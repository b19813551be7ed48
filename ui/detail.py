"""The detail panel: everything known about the selected item, read-only.

SKU lines (grade, quantity, dimensions, volume, weight, serials); for WINIT returns the
declared (estimate) and received (actual) lines side by side, paired by SKU (then barcode,
then position: :func:`pair_lines`), each difference marked with a symbol, a word ("differs",
"not received", "not declared") and bold text (colour only adds to that); the status history;
image thumbnails loaded asynchronously (click to enlarge); warehouse remarks; the item's
decision log.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from decimal import Decimal

from app.model import Decision, InventoryRecord, LineKind, SkuLine, Source
from app.winit.lines import pair_lines
from ui.detail_widgets import ImageDialog, ReadOnlyTable, copyable
from ui.feedback import icon
from ui.i18n import (
    decision_message,
    decision_state_name,
    grade_name,
    handle_method_name,
    handling_status_name,
    make_tr,
    source_name,
    winit_status_name,
)
from ui.listing import fmt_decimal, fmt_dimensions, fmt_handling, fmt_time
from ui.qt import (
    QColor,
    QFont,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QIcon,
    QLabel,
    QPixmap,
    QScrollArea,
    QSize,
    Qt,
    QToolButton,
    QVBoxLayout,
    QWidget,
    is_valid,
)
from ui.tasks import TaskManager

tr = make_tr("DetailPanel")
log = logging.getLogger(__name__)

ImageLoader = Callable[[str], Awaitable[bytes]]
THUMB = 96


def _dec(value: Decimal | None) -> str:
    return fmt_decimal(value)


class DetailPanel(QScrollArea):
    def __init__(self, tasks: TaskManager, load_image: ImageLoader | None = None,
                 parent: QWidget | None = None, *,
                 handling_names: Callable[[], dict[str, str]] | None = None) -> None:
        """``handling_names``: each handling code's description, from the catalog the API
        gave (the list's tooltips use the same)."""
        super().__init__(parent)
        self.tasks = tasks
        self.load_image = load_image
        self._handling_names = handling_names or dict
        self.record: InventoryRecord | None = None
        self._generation = 0
        self.setWidgetResizable(True)
        self.setObjectName("detailPanel")
        body = QWidget(self)
        self.setWidget(body)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(6, 6, 6, 6)

        self.title = QLabel(body)
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        self.title.setFont(font)
        self.title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.title)

        self.summary_box = QGroupBox(body)
        self.summary = QFormLayout(self.summary_box)
        self._summary_rows: list[tuple[QLabel, QLabel]] = []
        self.summary.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addWidget(self.summary_box)

        self.lines_box = QGroupBox(body)
        lines_layout = QVBoxLayout(self.lines_box)
        self.lines = ReadOnlyTable(self.lines_box)
        self.lines.setObjectName("skuLines")
        lines_layout.addWidget(self.lines)
        self.compare_note = QLabel(self.lines_box)
        self.compare_note.setWordWrap(True)
        lines_layout.addWidget(self.compare_note)
        self.compare = ReadOnlyTable(self.lines_box)
        self.compare.setObjectName("declaredVsReceived")
        # Each compare row's marking as last applied (True: differs): a scan re-marks only
        # the rows whose marking changed (setIcon alone cost ~0.1 ms a cell).
        self._compare_marks: list[bool] = []
        lines_layout.addWidget(self.compare)
        layout.addWidget(self.lines_box)

        self.images_box = QGroupBox(body)
        self.images_layout = QHBoxLayout(self.images_box)
        self.images_layout.addStretch(1)
        layout.addWidget(self.images_box)

        self.remarks_box = QGroupBox(body)
        remarks_layout = QVBoxLayout(self.remarks_box)
        self.remarks = QLabel(self.remarks_box)
        self.remarks.setWordWrap(True)
        copyable(self.remarks)
        remarks_layout.addWidget(self.remarks)
        layout.addWidget(self.remarks_box)

        self.history_box = QGroupBox(body)
        history_layout = QVBoxLayout(self.history_box)
        self.history = ReadOnlyTable(self.history_box)
        self.history.setObjectName("statusHistory")
        history_layout.addWidget(self.history)
        layout.addWidget(self.history_box)

        self.log_box = QGroupBox(body)
        log_layout = QVBoxLayout(self.log_box)
        self.decision_log = ReadOnlyTable(self.log_box)
        self.decision_log.setObjectName("decisionLog")
        log_layout.addWidget(self.decision_log)
        layout.addWidget(self.log_box)
        layout.addStretch(1)
        self.thumbnails: list[QToolButton] = []
        self._dialogs: list[ImageDialog] = []
        self.retranslate()
        self.clear()

    def retranslate(self) -> None:
        self.setAccessibleName(tr("Item details"))
        self.summary_box.setTitle(tr("Item"))
        if self._summary_rows:  # none yet at start-up: rows are made with the width
            width = self._caption_width()
            for name_label, _value_label in self._summary_rows:
                name_label.setMinimumWidth(width)
        self.lines_box.setTitle(tr("Goods"))
        self.images_box.setTitle(tr("Images"))
        self.remarks_box.setTitle(tr("Warehouse remarks"))
        self.history_box.setTitle(tr("Status history"))
        self.log_box.setTitle(tr("Decision log"))
        self.lines.setAccessibleName(tr("SKU lines"))
        self.compare.setAccessibleName(tr("Declared and received goods compared"))
        self.history.setAccessibleName(tr("Status history"))
        self.decision_log.setAccessibleName(tr("Decision log"))
        self.remarks.setAccessibleName(tr("Warehouse remarks"))
        self.title.setAccessibleName(tr("Selected item"))
        if self.record is not None:
            self.show_record(self.record, self._decisions, force=True)
        else:
            self.clear()

    # -- showing -------------------------------------------------------------------------
    def clear(self) -> None:
        self.record = None
        self._decisions: list[Decision] = []
        self._generation += 1
        self.title.setText(tr("No item selected: scan a label or pick a row"))
        self._set_summary([])
        self.lines.fill([], [])
        self.compare.fill([], [])
        self._compare_marks = []
        self.compare.hide()
        self.compare_note.hide()
        self.history.fill([], [])
        self.decision_log.fill([], [])
        self.remarks.setText("")
        self._clear_images()
        for box in (self.summary_box, self.lines_box, self.images_box, self.remarks_box,
                    self.history_box, self.log_box):
            box.setVisible(False)

    def _handling_text(self, code: str | None) -> str:
        """``ohd — Hold`` as in the handling list; the code alone when the catalog does not
        know it (codes are read at run time: a new one is shown as sent, not guessed)."""
        return fmt_handling(code, self._handling_names().get(code)) if code else ""

    def show_record(self, record: InventoryRecord, decisions: list[Decision],
                    force: bool = False) -> None:
        if not force and record == self.record and list(decisions) == self._decisions:
            return  # nothing changed: no relayout (polling refreshes often)
        self.record = record
        self._decisions = list(decisions)
        self._generation += 1
        # The status history's box is shown by _show_history, and only when there is some:
        # shown here and hidden there again, most scans re-laid out the whole panel.
        for box in (self.summary_box, self.lines_box, self.log_box):
            if box.isHidden():
                box.setVisible(True)
        ident = record.rma or record.winit_order_no or record.key
        self.title.setText(f"{source_name(record.source)} · {ident}")
        caption = self._captions()
        rows: list[tuple[str, str]] = [
            (caption["key"], record.key),
            (caption["rma"], ", ".join(x for x in (record.rma, record.item_rma) if x)),
            (caption["tracking"], ", ".join(record.tracking_numbers)),
        ]
        if record.return_inventory_id is not None:
            rows.append((caption["inventory_id"], str(record.return_inventory_id)))
        if record.winit_order_no:
            rows.append((caption["winit_order"], record.winit_order_no))
        if record.seller_reference:
            rows.append((caption["seller_reference"], record.seller_reference))
        rows += [
            (caption["description"], record.description or ""),
            (caption["warehouse"], record.warehouse or ""),
        ]
        if record.status:
            rows.append((caption["status"], f"{winit_status_name(record.status)} ({record.status})"))
        if record.source is Source.RETURN_HELPER:
            rows.append((caption["handling"], self._handling_text(record.handling_code)))
            rows.append((caption["handling_status"], handling_status_name(record.handling_status)))
        if record.return_reason:
            rows.append((caption["return_reason"], record.return_reason))
        if record.value is not None:
            rows.append((caption["value"], f"{fmt_decimal(record.value)} {record.currency or ''}".strip()))
        if record.vas:
            rows.append((caption["vas"], ", ".join(
                f"{v.code} ({tr('finished') if v.finished else tr('not finished')})"
                for v in record.vas)))
        rows.append((caption["received"], fmt_time(record.received_at)))
        self._set_summary([(k, v) for k, v in rows if v])
        self._show_lines(record)
        self._show_history(record)
        self._show_decisions(decisions)
        # Shown for every item, "none" when empty: hiding and showing the box as items
        # with and without remarks alternate re-laid out the whole panel (~2 ms a scan)
        # and moved everything below it.
        self.remarks.setText(record.remarks or tr("None"))
        self.remarks_box.setVisible(True)
        self._show_images(record)

    def _set_summary(self, rows: list[tuple[str, str]]) -> None:
        # The form's rows are made once and reused: a scan changes their text and hides
        # the rows it does not need, instead of rebuilding the form (a relayout each time).
        width = self._caption_width() if len(self._summary_rows) < len(rows) else 0
        while len(self._summary_rows) < len(rows):
            name_label = QLabel(self.summary_box)
            value_label = QLabel(self.summary_box)
            value_label.setWordWrap(True)
            copyable(value_label)
            name_label.setBuddy(value_label)
            name_label.setMinimumWidth(width)
            self.summary.addRow(name_label, value_label)
            self._summary_rows.append((name_label, value_label))
        for number, (name_label, value_label) in enumerate(self._summary_rows):
            shown = number < len(rows)
            if shown:
                name, value = rows[number]
                if name_label.text() != name + ":":
                    name_label.setText(name + ":")
                    value_label.setAccessibleName(name)
                if value_label.text() != value:
                    value_label.setText(value)
            if self.summary.isRowVisible(number) != shown:
                self.summary.setRowVisible(number, shown)

    def _captions(self) -> dict[str, str]:
        """The summary's captions by field, in the operator's language."""
        return {"key": tr("Key"), "rma": tr("RMA"), "tracking": tr("Tracking number"),
                "inventory_id": tr("Return inventory id"), "winit_order": tr("WINIT order"),
                "seller_reference": tr("Seller reference"), "description": tr("Description"),
                "warehouse": tr("Warehouse"), "status": tr("Status"), "handling": tr("Handling"),
                "handling_status": tr("Handling status"), "return_reason": tr("Return reason"),
                "value": tr("Value"), "vas": tr("Value-added services"),
                "received": tr("Received at")}

    def _caption_width(self) -> int:
        """The longest caption's width: every caption is that wide, whichever are shown, so
        the values do not move sideways when an item with other fields is shown (a WINIT
        return after a Return Helper item moved and repainted every label of the form)."""
        metrics = self.summary_box.fontMetrics()
        return max(metrics.horizontalAdvance(name + ":") for name in self._captions().values())

    def _line_headers(self) -> list[str]:
        return [tr("Kind"), tr("SKU"), tr("Barcode"), tr("Description"), tr("Grade"), tr("Qty"),
                tr("L x W x H (cm)"), tr("Volume (m³)"), tr("Weight (kg)"), tr("Serials"),
                tr("Handle method")]

    def _kind_name(self, kind: LineKind) -> str:
        return {LineKind.RECEIVED: tr("Received"), LineKind.ESTIMATE: tr("Declared"),
                LineKind.ACTUAL: tr("Received (actual)")}[kind]

    def _show_lines(self, record: InventoryRecord) -> None:
        rows = [[self._kind_name(line.kind), line.sku or "", line.barcode or "",
                 line.description or line.specification or "", grade_name(line.grade),
                 "" if line.quantity is None else str(line.quantity), fmt_dimensions(line),
                 _dec(line.volume_m3), _dec(line.weight_kg), ", ".join(line.serials),
                 handle_method_name(line.handle_method)] for line in record.lines]
        self.lines.fill(self._line_headers(), rows)
        for column in range(self.lines.columnCount()):  # no empty columns (RH has no barcodes)
            self.lines.setColumnHidden(column, bool(rows) and column > 0
                                       and not any(r[column] for r in rows))
        estimate = [line for line in record.lines if line.kind is LineKind.ESTIMATE]
        actual = [line for line in record.lines if line.kind is LineKind.ACTUAL]
        if record.source is Source.WINIT and (estimate or actual):
            self._show_comparison(estimate, actual)
        else:
            self.compare.hide()
            self.compare_note.hide()

    def _show_comparison(self, estimate: list[SkuLine], actual: list[SkuLine]) -> None:
        fields: list[tuple[str, Callable[[SkuLine], str]]] = [
            (tr("SKU"), lambda x: x.sku or ""),
            (tr("Barcode"), lambda x: x.barcode or ""),
            (tr("Grade"), lambda x: grade_name(x.grade)),
            (tr("Qty"), lambda x: "" if x.quantity is None else str(x.quantity)),
            (tr("L x W x H (cm)"), fmt_dimensions),
            (tr("Volume (m³)"), lambda x: _dec(x.volume_m3)),
            (tr("Weight (kg)"), lambda x: _dec(x.weight_kg)),
            (tr("Handle method"), lambda x: handle_method_name(x.handle_method)),
        ]
        headers = [tr("Line"), tr("Field"), tr("Declared"), tr("Received goods"), tr("Difference")]
        table_rows: list[list[str]] = []
        differing: list[bool] = []
        differences = 0
        for number, (declared, received) in enumerate(pair_lines(estimate, actual), start=1):
            if declared is None or received is None:
                # A line only one side has: its stated values, each marked with what is
                # wrong, counted once (one line not received is one difference).
                present = declared if declared is not None else received
                assert present is not None
                word = tr("≠ not received") if received is None else tr("≠ not declared")
                values = [(name, getter(present)) for name, getter in fields]
                shown = [(name, value) for name, value in values if value] or values[:1]
                for name, value in shown:
                    a, b = (value, "") if received is None else ("", value)
                    differing.append(True)
                    table_rows.append([str(number), name, a or "—", b or "—", word])
                differences += 1
                continue
            for name, getter in fields:
                a, b = getter(declared), getter(received)
                # A value only one side states is "not stated", not a difference.
                differs = bool(a) and bool(b) and a != b
                differences += differs
                differing.append(differs)
                table_rows.append([str(number), name, a or "—", b or "—",
                                   tr("≠ differs") if differs else tr("= same")])
        self.compare.fill(headers, table_rows)
        bold = QFont(self.compare.font())
        bold.setBold(True)
        plain = QFont(self.compare.font())
        marks = self._compare_marks
        for r, differs in enumerate(differing):
            if r < len(marks) and marks[r] == differs:
                continue  # marked so already (fill reuses the row's items)
            for c in range(len(headers)):
                item = self.compare.item(r, c)
                if item is None:
                    continue
                item.setFont(bold if differs else plain)
                if differs:
                    item.setBackground(QColor("#fde7c8"))
                    item.setToolTip(tr("Declared and received differ"))
                else:
                    item.setData(Qt.ItemDataRole.BackgroundRole, None)
                    item.setToolTip("")
                if c == 4:
                    item.setIcon(icon("difference") if differs else QIcon())
        self._compare_marks = list(differing)
        self.compare.fit_height()
        self.compare.show()
        self.compare_note.setText(
            tr("Declared (ordered) against received (put away): {n} difference(s), marked ≠.")
            .format(n=differences) if differences else
            tr("Declared (ordered) and received (put away) goods match."))
        self.compare_note.show()

    def _show_history(self, record: InventoryRecord) -> None:
        rows = [[fmt_time(change.at), winit_status_name(change.status) or change.status,
                 change.status, change.source_event or ""] for change in record.history]
        self.history.fill([tr("Time"), tr("Status"), tr("Code"), tr("Event")], rows)
        if self.history_box.isHidden() == bool(rows):
            self.history_box.setVisible(bool(rows))

    def _show_decisions(self, decisions: list[Decision]) -> None:
        rows = []
        for d in sorted(decisions, key=lambda x: x.created_at, reverse=True):
            change = f"{d.old_handling or '—'} → {d.new_handling or '—'}"
            action = tr("Change") if d.action.value == "update" else tr("Cancel")
            rows.append([fmt_time(d.created_at), action, change, decision_state_name(d.state.value),
                         f"{d.operator}@{d.desk}", decision_message(d.result_message, d.error_code),
                         d.correlation_id or ""])
        self.log_box.setVisible(True)
        if not rows:
            self.decision_log.fill([tr("Time"), tr("Action"), tr("Handling"), tr("State")],
                                   [[tr("No decisions yet"), "", "", ""]])
            return
        self.decision_log.fill([tr("Time"), tr("Action"), tr("Handling"), tr("State"),
                                tr("Operator"), tr("Message"), tr("correlationId")], rows)

    # -- images --------------------------------------------------------------------------
    def _clear_images(self) -> None:
        for button in self.thumbnails:
            self.images_layout.removeWidget(button)
            button.deleteLater()
        self.thumbnails = []

    def _show_images(self, record: InventoryRecord) -> None:
        self._clear_images()
        self.images_box.setVisible(bool(record.images))
        generation = self._generation
        for number, image in enumerate(record.images, start=1):
            button = QToolButton(self.images_box)
            button.setIconSize(QSize(THUMB, THUMB))
            button.setFixedSize(THUMB + 8, THUMB + 8)
            button.setText(tr("Image {n}").format(n=number))
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            button.setAccessibleName(tr("Image {n}, press to enlarge").format(n=number))
            button.setToolTip(tr("Loading image..."))
            url = image.url
            button.clicked.connect(lambda _c=False, u=url, n=number: self.enlarge(u, n))
            self.images_layout.insertWidget(self.images_layout.count() - 1, button)
            self.thumbnails.append(button)
            self._load_thumbnail(button, image.thumbnail_url or image.url, generation)

    def _load_thumbnail(self, button: QToolButton, url: str, generation: int) -> None:
        if self.load_image is None:
            button.setToolTip(tr("Images cannot be loaded in this mode"))
            return
        loader = self.load_image

        def shown(data: bytes) -> None:
            if generation != self._generation or not is_valid(button):
                return  # another item is shown by now
            pixmap = QPixmap()
            if pixmap.loadFromData(data):
                button.setIcon(pixmap.scaled(THUMB, THUMB, Qt.AspectRatioMode.KeepAspectRatio,
                                             Qt.TransformationMode.SmoothTransformation))
                button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonIconOnly)
                button.setToolTip(tr("Press to enlarge"))
            else:
                button.setToolTip(tr("Not an image"))

        def failed(exc: BaseException) -> None:
            if generation == self._generation and is_valid(button):
                button.setText(tr("Image unavailable"))
                button.setToolTip(str(exc))

        self.tasks.op(lambda _p: loader(url), label=tr("Load image")).success(shown) \
            .failure(failed).run()

    def enlarge(self, url: str, number: int) -> None:
        dialog = ImageDialog(self.window(), tr("Image {n}").format(n=number))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialogs.append(dialog)
        dialog.finished.connect(lambda _r: self._dialogs.remove(dialog)
                                if dialog in self._dialogs else None)
        dialog.open()
        if self.load_image is None:
            dialog.set_error(tr("no connection"))
            return
        loader = self.load_image
        self.tasks.op(lambda _p: loader(url), label=tr("Load image")) \
            .success(lambda data: dialog.set_image(data) if is_valid(dialog) else None) \
            .failure(lambda exc: dialog.set_error(str(exc)) if is_valid(dialog) else None).run()
