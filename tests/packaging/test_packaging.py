"""Fast consistency checks of the Windows packaging (the Wine smoke test itself runs from
``packaging/ci-smoke.sh``): the prune list keeps every Qt module the app imports, the NSIS
script, layout and app agree on names and paths, the lock covers the project's dependencies
the way Windows resolves them, the trust anchors match their pins, the launchers compile."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
sys.path.insert(0, str(PACKAGING))

import build  # noqa: E402
import layout  # noqa: E402

from app import APP_ID, APP_NAME  # noqa: E402

NSI = (PACKAGING / "installer.nsi").read_text(encoding="utf-8")


def nsis_define(name: str) -> str:
    match = re.search(rf'^!define {name} "([^"]*)"', NSI, re.M)
    assert match, f"installer.nsi defines no {name}"
    return match.group(1)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


# -- Qt pruning -------------------------------------------------------------------------------
def test_every_qt_module_the_code_imports_is_shipped_or_excused() -> None:
    used: dict[str, set[str]] = {}
    for source in [*ROOT.joinpath("ui").rglob("*.py"), *ROOT.joinpath("app").rglob("*.py")]:
        for module in layout.pyside_modules_used(source.read_text(encoding="utf-8")):
            used.setdefault(module, set()).add(source.name)
    assert "QtWidgets" in used, "the scan found no Qt import at all: the regex is broken"
    missing = {m: files for m, files in used.items()
               if m not in layout.QT_MODULES and m not in layout.QT_MODULES_NOT_SHIPPED}
    assert not missing, f"imported but pruned from the installer: {missing}"


@pytest.mark.parametrize("module", layout.QT_MODULES)
def test_kept_qt_modules_keep_their_binding_and_library(module: str) -> None:
    assert layout.keep_site_file(f"PySide6/{module}.pyd")
    assert layout.keep_site_file(f"PySide6/Qt6{module[2:]}.dll")


@pytest.mark.parametrize(("path", "kept"), [
    ("PySide6/Qt6Core.dll", True),
    ("PySide6/pyside6.abi3.dll", True),
    ("PySide6/plugins/platforms/qwindows.dll", True),
    ("PySide6/plugins/platforms/qoffscreen.dll", True),
    ("PySide6/plugins/iconengines/qsvgicon.dll", True),
    ("PySide6/translations/qtbase_zh_CN.qm", True),
    ("PySide6/opengl32sw.dll", False),
    ("PySide6/Qt6Quick.dll", False),
    ("PySide6/Qt6Qml.dll", False),
    ("PySide6/QtQml.pyd", False),
    ("PySide6/designer.exe", False),
    ("PySide6/qml/QtQuick/Controls/qmldir", False),
    ("PySide6/translations/designer_zh_CN.qm", False),
    ("PySide6/resources/icudtl.dat", False),
    ("PySide6/QtWidgets.pyi", False),
    ("shiboken6/shiboken6.abi3.dll", True),
    ("shiboken6/include/sbkpython.h", False),
    ("keyring/backends/Windows.py", True),
    ("win32ctypes/pywin32/win32cred.py", True),
    ("anyio/_backends/_asyncio.py", True),
    ("httpx/__pycache__/x.cpython-313.pyc", False),
    ("keyring-25.7.0.dist-info/METADATA", True),
    ("keyring-25.7.0.dist-info/entry_points.txt", True),
])
def test_prune_rules(path: str, kept: bool) -> None:
    assert layout.keep_site_file(path) is kept


# -- the lock (Windows dependency closure) ------------------------------------------------------
def test_lock_covers_the_project_dependencies_as_windows_resolves_them() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    entries = build.lock_entries()
    locked = {canonical(name) for name, _, _ in entries}
    for requirement in project["dependencies"]:
        name = re.match(r"[A-Za-z0-9_.-]+", requirement)
        assert name and canonical(name.group(0)) in locked, f"{requirement} not in the lock"
    # Windows-only dependencies pip's host-marker evaluation would miss:
    assert {"pywin32-ctypes", "tzdata", "psycopg-binary", "shiboken6"} <= locked
    # Linux-only ones it would add:
    assert not locked & {"secretstorage", "jeepney", "cryptography", "cffi"}
    assert all(len(digest) == 64 for _, _, digest in entries)


def test_lock_pins_the_qt_series_the_tests_run() -> None:
    """The installer ships the Qt minor version the test suite exercises (patch may differ)."""
    from importlib.metadata import version

    pins = {canonical(n): v for n, v, _ in build.lock_entries()}
    series = lambda v: v.split(".")[:2]  # noqa: E731
    assert series(pins["pyside6-essentials"]) == series(version("PySide6-Essentials")), \
        "refresh packaging/requirements-win.txt with packaging/lock.py"


# -- installer script, layout and app agree ---------------------------------------------------
def test_nsis_script_matches_layout_and_app() -> None:
    assert nsis_define("UNINSTKEY") == layout.UNINSTALL_KEY
    assert nsis_define("GUIEXE") == layout.GUI_LAUNCHER
    assert nsis_define("CLIEXE") == layout.CONSOLE_LAUNCHER
    assert nsis_define("APPNAME") == layout.APP_NAME == APP_NAME
    assert nsis_define("PUBLISHER") == layout.PUBLISHER
    assert nsis_define("DATADIR") == f"$LOCALAPPDATA\\{layout.USER_DATA_DIR_NAME}"
    assert layout.USER_DATA_DIR_NAME == APP_ID
    assert f'InstallDir "$LOCALAPPDATA\\Programs\\{layout.INSTALL_DIR_NAME}"' in NSI
    assert "RequestExecutionLevel user" in NSI
    assert "HKLM" not in NSI, "a per-user install writes only HKCU"


def test_nsis_removes_exactly_the_program_folders_it_installs() -> None:
    macro = NSI.split("!macro RemoveProgramFiles", 1)[1].split("!macroend", 1)[0]
    removed = set(re.findall(r'RMDir /r "\$INSTDIR\\(\w+)"', macro))
    assert removed == {*layout.APP_PACKAGES, "resources", "runtime"}
    assert 'RMDir /r "$INSTDIR"' not in NSI, "never delete the whole install folder recursively"
    uninstall = NSI.split('Section "Uninstall"', 1)[1]
    purge = uninstall.split('"/PURGE"', 1)[1]
    assert 'RMDir /r "${DATADIR}"' in purge, "user data goes only when asked (/PURGE or Yes)"
    assert 'RMDir /r "${DATADIR}"' not in uninstall.split('"/PURGE"', 1)[0]


def test_runtime_path_file_finds_the_app_and_the_wheels() -> None:
    source = Path(build.__file__).read_text(encoding="utf-8")
    pth = re.search(r'python313\._pth"\)\.write_text\(\s*"([^"]+)"', source)
    assert pth, "build.py no longer writes python313._pth"
    entries = pth.group(1).split("\\n")
    assert "python313.zip" in entries
    assert "Lib\\\\site-packages" in entries
    assert ".." in entries, "the install folder (app/, ui/) must be on sys.path"
    assert not any(e.startswith("import site") for e in entries)


def test_launcher_runs_the_ui_package() -> None:
    source = (PACKAGING / "launcher" / "launcher.c").read_text(encoding="utf-8")
    assert '-m ui' in source
    assert 'L"runtime\\\\pythonw.exe"' in source and 'L"runtime\\\\python.exe"' in source
    main = (ROOT / "ui" / "__main__.py").read_text(encoding="utf-8")
    assert "from ui.launcher import main" in main


def test_ui_finds_resources_where_the_installer_puts_them() -> None:
    """``ui`` and ``resources`` are siblings in the install, as in the repository."""
    from ui.i18n import resources_dir

    assert resources_dir() == ROOT / "resources"
    assert (ROOT / "resources" / "icons" / "returndesk.svg").is_file()


# -- trust anchors and tools ------------------------------------------------------------------
@pytest.mark.skipif(not shutil.which("openssl"), reason="openssl not installed")
def test_trust_anchors_match_their_pinned_fingerprints() -> None:
    assert build.check_trust_anchors().is_file()


@pytest.mark.skipif(not shutil.which("x86_64-w64-mingw32-gcc"), reason="mingw-w64 not installed")
def test_launchers_compile_with_the_right_subsystems(tmp_path: Path) -> None:
    source = PACKAGING / "launcher" / "launcher.c"
    for flags, subsystem in ((["-mwindows"], "(Windows GUI)"),
                             (["-mconsole", "-DRD_CONSOLE"], "(Windows CUI)")):
        exe = tmp_path / "launcher.exe"
        subprocess.run(["x86_64-w64-mingw32-gcc", *flags, "-Os", "-municode", "-Wall", "-Wextra",
                        "-Werror", str(source), "-o", str(exe)], check=True)
        dump = subprocess.run(["x86_64-w64-mingw32-objdump", "-p", str(exe)], check=True,
                              capture_output=True, text=True).stdout
        assert subsystem in dump
        assert "CreateProcessW" in dump
