"""The core checks of ``--self-test`` (no Qt): each can pass and each can fail."""

from __future__ import annotations

import sys
from pathlib import Path

import keyring
import keyring.backends.fail
import pytest

from app.selftest import (
    WINDOWS_KEYRING,
    Check,
    check_keyring,
    check_store,
    check_tls,
    core_checks,
    format_report,
    timed,
)


def test_core_checks_pass_with_a_working_keyring(tmp_path: Path) -> None:
    checks = core_checks(tmp_path)
    assert [c.name for c in checks] == ["runtime", "keyring", "tls", "store"]
    assert all(c.ok for c in checks), format_report(checks)


def test_keyring_round_trip_leaves_nothing_behind(memory_keyring) -> None:  # type: ignore[no-untyped-def]
    ok, detail = check_keyring()
    assert ok, detail
    assert "MemoryKeyring" in detail
    assert memory_keyring.entries == {}


def test_keyring_check_fails_without_a_usable_backend() -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())
    ok, detail = check_keyring()
    assert not ok
    assert "keyring.backends.fail.Keyring" in detail


def test_keyring_check_on_windows_demands_the_credential_manager(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    ok, detail = check_keyring()
    assert not ok
    assert WINDOWS_KEYRING in detail


def test_tls_check_counts_the_certificates() -> None:
    ok, detail = check_tls()
    assert ok, detail
    assert int(detail.split()[0]) >= 10


def test_store_check_opens_a_real_sqlite_file(tmp_path: Path) -> None:
    ok, detail = check_store(tmp_path)
    assert ok, detail
    assert (tmp_path / "selftest.sqlite3").is_file()


def test_store_check_fails_on_an_unwritable_place(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    check = timed("store", lambda: check_store(blocker))
    assert not check.ok
    assert check.detail


def test_a_crashing_check_is_a_failure_not_a_crash() -> None:
    def boom() -> tuple[bool, str]:
        raise ValueError("broken on purpose")

    check = timed("boom", boom)
    assert not check.ok
    assert "ValueError: broken on purpose" in check.detail


def test_report_names_failures() -> None:
    report = format_report([Check("a", True, "fine"), Check("b", False, "bad")])
    assert "PASS  a" in report and "FAIL  b  bad" in report
    assert report.endswith("result: FAIL (b)")
