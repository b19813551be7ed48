"""app.logs: what a process logs before its file is opened reaches the file, masked."""

from __future__ import annotations

import logging
from pathlib import Path

from app import logs


def test_records_logged_before_the_file_is_opened_are_written_to_it(
        logging_restored: None, isolated_dirs: Path) -> None:
    logs.hold_until_setup()
    logs.register_secret("s3cr3t-token-value")
    logging.getLogger("app.example").info("starting the demo")
    logging.getLogger("app.example").warning("keyring answered with s3cr3t-token-value")
    logging.getLogger("httpx").info("HTTP Request: GET https://example.invalid")  # not kept
    logging.getLogger("app.example").debug("chatter below the level")
    path = logs.setup_logging("held", console=False)
    logging.getLogger("app.example").info("after the file opened")
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == [
        "starting the demo", "keyring answered with ***", "after the file opened"]
    assert "s3cr3t" not in text and "HTTP Request" not in text
    assert not any(isinstance(h, logs._Held) for h in logging.getLogger().handlers)


def test_holding_is_bounded(logging_restored: None, isolated_dirs: Path) -> None:
    logs.hold_until_setup()
    for n in range(logs._Held.LIMIT + 50):
        logging.getLogger("app.example").info("line %d", n)
    path = logs.setup_logging("bounded", console=False)
    assert len(path.read_text(encoding="utf-8").splitlines()) == logs._Held.LIMIT
