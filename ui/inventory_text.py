"""What the inventory list's cells say: each column's text for a row (on one line), and the
tooltips of the handling, status and "Update" columns. :class:`CellTextMixin` is that part
of :class:`ui.inventory.InventoryModel`."""

from __future__ import annotations

from typing import Any

from app.store.base import Row
from ui.i18n import decision_state_name, handling_status_name, make_tr, source_name, winit_status_name
from ui.listing import Column, fmt_decimal, fmt_dimensions, fmt_time

tr = make_tr("InventoryModel")  # the model's translation context

# Control characters and line/paragraph separators -> a space (list cells are one line).
_ONE_LINE = {code: " " for code in [*range(0x20), 0x7F, 0x85, 0x2028, 0x2029]}


class CellTextMixin:
    """The cells' texts (the model provides the decision state of a row)."""

    # Provided by InventoryModel.
    _handling_names: Any
    _state: Any
    _live_for: Any

    def _display(self, row: Row, column: Column) -> str:
        """A cell's text on one line: a vendor's line break or tab in a description shows
        as a space (as Qt's single-line text does), never as a missing-glyph box."""
        text = self._display_text(row, column)
        return text if text.isprintable() else text.translate(_ONE_LINE)

    def _display_text(self, row: Row, column: Column) -> str:
        match column:
            case Column.SOURCE:
                return source_name(row.source)
            case Column.RMA:
                return row.rma or ""
            case Column.TRACKING:
                return row.tracking or ""
            case Column.SKU:
                return row.sku or ""
            case Column.DESCRIPTION:
                return row.description or ""
            case Column.QUANTITY:
                return "" if row.quantity is None else str(row.quantity)
            case Column.DIMENSIONS:
                return fmt_dimensions(row)
            case Column.WEIGHT:
                return fmt_decimal(row.weight_kg)
            case Column.STATUS:
                return winit_status_name(row.status) if row.status else ""
            case Column.HANDLING:
                return row.handling_code or ""
            case Column.HANDLING_STATUS:
                return handling_status_name(row.handling_status)
            case Column.UPDATE:
                state = self._state(row)
                return decision_state_name(state.value) if state else ""
            case Column.WAREHOUSE:
                return row.warehouse or ""
            case Column.RECEIVED:
                return fmt_time(row.received_at)
        return ""

    def _tooltip(self, row: Row, column: Column) -> str | None:
        if column == Column.HANDLING and row.handling_code:
            name = self._handling_names().get(row.handling_code)
            return f"{row.handling_code}: {name}" if name else row.handling_code
        if column == Column.STATUS and row.status:
            return f"{row.status}: {winit_status_name(row.status)}"
        if column == Column.UPDATE:
            live = self._live_for(row)
            if live is None:
                return None
            parts = [decision_state_name(live.state.value)]
            if live.new_handling:
                parts.append(tr("handling {code}").format(code=live.new_handling))
            if live.message:
                parts.append(live.message)
            if live.correlation_id:
                parts.append(tr("correlationId {id}").format(id=live.correlation_id))
            return " · ".join(parts)
        return None
