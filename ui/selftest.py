"""``returndesk --self-test``: start headless, open the main window offscreen on a temporary
store, run the core checks (keyring round trip, TLS certificates, store), print a report,
return 0 when everything passed and 1 otherwise.

IT and the Windows installer's smoke test run it on an installed copy. It must end
promptly, also under Wine: the event loop is driven by ``asyncio.Runner(loop_factory=
qasync.QEventLoop)`` (what ``asyncio.run(..., loop_factory=...)`` does on 3.12+), which
closes the loop and returns; the older ``with loop: loop.run_until_complete(...)`` plus
``app.quit()`` pattern was seen spinning for minutes under Wine.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

from app.selftest import Check, core_checks, format_report, timed

WINDOW_TIMEOUT_S = 30.0
#: Also write the report to this file (the no-console launcher has no standard output).
REPORT_ENV = "RETURNDESK_SELFTEST_REPORT"
#: Save the painted main window to this PNG file (to look at what the installed build shows).
SCREENSHOT_ENV = "RETURNDESK_SELFTEST_SCREENSHOT"


def run_self_test(args: argparse.Namespace | None = None) -> int:
    """The whole self-test; prints the report to standard output. Returns the exit code."""
    from ui.qt import QApplication

    app = QApplication.instance()
    if app is None:
        # Headless unless a platform was chosen explicitly (e.g. xcb to watch it on Linux).
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
        app = QApplication([sys.argv[0] if sys.argv else "returndesk", "-platform",
                            os.environ["QT_QPA_PLATFORM"]])
    import qasync

    # Closing the test window must not end the loop (Qt quits on the last window closed).
    quit_on_close = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)
    with (tempfile.TemporaryDirectory(prefix="returndesk-selftest-",
                                      ignore_cleanup_errors=True) as tmp,
          asyncio.Runner(loop_factory=qasync.QEventLoop) as runner):
        checks = runner.run(_checks(Path(tmp)))
        _dispose_widgets(app)
    app.setQuitOnLastWindowClosed(quit_on_close)
    report = format_report(checks)
    if sys.stdout is not None:  # pythonw (the no-console launcher) has no standard output
        print(report, flush=True)
    report_file = os.environ.get(REPORT_ENV)
    if report_file:
        Path(report_file).write_text(report + "\n", encoding="utf-8")
    return 0 if all(c.ok for c in checks) else 1


def _dispose_widgets(app: object) -> None:
    """Delete leftover widgets while Qt and Python are both alive (not at interpreter exit)."""
    import gc

    from ui.qt import QApplication, QEvent

    assert isinstance(app, QApplication)
    for widget in app.topLevelWidgets():
        widget.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    app.processEvents()
    gc.collect()


async def _checks(directory: Path) -> list[Check]:
    checks = [timed("qt", _check_qt)]
    # The core checks run in a worker thread, as the app runs blocking store/keyring calls.
    checks += await asyncio.to_thread(core_checks, directory)
    checks.append(timed("resources", _check_resources))
    start = asyncio.get_running_loop().time()
    try:
        detail = await asyncio.wait_for(_open_window(directory), WINDOW_TIMEOUT_S)
        ok = True
    except Exception as exc:  # reported, never raised
        ok, detail = False, f"{type(exc).__name__}: {exc}"
    checks.append(Check("window", ok, detail, asyncio.get_running_loop().time() - start))
    return checks


def _check_qt() -> tuple[bool, str]:
    from ui.qt import PYSIDE_VERSION, QT_VERSION, QGuiApplication

    platform_name = QGuiApplication.platformName()
    return True, f"Qt {QT_VERSION}, PySide6 {PYSIDE_VERSION}, platform {platform_name}"


def _check_resources() -> tuple[bool, str]:
    """The app icon renders (SVG plugins present), sounds are there, every translation loads."""
    from ui.i18n import LANGUAGES, qm_path, resources_dir
    from ui.qt import QIcon, QTranslator

    icon_path = resources_dir() / "icons" / "returndesk.svg"
    pixmap = QIcon(str(icon_path)).pixmap(64, 64)
    if pixmap.isNull():
        return False, f"the app icon does not render: {icon_path}"
    sounds = sorted((resources_dir() / "sounds").glob("*.wav"))
    if not sounds:
        return False, f"no sounds in {resources_dir() / 'sounds'}"
    if sys.platform == "win32":
        import winsound  # type: ignore[import-not-found,unused-ignore]  # noqa: F401 - plays them
    loaded = []
    for language in LANGUAGES:
        if language == "en":
            continue
        qm = qm_path(language)
        translator = QTranslator()
        if qm is None or not translator.load(str(qm)):
            return False, f"the {language} translation does not load ({qm})"
        loaded.append(language)
    return True, (f"icon ok, {len(sounds)} sounds, translations: {', '.join(loaded) or 'none'} "
                  f"({resources_dir()})")


async def _open_window(directory: Path) -> str:
    """The real main window on a temporary store, shown offscreen, painted, closed."""
    from app.credentials import Credentials
    from app.settings import Settings
    from app.store import open_store
    from ui.qt import QApplication

    store_path = directory / "window.sqlite3"
    settings = Settings(store=str(store_path))
    store = await asyncio.to_thread(open_store, str(store_path))
    try:
        window, kind, desk = _make_window(settings, store, Credentials())
        try:
            window.show()
            for _ in range(200):  # a few turns of the loop: layout, first paint
                QApplication.processEvents()
                await asyncio.sleep(0.01)
                if window.isVisible() and window.width() > 0:
                    break
            image = window.grab()
            if not window.isVisible() or image.isNull():
                raise RuntimeError(f"{kind} did not show")
            shot = os.environ.get(SCREENSHOT_ENV)
            if shot and not image.save(shot, "PNG"):
                raise RuntimeError(f"the screenshot could not be saved to {shot}")
            detail = (f"{kind} shown on platform {QApplication.platformName()}, "
                      f"{image.width()}x{image.height()} painted")
        finally:
            if hasattr(window, "shutdown"):
                await window.shutdown()
            window.close()
            window.deleteLater()
            if desk is not None:
                await desk.close()
        QApplication.processEvents()
        return detail
    finally:
        await asyncio.to_thread(store.close)


def _make_window(settings, store, credentials):  # type: ignore[no-untyped-def]
    """``ui.main.MainWindow(desk)`` when the app has one, else a plain QMainWindow."""
    try:
        from ui.main import MainWindow  # type: ignore[import-not-found,unused-ignore]
    except ImportError as exc:
        if getattr(exc, "name", None) not in {"ui.main"}:
            raise
        from ui.qt import QLabel, QMainWindow

        window = QMainWindow()
        window.setWindowTitle("Return Desk self-test")
        window.setCentralWidget(QLabel("Return Desk"))
        window.resize(640, 400)
        return window, "QMainWindow (ui.main not installed)", None
    from app.desk import DeskService

    desk = DeskService(settings, store, credentials, None)
    return MainWindow(desk), "MainWindow", desk
