"""What the operator does in the desk window: filter the list, scan, pick one of several
matches, apply a handling, undo it, and hear and see how each decision ends.

A mixin of :class:`ui.window.MainWindow` (it uses the window's widgets, desk and model);
strings stay in the ``MainWindow`` translation context.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from app.desk import DecisionRefused, ScanOutcome, ScanResult
from app.model import Decision, DecisionState, InventoryRecord, Source, local_day_start
from app.scan import normalize_scan
from app.store.base import RowFilter, RowQuery, StoreError
from ui.feedback import SOUNDS, icon
from ui.i18n import make_tr, problem_text, source_name
from ui.listwidgets import Feedback
from ui.qt import QListWidgetItem, QSize, Qt, is_valid

tr = make_tr("MainWindow")
log = logging.getLogger("ui.window")


class ActionsMixin:
    """Filtering, scanning and deciding in the main window."""

    # Provided by MainWindow (and its other mixins).
    desk: Any
    store: Any
    settings: Any
    model: Any
    view: Any
    detail: Any
    handling: Any
    sounds: Any
    current_key: str | None
    last_feedback: Any
    decision_changed: Any
    scan_handled: Any
    filter_combo: Any
    warehouse_combo: Any
    source_combo: Any
    count_label: Any
    matches: Any
    matches_label: Any
    outcome_icon: Any
    outcome_text: Any
    _warehouses: list[str] | None
    _closing: bool
    show_message: Any
    update_connection: Any
    select_key: Any
    show_record: Any
    refresh_current: Any
    focus_scan: Any
    focus_handling: Any
    _store_failed: Any

    # -- the list's filters -------------------------------------------------------------------
    def _fill_filters(self, reload_warehouses: bool = False) -> None:
        current = (self.filter_combo.currentData(), self.warehouse_combo.currentData(),
                   self.source_combo.currentData())
        for combo in (self.filter_combo, self.warehouse_combo, self.source_combo):
            combo.blockSignals(True)
        self.filter_combo.clear()
        for value, text in ((RowFilter.AWAITING, tr("Awaiting decision")),
                            (RowFilter.DECIDED_TODAY, tr("Decided today")),
                            (RowFilter.ALL, tr("All items"))):
            self.filter_combo.addItem(text, value.value)
        self.warehouse_combo.clear()
        self.warehouse_combo.addItem(tr("All warehouses"), "")
        if self._warehouses is None or reload_warehouses:
            try:
                self._warehouses = self.store.warehouses()  # a DISTINCT over every row
            except Exception:
                log.exception("the store could not list warehouses")
                self._warehouses = []
        for name in self._warehouses:
            self.warehouse_combo.addItem(name, name)
        self.source_combo.clear()
        self.source_combo.addItem(tr("All sources"), "")
        for source in Source:
            self.source_combo.addItem(source_name(source.value), source.value)
        for combo, value in zip((self.filter_combo, self.warehouse_combo, self.source_combo),
                                current, strict=True):
            if value is not None:
                combo.setCurrentIndex(max(0, combo.findData(value)))
            combo.blockSignals(False)
        self._update_count_label()

    def _reload_warehouses_later(self) -> None:
        if is_valid(self) and not self._closing:
            self._fill_filters(reload_warehouses=True)

    def _query(self) -> RowQuery:
        filter_value = self.filter_combo.currentData() or RowFilter.AWAITING.value
        source = self.source_combo.currentData() or None
        return RowQuery(filter=RowFilter(filter_value),
                        warehouse=self.warehouse_combo.currentData() or None,
                        source=Source(source) if source else None,
                        day_start=local_day_start(),
                        sort=self.model.query.sort, descending=self.model.query.descending)

    def _filters_changed(self) -> None:
        key = self.current_key
        self.model.set_query(self._query())
        self._update_count_label()
        if key:
            self.select_key(key, scroll=True)

    def _update_count_label(self) -> None:
        if hasattr(self, "model"):
            self.count_label.setText(tr("{n} item(s)").format(n=f"{self.model.rowCount():,}"))

    # -- scanning ---------------------------------------------------------------------------------
    def handle_scan(self, raw: str, burst: bool = True) -> ScanResult | None:
        """A finished scan: look it up, show the item, give feedback, move focus.

        None when the store did not answer: an outage is said (status bar once, as the poll
        says it, and this scan's sound, icon and text), not a crash; the focus stays here."""
        try:
            if burst:
                result = self.desk.scan(raw)
            else:
                # Typed by hand: a deliberate repeat is not a scanner's double read.
                scan = normalize_scan(raw, self.settings.scan_prefixes, self.settings.scan_suffixes)
                result = (ScanResult(ScanOutcome.INVALID, scan) if scan.problem
                          else self.desk.find(scan))
        except StoreError as exc:
            log.warning("scan lookup failed: the store does not answer: %s", exc)
            self._store_failed(exc)
            self.feedback("failed", tr("The lookup failed: the store does not answer ({error}). "
                                       "Scan again once it answers.").format(error=str(exc)))
            return None
        except Exception as exc:
            log.exception("scan lookup failed")
            self.feedback("failed", tr("The lookup failed: {error}").format(error=str(exc)))
            raise
        how = tr("scanner") if burst else tr("typed")
        shown = result.scan.text or raw.strip()
        if result.outcome is ScanOutcome.FOUND:
            record = result.records[0]
            self._show_matches([])
            again = record.key == self.current_key
            self.handling.forget_choice()  # a scan starts the choice afresh, also of the same item
            in_list = self.select_key(record.key, scroll=True, record=record)
            if not in_list or again:
                self.show_record(record)  # the same item again: its options afresh
            text = tr("Found {what} ({how})").format(what=self._describe(record), how=how)
            if not in_list:
                text += " — " + tr("not in the current list; shown anyway")
            self.feedback("found", text)
            if self.handling.combo.isEnabled() and self.handling.apply_button.isEnabled():
                self.focus_handling()
        elif result.outcome is ScanOutcome.MULTIPLE:
            self._show_no_item()
            self._show_matches(result.records)
            self.feedback("multiple", tr("{n} items match {scan}: choose one").format(
                n=len(result.records), scan=shown))
            self.matches.setFocus()
            self.matches.setCurrentRow(0)
        elif result.outcome is ScanOutcome.NOT_FOUND:
            self._show_no_item(focus_scan=True)
            self._show_matches([])
            text = tr("No item matches {scan}").format(scan=shown)
            if result.scan.foreign:
                text += " — " + tr("it has characters no label has ({chars}): is the scanner set to "
                                   "the keyboard layout Windows uses?").format(
                                       chars=" ".join(result.scan.foreign))
            self.feedback("not_found", text)
        elif result.outcome is ScanOutcome.INVALID:
            # A misread label names some parcel, not the one on screen; noise that reads as
            # nothing at all ("empty") names none, and what is on screen stays.
            if result.scan.problem != "empty":
                self._show_no_item(focus_scan=True)
                self._show_matches([])
            problem = {"empty": tr("nothing readable"), "too_long": tr("too long"),
                       "garbage": tr("not a label")}.get(result.scan.problem or "",
                                                         result.scan.problem or "")
            self.feedback("invalid", tr("Not a usable scan ({problem}): {scan}").format(
                problem=problem, scan=shown[:60]))
        else:
            self.feedback("repeated", tr("Same scan again within {ms} ms: ignored ({scan})").format(
                ms=self.settings.scan_repeat_ms, scan=shown))
        self.scan_handled.emit(result)
        return result

    def _show_no_item(self, *, focus_scan: bool = False) -> None:
        """No parcel on screen after a scan that named one the desk cannot show: the item
        scanned before stays out of reach, so a handling chosen for the parcel in hand
        cannot be applied to it (nor its details read as this parcel's). ``focus_scan``:
        the scan field takes the focus (the emptied dropdown may have had it)."""
        self.current_key = None
        # The current row too: Qt reports no change for a click on the row that is still
        # current, so a click on the cleared item's row would not show it again.
        self.view.selectionModel().clear()
        self.detail.clear()
        self.handling.set_options([], note="")
        if focus_scan:
            self.focus_scan()

    def _describe(self, record: InventoryRecord) -> str:
        ident = record.rma or record.winit_order_no or record.key
        return f"{source_name(record.source)} {ident}"

    def feedback(self, kind: str, text: str, sound: str | None = None) -> None:
        """Sound + icon + text, never colour alone; ``sound`` when it is not the icon's."""
        self.last_feedback = Feedback(kind, text)
        self.outcome_icon.setPixmap(icon(kind).pixmap(QSize(26, 26)))
        self.outcome_icon.setToolTip(text)
        self.outcome_text.setText(text)
        self.outcome_text.setAccessibleDescription(text)
        sound = sound or kind
        if sound in SOUNDS:  # "queued" is silent: its "applied"/"failed" sound follows
            self.sounds.play(sound)

    def _show_matches(self, records: list[InventoryRecord]) -> None:
        self.matches.clear()
        for record in records:
            line = record.primary_line
            parts = [self._describe(record)]
            if record.tracking_numbers:
                parts.append(record.tracking_numbers[0])
            if line and line.sku:
                parts.append(line.sku)
            if record.description:
                parts.append(record.description)
            item = QListWidgetItem(" · ".join(parts))
            item.setData(Qt.ItemDataRole.UserRole, record.key)
            self.matches.addItem(item)
        self.matches.setVisible(bool(records))
        self.matches_label.setVisible(bool(records))

    def _match_chosen(self, key: str) -> None:
        record = self.store.get(key)
        if record is None:
            return
        if not self.select_key(key, scroll=True):
            self.show_record(record)
        self.focus_handling()

    # -- deciding -----------------------------------------------------------------------------------
    def apply_handling(self, code: str) -> Decision | None:
        key = self.current_key
        if key is None:
            return None
        # Their decision: what the dropdown shows after it is no longer their choice (set
        # first: the decision's own refresh runs inside decide). Kept when it is refused.
        chose = self.handling.combo.chosen_by_operator
        self.handling.combo.chosen_by_operator = False
        try:
            decision = self.desk.decide(key, code)
        except Exception as exc:  # DecisionRefused, StoreError: all told plainly
            log.info("decision refused: %s", exc)
            self.handling.combo.chosen_by_operator = chose
            self.feedback("failed", tr("Not applied: {error}").format(error=self._error_text(exc)))
            self.refresh_current()
            self.focus_scan()
            return None
        self.feedback("queued", tr("{code} queued for {what}; sending in the background").format(
            code=code, what=self._describe_key(key)))
        self.focus_scan()
        self.refresh_current()
        return decision

    def apply_blocked(self, why: str) -> None:
        """Enter in the dropdown (or Apply) while nothing can be applied: said, nothing sent."""
        self.feedback("failed", tr("Not applied: {error}").format(error=why))

    def _error_text(self, exc: BaseException) -> str:
        """A refusal or store error in the operator's language (the log keeps the English)."""
        if isinstance(exc, StoreError) and exc.code is None:
            return tr("the store does not answer ({error})").format(error=str(exc))
        return problem_text(exc)  # a full disk, a read-only store: said as what it is

    def undo_last(self) -> Decision | None:
        try:
            decision = self.desk.undo_last()
        except DecisionRefused as exc:
            if exc.code == "undo_wait":  # still undoable: the next Ctrl+Z, once it is applied
                self.feedback("sending", tr(
                    "Not undone yet: {code} for {what} is being sent to Return Helper. Wait for "
                    "its answer, then press Ctrl+Z again.").format(
                        code=exc.params.get("handling", ""),
                        what=self._describe_key(exc.params.get("key", ""))), sound="failed")
            else:
                self.feedback("failed", tr("Cannot undo: {error}").format(error=problem_text(exc)))
            return None
        except Exception as exc:
            log.info("undo failed: %s", exc)
            self.feedback("failed", tr("Cannot undo: {error}").format(error=self._error_text(exc)))
            return None
        if decision is None:
            self.show_message(tr("Nothing to undo."))
            return None
        what = self._describe_key(decision.key)
        if decision.state is DecisionState.DISCARDED:
            self.feedback("applied", tr("Withdrawn: {code} for {what} had not been sent yet; "
                                        "nothing goes to Return Helper.").format(
                                            code=decision.new_handling, what=what))
        else:
            self.feedback("queued", tr("Cancel queued for {what}").format(what=what))
        self.focus_scan()
        return decision

    def _describe_key(self, key: str) -> str:
        record = self.store.get(key)
        return self._describe(record) if record else key

    def _decision_from_any_thread(self, decision: Decision) -> None:
        if threading.current_thread() is threading.main_thread():
            self._on_decision(decision)
        else:
            self.decision_changed.emit(decision)

    def _on_decision(self, decision: Decision) -> None:
        if not is_valid(self):
            return
        self.model.note_decision(decision)
        what = self._describe_key(decision.key)
        corr = f" (correlationId {decision.correlation_id})" if decision.correlation_id else ""
        if decision.state is DecisionState.APPLIED:
            self.update_connection()
            action = (tr("Cancel applied for {what}") if decision.action.value == "cancel"
                      else tr("{code} applied to {what}")).format(
                          code=decision.new_handling, what=what)
            self.show_message(action + corr)
            self.sounds.play("applied")
        elif decision.state is DecisionState.FAILED:
            text = tr("Update failed for {what}: {error}").format(
                what=what, error=decision.result_message or decision.error_code or "?") + corr
            self.show_message(text, error=True)
            self.sounds.play("failed")
        elif decision.state is DecisionState.QUEUED and decision.attempts and decision.result_message:
            self.show_message(tr("Not sent yet, will retry {what}: {error}").format(
                what=what, error=decision.result_message) + corr, error=True)
            self.update_connection(problem=decision.result_message)
        elif decision.state is DecisionState.SUPERSEDED:
            self.show_message(tr("Another desk decided {what} first").format(what=what), error=True)
        if decision.key == self.current_key:
            self.refresh_current()
