"""app.log_file.RotatingFile: rotates like the standard handler, formatting each record once."""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import pytest

from app.log_file import RotatingFile


class _Counting(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(message)s")
        self.calls = 0

    def format(self, record: logging.LogRecord) -> str:
        self.calls += 1
        return super().format(record)


def _record(n: int) -> logging.LogRecord:
    return logging.LogRecord("app.webhooks", logging.INFO, __file__, 1, "event %04d %s",
                             (n, "x" * 40), None)


def test_it_rotates_at_the_size_and_formats_each_record_once(tmp_path: Path) -> None:
    path = tmp_path / "hooks.log"
    handler = RotatingFile(path, maxBytes=500, backupCount=2, encoding="utf-8")
    formatter = _Counting()
    handler.setFormatter(formatter)
    try:
        for n in range(40):  # 40 lines of 51 bytes: several files' worth
            handler.handle(_record(n))
    finally:
        handler.close()
    assert formatter.calls == 40  # the standard handler formats each record twice
    files = [path, path.with_name("hooks.log.1"), path.with_name("hooks.log.2")]
    assert all(f.exists() for f in files) and not path.with_name("hooks.log.3").exists()
    assert all(f.stat().st_size <= 500 for f in files)
    lines = [line for f in reversed(files) for line in f.read_text(encoding="utf-8").splitlines()]
    assert lines == [f"event {n:04d} {'x' * 40}" for n in range(40 - len(lines), 40)]
    assert len(lines) >= 20  # the newest lines, none lost within what is kept


def test_a_line_longer_than_the_limit_leaves_no_empty_old_files(tmp_path: Path) -> None:
    path = tmp_path / "long.log"
    handler = RotatingFile(path, maxBytes=20, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(message)s"))
    try:
        handler.handle(_record(1))  # 51 bytes into an empty file: written, not rotated first
        handler.handle(_record(2))  # the file has text now: rotated, then written
    finally:
        handler.close()
    old = path.with_name("long.log.1")
    assert path.read_text(encoding="utf-8").startswith("event 0002")
    assert old.read_text(encoding="utf-8").startswith("event 0001")
    assert not path.with_name("long.log.2").exists()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs a named pipe (POSIX)")
def test_a_log_that_is_a_pipe_gets_every_line_and_is_never_rotated(tmp_path: Path) -> None:
    # as an admin piping the log into a collector: a pipe cannot seek, so a rotation check
    # that looked at its size would lose every line
    fifo = tmp_path / "collector.log"
    os.mkfifo(fifo)
    got: list[str] = []

    def collect() -> None:
        with open(fifo, encoding="utf-8") as pipe:
            got.extend(pipe.read().splitlines())

    reader = threading.Thread(target=collect)
    reader.start()
    handler = RotatingFile(fifo, maxBytes=10, backupCount=1, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(message)s"))
    try:
        for n in range(3):
            handler.handle(_record(n))
    finally:
        handler.close()
    reader.join(30)
    assert got == [f"event {n:04d} {'x' * 40}" for n in range(3)]
    assert not fifo.with_name("collector.log.1").exists()
