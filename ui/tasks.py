"""The one way the window runs async work, and the crash handler.

Widgets never create asyncio tasks themselves. They ask :class:`TaskManager` for an
operation and chain what happens next::

    tasks.op(lambda progress: desk.sync(progress), label=tr("Sync"))
         .progress(status.show_sync_progress)
         .success(lambda summary: ...)
         .failure(lambda exc: ...)
         .run()

- every task is tracked, so quitting cancels what is still running;
- an exception is never lost: it goes to the ``failure`` callback, or when there is none
  to the manager's error signal (status bar + log), and an exception *inside* a callback
  goes to the crash handler;
- callbacks run on the loop thread (the Qt GUI thread), so they may touch widgets;
- ``busy_changed`` tells the status bar how many operations run.

:class:`CrashHandler` catches what escapes (``sys.excepthook``, Qt slots, asyncio callbacks),
logs it and shows a non-modal dialog with a copyable report from which secrets are removed.
Dialogs are shown with ``show()``/``open()``, never ``exec()``, so no nested event loop ever
runs inside a qasync task.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import re
import sys
import traceback
from collections.abc import Awaitable, Callable, Iterable
from types import TracebackType
from typing import Any, Generic, TypeVar

from ui.i18n import make_tr
from ui.qt import (
    PYSIDE_VERSION,
    QT_VERSION,
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QObject,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
    Signal,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
ProgressFn = Callable[[Any], None]


tr = make_tr("Tasks")


class Op(Generic[T]):
    """One operation, configured by chaining, started with :meth:`run`."""

    def __init__(self, manager: TaskManager, func: Callable[[ProgressFn], Awaitable[T]],
                 label: str) -> None:
        self._manager = manager
        self._func = func
        self.label = label
        self._on_success: Callable[[T], None] | None = None
        self._on_failure: Callable[[BaseException], None] | None = None
        self._on_progress: Callable[[Any], None] | None = None
        self._on_finally: Callable[[], None] | None = None

    def success(self, callback: Callable[[T], None]) -> Op[T]:
        self._on_success = callback
        return self

    def failure(self, callback: Callable[[BaseException], None]) -> Op[T]:
        self._on_failure = callback
        return self

    def progress(self, callback: Callable[[Any], None]) -> Op[T]:
        self._on_progress = callback
        return self

    def finally_(self, callback: Callable[[], None]) -> Op[T]:
        self._on_finally = callback
        return self

    def run(self) -> asyncio.Task[T] | None:
        """Start it; None when the window is closing (nothing new starts then)."""
        return self._manager._start(self)

    # -- used by the manager -------------------------------------------------------------
    def _report_progress(self, value: Any) -> None:
        if self._on_progress is None:
            return
        try:
            self._on_progress(value)
        except Exception:
            self._manager.crash(*sys.exc_info())


class TaskManager(QObject):
    """Runs and tracks the window's async operations on the running (qasync) loop."""

    busy_changed = Signal(int)
    error = Signal(str, str)  # label, message: for the status bar

    def __init__(self, parent: QObject | None = None,
                 crash_handler: CrashHandler | None = None) -> None:
        super().__init__(parent)
        self._tasks: set[asyncio.Task[Any]] = set()
        self._crash = crash_handler
        self._closing = False

    @property
    def running(self) -> int:
        return len(self._tasks)

    def op(self, func: Callable[[ProgressFn], Awaitable[T]], *, label: str = "") -> Op[T]:
        """``func(progress)`` returns the awaitable; ``progress(value)`` may be called from it."""
        return Op(self, func, label)

    def run(self, awaitable_factory: Callable[[], Awaitable[T]], *,
            label: str = "") -> asyncio.Task[T] | None:
        """Fire and forget, errors to the status bar: for work nobody waits on."""
        return self.op(lambda _progress: awaitable_factory(), label=label).run()

    def crash(self, exc_type: type[BaseException], exc: BaseException,
              tb: TracebackType | None) -> None:
        if self._crash is not None:
            self._crash.handle(exc_type, exc, tb)
        else:
            log.error("unhandled error", exc_info=(exc_type, exc, tb))

    def _start(self, op: Op[T]) -> asyncio.Task[T] | None:
        if self._closing:
            log.debug("not starting %s: the window is closing", op.label or "an operation")
            return None
        loop = asyncio.get_event_loop()

        async def runner() -> T:
            return await op._func(op._report_progress)

        task: asyncio.Task[T] = loop.create_task(runner(), name=op.label or None)
        self._tasks.add(task)
        self.busy_changed.emit(len(self._tasks))
        task.add_done_callback(lambda t: self._finished(op, t))
        return task

    def _finished(self, op: Op[T], task: asyncio.Task[T]) -> None:
        self._tasks.discard(task)
        try:
            self.busy_changed.emit(len(self._tasks))
        except RuntimeError:  # the manager's C++ object is gone (quitting)
            return
        try:
            if task.cancelled():
                return
            exc = task.exception()
            if exc is None:
                if op._on_success is not None:
                    op._on_success(task.result())
            elif op._on_failure is not None:
                log.info("%s failed: %s", op.label or "operation", _one_line(exc))
                op._on_failure(exc)
            else:
                log.warning("%s failed", op.label or "operation", exc_info=exc)
                self.error.emit(op.label, _one_line(exc))
        except Exception:
            self.crash(*sys.exc_info())  # type: ignore[arg-type]
        finally:
            if op._on_finally is not None:
                try:
                    op._on_finally()
                except Exception:
                    self.crash(*sys.exc_info())  # type: ignore[arg-type]

    async def cancel_all(self, timeout: float = 5.0) -> None:
        """Cancel everything still running and wait (bounded) for it to finish."""
        self._closing = True
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
                await asyncio.wait(tasks, timeout=timeout)


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0] if text else type(exc).__name__


# -- crash handling ------------------------------------------------------------------------
@functools.cache
def _secret_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Compiled on the first report, not while the window starts."""
    return (
        re.compile(r"(?i)(x-rr-api(?:key|token)|authorization|token|secret|password|"
                   r"signing[_-]?key|client_secret|apikey|api_key)"
                   r"(\s*[:=]\s*|[\"']\s*:\s*[\"'])([^\s\"',}]+)"),
        re.compile(r"(?i)(postgres(?:ql)?://[^:/\s]+:)([^@\s]+)(@)"),
    )


class Redactor:
    """Removes secrets from text: the values themselves (asked for at report time, never
    stored here) and anything that looks like ``token=...``."""

    def __init__(self) -> None:
        self._sources: list[Callable[[], Iterable[str]]] = []

    def add_source(self, source: Callable[[], Iterable[str]]) -> None:
        self._sources.append(source)

    def __call__(self, text: str) -> str:
        for source in self._sources:
            try:
                values = [v for v in source() if v and len(v) >= 4]
            except Exception:
                values = []
            for value in sorted(values, key=len, reverse=True):
                text = text.replace(value, "[secret removed]")
        assigned, url_password = _secret_patterns()
        text = assigned.sub(lambda m: f"{m.group(1)}{m.group(2)}[secret removed]", text)
        text = url_password.sub(lambda m: f"{m.group(1)}[secret removed]{m.group(3)}", text)
        return text


class CrashDialog(QDialog):
    """Non-modal: the report is selectable and has a copy button."""

    def __init__(self, report: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(tr("Return Desk: unexpected error"))
        self.setAccessibleName(tr("Unexpected error report"))
        layout = QVBoxLayout(self)
        intro = QLabel(tr("Something went wrong. Your work is kept: queued decisions stay in "
                           "the outbox. Copy this report for support; it contains no passwords "
                           "or keys."), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.text = QPlainTextEdit(self)
        self.text.setReadOnly(True)
        self.text.setPlainText(report)
        self.text.setAccessibleName(tr("Error report text"))
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = buttons.addButton(tr("Copy report"),
                                             QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.setAccessibleName(tr("Copy report"))
        self.copy_button.clicked.connect(self.copy)
        buttons.rejected.connect(self.close)
        layout.addWidget(buttons)
        self.resize(640, 420)

    def copy(self) -> None:
        clipboard = QApplication.clipboard()
        if clipboard is not None:
            clipboard.setText(self.text.toPlainText())


class CrashHandler(QObject):
    """Installs itself as ``sys.excepthook`` and as the asyncio loop's exception handler."""

    crashed = Signal(str)  # the (redacted) report

    def __init__(self, redactor: Redactor | None = None, show_dialog: bool = True,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.redact = redactor or Redactor()
        self.show_dialog = show_dialog
        self.reports: list[str] = []
        self._previous_hook: Any = None
        self._dialogs: list[CrashDialog] = []
        self._handling = False

    def install(self, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._previous_hook = sys.excepthook
        sys.excepthook = self.handle
        if loop is not None:
            loop.set_exception_handler(self._loop_handler)

    def uninstall(self) -> None:
        if sys.excepthook == self.handle and self._previous_hook is not None:
            sys.excepthook = self._previous_hook

    def _loop_handler(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, BaseException):
            self.handle(type(exc), exc, exc.__traceback__, context.get("message"))
        else:
            log.error("asyncio: %s", context.get("message"))

    def report_text(self, exc_type: type[BaseException], exc: BaseException,
                    tb: TracebackType | None, note: str | None = None) -> str:
        import platform

        from app import __version__

        lines = [
            f"Return Desk {__version__}",
            f"Python {platform.python_version()} on {platform.platform()}",
            f"Qt {QT_VERSION}, PySide6 {PYSIDE_VERSION}",
        ]
        if note:
            lines.append(f"Context: {note}")
        lines.append("")
        lines.extend(traceback.format_exception(exc_type, exc, tb))
        return self.redact("\n".join(line.rstrip("\n") for line in lines))

    def handle(self, exc_type: type[BaseException], exc: BaseException,
               tb: TracebackType | None, note: str | None = None) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            QApplication.quit()
            return
        if self._handling:  # an error while showing an error: log only
            log.critical("error in the crash handler", exc_info=(exc_type, exc, tb))
            return
        self._handling = True
        try:
            report = self.report_text(exc_type, exc, tb, note)
            log.error("unhandled error\n%s", report)
            self.reports.append(report)
            self.crashed.emit(report)
            if self.show_dialog and QApplication.instance() is not None:
                dialog = CrashDialog(report, QApplication.activeWindow())
                self._dialogs.append(dialog)
                dialog.finished.connect(lambda _r, d=dialog: self._dialogs.remove(d))
                dialog.show()
        finally:
            self._handling = False
