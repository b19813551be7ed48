"""The desk window's handling dropdown as the item on screen changes (a mixin of
``ui.window.MainWindow``): the options the core allows now, and what happens to the
operator's choice when a refresh (a poll, a sync, new handling types, another language)
takes its code away."""

from __future__ import annotations

from typing import Any

from app.model import Decision, DecisionState, InventoryRecord, Source
from ui.i18n import decision_state_name, make_tr, problem_text, reason_text

tr = make_tr("MainWindow")


class HandlingMixin:
    """Needs the window's ``desk``, ``store``, ``handling`` panel, ``current_key``,
    ``show_record``, ``show_message``, ``feedback`` and ``_describe``."""

    desk: Any
    store: Any
    handling: Any
    current_key: str | None
    show_record: Any
    show_message: Any
    feedback: Any
    _describe: Any

    def _show_options(self, record: InventoryRecord, decisions: list[Decision]) -> None:
        options = self.desk.options(record)
        note = ""
        open_decision = next((d for d in decisions if d.state in (DecisionState.QUEUED,
                                                                  DecisionState.SENDING)), None)
        if record.source is not Source.RETURN_HELPER:
            note = reason_text("not_return_helper")
        elif not options:
            issue = self.desk.catalog_issue
            note = problem_text(issue) if issue else tr("No handling types are known yet.")
        elif open_decision is not None:
            note = tr("An update to {code} is {state}; wait for it before choosing again.").format(
                code=open_decision.new_handling or tr("cancel"),
                state=decision_state_name(open_decision.state.value))
        self.handling.set_options(options, note=note)
        if open_decision is not None:
            self.handling.apply_button.setEnabled(False)

    def refresh_current(self) -> None:
        if self.current_key is None:
            return
        record = self.store.get(self.current_key)
        if record is None:
            return
        combo = self.handling.combo
        had_focus = combo.hasFocus()
        chosen = combo.current_option()
        by_operator = combo.chosen_by_operator
        self.show_record(record)
        if chosen is not None and not combo.select_code(chosen.code):
            if by_operator:
                self._choice_gone(record, chosen.code)
            else:
                # A preselected code nobody chose (after a scan, or after this desk's own
                # decision): no alarm, but no other code takes its place unseen either.
                self.handling.clear_choice()
        if had_focus:
            combo.setFocus()

    def _choice_gone(self, record: InventoryRecord, code: str) -> None:
        """The code the operator chose in the dropdown can no longer be chosen (a sync, a
        webhook, another desk, new handling types): nothing is selected then, and the
        operator is told, so the next Enter cannot apply a code that took its place unseen."""
        self.handling.clear_choice()
        option = next((o for o in self.desk.options(record) if o.code == code), None)
        why = (reason_text(option.reason.value) if option is not None and option.reason
               else tr("Return Helper no longer offers it"))
        text = tr("{code} can no longer be chosen for {what} ({reason}): nothing is selected, "
                  "choose again.").format(code=code, what=self._describe(record), reason=why)
        self.show_message(text, error=True)
        self.feedback("warning", text, sound="failed")
