"""Credentials against a REAL keyring: GNOME Keyring's Secret Service on a private D-Bus session.

The same code path Windows takes with the Credential Manager (that one is exercised by the
installer's smoke test under Wine). The secret must come back, and must not be readable in
any file the keyring or the app wrote.
"""

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SECRET = "rt-" + "Kp4WmZ9s" * 3
KEPT = "kept-" + "Qw7Rt2Yu" * 3  # stays in the keyring, so its file is checked for it

needs = [shutil.which("gnome-keyring-daemon"), shutil.which("dbus-run-session")]
if not all(needs):
    if os.environ.get("CI"):
        pytest.fail("gnome-keyring and dbus are missing: .ci/run must install them", pytrace=False)
    pytestmark = pytest.mark.skip(reason="needs gnome-keyring-daemon and dbus-run-session")

SCRIPT = textwrap.dedent(f"""
    import subprocess, sys, keyring
    from keyring.backends import SecretService
    keyring.set_keyring(SecretService.Keyring())
    from app.credentials import Credentials, Secret
    creds = Credentials()
    assert creds.persistent, creds.problem
    assert "SecretService" in creds.info.name, creds.info.name
    creds.set(Secret.RH_API_TOKEN, {SECRET!r}, "uat")
    creds.set(Secret.RH_API_KEY, {KEPT!r}, "uat")
    print("read-back-ok" if Credentials().get(Secret.RH_API_TOKEN, "uat") == {SECRET!r} else "read-back-bad")
    print("round-trip-ok" if creds.round_trip() else "round-trip-bad")
    # the CLI, in a child process, sees the same keyring and never prints the value
    out = subprocess.run([sys.executable, "-m", "app", "credentials", "show"],
                         capture_output=True, text=True, check=True).stdout
    print("cli-shows-set" if "uat:rh.api_token                 set" in out else "cli-bad:" + out)
    print("cli-leak" if {SECRET!r} in out else "cli-no-leak")
    assert creds.delete(Secret.RH_API_TOKEN, "uat")
    print("deleted-ok" if Credentials().get(Secret.RH_API_TOKEN, "uat") is None else "deleted-bad")
""")


def test_secret_service_round_trip_leaves_no_plaintext(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    env = {**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / ".local/share"),
           "XDG_CONFIG_HOME": str(home / ".config"), "XDG_RUNTIME_DIR": str(tmp_path),
           "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)
    script = tmp_path / "probe.py"
    script.write_text(SCRIPT)
    command = ("echo -n unlock-pass | gnome-keyring-daemon --unlock --components=secrets >/dev/null; "
               f"exec {sys.executable} {script}")
    result = subprocess.run(["dbus-run-session", "--", "sh", "-c", command], env=env,
                            capture_output=True, text=True, timeout=120)
    lines = result.stdout.split()
    assert result.returncode == 0, result.stdout + result.stderr
    assert lines == ["read-back-ok", "round-trip-ok", "cli-shows-set", "cli-no-leak", "deleted-ok"]
    keyring_files = list(home.rglob("*.keyring"))
    assert keyring_files, "the Secret Service did not store anything on disk"
    for path in home.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert SECRET.encode() not in data and KEPT.encode() not in data, path
