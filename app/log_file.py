"""The log file's handler (imported when a process opens its log, see
:func:`app.logs.setup_logging`: ``logging.handlers`` costs a few ms a window's start need
not pay first)."""

from __future__ import annotations

import logging
import os
from io import TextIOWrapper
from logging.handlers import RotatingFileHandler


class RotatingFile(RotatingFileHandler):
    """The standard rotating file, formatting each record once.

    The standard handler formats every record twice (once to see whether it still fits) and
    checks twice per record that the file is a regular file: about a third of what a line
    cost, and the receiver writes one per event from its event loop. Here the text is
    formatted once, and the check runs when the file is opened. As before, only a regular file
    is rotated (bpo-45401)."""

    _regular = True

    def _open(self) -> TextIOWrapper:
        stream = super()._open()
        self._regular = os.path.isfile(self.baseFilename)
        return stream

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.format(record) + self.terminator
            stream = self.stream if self.stream is not None else self._reopen()
            if self.maxBytes > 0 and self._regular:
                stream.seek(0, 2)  # another handle may have written (Windows)
                position = stream.tell()
                # an empty file is never rolled over (gh-116263): a line longer than the
                # limit would otherwise leave empty old files behind
                if position and position + len(text) >= self.maxBytes:
                    self.doRollover()
                    stream = self.stream if self.stream is not None else self._reopen()
            stream.write(text)
            self.flush()
        except RecursionError:
            raise
        except Exception:
            self.handleError(record)

    def _reopen(self) -> TextIOWrapper:
        self.stream = self._open()
        return self.stream
