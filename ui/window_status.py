"""The desk window's status bar and sync: messages, connection, outbox counts, "Sync now".

A mixin of :class:`ui.window.MainWindow` (it uses the window's widgets, desk and tasks);
strings stay in the ``MainWindow`` translation context.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import Any

from app.clock_check import parts
from app.settings import Environment
from app.store.base import StoreError
from ui.feedback import icon
from ui.i18n import make_tr, problem_text
from ui.qt import QGuiApplication, QSize, Qt, QTimer, is_valid

tr = make_tr("MainWindow")
log = logging.getLogger("ui.window")

WAREHOUSES_DELAY_MS = 300  # after a sync: a poll this much later re-reads the warehouse list
NOT_IN_FRONT_GRACE_MS = 400  # a focus change shorter than this says nothing


def clock_amount(offset: timedelta) -> str:
    days, hours, minutes = parts(offset)
    if days:
        return tr("{days} d {hours} h").format(days=days, hours=hours)
    if hours:
        return tr("{hours} h {minutes} min").format(hours=hours, minutes=f"{minutes:02d}")
    return tr("{minutes} min").format(minutes=minutes)


def clock_text(offset: timedelta) -> str:
    """What a wrong clock does and what to do (positive offset: this clock is behind)."""
    amount = clock_amount(offset)
    if offset > timedelta(0):
        said = tr("This computer's clock is {amount} behind Return Helper's.")
    else:
        said = tr("This computer's clock is {amount} ahead of Return Helper's.")
    return said.format(amount=amount) + " " + tr(
        "Webhook events received here are refused as stale and times are shown wrong until "
        "it is corrected (Windows: Settings > Time & language > Date & time > Sync now, and "
        "the time zone).")


class StatusMixin:
    """Status bar and sync actions of the main window."""

    # Provided by MainWindow.
    messages: list[str]
    message_label: Any
    settings: Any
    desk: Any
    demo: bool
    connection_icon: Any
    connection_label: Any
    _closing: bool
    syncing: bool
    sync_button: Any
    sync_progress: Any
    tasks: Any
    poll_in_background: Any
    reload_warehouses_soon: Any

    _clock_said: bool = False  # the clock warning was given (said again when it clears)
    _receiver_said: bool = False  # the in-app receiver's failure to listen was said
    _front_said: bool = False  # "not in front" was said (said again when it is back)
    _in_front: bool = False
    _was_in_front: bool = False  # not before the window was first active (start-up)
    sounds: Any

    # -- in front (receiving scans) ---------------------------------------------------------------
    def watch_in_front(self) -> None:
        """A keyboard-wedge scanner types into whichever program is in front. When no window
        of Return Desk is (another program took the focus, the window was minimised), the
        operator, who often scans without looking, hears an alarm and the status bar says
        where the scans go; once, after a short grace (a passing focus change says nothing)."""
        self._front_timer = QTimer(self)  # type: ignore[arg-type]
        self._front_timer.setSingleShot(True)
        self._front_timer.setInterval(NOT_IN_FRONT_GRACE_MS)
        self._front_timer.timeout.connect(self._not_in_front)
        app = QGuiApplication.instance()
        if app is not None:
            app.applicationStateChanged.connect(self._application_state)  # type: ignore[attr-defined]
            self._application_state(app.applicationState())  # type: ignore[attr-defined]

    def _application_state(self, state: Any) -> None:
        if self._closing or not is_valid(self):
            return
        self._in_front = state == Qt.ApplicationState.ApplicationActive
        if self._in_front:
            self._front_timer.stop()
            self._was_in_front = True
            if self._front_said:
                self._front_said = False
                self.show_message(tr("Return Desk is in front again: scans come here."))
        elif self._was_in_front:
            self._front_timer.start()

    def _not_in_front(self) -> None:
        if self._in_front or self._closing or not is_valid(self):
            return
        import ui.qt as qt  # (looked up here: the start-up never needs the file dialog)

        if any(isinstance(w, qt.QFileDialog) and w.isVisible()
               for w in qt.QApplication.topLevelWidgets()):
            return  # Windows' own file dialog (an export) has the focus: not another program
        self._front_said = True
        self.show_message(tr("Return Desk is not in front: scans go to another program. "
                             "Click its window or press Alt+Tab to scan here again."), error=True)
        if self.settings.not_in_front_alert:
            self.sounds.play("not_in_front")

    # -- status --------------------------------------------------------------------------------------
    def show_message(self, text: str, error: bool = False) -> None:
        self.messages.append(text)
        del self.messages[:-100]
        self.message_label.setText(("⚠ " if error else "") + text)
        self.message_label.setToolTip(text)
        self.message_label.setAccessibleDescription(text)
        if error:
            log.warning("%s", text)

    def update_connection(self, problem: str | None = None) -> None:
        env = self.settings.environment
        tip = None
        if self.demo or env is Environment.SANDBOX:
            name, text = "demo", tr("Demo: built-in sandbox")
        elif getattr(self.desk, "connecting", False):  # the window is up, the clients not yet
            name, text = "sending", tr("Connecting to Return Helper…")
        elif self.desk.online and not problem:
            name, text = "online", tr("Return Helper {env}").format(env=env.value)
        elif self.desk.online:
            name, text = "offline", tr("Connection problem: {problem}").format(problem=problem)
        else:
            name, text = "offline", tr("Offline: no Return Helper credentials")
            tip = text + " · " + tr("Decisions wait in the outbox. Set the API key and token "
                                    "in Settings (Ctrl+,) and restart Return Desk.")
        tip = tip or text
        wrong = self.desk.clock_wrong_by()
        if wrong is not None:
            # Said beside the connection for as long as it lasts (and once in the messages):
            # every webhook event is refused as stale meanwhile.
            name = "warning"
            tip = clock_text(wrong)
            text += " · ⚠ " + tr("clock {amount} off").format(amount=clock_amount(wrong))
        if wrong is not None and not self._clock_said:
            self.show_message(tip, error=True)
        elif wrong is None and self._clock_said:
            self.show_message(tr("This computer's clock agrees with Return Helper's again."))
        self._clock_said = wrong is not None
        issue = getattr(self.desk, "receiver_issue", None)
        if issue is not None:
            # The in-app webhook receiver could not listen: new parcels come only by Sync now
            # until it runs. Said beside the connection for as long as it lasts, and once in
            # the messages.
            name = "warning"
            said = tr("The webhook receiver is not running: it could not listen on {address} "
                      "(is the port in use?). New parcels arrive only through Sync now; tell "
                      "IT.").format(address=issue.params.get("address", ""))
            text += " · ⚠ " + tr("webhooks off")
            tip = tip + " · " + said
            if not self._receiver_said:
                self._receiver_said = True
                self.show_message(said, error=True)
        self.connection_icon.setPixmap(icon(name).pixmap(QSize(18, 18)))
        self.connection_label.setText(text)
        self.connection_label.setToolTip(tip)
        self.connection_label.setAccessibleDescription(tip)

    # -- sync --------------------------------------------------------------------------------------
    def sync_now(self) -> asyncio.Task[Any] | None:
        if self.syncing:
            self.show_message(tr("A sync is already running."))
            return None
        if getattr(self.desk, "connecting", False):
            self.show_message(tr("Still connecting to Return Helper: sync again in a moment."))
            return None
        if not self.desk.online:
            self.show_message(tr("Sync needs Return Helper credentials (Settings)."), error=True)
            return None
        self.syncing = True
        self.sync_button.setEnabled(False)
        self.sync_progress.setRange(0, 0)
        self.sync_progress.show()
        self.show_message(tr("Syncing…"))

        def finished() -> None:
            if is_valid(self):
                self.syncing = False
                self.sync_button.setEnabled(True)
                self.sync_progress.hide()
                # The sync's last changes (and the list's count and the selection's place)
                # are read on the poll thread at once, not on this thread; the warehouse
                # list by a later poll, not stacked on this one and the repaint it causes.
                self.poll_in_background()
                self.reload_warehouses_soon(WAREHOUSES_DELAY_MS)

        def done(summary: Any) -> None:
            if getattr(summary, "complete", True):
                self.show_message(tr("Sync finished: {summary}").format(
                    summary=_summary_text(summary)))
            else:  # the summary's text says why; the next sync continues there
                self.show_message(tr("Sync did not finish: {summary}").format(
                    summary=_summary_text(summary)), error=True)
            self.update_connection()

        def failed(exc: BaseException) -> None:
            self.show_message(tr("Sync failed: {error}").format(error=problem_text(exc)),
                              error=True)
            if not isinstance(exc, StoreError):  # the API's trouble, not this computer's store
                self.update_connection(problem=str(exc))

        return self.tasks.op(lambda progress: self.desk.sync(progress), label=tr("Sync")) \
            .progress(self._sync_progress).success(done).failure(failed) \
            .finally_(finished).run()

    def _sync_progress(self, progress: Any) -> None:
        if not is_valid(self):
            return
        done = _first_int(progress, ("pages_done", "done", "fetched", "records", "count"))
        total = _first_int(progress, ("pages_total", "total", "expected"))
        if total:
            self.sync_progress.setRange(0, max(total, 1))
            self.sync_progress.setValue(min(done or 0, total))
        else:
            self.sync_progress.setRange(0, 0)
        items = _first_int(progress, ("items",))
        message = getattr(progress, "message", None) or getattr(progress, "phase", None)
        text = tr("{n} items").format(n=items) if items is not None else str(message or "")
        self.sync_progress.setFormat(f"{text} %p%" if total else text)
        self.sync_progress.setToolTip(progress_tip(progress) or text)



def progress_tip(progress: Any) -> str:
    """What the sync is doing, in the operator's language (``app.sync.SyncProgress``; the
    core's ``message`` is English): its phase and counts."""
    phase = str(getattr(progress, "phase", "") or "")
    done = _first_int(progress, ("pages_done",)) or 0
    total = _first_int(progress, ("pages_total",))
    if phase == "starting":
        return (tr("Continuing an interrupted sync") if getattr(progress, "resumed", False)
                else tr("Starting the sync"))
    if phase == "returnhelper":
        items = _first_int(progress, ("items",)) or 0
        if total:
            return tr("Return Helper: {items} items, page {done} of {total}").format(
                items=items, done=done, total=total)
        return tr("Return Helper: {items} items").format(items=items)
    if phase == "winit":
        return tr("WINIT: {orders} return orders").format(
            orders=_first_int(progress, ("winit_orders",)) or 0)
    if phase == "done":
        return tr("Sync finished")
    return ""


def _first_int(obj: Any, names: tuple[str, ...]) -> int | None:
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _summary_text(summary: Any) -> str:
    if summary is None:
        return tr("done")
    if hasattr(summary, "listed") and hasattr(summary, "unfinished"):
        return sync_summary_text(summary)
    for name in ("text", "message"):
        value = getattr(summary, name, None)
        if callable(value):
            value = value()
        if isinstance(value, str) and value:
            return value
    parts = []
    for name, label in (("fetched", tr("fetched")), ("changed", tr("changed")),
                        ("records", tr("records")), ("errors", tr("errors"))):
        value = getattr(summary, name, None)
        if isinstance(value, int | list | tuple):
            parts.append(f"{label} {value if isinstance(value, int) else len(value)}")
    return ", ".join(parts) or str(summary)


def sync_summary_text(summary: Any) -> str:
    """An ``app.sync.SyncSummary`` in the operator's language: its numbers, and why it did
    not finish from the reasons' codes and parameters (the English is ``summary.text()``)."""
    parts = [tr("{listed} Return Helper items ({new} new, {details} details)").format(
                 listed=summary.listed, new=summary.new, details=summary.details),
             tr("{changed} records changed").format(changed=summary.changed)]
    if summary.winit_pages:
        parts.append(tr("{orders} WINIT return orders").format(orders=summary.winit_orders))
    failed = summary.detail_errors + summary.winit_errors
    if failed:
        parts.append(tr("{count} could not be read").format(count=failed))
    text = tr("{parts} in {seconds} s").format(
        parts=tr(", ", "between the parts of a sync summary").join(parts),
        seconds=f"{summary.elapsed_s:.1f}")
    if summary.resumed:
        text = tr("{summary} (continued an interrupted sync)").format(summary=text)
    if summary.unfinished:
        reasons = tr("; ", "between the reasons a sync did not finish").join(
            sync_issue_text(issue) for issue in summary.unfinished)
        text = tr("{summary}; did not finish: {reasons}; run the sync again to continue where "
                  "it stopped").format(summary=text, reasons=reasons)
    return text


def sync_issue_text(issue: Any) -> str:
    """Why a sync did not finish (``app.sync.SyncIssue``) in the operator's language; a code
    this does not know in its own (English) text."""
    code = getattr(issue, "code", None)
    params = dict(getattr(issue, "params", None) or {})
    if code == "details_owed":
        text = (tr("details of 1 item could not be read (the next sync asks for it first)")
                if params.get("count") == 1 else
                tr("details of {count} items could not be read (the next sync asks for them "
                   "first)"))
    elif code == "winit_page":
        text = tr("WINIT return orders {first_day}..{last_day}, page {page}: {error}")
    else:
        return str(issue)
    try:
        return text.format(**params)
    except (KeyError, IndexError, ValueError):  # a translation naming another parameter
        log.warning("the text for %s does not fit its parameters %s", code, sorted(params))
        return str(issue)
