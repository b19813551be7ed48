"""Secrets through the keyring only; never a file, never a log line."""

import argparse
import io
import logging
from pathlib import Path

import keyring
import keyring.backends.fail
import keyring.backends.null
import pytest

from app import logs, settings
from app.commands import credentials_command
from app.credentials import SERVICE, Credentials, CredentialsError, Secret, check_backend
from tests.fixtures.keyring_memory import MemoryKeyring

SECRET_VALUE = "tok-" + "Zq81xPw0" * 3


def test_round_trip_per_environment(memory_keyring: MemoryKeyring) -> None:
    creds = Credentials()
    assert creds.persistent
    creds.set(Secret.RH_API_TOKEN, SECRET_VALUE, "uat")
    assert memory_keyring.entries[(SERVICE, "uat:rh.api_token")] == SECRET_VALUE
    assert creds.get(Secret.RH_API_TOKEN, "uat") == SECRET_VALUE
    assert creds.get(Secret.RH_API_TOKEN, "production") is None
    assert creds.delete(Secret.RH_API_TOKEN, "uat")
    assert not creds.delete(Secret.RH_API_TOKEN, "uat")


def test_per_environment_secrets_need_a_scope() -> None:
    with pytest.raises(CredentialsError, match="per environment"):
        Credentials().get(Secret.RH_API_KEY)


@pytest.mark.parametrize("backend", [keyring.backends.fail.Keyring(), keyring.backends.null.Keyring()])
def test_without_a_usable_keyring_secrets_stay_in_memory_and_we_say_so(backend: object) -> None:
    creds = Credentials(backend)  # type: ignore[arg-type]
    assert not creds.persistent
    assert creds.problem and "memory" in creds.problem
    creds.set(Secret.WINIT_TOKEN, SECRET_VALUE)
    assert creds.get(Secret.WINIT_TOKEN) == SECRET_VALUE
    assert Credentials(backend).get(Secret.WINIT_TOKEN) is None  # type: ignore[arg-type]


def test_plaintext_file_backends_are_refused() -> None:
    class PlaintextKeyring(MemoryKeyring):
        pass
    PlaintextKeyring.__module__ = "keyrings.alt.file"
    assert not check_backend(PlaintextKeyring()).persistent


def _args(**kw: object) -> argparse.Namespace:
    return argparse.Namespace(**{"scope": None, "stdin": True, "name": None, **kw})


def test_cli_set_show_delete_never_prints_the_value(monkeypatch: pytest.MonkeyPatch,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(SECRET_VALUE + "\n"))
    cfg = settings.Settings()
    assert credentials_command(_args(action="set", name="rh.api_token"), cfg) == 0
    assert credentials_command(_args(action="show"), cfg) == 0
    out = capsys.readouterr().out
    assert "uat:rh.api_token" in out and "not set" in out and SECRET_VALUE not in out
    assert Credentials().get(Secret.RH_API_TOKEN, "uat") == SECRET_VALUE
    assert credentials_command(_args(action="delete", name="rh.api_token"), cfg) == 0
    assert Credentials().get(Secret.RH_API_TOKEN, "uat") is None


def test_cli_set_without_a_usable_keyring_saves_nothing_and_says_so(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Memory would be gone when the command ends: no prompt, no \"saved\", exit 1."""
    stdin = io.StringIO(SECRET_VALUE + "\n")
    monkeypatch.setattr("sys.stdin", stdin)
    creds = Credentials(keyring.backends.fail.Keyring())  # type: ignore[arg-type]
    assert credentials_command(_args(action="set", name="winit.token"), settings.Settings(),
                               creds) == 1
    captured = capsys.readouterr()
    assert "winit.token: not saved: no usable OS keyring" in captured.err
    assert "saved to" not in captured.out + captured.err
    assert SECRET_VALUE not in captured.out + captured.err
    assert stdin.read() == SECRET_VALUE + "\n"  # never read
    assert creds.get(Secret.WINIT_TOKEN) is None


def test_cli_rejects_unknown_secret_names(capsys: pytest.CaptureFixture[str]) -> None:
    assert credentials_command(_args(action="delete", name="rh.password"), settings.Settings()) == 1
    assert "unknown secret" in capsys.readouterr().err


def test_secrets_never_reach_the_log_file_or_settings(isolated_dirs: Path) -> None:
    log_path = logs.setup_logging("test-secrets", console=False)
    creds = Credentials()
    creds.set(Secret.RH_SIGNING_KEY, SECRET_VALUE, "uat")
    creds.get(Secret.RH_SIGNING_KEY, "uat")
    logging.getLogger("x").warning("oops, a header slipped: x-rr-apitoken: %s", SECRET_VALUE)
    logging.getLogger("x").error("in text " + SECRET_VALUE)
    try:
        raise RuntimeError(f"failed with {SECRET_VALUE}")
    except RuntimeError:
        logging.getLogger("x").exception("boom")
    settings.save(settings.Settings())
    for handler in logging.getLogger().handlers:
        handler.flush()
    written = [p for p in isolated_dirs.rglob("*") if p.is_file()]
    assert log_path in written and settings.settings_path() in written
    for path in written:
        assert SECRET_VALUE not in path.read_text(encoding="utf-8", errors="replace"), path
    assert "***" in log_path.read_text()


def test_the_os_keyring_is_found_when_a_secret_is_first_needed(
        memory_keyring: MemoryKeyring, monkeypatch: pytest.MonkeyPatch) -> None:
    """The window starts without waiting for keyring's backend search (100-200 ms)."""
    found: list[object] = []
    real = keyring.get_keyring
    monkeypatch.setattr(keyring, "get_keyring", lambda: found.append(1) or real())
    creds = Credentials()
    assert found == []
    memory_keyring.entries[(SERVICE, "uat:rh.api_key")] = SECRET_VALUE
    assert creds.get(Secret.RH_API_KEY, "uat") == SECRET_VALUE
    assert creds.persistent and creds.info.name.endswith("MemoryKeyring")
    assert creds.get(Secret.RH_API_TOKEN, "uat") is None
    assert found == [1]  # once


def test_a_memory_only_session_never_looks_for_the_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(keyring, "get_keyring", lambda: pytest.fail("the keyring was searched"))
    creds = Credentials(memory_only="demo")
    creds.set(Secret.RH_API_KEY, SECRET_VALUE, "sandbox")
    assert creds.get(Secret.RH_API_KEY, "sandbox") == SECRET_VALUE
    assert not creds.persistent and creds.info.name == "memory"
