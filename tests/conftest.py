"""Shared test set-up: an isolated environment per test, an in-memory keyring, offscreen Qt.

Fixture modules live in ``tests/fixtures`` (one per real part: the sandbox server, the
PostgreSQL server, the webhook receiver) and are loaded here as plugins.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

pytest_plugins = [
    "tests.fixtures.keyring_memory",
    "tests.fixtures.sandbox",
    "tests.fixtures.postgres",
    "tests.fixtures.receiver",
]


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Settings, data and logs of every test go to a fresh folder, never the user's."""
    base = tmp_path_factory.mktemp("home")
    for name in ("CONFIG_DIR", "DATA_DIR", "LOG_DIR"):
        path = base / name.lower()
        path.mkdir()
        monkeypatch.setenv(f"RETURNDESK_{name}", str(path))
    for key in list(os.environ):
        if key.startswith("RETURNDESK_") and not key.endswith("_DIR") and key != "RETURNDESK_TEST_PG":
            monkeypatch.delenv(key, raising=False)
    return base


@pytest.fixture
def logging_restored() -> Iterator[None]:
    """app.logs with no file open (what an earlier test opened is closed first), and the root
    logger as it was afterwards: for tests that open the log file."""
    from app import logs

    def forget_files() -> None:
        root = logging.getLogger()
        for handler in [*logs._installed, *([logs._held] if logs._held else [])]:
            root.removeHandler(handler)
            handler.close()
        logs._installed.clear()
        logs._installed_path = None
        logs._held = None

    forget_files()
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        yield
    finally:
        forget_files()
        for handler in list(root.handlers):
            if handler not in handlers:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(level)
