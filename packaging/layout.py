"""What goes into the Windows install, in one place (the build and the tests read it).

Install layout (``%LOCALAPPDATA%\\Programs\\ReturnDesk``), mirroring the repository so the
app finds ``resources/`` next to its packages exactly as it does in a checkout::

    ReturnDesk.exe        GUI launcher (no console window), the shortcuts' target
    returndesk.com        console launcher: ``returndesk --self-test``, ``returndesk sync`` ...
    app/  ui/             the app's packages
    resources/            icons, sounds, style, compiled translations (.qm)
    runtime/              embeddable CPython 3.13 (python.exe, pythonw.exe, python313.zip ...)
    runtime/Lib/site-packages/   the win_amd64 wheels, pruned
    uninstall.exe

Qt is pruned by an allow-list: only the Qt modules ``ui/qt.py`` imports are kept, with the
plugins a widgets app needs. The self-test under Wine proves the pruned set still runs,
and the build checks no kept binary imports a DLL that pruning removed.
"""

from __future__ import annotations

import fnmatch
import re

APP_NAME = "Return Desk"
PUBLISHER = "Return Desk developers"
INSTALL_DIR_NAME = "ReturnDesk"          # under %LOCALAPPDATA%\Programs
UNINSTALL_KEY = r"Software\Microsoft\Windows\CurrentVersion\Uninstall\ReturnDesk"
GUI_LAUNCHER = "ReturnDesk.exe"
CONSOLE_LAUNCHER = "returndesk.com"
APP_PACKAGES = ("app", "ui")
USER_DATA_DIR_NAME = "returndesk"        # %LOCALAPPDATA%\returndesk (app.APP_ID; app.settings.data_dir)

#: PySide6 Python modules shipped (``PySide6.<name>``); everything ui/ imports must be here.
QT_MODULES = ("QtCore", "QtGui", "QtWidgets", "QtSvg")

#: PySide6 modules the code mentions but the install leaves out on purpose, with the reason.
QT_MODULES_NOT_SHIPPED = {
    "QtTest": "tests and benches only (ui.qt.load_qtest)",
    "QtMultimedia": "PySide6-Addons, not a dependency: ui.qt falls back when it is absent",
}

#: Files of the PySide6 package kept, as glob patterns relative to ``site-packages/PySide6``.
PYSIDE_KEEP = (
    "__init__.py", "_config.py", "_git_pyside_version.py", "py.typed", "support/*",
    "pyside6.abi3.dll",
    "msvcp140.dll", "msvcp140_1.dll", "msvcp140_2.dll", "concrt140.dll",
    "vcruntime140.dll", "vcruntime140_1.dll",
    *(f"{m}.pyd" for m in QT_MODULES),
    *(f"Qt6{m[2:]}.dll" for m in QT_MODULES),
    "plugins/platforms/qwindows.dll",       # the real screen
    "plugins/platforms/qoffscreen.dll",     # --self-test and headless runs
    "plugins/platforms/qminimal.dll",
    "plugins/styles/qmodernwindowsstyle.dll",
    "plugins/imageformats/qico.dll",
    "plugins/imageformats/qsvg.dll",
    "plugins/imageformats/qjpeg.dll",
    "plugins/imageformats/qgif.dll",
    "plugins/iconengines/qsvgicon.dll",
    "translations/qtbase_zh_CN.qm",          # Qt's own dialogs' strings for the Chinese UI
    "translations/qt_zh_CN.qm",
)

#: Files of shiboken6 kept (the import library, headers and extra MSVC runtimes go).
SHIBOKEN_KEEP = (
    "__init__.py", "_config.py", "_git_shiboken_module_version.py", "py.typed",
    "Shiboken.pyd", "shiboken6.abi3.dll",
    "msvcp140.dll", "msvcp140_1.dll", "msvcp140_2.dll", "concrt140.dll",
    "vcruntime140.dll", "vcruntime140_1.dll",
)

#: Dropped from every other distribution in site-packages.
GENERIC_DROP = ("*/__pycache__/*", "*.pyi", "*/tests/*", "*/test/*", "*.exe",
                "*/include/*", "*.lib", "*.h")
#: Executables of wheels that must survive GENERIC_DROP (none today).
GENERIC_KEEP: tuple[str, ...] = ()


def _match(path: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(path, p) for p in patterns)


def keep_site_file(relpath: str) -> bool:
    """Keep ``relpath`` (``/``-separated, relative to site-packages) in the install?"""
    top, _, rest = relpath.partition("/")
    if top == "PySide6":
        return _match(rest, PYSIDE_KEEP)
    if top == "shiboken6":
        return _match(rest, SHIBOKEN_KEEP)
    if top.endswith(".dist-info"):
        return rest in {"METADATA", "RECORD", "top_level.txt", "entry_points.txt"} \
            or rest.startswith(("licenses/", "LICENSE"))
    if _match(relpath, GENERIC_KEEP):
        return True
    return not _match("/" + relpath, GENERIC_DROP)


_PYSIDE_IMPORT = re.compile(r"\bPySide6\.(Qt\w+)")


def pyside_modules_used(source: str) -> set[str]:
    """``PySide6.QtXxx`` module names a Python source mentions."""
    return set(_PYSIDE_IMPORT.findall(source))
