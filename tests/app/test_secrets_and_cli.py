"""Secrets never reach disk; the support commands answer from the same store the desk uses."""

from __future__ import annotations

import asyncio
import json
import logging
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app import __version__, logs
from app.demo import DemoEnvironment, demo_environment
from app.desk import DeskService
from app.settings import Settings
from tests.fixtures.filesystems import DAMAGED_SQLITE, damaged_sqlite

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def demo() -> AsyncIterator[DemoEnvironment]:
    async with demo_environment(Settings(), items=40, act_after_s=0.1) as env:
        report = await asyncio.wait_for(env.delivery, 60)  # type: ignore[arg-type]
        assert report.accepted == 40
        yield env


async def test_no_secret_in_store_logs_or_settings(demo: DemoEnvironment, isolated_dirs: Path) -> None:
    log_file = logs.setup_logging("secrets-scan", logging.DEBUG, console=False)
    logging.getLogger().setLevel(logging.DEBUG)
    desk = DeskService(demo.settings, demo.store, demo.credentials, demo.rh)
    await desk.start()
    try:
        item = next(i for i in demo.sandbox.items() if i.handling_status == "pending")
        demo.sandbox.fail_next("500", path="UpdateReturnInventoryHandling")  # an error gets logged too
        desk.decide(f"rh:{item.return_inventory_id}", "ohd")
        await desk.outbox.wait_idle(timeout=20)
        with pytest.raises(Exception):  # noqa: B017 - any refusal; its text must not leak either
            await demo.rh.get_inventory(999)
    finally:
        await desk.close()
    for handler in logging.getLogger().handlers:
        handler.flush()
    secrets = [demo.sandbox.api_key, demo.sandbox.api_token, demo.sandbox.signing_key]
    files = [p for base in (demo.folder, isolated_dirs) for p in base.rglob("*") if p.is_file()]
    assert log_file in files and any(p.suffix == ".sqlite3" for p in files)
    assert log_file.stat().st_size > 0
    for path in files:
        data = path.read_bytes()
        for secret in secrets:
            assert secret.encode() not in data, f"a secret reached {path}"


async def test_find_command_answers_from_the_desks_store(demo: DemoEnvironment) -> None:
    item = demo.sandbox.items()[3]
    command = [sys.executable, "-m", "app", "find", item.rma, "--json", "--store", demo.settings.store or ""]
    result = await asyncio.to_thread(subprocess.run, command, capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    assert answer["outcome"] in {"found", "multiple"}
    assert f"rh:{item.return_inventory_id}" in {r["key"] for r in answer["records"]}
    record = next(r for r in answer["records"] if r["key"] == f"rh:{item.return_inventory_id}")
    assert record["lines"][0]["length_cm"]  # dimensions from the webhook, as a scan would show

    missing = await asyncio.to_thread(
        subprocess.run, [*command[:4], "NO-SUCH-LABEL", "--store", demo.settings.store or ""],
        capture_output=True, text=True, cwd=ROOT)
    assert missing.returncode == 1 and "no item matches" in missing.stdout
    garbage = await asyncio.to_thread(
        subprocess.run, [*command[:4], "!?!?", "--store", demo.settings.store or ""],
        capture_output=True, text=True, cwd=ROOT)
    assert garbage.returncode == 1 and "not a usable scan" in garbage.stdout


def test_version_and_help() -> None:
    out = subprocess.run([sys.executable, "-m", "ui", "--version"], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout
    assert out.strip() == f"returndesk {__version__}"
    helptext = subprocess.run([sys.executable, "-m", "app", "--help"], capture_output=True, text=True,
                              cwd=ROOT, check=True).stdout
    for command in ("demo", "sync", "find", "credentials", "sandbox", "serve-hooks", "hooks",
                    "export", "outbox"):
        assert command in helptext


@pytest.mark.parametrize("command", [["find", "ABC-123"], ["outbox", "list"], ["outbox", "send"],
                                     ["hooks", "kept"], ["hooks", "replay"],
                                     ["export", "--day", "2026-11-21"], ["sync", "--days", "1"]])
def test_a_damaged_store_is_a_message_not_a_traceback(
        command: list[str], tmp_path: Path, isolated_dirs: Path, logging_restored: None,
        capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main
    damaged = damaged_sqlite(tmp_path / "desk.sqlite3")
    args = [*command, "--store", str(damaged)]
    if command[0] == "export":
        args += ["-o", str(tmp_path / "day.csv")]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert str(damaged) in err and "damaged" in err
    assert "Traceback" not in err
    assert damaged.read_bytes() == DAMAGED_SQLITE  # left as it was, for support
