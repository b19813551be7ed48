"""``returndesk --self-test`` on Linux, offscreen: the same code the Wine smoke test runs on
the installed Windows build (there with the Windows keyring backend)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from ui.selftest import REPORT_ENV, SCREENSHOT_ENV, run_self_test

ROOT = Path(__file__).resolve().parents[2]


def test_self_test_passes_offscreen(capsys: pytest.CaptureFixture[str]) -> None:
    code = run_self_test(None)
    out = capsys.readouterr().out
    assert "result: PASS" in out, out
    assert code == 0
    for name in ("qt", "runtime", "keyring", "tls", "store", "resources", "window"):
        assert f"PASS  {name}" in out, out
    assert "MainWindow shown on platform offscreen" in out, "the real main window, not the stand-in"


def test_self_test_saves_a_screenshot_when_asked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from ui.qt import QImage

    shot = tmp_path / "window.png"
    monkeypatch.setenv(SCREENSHOT_ENV, str(shot))
    run_self_test(None)
    image = QImage(str(shot))
    assert not image.isNull()
    assert image.width() > 400 and image.height() > 300


def test_self_test_fails_without_a_usable_keyring(capsys: pytest.CaptureFixture[str]) -> None:
    previous = keyring.get_keyring()
    keyring.set_keyring(keyring.backends.fail.Keyring())
    try:
        code = run_self_test(None)
    finally:
        keyring.set_keyring(previous)
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL  keyring" in out
    assert "result: FAIL (keyring" in out


def test_self_test_writes_the_report_file_for_the_no_console_launcher(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    report = tmp_path / "report.txt"
    monkeypatch.setenv(REPORT_ENV, str(report))
    run_self_test(None)
    printed = capsys.readouterr().out
    assert report.read_text(encoding="utf-8").strip() == printed.strip()


def test_installed_command_runs_the_self_test_and_exits(tmp_path: Path) -> None:
    """``python -m ui --self-test`` in its own process ends by itself with the report."""
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT),
               PYTHON_KEYRING_BACKEND="tests.fixtures.keyring_memory.MemoryKeyring")
    result = subprocess.run([sys.executable, "-m", "ui", "--self-test"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120, check=False)
    assert "PASS  keyring    backend tests.fixtures.keyring_memory.MemoryKeyring" in result.stdout, \
        result.stdout + result.stderr
    assert "PASS  window" in result.stdout
    assert result.returncode == (0 if "result: PASS" in result.stdout else 1)
