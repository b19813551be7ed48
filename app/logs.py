"""Logging for every process: one rotating file in the log dir, and a filter that masks secrets.

Secrets never reach a log on purpose; the filter is the second line of defence: any value
registered with :func:`register_secret` (the credentials code registers every secret it
reads or writes) is replaced by ``***`` in every message and argument, and so are header
lines that name a secret.
"""

from __future__ import annotations

import logging
import re
import threading
from pathlib import Path

from app.settings import log_dir

_secrets: set[str] = set()
_longest_first: tuple[str, ...] = ()  # _secrets, longest first (a secret may contain another)
_lock = threading.Lock()
_HEADER_NAMES = ("x-rr-apikey", "x-rr-apitoken", "returnhelper-signature", "authorization",
                 "client_secret", "token", "password")
_HEADER = re.compile(rf"(?i)({'|'.join(_HEADER_NAMES)})"
                     r"(['\"]?\s*[:=]\s*['\"]?)((?:bearer\s+|basic\s+)?[^\s'\",}]+)")


def register_secret(value: str | None) -> None:
    global _longest_first
    if value and len(value) >= 4:
        with _lock:
            _secrets.add(value)
            _longest_first = tuple(sorted(_secrets, key=len, reverse=True))


def redact(text: str) -> str:
    for secret in _longest_first:
        if secret in text:
            text = text.replace(secret, "***")
    # The header pattern only where one of its names may occur: its search costs more than
    # the rest together. Text that is all ASCII can only match the names in ASCII, so
    # lower() finds them; other text (a case-insensitive match also takes "ſ" for "s") is
    # always searched.
    if text.isascii():
        lowered = text.lower()
        if not any(name in lowered for name in _HEADER_NAMES):
            return text
    return _HEADER.sub(_masked, text)


def _masked(match: re.Match[str]) -> str:
    return match.group(1) + match.group(2) + "***"


class RedactingFilter(logging.Filter):
    """Masks secrets in a record's message, arguments and traceback. Each of the handlers
    carries one; a record that an earlier handler's filter already cleaned passes as it is."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "returndesk_redacted", False):
            return True
        record.__dict__["returndesk_redacted"] = True
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


class _SharedFormatter(logging.Formatter):
    """One formatter for the file and the console: a record is formatted once for both."""

    def format(self, record: logging.LogRecord) -> str:
        done = record.__dict__.get("returndesk_text")
        if done is not None and done[0] is self:
            return str(done[1])
        text = super().format(record)
        record.__dict__["returndesk_text"] = (self, text)
        return text


_installed: list[logging.Handler] = []
_installed_path: Path | None = None


class _Held(logging.Handler):
    """Records logged before the log file is opened, to be written there once it is."""

    LIMIT = 2000  # a start-up logs a handful; a runaway loop must not fill the memory

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if len(self.records) < self.LIMIT:
            self.records.append(record)


_held: _Held | None = None


def hold_until_setup(level: int = logging.INFO) -> None:
    """Keep what is logged from now on until :func:`setup_logging` opens the file, then
    write it there (with its own times). The window logs from its first line but opens the
    file once it is shown: the file's handler (``logging.handlers``) costs ~4 ms of start-up."""
    global _held
    if _held is None and not _installed:
        _held = _Held()
        logging.getLogger().addHandler(_held)
    logging.getLogger().setLevel(level)
    _quiet_libraries()


def _quiet_libraries() -> None:
    """httpx and httpcore log every request at INFO: only their warnings are kept."""
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def setup_logging(name: str = "returndesk", level: int = logging.INFO, *,
                  console: bool = True) -> Path:
    """Log to ``<log dir>/<name>.log`` (rotating) and optionally stderr. Returns the file path.

    Calling it again with another file (another command in the same process, a test)
    replaces the handlers it installed before; other handlers are left alone.
    """
    global _installed_path
    directory = log_dir()
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{name}.log"
    root = logging.getLogger()
    root.setLevel(level)
    if path == _installed_path:
        return path
    for handler in _installed:
        root.removeHandler(handler)
        handler.close()
    _installed.clear()
    fmt = _SharedFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    from app.log_file import RotatingFile  # logging.handlers: ~4 ms a window need not pay first

    handlers: list[logging.Handler] = [RotatingFile(
        path, maxBytes=5_000_000, backupCount=3, encoding="utf-8")]
    if console:
        handlers.append(logging.StreamHandler())
    for handler in handlers:
        handler.setFormatter(fmt)
        handler.addFilter(RedactingFilter())
        root.addHandler(handler)
        _installed.append(handler)
    _quiet_libraries()
    _installed_path = path
    _write_held()
    return path


def _write_held() -> None:
    global _held
    held, _held = _held, None
    if held is None:
        return
    logging.getLogger().removeHandler(held)
    for record in held.records:
        for handler in _installed:
            if record.levelno >= handler.level:
                handler.handle(record)
