"""``ui.qt`` looks each Qt name up on first use (PySide6 makes a class's Python type then,
and some cost milliseconds: QStyle's enums ~15 ms), so the window's start-up makes only the
types it uses."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_names_resolve_on_first_use_and_unknown_names_fail() -> None:
    import ui.qt
    from ui.qt import Qt, QTableView

    assert QTableView.__module__ == "PySide6.QtWidgets"
    assert Qt.AlignmentFlag.AlignRight
    assert "QTableView" in vars(ui.qt)  # kept once looked up
    with pytest.raises(AttributeError):
        ui.qt.QNoSuchThing  # noqa: B018 - the lookup is the test
    with pytest.raises(AttributeError):
        ui.qt.QSoundEffect  # noqa: B018 - not in the shipped wheel, never offered here


def test_opening_the_window_module_leaves_unused_types_unmade() -> None:
    code = ("import ui.window, ui.qt as q; "
            "print(' '.join(n for n in ('QStyle', 'QSpinBox', 'QTabWidget') if n in vars(q)))")
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == ""  # the settings dialog's and the style's types wait


def test_modules_imported_after_qt_are_not_read_for_the_word_pyside(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import linecache

    import ui.qt  # noqa: F401 - PySide6 and its import hook are in place

    module = tmp_path / "freshly_written_module.py"
    module.write_text("VALUE = 42  # mentions PySide6 in a comment\n", encoding="utf-8")
    read: list[str] = []
    original = linecache.updatecache

    def spy(filename: str, module_globals: object = None) -> list[str]:
        read.append(filename)
        return original(filename, module_globals)  # type: ignore[arg-type]

    monkeypatch.setattr(linecache, "updatecache", spy)
    monkeypatch.syspath_prepend(str(tmp_path))
    import freshly_written_module  # type: ignore[import-not-found]

    assert freshly_written_module.VALUE == 42
    assert str(module) not in read
