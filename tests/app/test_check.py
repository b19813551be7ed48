"""``returndesk check`` against the sandbox over HTTP, a real SQLite store and a keyring."""

from __future__ import annotations

import argparse
import socket
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from app.check import check_command, run_checks
from app.clock_check import ClockCheck
from app.credentials import Credentials, Secret
from app.model import utcnow
from app.sandbox.server import SandboxServer
from app.settings import Environment, Settings


def desk_settings(sandbox: SandboxServer, tmp_path: Path) -> Settings:
    return Settings(environment=Environment.CUSTOM, rh_user_api=sandbox.user_base,
                    rh_public_api=sandbox.public_base, store=str(tmp_path / "desk.sqlite3"),
                    timeout_s=5.0)


def keyring_with(sandbox: SandboxServer, token: str | None = None) -> Credentials:
    credentials = Credentials(memory_only="check")
    credentials.set(Secret.RH_API_KEY, sandbox.api_key, "custom")
    credentials.set(Secret.RH_API_TOKEN, token or sandbox.api_token, "custom")
    return credentials


async def test_a_desk_set_up_right_passes_every_check(sandbox: SandboxServer,
                                                      tmp_path: Path) -> None:
    checks = {c.name: c for c in await run_checks(desk_settings(sandbox, tmp_path),
                                                  keyring_with(sandbox))}
    for name in ("settings", "store", "credentials", "return helper", "clock", "tls"):
        assert checks[name].outcome == "PASS", checks[name]
    assert "handling types" in checks["return helper"].detail
    assert checks["winit"].outcome == "SKIP"
    # (the in-memory keyring of the test is not an OS keyring, and says so)
    assert checks["keyring"].outcome == "FAIL"


def test_what_is_wrong_is_named_and_no_secret_is_shown(
        sandbox: SandboxServer, tmp_path: Path, capsys: Any) -> None:
    settings = desk_settings(sandbox, tmp_path)
    credentials = keyring_with(sandbox, token="wrong-token-123")
    code = check_command(argparse.Namespace(), settings, credentials)
    out = capsys.readouterr().out
    assert code == 1
    assert "FAIL  return helper" in out and "result: FAIL" in out
    assert sandbox.api_key not in out and "wrong-token-123" not in out


async def test_missing_credentials_are_named_and_the_api_is_not_asked(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    checks = {c.name: c for c in await run_checks(desk_settings(sandbox, tmp_path),
                                                  Credentials(memory_only="check-empty"))}
    assert checks["credentials"].outcome == "FAIL"
    assert "rh.api_key" in checks["credentials"].detail
    assert checks["return helper"].outcome == "SKIP"


async def test_a_wrong_clock_fails_the_clock_check(sandbox: SandboxServer, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    import app.returnhelper.transport as transport

    behind = ClockCheck("Return Helper", clock=lambda: utcnow() - timedelta(hours=3))
    monkeypatch.setattr(transport, "ClockCheck", lambda _server: behind)
    checks = {c.name: c for c in await run_checks(desk_settings(sandbox, tmp_path),
                                                  keyring_with(sandbox))}
    assert checks["clock"].outcome == "FAIL"
    assert "3 h 00 min behind" in checks["clock"].detail


async def test_a_desk_that_receives_webhooks_needs_its_signing_key_and_url(
        sandbox: SandboxServer, tmp_path: Path) -> None:
    settings = desk_settings(sandbox, tmp_path)
    credentials = keyring_with(sandbox)
    checks = {c.name: c for c in await run_checks(settings, credentials)}
    assert "webhooks" not in checks  # receiving elsewhere: nothing to check here
    settings.webhooks_in_app = True
    settings.webhooks_host = "127.0.0.1"
    held = socket.socket()
    held.bind(("127.0.0.1", 0))
    held.listen()
    settings.webhooks_port = held.getsockname()[1]
    checks = {c.name: c for c in await run_checks(settings, credentials)}
    assert checks["webhooks"].outcome == "FAIL"
    assert f"cannot listen on 127.0.0.1:{settings.webhooks_port}" in checks["webhooks"].detail
    held.close()  # the port is free again (the receiver's own, for the checks below)
    checks = {c.name: c for c in await run_checks(settings, credentials)}
    assert checks["webhooks"].outcome == "FAIL"
    assert "signing key" in checks["webhooks"].detail and "webhooks_public_url" in checks[
        "webhooks"].detail
    credentials.set(Secret.RH_SIGNING_KEY, "c2lnbmluZy1rZXktZm9yLXRlc3Rz", "custom")
    settings.webhooks_public_url = "https://hooks.example.com/webhooks/returnhelper"
    checks = {c.name: c for c in await run_checks(settings, credentials)}
    assert checks["webhooks"].outcome == "PASS"
    assert "c2lnbmluZy1rZXktZm9yLXRlc3Rz" not in checks["webhooks"].detail
