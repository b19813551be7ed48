"""Smoke-test the installer under Wine, in a fresh prefix: ``python packaging/wine/smoke.py [SETUP]``.

Checks effects, never just exit codes (an installer stub can exit 0 having done nothing):
1. silent install (``/S /DESKTOP``): program files, Start-menu and desktop shortcuts pointing at
   the GUI launcher, the HKCU uninstall entry with version and publisher; launchers carry the
   icon and the right subsystems (GUI without console / console);
2. ``returndesk --self-test`` (console launcher, QT_QPA_PLATFORM=offscreen): every check PASS,
   the Windows keyring backend (WinVaultKeyring) found, the real main window painted;
2b. TLS: a loopback HTTPS server signed by a throwaway root is refused, then trusted once the
   root is in Windows' certificate store (as an IT department's TLS-inspection root would be);
2c. a SQLite store on a network drive (N: made one as winecfg does) is refused with a
   message; on a local drive the same command opens it;
2d. ``returndesk check`` with nothing configured: store, Windows keyring and TLS pass, the
   missing credentials fail by name;
3. the no-console launcher (``ReturnDesk.exe --self-test``) writes the same PASS report to a file;
4. upgrade and uninstall refused (exit 3, nothing touched) while a copy runs; settings file + a
   keyring entry + a stale program file, the installer again: settings and keyring entry
   kept and read by the app, stale file gone;
5. silent uninstall: program files, shortcuts and the registry entry gone, user data and the
   keyring entry kept; then reinstall + ``uninstall /S /PURGE``: user data gone too.

With xvfb-run present, the self-test also runs on Qt's real Windows platform plugin under
Wine's X11 driver (screenshot kept with ``--screenshots DIR``).

Test-harness-only workarounds for Wine 8 (never in the installer): stand-in icuuc.dll and
mscms.dll in the prefix's system32 (standins.py), _wmi.pyd moved out of the test install
(CPython 3.13's ``platform`` calls a WMI query Wine does not implement; without the module it
falls back), and QT_QPA_PLATFORM set in HKCU\\Environment (Wine 8 does not pass it on).
Prints each step's time. Exit 0 when every check passed.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import layout  # noqa: E402
import standins  # noqa: E402
from smoke_setup import SetupSteps  # noqa: E402

SELFTEST_TIMEOUT_S = 300
PROCESS_TIMEOUT_S = 600


class Smoke(SetupSteps):
    def __init__(self, installer: Path, prefix: Path, version: str) -> None:
        self.installer = installer
        self.prefix = prefix
        self.version = version
        self.keep_dir: Path | None = None
        self.passed: list[str] = []
        self.failed: list[str] = []
        self.timings: dict[str, float] = {}
        self.env = dict(os.environ)
        self.env.update(WINEPREFIX=str(prefix), WINEDEBUG="-all", WINEARCH="win64",
                        # no Mono/Gecko install prompts on first boot (no network, no UI)
                        WINEDLLOVERRIDES="mscoree=;mshtml=", QT_QPA_PLATFORM="offscreen")
        self.env.pop("DISPLAY", None)
        self.env.pop("WAYLAND_DISPLAY", None)
        # A Windows desk has none of the Unix host's certificate variables (Wine passes the
        # environment on): with them set, the app would trust their Unix file instead of Windows.
        self.env.pop("SSL_CERT_FILE", None)
        self.env.pop("SSL_CERT_DIR", None)

    # -- helpers -----------------------------------------------------------------------------
    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        (self.passed if ok else self.failed).append(name)
        print(f"  {'PASS' if ok else 'FAIL'}  {name}{': ' + detail if detail and not ok else ''}",
              flush=True)
        return ok

    def wine(self, *args: str, timeout: float = PROCESS_TIMEOUT_S,
             env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["wine", *args], env=env or self.env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, errors="replace", timeout=timeout,
                              check=False)

    def wait_server(self) -> None:
        """Wait until every Wine process of the prefix has ended (and the registry is saved)."""
        subprocess.run(["wineserver", "-w"], env=self.env, check=False, timeout=PROCESS_TIMEOUT_S)

    def step(self, name: str, start: float) -> None:
        self.timings[name] = time.monotonic() - start
        print(f"[smoke] {name}: {self.timings[name]:.1f} s", flush=True)

    def windows_path(self, path: Path) -> str:
        drive_c = self.prefix / "drive_c"
        try:
            return "C:\\" + str(path.relative_to(drive_c)).replace("/", "\\")
        except ValueError:
            return "Z:" + str(path).replace("/", "\\")

    @property
    def user_dir(self) -> Path:
        users = [p for p in (self.prefix / "drive_c" / "users").iterdir()
                 if p.is_dir() and p.name != "Public"]
        if len(users) != 1:
            raise SystemExit(f"cannot tell the Wine user's folder among {users}")
        return users[0]

    @property
    def install_dir(self) -> Path:
        return self.user_dir / "AppData" / "Local" / "Programs" / layout.INSTALL_DIR_NAME

    @property
    def data_dir(self) -> Path:
        return self.user_dir / "AppData" / "Local" / layout.USER_DATA_DIR_NAME

    @property
    def start_menu_link(self) -> Path:
        return (self.user_dir / "AppData" / "Roaming" / "Microsoft" / "Windows" / "Start Menu"
                / "Programs" / f"{layout.APP_NAME}.lnk")

    @property
    def desktop_link(self) -> Path:
        return self.user_dir / "Desktop" / f"{layout.APP_NAME}.lnk"

    def uninstall_entry(self) -> dict[str, str] | None:
        """The HKCU uninstall key's values, read from the prefix's saved user.reg."""
        text = (self.prefix / "user.reg").read_text(encoding="utf-8", errors="replace")
        key = "[" + layout.UNINSTALL_KEY.replace("\\", "\\\\") + "]"
        start = text.find(key)
        if start < 0:
            return None
        block = text[start:].split("\n\n", 1)[0]
        values = {}
        for match in re.finditer(r'^"([^"]+)"=(?:"((?:[^"\\]|\\.)*)"|(dword:[0-9a-f]+))$', block, re.M):
            values[match.group(1)] = (match.group(2) or match.group(3) or "").replace("\\\\", "\\")
        return values

    def python(self, code: str) -> subprocess.CompletedProcess[str]:
        return self.wine(str(self.install_dir / "runtime" / "python.exe"), "-c", code)

    def apply_harness_workarounds(self) -> None:
        """Wine 8 gaps, test prefix only (see the module docstring)."""
        wmi = self.install_dir / "runtime" / "_wmi.pyd"
        if wmi.exists():
            wmi.rename(self.prefix / "_wmi.pyd.removed-by-smoke-test")

    # -- steps -----------------------------------------------------------------------------------
    def boot(self) -> None:
        start = time.monotonic()
        subprocess.run(["wineboot", "--init"], env=self.env, stdin=subprocess.DEVNULL,
                       capture_output=True, check=False, timeout=PROCESS_TIMEOUT_S)
        self.wait_server()
        self.step("wine prefix first boot", start)
        if not self.check("wine prefix created", (self.prefix / "system.reg").exists()):
            raise SystemExit("wineboot did not create the prefix")

    @property
    def pyside_dir(self) -> Path:
        return self.install_dir / "runtime" / "Lib" / "site-packages" / "PySide6"

    def install_standin(self, kind: str, work: Path) -> None:
        """Build a harness-only stand-in DLL (standins.py) into the prefix's system32."""
        dll = work / "standins" / f"{kind}.dll"
        if kind == "icuuc":
            names = standins.build_icuuc(self.pyside_dir / "Qt6Core.dll", dll)
        else:
            names = standins.build_mscms(self.pyside_dir / "plugins" / "platforms" / "qwindows.dll", dll)
        shutil.copy2(dll, self.prefix / "drive_c" / "windows" / "system32" / dll.name)
        print(f"[smoke] harness: {dll.name} stand-in ({len(names)} exports) in system32", flush=True)

    def set_qt_platform(self, name: str) -> None:
        """QT_QPA_PLATFORM for Windows processes. Wine 8 does not pass this variable on from
        the Unix environment, so it goes where Windows keeps user variables (HKCU\\Environment)."""
        result = self.wine("reg", "add", "HKCU\\Environment", "/v", "QT_QPA_PLATFORM", "/d", name, "/f")
        if result.returncode != 0:
            raise SystemExit(f"cannot set QT_QPA_PLATFORM in the prefix: {result.stderr}")

    def install(self, *flags: str) -> None:
        start = time.monotonic()
        self.wine(str(self.installer), "/S", *flags)
        self.wait_server()
        self.step(f"silent install {' '.join(flags)}".strip(), start)

    def check_installed(self) -> None:
        inst = self.install_dir
        expected = [layout.GUI_LAUNCHER, layout.CONSOLE_LAUNCHER, "uninstall.exe",
                    "runtime/python.exe", "runtime/pythonw.exe", "runtime/python313.zip",
                    "runtime/python313._pth", "app/__init__.py", "ui/selftest.py",
                    "resources/icons/returndesk.svg",
                    "runtime/Lib/site-packages/PySide6/Qt6Core.dll",
                    "runtime/Lib/site-packages/PySide6/plugins/platforms/qwindows.dll",
                    "runtime/Lib/site-packages/keyring/backends/Windows.py",
                    "runtime/Lib/site-packages/win32ctypes/__init__.py"]
        missing = [p for p in expected if not (inst / p).is_file()]
        self.check("program files installed", not missing, f"missing {missing}")
        qms = list((inst / "resources" / "translations").glob("*.qm"))
        self.check("compiled translations installed", bool(qms), "no .qm file")
        absent = [p for p in ("runtime/Lib/site-packages/PySide6/opengl32sw.dll",
                              "runtime/Lib/site-packages/PySide6/Qt6Quick.dll",
                              "runtime/Lib/site-packages/PySide6/designer.exe")
                  if (inst / p).exists()]
        self.check("pruned Qt parts absent", not absent, f"present {absent}")
        # Compiled by the installer (compileall), before anything ran the app.
        compiled = ["app/__pycache__/desk.cpython-313.pyc", "ui/__pycache__/window.cpython-313.pyc",
                    "runtime/Lib/site-packages/httpx/__pycache__/_client.cpython-313.pyc"]
        uncompiled = [p for p in compiled if not (inst / p).is_file()]
        self.check("bytecode compiled at install", not uncompiled, f"missing {uncompiled}")
        gui_exe = str(inst / layout.GUI_LAUNCHER)
        for link in (self.start_menu_link, self.desktop_link):
            data = link.read_bytes() if link.is_file() else b""
            ok = layout.GUI_LAUNCHER.encode("utf-16-le") in data or layout.GUI_LAUNCHER.encode() in data
            self.check(f"shortcut {link.parent.name}/{link.name} -> {layout.GUI_LAUNCHER}", ok,
                       f"{link} missing or not pointing at {gui_exe}")
        entry = self.uninstall_entry() or {}
        self.check("HKCU uninstall entry", entry.get("DisplayVersion") == self.version
                   and entry.get("Publisher") == layout.PUBLISHER
                   and entry.get("DisplayName") == layout.APP_NAME
                   and "uninstall.exe" in entry.get("UninstallString", "")
                   and entry.get("InstallLocation", "").endswith(layout.INSTALL_DIR_NAME),
                   f"{entry}")
        for exe, subsystem in ((layout.GUI_LAUNCHER, "(Windows GUI)"),
                               (layout.CONSOLE_LAUNCHER, "(Windows CUI)")):
            dump = subprocess.run(["x86_64-w64-mingw32-objdump", "-p", str(inst / exe)],
                                  capture_output=True, text=True, check=False).stdout
            rc = subprocess.run(["x86_64-w64-mingw32-windres", "-i", str(inst / exe), "-O", "rc"],
                                capture_output=True, text=True, check=False).stdout
            self.check(f"{exe}: {subsystem} subsystem, app icon",
                       subsystem in dump and "RT_GROUP_ICON" in rc, "wrong subsystem or no icon")

    def self_test(self) -> None:
        start = time.monotonic()
        try:
            result = self.wine(str(self.install_dir / layout.CONSOLE_LAUNCHER), "--self-test",
                               timeout=SELFTEST_TIMEOUT_S)
            out, code = result.stdout, result.returncode
        except subprocess.TimeoutExpired as exc:
            out, code = str(exc.stdout or ""), -1
        self.step("returndesk --self-test", start)
        print("\n".join("    " + line for line in out.splitlines()), flush=True)
        self.check("self-test ended promptly", code != -1, f"no end within {SELFTEST_TIMEOUT_S} s")
        self.check("self-test: Windows keyring backend, round trip",
                   bool(re.search(r"PASS\s+keyring\s+backend "
                                  r"keyring\.backends\.Windows\.WinVaultKeyring", out)),
                   "keyring line missing or failed")
        self.check("self-test: TLS certificates", bool(re.search(r"PASS\s+tls\s", out)))
        self.check("self-test: main window painted offscreen",
                   bool(re.search(r"PASS\s+window\s+MainWindow shown on platform offscreen", out)),
                   "window line missing or failed")
        self.check("self-test: report PASS and exit code 0",
                   "result: PASS" in out and code == 0, f"exit code {code}")

    def gui_self_test(self, work: Path) -> None:
        report = work / "gui-selftest.txt"
        env = dict(self.env, RETURNDESK_SELFTEST_REPORT=self.windows_path(report))
        start = time.monotonic()
        try:
            result = self.wine(str(self.install_dir / layout.GUI_LAUNCHER), "--self-test",
                               timeout=SELFTEST_TIMEOUT_S, env=env)
            code = result.returncode
        except subprocess.TimeoutExpired:
            code = -1
        self.step("ReturnDesk.exe --self-test (no console)", start)
        text = report.read_text(encoding="utf-8", errors="replace") if report.exists() else ""
        self.check("no-console launcher runs the app (report file PASS)",
                   "result: PASS" in text and code == 0, f"exit {code}, report {text[-300:]!r}")

    def real_platform(self, work: Path) -> None:
        """The real Windows platform plugin (qwindows.dll) under Wine's X11 driver on Xvfb."""
        if not shutil.which("xvfb-run"):
            print("  SKIP  real Windows platform plugin: xvfb-run not installed", flush=True)
            return
        self.install_standin("mscms", work)
        self.set_qt_platform("windows")
        shot = work / "window-wine-qwindows.png"
        env = dict(self.env, RETURNDESK_SELFTEST_SCREENSHOT=self.windows_path(shot),
                   WINEDLLOVERRIDES=self.env["WINEDLLOVERRIDES"] + ";mscms=n,b")
        start = time.monotonic()
        try:
            result = subprocess.run(
                ["xvfb-run", "-a", "-s", "-screen 0 1600x1000x24", "wine",
                 str(self.install_dir / layout.CONSOLE_LAUNCHER), "--self-test"],
                env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                errors="replace", timeout=SELFTEST_TIMEOUT_S, check=False)
            out, code = result.stdout, result.returncode
        except subprocess.TimeoutExpired as exc:
            out, code = str(exc.stdout or ""), -1
        finally:
            # Wine's desktop process was bound to that X server: restart the prefix's processes.
            subprocess.run(["wineserver", "-k"], env=self.env, check=False)
            self.wait_server()
            self.set_qt_platform("offscreen")
        self.step("returndesk --self-test on qwindows/Xvfb", start)
        print("\n".join("    " + line for line in out.splitlines() if "window" in line), flush=True)
        painted = shot.exists() and shot.stat().st_size > 5000
        if painted and self.keep_dir:
            shutil.copy2(shot, self.keep_dir / shot.name)
        self.check("real Windows platform plugin: main window painted under Xvfb",
                   bool(re.search(r"PASS\s+window\s+MainWindow shown on platform windows", out))
                   and painted and code != -1, f"exit {code}, screenshot {painted}")

    def upgrade(self) -> None:
        settings = self.data_dir / "settings.json"
        settings.parent.mkdir(parents=True, exist_ok=True)
        settings.write_text('{"language": "zh_CN", "desk": "smoke-desk"}\n', encoding="utf-8")
        stored = self.python("import keyring; keyring.set_password('ReturnDesk.smoke', 'probe', 'kept-1')")
        self.check("keyring entry written before upgrade", stored.returncode == 0, stored.stderr[-500:])
        stale = self.install_dir / "app" / "stale_module_from_old_version.py"
        stale.write_text("raise SystemExit('stale')\n", encoding="utf-8")
        self.install()
        self.apply_harness_workarounds()
        self.check("upgrade: stale program file removed", not stale.exists())
        self.check("upgrade: program files present",
                   (self.install_dir / layout.CONSOLE_LAUNCHER).is_file()
                   and (self.install_dir / "runtime" / "python.exe").is_file())
        self.check("upgrade: settings kept", settings.is_file()
                   and "smoke-desk" in settings.read_text(encoding="utf-8"))
        self.check("upgrade: keyring entry kept", self.keyring_probe() == "kept-1")
        seen = self.python("from app.settings import load, settings_path; "
                           "print(settings_path()); print(load().desk)")
        lines = seen.stdout.strip().splitlines()
        self.check("upgrade: the app reads the kept settings file",
                   lines[-1:] == ["smoke-desk"] and lines[0].lower() == self.windows_path(settings).lower(),
                   f"{seen.stdout.strip()!r} {seen.stderr[-300:]!r}")

    def refused_while_running(self, work: Path) -> None:
        """A running copy keeps its DLLs open: installer and uninstaller stop, changing nothing."""
        started, hold = work / "app-started", work / "app-hold"
        hold.write_text("hold")
        code = (f"import os, time; open(r'{self.windows_path(started)}', 'w').close()\n"
                f"while os.path.exists(r'{self.windows_path(hold)}'): time.sleep(0.1)")
        app = subprocess.Popen(["wine", str(self.install_dir / "runtime" / "python.exe"), "-c", code],
                               env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 120
            while not started.exists() and time.monotonic() < deadline and app.poll() is None:
                time.sleep(0.2)  # polling for the app's own "started" file, with a deadline
            marker = self.install_dir / "app" / "marker_kept_while_running.py"
            marker.write_text("# the installer must not touch a running copy\n", encoding="utf-8")
            result = self.wine(str(self.installer), "/S")
            self.check("upgrade over a running copy refused, nothing changed",
                       started.exists() and result.returncode == 3 and marker.exists(),
                       f"app started={started.exists()}, installer exit {result.returncode}, "
                       f"marker kept={marker.exists()}")
            # _?= runs the uninstaller in place (no copy to %TEMP%), so its exit code is its own.
            uninstall = self.wine(str(self.install_dir / "uninstall.exe"), "/S",
                                  "_?=" + self.windows_path(self.install_dir))
        finally:
            hold.unlink(missing_ok=True)
            try:
                app.wait(timeout=60)
            except subprocess.TimeoutExpired:
                app.kill()
            self.wait_server()  # also saves the registry to user.reg
        self.check("uninstall of a running copy refused, nothing removed",
                   uninstall.returncode == 3 and marker.exists()
                   and (self.install_dir / layout.GUI_LAUNCHER).exists()
                   and self.uninstall_entry() is not None and self.start_menu_link.exists(),
                   f"uninstaller exit {uninstall.returncode}")

    def keyring_probe(self) -> str:
        result = self.python("import keyring; print(keyring.get_password('ReturnDesk.smoke', 'probe'))")
        return result.stdout.strip()

    def uninstall(self, *flags: str) -> None:
        start = time.monotonic()
        self.wine(str(self.install_dir / "uninstall.exe"), "/S", *flags)
        self.wait_server()  # the uninstaller re-runs itself from %TEMP%: wait for every process
        self.step(f"silent uninstall {' '.join(flags)}".strip(), start)

    def check_uninstalled(self, purged: bool) -> None:
        tag = "purge" if purged else "uninstall"
        left = [str(p.relative_to(self.install_dir)) for p in self.install_dir.rglob("*")] \
            if self.install_dir.exists() else []
        self.check(f"{tag}: install folder gone", not self.install_dir.exists(), f"left {left[:10]}")
        self.check(f"{tag}: shortcuts gone",
                   not self.start_menu_link.exists() and not self.desktop_link.exists())
        self.check(f"{tag}: HKCU uninstall entry gone", self.uninstall_entry() is None)
        if purged:
            self.check("purge: user data deleted", not self.data_dir.exists())
        else:
            self.check("uninstall: user data kept", (self.data_dir / "settings.json").is_file())

    def keyring_after_uninstall(self) -> None:
        # The runtime is gone with the app: read Wine's credential store directly.
        text = (self.prefix / "user.reg").read_text(encoding="utf-8", errors="replace")
        self.check("uninstall: keyring entries kept", "ReturnDesk.smoke" in text,
                   "the test credential vanished from Wine's credential store")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Smoke-test the installer under Wine.")
    parser.add_argument("installer", nargs="?", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the Wine prefix for inspection")
    parser.add_argument("--screenshots", type=Path, metavar="DIR",
                        help="copy the window screenshot taken under Wine here")
    args = parser.parse_args(argv)
    dist = HERE.parent / "dist"
    installer = args.installer or max(dist.glob("ReturnDesk-Setup-*.exe"),
                                      key=lambda p: p.stat().st_mtime, default=None)
    if installer is None or not installer.is_file():
        print("no installer: run packaging/build.py first", file=sys.stderr)
        return 2
    version = re.sub(r"^ReturnDesk-Setup-(.+)\.exe$", r"\1", installer.name)
    for tool in ("wine", "wineboot", "wineserver", "x86_64-w64-mingw32-gcc"):
        if not shutil.which(tool):
            print(f"{tool} is missing (apt-get install $(cat packaging/apt-packages.txt))",
                  file=sys.stderr)
            return 2
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="returndesk-wine-"))
    smoke = Smoke(installer.resolve(), work / "prefix", version)
    smoke.keep_dir = args.screenshots
    print(f"[smoke] {installer.name} ({installer.stat().st_size / 1e6:.1f} MB) in {smoke.prefix}")
    try:
        smoke.boot()
        smoke.set_qt_platform("offscreen")
        smoke.install("/DESKTOP")
        smoke.check_installed()
        smoke.apply_harness_workarounds()
        smoke.install_standin("icuuc", work)
        smoke.self_test()
        smoke.tls_windows_store(work)
        smoke.network_drive_store(work)
        smoke.setup_check()
        smoke.gui_self_test(work)
        smoke.real_platform(work)
        smoke.refused_while_running(work)
        smoke.upgrade()
        smoke.uninstall()
        smoke.check_uninstalled(purged=False)
        smoke.keyring_after_uninstall()
        smoke.install()
        smoke.apply_harness_workarounds()
        smoke.uninstall("/PURGE")
        smoke.check_uninstalled(purged=True)
    finally:
        subprocess.run(["wineserver", "-k"], env=smoke.env, check=False)
        if args.keep:
            print(f"[smoke] prefix kept: {smoke.prefix}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    total = time.monotonic() - started
    print(f"[smoke] total {total:.0f} s; " + ", ".join(f"{k} {v:.0f} s" for k, v in smoke.timings.items()))
    if smoke.failed:
        print("[smoke] failed: " + "; ".join(smoke.failed))
    print(f"wine smoke: {len(smoke.passed)} passed, {len(smoke.failed)} failed")
    return 1 if smoke.failed else 0


if __name__ == "__main__":
    sys.exit(main())
