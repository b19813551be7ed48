"""The handling dropdown: every handling type, the allowed ones selectable.

Each entry reads ``code — description``; a type the item may not take now is listed
disabled with the reason in the operator's language. Typing the first letters of a code
selects it (QComboBox keyboard search over the item texts, which start with the code);
Enter applies; Escape goes back to the scan field. The RMA-lock warning (and "the warehouse
is already handling it") is shown beside the box with an icon, for the entry selected.

The box tells the operator's own choice (letters, arrow keys, the mouse: ``activated``) from
the first allowed code it preselects. Once a code is taken away (``clear_choice``) it keeps
nothing selected across refreshes until the operator chooses again or the window forgets the
choice (a scan, another item).
"""

from __future__ import annotations

from app.handling import HandlingOption
from ui.feedback import icon
from ui.i18n import make_tr, reason_text
from ui.listing import fmt_handling
from ui.qt import (
    QComboBox,
    QHBoxLayout,
    QKeyEvent,
    QLabel,
    QPushButton,
    QSize,
    QStandardItem,
    QStandardItemModel,
    Qt,
    QVBoxLayout,
    QWidget,
    Signal,
)

tr = make_tr("HandlingPanel")
CODE_ROLE = Qt.ItemDataRole.UserRole + 10


class HandlingCombo(QComboBox):
    apply_requested = Signal()
    escape_pressed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("handlingCombo")
        self.item_model = QStandardItemModel(self)
        self.setModel(self.item_model)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(28)
        #: The selection is the operator's (letters, arrow keys, the mouse), not a preselected
        #: code; the window resets it when they decide, scan, or another item is shown.
        self.chosen_by_operator = False
        #: The selection was taken away: nothing is preselected until the operator chooses.
        self.cleared = False
        self.activated.connect(self._operator_chose)

    def _operator_chose(self, _index: int) -> None:
        self.chosen_by_operator = True
        self.cleared = False

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not self.view().isVisible():
            self.apply_requested.emit()
            event.accept()
            return
        if key == Qt.Key.Key_Escape and not self.view().isVisible():
            self.escape_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)

    def set_options(self, options: list[HandlingOption]) -> None:
        self.item_model.clear()
        first_allowed = -1
        for option in options:
            text = fmt_handling(option.code, option.description)
            if not option.allowed:
                text += "  " + tr("(not available: {reason})").format(
                    reason=reason_text(option.reason.value if option.reason else ""))
            item = QStandardItem(text)
            item.setData(option.code, CODE_ROLE)
            item.setData(option, Qt.ItemDataRole.UserRole + 11)
            item.setToolTip(text)
            item.setData(text, Qt.ItemDataRole.AccessibleTextRole)
            if not option.allowed:
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEnabled
                              & ~Qt.ItemFlag.ItemIsSelectable)
            elif first_allowed < 0:
                first_allowed = self.item_model.rowCount()
            self.item_model.appendRow(item)
        self.setCurrentIndex(-1 if self.cleared else first_allowed)

    def current_option(self) -> HandlingOption | None:
        index = self.currentIndex()
        if index < 0:
            return None
        item = self.item_model.item(index)
        if item is None or not item.isEnabled():
            return None
        option = item.data(Qt.ItemDataRole.UserRole + 11)
        return option if isinstance(option, HandlingOption) else None

    def clear_choice(self) -> None:
        """Nothing selected, and nothing preselected by later refreshes, until the operator
        chooses: Enter then applies nothing (the panel says why)."""
        self.cleared = True
        self.chosen_by_operator = False
        self.setCurrentIndex(-1)

    def forget_choice(self) -> None:
        """A scan or another item: the next options preselect the first allowed code."""
        self.cleared = False
        self.chosen_by_operator = False

    def select_code(self, code: str) -> bool:
        for row in range(self.item_model.rowCount()):
            item = self.item_model.item(row)
            if item is not None and item.data(CODE_ROLE) == code and item.isEnabled():
                self.setCurrentIndex(row)
                return True
        return False


class HandlingPanel(QWidget):
    """The dropdown, its Apply button and the warning beside it."""

    apply_requested = Signal(str)  # code
    apply_blocked = Signal(str)    # why nothing was applied (Enter or Apply with nothing to apply)
    back_to_scan = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.label = QLabel(self)
        row.addWidget(self.label)
        self.combo = HandlingCombo(self)
        self.label.setBuddy(self.combo)
        row.addWidget(self.combo, 1)
        self.apply_button = QPushButton(self)
        self.apply_button.setObjectName("applyButton")
        row.addWidget(self.apply_button)
        layout.addLayout(row)
        warning_row = QHBoxLayout()
        self.warning_icon = QLabel(self)
        self.warning_icon.setPixmap(icon("warning").pixmap(QSize(18, 18)))
        self.warning_icon.setFixedWidth(22)
        warning_row.addWidget(self.warning_icon)
        self.warning = QLabel(self)
        self.warning.setObjectName("handlingWarning")
        self.warning.setWordWrap(True)
        warning_row.addWidget(self.warning, 1)
        layout.addLayout(warning_row)
        self.combo.currentIndexChanged.connect(self._update_warning)
        self.combo.apply_requested.connect(self._apply)
        self.combo.escape_pressed.connect(self.back_to_scan)
        self.apply_button.clicked.connect(self._apply)
        self._note = ""
        self.retranslate()
        self.set_options([], note="")

    def retranslate(self) -> None:
        self.label.setText(tr("&Handling:"))
        self.combo.setAccessibleName(tr("Handling"))
        self.combo.setAccessibleDescription(tr(
            "Type the first letters of a code to choose it, Enter applies, Escape returns to the scan field"))
        self.apply_button.setText(tr("&Apply"))
        self.apply_button.setAccessibleName(tr("Apply handling"))
        self.apply_button.setToolTip(tr("Apply the chosen handling (Enter in the list)"))
        self.warning.setAccessibleName(tr("Handling warning"))
        self.warning_icon.setAccessibleName(tr("Warning"))
        self._update_warning()

    def set_options(self, options: list[HandlingOption], note: str = "") -> None:
        self._note = note
        self.combo.set_options(options)
        enabled = any(o.allowed for o in options)
        self.combo.setEnabled(bool(options))
        self.apply_button.setEnabled(enabled)
        self._update_warning()

    def _update_warning(self) -> None:
        option = self.combo.current_option()
        texts = [reason_text(w.value) for w in option.warnings] if option else []
        if option is not None and texts:
            text = tr("Warning: {code} {warnings}").format(code=option.code, warnings="; ".join(texts))
        else:
            text = self._note
        self.warning.setText(text)
        self.warning.setVisible(bool(text))
        self.warning_icon.setVisible(bool(text))

    def clear_choice(self) -> None:
        self.combo.clear_choice()

    def forget_choice(self) -> None:
        self.combo.forget_choice()

    def _apply(self) -> None:
        """Apply the chosen code, only while Apply is enabled: Enter in the dropdown obeys
        the button (an open decision disables it); otherwise says why nothing happened."""
        if not self.apply_button.isEnabled():
            self.apply_blocked.emit(self._note or tr("no handling can be applied to this item now"))
            return
        option = self.combo.current_option()
        if option is None or not option.allowed:
            self.apply_blocked.emit(tr("no handling is chosen: type the first letters of a code"))
            return
        self.apply_requested.emit(option.code)
