"""The status bar (ui.window_status): a wrong clock on this computer, found from Return
Helper's answers (the sandbox over HTTP), is said beside the connection."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app.clock_check import ClockCheck
from app.desk import DeskService, Problem
from app.model import utcnow
from app.returnhelper.client import ReturnHelperClient
from app.sandbox.server import SandboxServer
from tests.ui.conftest import FakeClock, run
from ui.feedback import SoundPlayer


def test_a_wrong_clock_is_said_beside_the_connection_until_it_is_right(
        qtbot: Any, qloop: Any, desk: DeskService, sandbox: SandboxServer,
        clock: FakeClock) -> None:
    from ui.window import MainWindow

    local = {"offset": -timedelta(hours=2, minutes=5)}  # the PC's time zone is wrong
    check = ClockCheck("Return Helper", clock=lambda: utcnow() + local["offset"])
    client = ReturnHelperClient(sandbox.user_base, sandbox.public_base, sandbox.api_key,
                                sandbox.api_token, retries=0, timeout=3.0, clock_check=check)
    skewed = DeskService(desk.settings, desk.store, desk.credentials, client)
    window = MainWindow(skewed, sounds=SoundPlayer(backend="none"), clock=clock)
    try:
        window.show()
        window.start_desk()  # reads the handling types: the first answer's Date
        qtbot.waitUntil(lambda: "⚠" in window.connection_label.text(), timeout=10000)
        assert "2 h 05 min" in window.connection_label.text()
        tip = window.connection_label.toolTip()
        assert "2 h 05 min behind Return Helper's" in tip and "stale" in tip
        assert window.connection_label.accessibleDescription() == tip
        assert window.messages.count(tip) == 1
        window.update_connection()  # shown again (a decision, a sync): said once only
        assert window.messages.count(tip) == 1
        check.offset = timedelta(seconds=1)  # the clock was synced: the next answer says so
        window.update_connection()
        assert "⚠" not in window.connection_label.text()
        assert window.messages[-1] == "This computer's clock agrees with Return Helper's again."
    finally:
        run(qtbot, qloop, window.shutdown())
        run(qtbot, qloop, client.aclose())


def test_an_alarm_when_the_window_stops_receiving_scans(window: Any, qtbot: Any) -> None:
    """What the platform says when another program takes the focus (or the window is
    minimised), given here as the platform gives it: QGuiApplication's state signal."""
    from ui.qt import QGuiApplication, Qt

    state = QGuiApplication.instance().applicationStateChanged
    inactive, active = Qt.ApplicationState.ApplicationInactive, Qt.ApplicationState.ApplicationActive
    state.emit(active)
    window.sounds.played.clear()
    state.emit(inactive)
    qtbot.waitUntil(lambda: "not_in_front" in window.sounds.played)
    assert window.messages[-1].startswith("Return Desk is not in front: scans go to another")
    assert window.message_label.text().startswith("⚠")
    state.emit(active)
    assert window.messages[-1] == "Return Desk is in front again: scans come here."
    # a passing focus change, shorter than the grace, says nothing
    state.emit(inactive)
    state.emit(active)
    assert not window._front_timer.isActive()
    assert window.sounds.played.count("not_in_front") == 1
    # the alarm can be turned off; the status bar still says it
    window.settings.not_in_front_alert = False
    state.emit(inactive)
    qtbot.waitUntil(lambda: window.messages[-1].startswith("Return Desk is not in front"))
    assert window.sounds.played.count("not_in_front") == 1
    state.emit(active)
    # Windows' native file dialog (the decision log's export) is not "another program"
    window.settings.not_in_front_alert = True
    said = len(window.messages)
    exporting = window.decision_views.show_log().choose_export_file()
    qtbot.waitUntil(exporting.isVisible)
    state.emit(inactive)
    qtbot.waitUntil(lambda: not window._front_timer.isActive(), timeout=3000)
    assert len(window.messages) == said
    assert window.sounds.played.count("not_in_front") == 1
    exporting.reject()
    state.emit(active)


def test_an_in_app_receiver_that_could_not_listen_is_said_beside_the_connection(
        qtbot: Any, qloop: Any, desk: DeskService, clock: FakeClock) -> None:
    """``open_desk`` opens the desk without its receiver when the port is taken
    (tests/app/test_desk.py) and leaves this problem: the window says it, once in the
    messages and for as long as it lasts beside the connection, with the address."""
    from ui.window import MainWindow

    desk.receiver_issue = Problem(
        "receiver_down", "the webhook receiver could not listen on 0.0.0.0:8765 (is the port "
        "in use?)", {"address": "0.0.0.0:8765"})
    window = MainWindow(desk, sounds=SoundPlayer(backend="none"), clock=clock)
    try:
        window.show()
        assert "⚠ webhooks off" in window.connection_label.text()
        tip = window.connection_label.toolTip()
        assert "could not listen on 0.0.0.0:8765" in tip and "Sync now" in tip
        assert window.connection_label.accessibleDescription() == tip
        said = [m for m in window.messages if m.startswith("The webhook receiver is not running")]
        assert len(said) == 1
        window.update_connection()  # shown again (a sync, a decision): said once only
        assert sum(m.startswith("The webhook receiver") for m in window.messages) == 1
        assert "webhooks off" in window.connection_label.text()
    finally:
        run(qtbot, qloop, window.shutdown())
