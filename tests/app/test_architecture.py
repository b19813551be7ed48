"""The core never imports Qt: checked by importing every app module in a fresh interpreter,
and by the import-linter contract in pyproject.toml (which also catches indirect imports)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORBIDDEN = ("PySide6", "shiboken6", "qasync", "ui")


def test_importing_every_core_module_loads_no_qt() -> None:
    script = f"""
import importlib, json, pkgutil, sys
sys.path.insert(0, {str(ROOT)!r})
import app
failed = {{}}
for info in pkgutil.walk_packages(app.__path__, "app."):
    if info.name.endswith("__main__"):
        continue
    try:
        importlib.import_module(info.name)
    except Exception as exc:
        failed[info.name] = repr(exc)
bad = sorted(m for m in sys.modules if m.split(".")[0] in {FORBIDDEN!r})
count = len([m for m in sys.modules if m.startswith("app")])
print(json.dumps({{"bad": bad, "failed": failed, "count": count}}))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["bad"] == [], f"core modules pulled in Qt/UI: {report['bad']}"
    assert report["failed"] == {}, report["failed"]
    assert report["count"] > 10  # the walk really imported the core


def test_import_linter_contract_holds() -> None:
    lint = shutil.which("lint-imports") or str(Path(sys.executable).parent / "lint-imports")
    if not Path(lint).exists():
        pytest.fail("lint-imports is missing: install the test extra (pip install -e '.[test]')")
    result = subprocess.run([lint], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "KEPT" in result.stdout


def test_ui_imports_qt_only_through_ui_qt() -> None:
    offenders = []
    for path in (ROOT / "ui").rglob("*.py"):
        if path.name == "qt.py" and path.parent == ROOT / "ui":
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith(("from PySide6", "import PySide6", "from shiboken6", "import shiboken6")):
                offenders.append(f"{path.relative_to(ROOT)}: {stripped}")
    assert offenders == []
