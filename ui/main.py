"""Starting the window: QApplication, translations, the qasync loop, the desk, quitting.

The loop is started the supported way: ``asyncio.Runner(loop_factory=...)`` with qasync's
``QEventLoop`` (what ``asyncio.run(main(), loop_factory=qasync.QEventLoop)`` does on Python
3.12+; ``asyncio.Runner`` takes the same ``loop_factory`` on 3.11). The coroutine opens the
store and the desk, shows the window, and only then connects (:func:`connect_after_paint`):
the keyring, httpx and the CA bundle load on a worker thread, then come the
``httpx.AsyncClient`` for the window's own requests (images, the settings dialog's
connection test), the APIs' clients and the in-app receiver. It waits until the window is
closed; then it cancels the window's tasks, stops the outbox sender, closes the clients and
the store. ``quitOnLastWindowClosed`` is off so the Qt loop keeps running until that
clean-up has finished.

The APIs' clients are not this client: :func:`app.desk.open_desk` makes them. Return
Helper's keeps its own httpcore connection pool (``app.returnhelper.transport``: the
cheapest path per request, sized by the ``concurrency`` setting; an injected
``httpx.AsyncClient`` would take httpx's slower ordinary path), and WINIT's its own
``httpx.AsyncClient``. All of them share the one TLS context (``app.tls``) and the
``timeout_s`` setting.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import logging
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import __version__
from app.credentials import Credentials, Secret
from app.desk import DeskService
from app.logs import hold_until_setup, setup_logging
from app.settings import Settings, data_dir, user_agent
from app.store.base import StoreError
from ui.feedback import icon
from ui.i18n import install_language, make_tr
from ui.qt import QApplication, QEvent, is_valid
from ui.tasks import CrashHandler, TaskManager
from ui.window import MainWindow, default_test_connection, image_loader

log = logging.getLogger(__name__)
tr = make_tr("Startup")

__all__ = ["MainWindow", "freeze_startup_heap", "make_application", "run_gui"]


def freeze_startup_heap() -> None:
    """Exempt everything start-up created (modules, classes, widgets' wrappers) from future
    garbage collections (``gc.freeze``): a full collection then scans only what was made
    since, instead of stalling the event loop for tens of milliseconds over a heap that
    never becomes garbage. Called once the window is built; collection, paused for the
    start-up (``ui.launcher.pause_gc_for_startup``), runs again from here on."""
    gc.freeze()
    gc.enable()


GUI_SWITCH_INTERVAL_S = 0.001


def favour_the_gui_thread() -> None:
    """Hand the interpreter lock to the GUI thread sooner. Each Python call Qt makes while
    painting or handling an event needs the lock; while a worker thread runs Python (a sync
    writing records, say), such a call waited up to the interpreter's switch interval, 5 ms
    by default. At 1 ms the event loop's p99 gap during a sync fell from 17-19 ms to
    13-14 ms (bench_ui_stall, three runs each); the longest gap did not change."""
    sys.setswitchinterval(GUI_SWITCH_INTERVAL_S)


def make_application(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication(argv if argv is not None else sys.argv[:1])
    assert isinstance(app, QApplication)
    app.setApplicationName("Return Desk")
    app.setOrganizationName("ReturnDesk")
    app.setApplicationVersion(__version__)
    app.setWindowIcon(icon("returndesk"))
    return app


def secret_values(credentials: Credentials, settings: Settings) -> Callable[[], list[str]]:
    """This session's secret values, read from the keyring at report time only (never kept)."""

    def values() -> list[str]:
        found = []
        for secret in Secret:
            if secret is Secret.STORE_PASSWORD:
                continue
            for scope in {settings.environment.value, "uat", "production", "production-cn",
                          "sandbox", "custom"}:
                with contextlib.suppress(Exception):
                    value = credentials.get(secret, scope if secret.value.startswith("rh.") else None)
                    if value:
                        found.append(value)
        return found

    return values


@dataclass
class Session:
    desk: DeskService
    demo: bool
    user_settings: Settings | None = None      # set when the demo stands in for a setup
    user_credentials: Credentials | None = None


def has_rh_credentials(settings: Settings, credentials: Credentials) -> bool:
    scope = settings.environment.value
    try:
        return (credentials.is_set(Secret.RH_API_KEY, scope)
                and credentials.is_set(Secret.RH_API_TOKEN, scope))
    except Exception as exc:  # a locked keyring: open the configured desk offline, not the demo
        log.warning("the keyring could not be read: %s", exc)
        return True


def configured_desk(settings: Settings) -> str | None:
    """Why this computer counts as a set-up desk, or None when nothing is set up yet.

    The rule: the settings (the settings file, ``RETURNDESK_*`` or options) name a store, an
    environment other than the default (``uat``; ``sandbox`` is the demo's) or custom API
    URLs; or the local store (``returndesk.sqlite3`` in the data folder) exists and has held
    an item (its change counter is above 0; one that cannot be read counts too, so that the
    start says what is wrong with it). Opening the settings of the demo and saving only, say,
    the language changes none of these. Blocking: the local store is opened to be read.
    """
    from app.settings import Environment, default_store_url
    from app.store import open_store

    if (settings.store or "").strip():
        return "the settings name a store"
    if settings.environment not in (Settings().environment, Environment.SANDBOX):
        return f"the settings name the environment {settings.environment.value}"
    if settings.rh_user_api or settings.rh_public_api:
        return "the settings name Return Helper URLs"
    local = Path(default_store_url())
    if not local.exists():
        return None
    try:
        with open_store(str(local)) as store:
            if store.last_seq() > 0:
                return f"the local store {local} holds items"
    except StoreError as exc:
        return f"the local store {local} exists ({exc})"
    return None


@contextlib.asynccontextmanager
async def open_session(settings: Settings, args: argparse.Namespace | None,
                       demo: bool) -> AsyncIterator[Session]:
    """The desk for the configured store and API (``app.desk.open_desk``, its clients made
    by :func:`connect_after_paint`), or the demo when asked or when nothing is set up on
    this computer yet (:func:`configured_desk` finds nothing and the keyring holds no Return
    Helper credentials). A set-up desk is known from its settings and store alone, so its
    window opens without waiting for the keyring; one whose credentials are missing (the
    keyring lost them, another Windows user) opens its own store without Return Helper:
    scans and the list work, and decisions wait in the outbox until the credentials are set.
    The demo there would answer every real scan with "not found"."""
    from app.desk import open_desk

    credentials = Credentials()  # the keyring is searched when a secret is first needed
    auto_demo = False
    if not demo:
        setup = await asyncio.to_thread(configured_desk, settings)
        if setup is None:
            auto_demo = not await asyncio.to_thread(has_rh_credentials, settings, credentials)
        else:
            log.info("this desk is set up (%s): opening its store", setup)
    if demo or auto_demo:
        from app.demo import demo_environment

        items = int(getattr(args, "items", 3000) or 3000)
        if auto_demo:
            log.info("no Return Helper credentials and nothing set up: starting the demo")
        async with demo_environment(settings, items=items) as env:
            desk = DeskService(env.settings, env.store, env.credentials, env.rh)
            yield Session(desk, True, settings if auto_demo else None,
                          credentials if auto_demo else None)
        return
    async with open_desk(settings, credentials, clients_later=True) as desk:
        yield Session(desk, False)


def no_credentials_text(settings: Settings) -> str:
    """The status bar's words for a set-up desk opened without its credentials."""
    return tr("No Return Helper API key and token for {env} on this computer: this desk's "
              "store is open without Return Helper. Scans and the list work; decisions wait "
              "in the outbox. Set the key and token in Settings (Ctrl+,) and restart Return "
              "Desk to send them.").format(env=settings.environment.value)


class LateClient:
    """The window's own ``httpx.AsyncClient`` (images, the connection test), made once the
    window has painted (:func:`connect_after_paint`); whoever needs it first waits for it."""

    def __init__(self) -> None:
        self._made: asyncio.Future[Any] = asyncio.get_running_loop().create_future()

    def set(self, client: Any) -> None:
        self._made.set_result(client)

    def fail(self, exc: BaseException) -> None:
        self._made.set_exception(exc)
        self._made.exception()  # said in the log already; each waiter gets it raised

    async def client(self) -> Any:
        return await asyncio.shield(self._made)

    async def get(self, url: str, **kwargs: Any) -> Any:
        return await (await self.client()).get(url, **kwargs)


def _load_client_parts(credentials: Credentials) -> None:
    """What connecting needs and takes long to load, on a worker thread while the window is
    up: the log file's handler (``logging.handlers``), httpx and the API clients' modules,
    the CA bundle, and the OS keyring's backend."""
    try:
        import importlib

        for module in ("app.log_file", "httpx", "app.returnhelper.client", "app.winit.client"):
            importlib.import_module(module)
        from app.tls import shared_ssl_context

        shared_ssl_context()
        credentials.info  # noqa: B018  # finds the OS keyring
    except Exception:  # connecting says what is wrong, on the loop, where it is shown
        log.debug("loading the clients ahead failed", exc_info=True)


async def connect_after_paint(window: MainWindow, session: Session, settings: Settings,
                              late: LateClient, stack: contextlib.AsyncExitStack) -> None:
    """Connect a window that is already up: the slow imports and the keyring on a worker
    thread (the event loop keeps turning, so a scan typed meanwhile is handled), then the
    log file (what was logged since the start goes into it), the window's HTTP client and,
    for a desk, its API clients and receiver."""
    desk = session.desk
    await asyncio.to_thread(_load_client_parts, desk.credentials)
    open_log_file()
    try:
        import httpx

        from app.tls import shared_ssl_context

        late.set(await stack.enter_async_context(httpx.AsyncClient(
            timeout=httpx.Timeout(settings.timeout_s),
            headers={"User-Agent": user_agent(__version__)}, verify=shared_ssl_context())))
    except Exception as exc:
        late.fail(exc)
        log.error("the window's HTTP client could not be made: %s", exc)
    if not desk.connecting:
        return
    try:
        await desk.connect()
    except Exception as exc:  # the message is also the log's line (show_message logs it)
        window.show_message(tr("Return Desk could not connect: {error}. Scans and the list "
                               "work; decisions wait in the outbox.").format(error=exc),
                            error=True)
    else:
        if not desk.online:
            window.show_message(no_credentials_text(desk.settings), error=True)
    if is_valid(window):
        window.update_connection()


async def run_window(app: QApplication, settings: Settings, args: argparse.Namespace | None,
                     demo: bool, crash: CrashHandler) -> int:
    from app import settings as settings_module

    async with contextlib.AsyncExitStack() as clients, \
            open_session(settings, args, demo) as session:
        desk = session.desk
        crash.redact.add_source(secret_values(desk.credentials, desk.settings))
        tasks = TaskManager(None, crash)
        # The window opens on the handling types cached in the store; the API is asked once
        # it shows (an unreachable API used to keep the window shut until the timeout).
        desk.load_cached_catalog()
        late = LateClient()

        async def tester(candidate: Settings, typed: dict[Secret, str]) -> str:
            return await default_test_connection(
                candidate, typed, session.user_credentials or desk.credentials,
                await late.client())

        own_settings = session.user_settings is not None
        save = settings_module.save if (not session.demo or own_settings) else None
        window = MainWindow(desk, tasks=tasks, load_image=image_loader(late), tester=tester,
                            demo=session.demo, save_settings=save,
                            user_settings=session.user_settings,
                            user_credentials=session.user_credentials)
        freeze_startup_heap()
        closed = asyncio.Event()
        window.closed.connect(closed.set)
        app.aboutToQuit.connect(closed.set)
        painted = asyncio.Event()
        window.view.first_painted.connect(painted.set)
        window.show()
        # Connecting starts once the window is on screen: the worker thread's imports slowed
        # its first paint by 30-50 ms. A window that is not painted (started minimised)
        # connects after FIRST_PAINT_WAIT_S.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(painted.wait(), FIRST_PAINT_WAIT_S)
        await connect_after_paint(window, session, settings, late, clients)
        if not closed.is_set():  # not closed while it connected
            window.start_desk()
        await closed.wait()
        await window.shutdown()
        await desk.close()
        window.deleteLater()
    return 0


#: How long a new window's connecting waits for its first paint (see :func:`run_window`).
FIRST_PAINT_WAIT_S = 2.0


def open_log_file() -> None:
    """The window's log, ``returndesk.log`` in the log folder (rotating, secrets masked),
    with what was logged since the start; opened once the window is shown (see
    :func:`app.logs.hold_until_setup`). A log folder that cannot be written costs the log
    file, never the window."""
    try:
        setup_logging("returndesk", console=sys.stderr is not None)
    except OSError as exc:
        log.warning("the log file cannot be written: %s", exc)


def show_startup_failure(exc: StoreError) -> bool:
    """The store could not be opened, so there is no window: say why in a box (the
    windowed start has no console) and where the log is. True when the operator asks to
    try again: a database server still starting when the shift begins, a drive not yet
    connected."""
    from app.settings import log_dir
    from ui.qt import QMessageBox, Qt  # only when the start failed

    title = tr("Return Desk cannot start")
    box = QMessageBox(QMessageBox.Icon.Critical, title,
                      tr("The store could not be opened:\n\n{error}\n\nCheck the store setting "
                         "(the settings file, --store or RETURNDESK_STORE) or ask IT, then try "
                         "again. Nothing was changed. Details are in the log: {folder}"
                         ).format(error=exc, folder=log_dir()))
    box.setObjectName("startupFailure")
    box.setAccessibleName(title)
    box.setTextInteractionFlags(box.textInteractionFlags()
                                | Qt.TextInteractionFlag.TextSelectableByMouse)
    box.setStandardButtons(QMessageBox.StandardButton.Retry | QMessageBox.StandardButton.Close)
    box.setDefaultButton(QMessageBox.StandardButton.Retry)
    box.exec()
    return box.clickedButton() is box.button(QMessageBox.StandardButton.Retry)


def desk_lock_path(settings: Settings) -> Path:
    """The lock that keeps one window per store for this user on this computer (the file
    holds a process id and a host name, never the store's address)."""
    import hashlib

    from app.settings import default_store_url

    target = (settings.store or "").strip() or default_store_url()
    return data_dir() / f"window-{hashlib.sha256(target.encode()).hexdigest()[:16]}.lock"


def claim_the_desk(settings: Settings) -> Any:
    """One window per store: a second start (a double-click on a minimised desk) would split
    the scans between two windows. Returns the lock, held for the process's life, or None
    when another Return Desk that is still running holds it; a lock left by one that crashed
    is taken over (QLockFile checks whether its process is alive). A data folder that cannot
    be written skips the check: it must not keep the desk shut."""
    from ui.qt import QLockFile

    path = desk_lock_path(settings)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        log.warning("no single-window check: %s", exc)
        return True
    lock = QLockFile(str(path))
    lock.setStaleLockTime(0)  # held for a whole shift: stale only when its process is gone
    if lock.tryLock(0):
        return lock
    if lock.error() == QLockFile.LockError.LockFailedError:
        return None
    log.warning("no single-window check: the lock file %s cannot be written", path)
    return True


def show_already_open() -> None:
    from ui.qt import QMessageBox

    title = tr("Return Desk is already open")
    box = QMessageBox(QMessageBox.Icon.Information, title,
                      tr("Return Desk is already open on this computer for this store. Use that "
                         "window (it may be minimised in the taskbar)."))
    box.setObjectName("alreadyOpen")
    box.setAccessibleName(title)
    box.exec()


def run_gui(settings: Settings, args: argparse.Namespace | None = None, *, demo: bool = False) -> int:
    import qasync

    hold_until_setup()
    favour_the_gui_thread()
    app = make_application()
    app.setQuitOnLastWindowClosed(False)
    install_language(settings.language, cache_dir=data_dir() / "translations")
    desk_lock = None if demo else claim_the_desk(settings)
    if not demo and desk_lock is None:
        gc.enable()
        log.info("another window is open on this store: not starting a second one")
        open_log_file()
        show_already_open()
        return 0
    crash = CrashHandler()
    while True:
        with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
            crash.install(runner.get_loop())
            try:
                return runner.run(run_window(app, settings, args, demo, crash))
            except KeyboardInterrupt:
                return 130
            except StoreError as exc:
                failure = exc
                log.error("the store could not be opened: %s", exc)
            finally:
                gc.enable()  # paused for the start-up; on again even if the window never opened
                crash.uninstall()
                _dispose_widgets(app)
        open_log_file()
        if not show_startup_failure(failure):  # the asyncio loop is closed: a plain modal box
            return 1
        log.info("trying to open the store again")


def _dispose_widgets(app: QApplication) -> None:
    """Delete the windows while Qt and Python are both fully alive.

    Leaving them to the interpreter's final garbage collection (after the QApplication's
    own teardown started) can abort the process on exit with PySide6 6.12.
    """
    for widget in app.topLevelWidgets():
        widget.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    app.processEvents()
    gc.collect()
