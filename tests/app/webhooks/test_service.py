"""The receiver running inside an existing asyncio loop (as in the desktop app), and
``returndesk serve-hooks`` as its own process."""

from __future__ import annotations

import base64
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from app.credentials import Credentials, Secret
from app.returnhelper.signature import sign
from app.settings import Settings
from app.store import open_store
from app.webhooks.service import WebhookService, WebhookServiceError
from tests.app.webhooks.events import iso, new_inventory, winit_record

ROOT = Path(__file__).resolve().parents[3]


async def test_embedded_service_on_the_running_loop(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "embedded.sqlite3"))
    credentials = Credentials()
    key = base64.b64encode(secrets.token_bytes(32)).decode()
    token = secrets.token_urlsafe(32)
    credentials.set(Secret.RH_SIGNING_KEY, key, "uat")
    credentials.set(Secret.WINIT_HOOK_TOKEN, token)
    settings = Settings(winit_plaintext_events=True)
    service = WebhookService(store, credentials, settings, host="127.0.0.1", port=0)
    await service.start()
    try:
        assert service.running and service.port
        settings.webhooks_public_url = service.url + "/webhooks/returnhelper"
        body = json.dumps(new_inventory(321)).encode()
        stamp = iso(datetime.now(UTC))
        async with httpx.AsyncClient(base_url=service.url) as client:
            response = await client.post("/webhooks/returnhelper", content=body, headers={
                "timestamp": stamp,
                "returnhelper-signature": sign(key, settings.webhooks_public_url, stamp, body)})
            assert response.status_code == 200
            response = await client.post(f"/webhooks/winit/{token}",
                                         json=[winit_record("u-emb", "RO-EMB")])
            assert response.text == "success"
            assert (await client.get("/healthz")).json()["status"] == "ok"
        assert store.get("rh:321") is not None and store.get("winit:RO-EMB") is not None
        # a second service cannot take the same port, and says so
        other = WebhookService(store, credentials, settings, host="127.0.0.1", port=service.port)
        with pytest.raises(WebhookServiceError, match="could not listen"):
            await other.start()
    finally:
        await service.stop()
    assert not service.running
    with pytest.raises(httpx.ConnectError):
        async with httpx.AsyncClient() as client:
            await client.get(settings.webhooks_public_url.replace("/webhooks/returnhelper",
                                                                  "/healthz"))
    store.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_hooks_command_runs_and_stops(tmp_path: Path) -> None:
    port = _free_port()
    public = "https://hooks.example.com/rd/webhooks/returnhelper"
    env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
           "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "app", "serve-hooks", "--host", "127.0.0.1", "--port", str(port),
         "--public-url", public, "--store", str(tmp_path / "hooks.sqlite3")],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout is not None
        lines = []
        for line in proc.stdout:
            lines.append(line)
            if "listening on" in line:
                break
        assert any("no Return Helper signing key" in line for line in lines), lines
        deadline = time.monotonic() + 20
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
            while True:  # the port opens right after the "listening" line
                try:
                    health = client.get("/healthz")
                    break
                except httpx.ConnectError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.05)
            assert health.status_code == 200 and health.json()["status"] == "ok"
            refused = client.post("/webhooks/returnhelper", content=b"{}",
                                  headers={"timestamp": "x", "returnhelper-signature": "y"})
            assert refused.status_code == 503               # no signing key configured
            assert client.post("/webhooks/winit/anything", content=b"[]").text == "fail"
    finally:
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=20)
    assert proc.returncode == 0, out
    assert "stopped" in out
