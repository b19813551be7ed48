"""A scan while the store does not answer: an expected outcome at the desk (said with a
sound, an icon and text, and once in the status bar), not a crash report."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.ui.conftest import FakeClock
from tests.ui.test_window import type_scan, unique_identifiers
from ui.qt import QApplication
from ui.tasks import CrashHandler


@pytest.fixture
def crash() -> Iterator[CrashHandler]:
    """The crash handler ``returndesk`` installs: every unhandled error opens its dialog."""
    handler = CrashHandler()
    handler.install()
    try:
        yield handler
    finally:
        handler.uninstall()
        for dialog in list(handler._dialogs):
            dialog.close()


def test_scans_while_the_store_is_gone_say_so_without_a_crash_dialog(
        window: Any, clock: FakeClock, crash: CrashHandler, qtbot: Any,
        monkeypatch: pytest.MonkeyPatch) -> None:
    value, _key = next(iter(unique_identifiers(window).values()))
    # The desk's repeat filter on the test's clock (it reads the real one): each scan below
    # comes well within scan_repeat_ms of the one before, so only the filter's reset after a
    # failed lookup lets it be looked up again (README: "scanning the same label again at
    # once looks it up again"), not the time that passed.
    monkeypatch.setattr(window.desk, "_clock_ms", clock)
    again_ms = 300
    assert again_ms < window.settings.scan_repeat_ms
    window.store.close()  # the database server went down, the network drive went away
    for _ in range(3):
        type_scan(window.scan_field, value, clock)
        # Before: each scan raised into the crash handler, whose dialog took the focus.
        assert crash.reports == [] and crash._dialogs == []
        assert window.scan_field.hasFocus()
        assert window.last_feedback is not None and window.last_feedback.kind == "failed"
        assert window.last_feedback.text.startswith("The lookup failed: the store does not answer")
        assert window.sounds.played[-1] == "failed"
        assert not window.outcome_icon.pixmap().isNull()
        assert window.scan_field.text() == ""
        clock.advance(again_ms)  # the same label again at once: no double read
    assert QApplication.activeWindow() is window
    assert window.store_unreachable  # as the poll marks it: said once in the status bar
    assert sum("does not answer" in m for m in window.messages) == 1
    assert window.message_label.text().startswith("⚠")
